import { html, type Html } from './html.js';
import { layout } from './layout.js';

/** A refusal or error the user can read: what happened and the way back. */
export function messagePage(title: string, message: string): Html {
  return layout(title, html`<h2>${title}</h2><p role="alert" class="notice">${message}</p><p><a href="/#actions">Back to the status page</a></p>`);
}
