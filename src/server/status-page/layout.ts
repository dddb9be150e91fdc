import { html, trusted, type Html } from './html.js';

/** No script runs on the page; styles are inline; forms post only to this origin. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; --bg: #fff; --accent: #0b57d0; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
header, main { padding: 0 1.5rem; }
header { border-bottom: 1px solid var(--line); display: flex; gap: 1.5rem; align-items: baseline; flex-wrap: wrap; }
header nav a { margin-right: 1rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
h1 { font-size: 1.35rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.health { font-weight: 600; padding: .05rem .4rem; border-radius: .25rem; white-space: nowrap; }
.health-burning { background: #fbd5d5; color: #7a0000; }
.health-healthy { background: #d6f0dc; color: #0b4d1a; }
.health-insufficient-traffic, .health-no-data, .health-not-evaluated { background: #ececec; color: #333; }
ul.burns { list-style: none; margin: 0; padding: 0; font-variant-numeric: tabular-nums; }
.over-page { color: #7a0000; font-weight: 700; } .over-ticket { color: #7a4500; font-weight: 600; }
meter { width: 8rem; }
table.heatmap td { text-align: center; font-size: .8rem; padding: .15rem .25rem; min-width: 2.6rem; }
table.heatmap td a { color: #111; text-decoration: none; display: block; }
.psi-none { background: #ececec; } .psi-0 { background: #e3f2e6; } .psi-1 { background: #c5e6cc; }
.psi-2 { background: #ffe3b3; } .psi-3 { background: #ffc56b; } .psi-4 { background: #f4a3a3; } .psi-5 { background: #e57373; }
form.decide { display: flex; gap: .35rem; align-items: center; flex-wrap: wrap; }
.notice { border: 1px solid #b00020; background: #fdecee; padding: .6rem 1rem; max-width: 48rem; }
svg text { font: 11px system-ui, sans-serif; fill: #222; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** The page shell every status page view shares. */
export function layout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title} · mlwarden</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
<header><h1><a href="/">mlwarden status</a></h1>
<nav aria-label="Sections"><a href="/#slos">SLOs</a><a href="/#drift">Drift</a><a href="/#gpu">GPU pool</a><a href="/#actions">Actions</a></nav></header>
<main>
${body}
</main>
</body>
</html>`;
}
