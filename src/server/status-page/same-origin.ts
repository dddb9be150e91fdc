/**
 * CSRF defence for the page's form posts: the browser must say the post came from this host.
 * Browsers send Origin on every POST (Referer as a fallback under Referrer-Policy: same-origin);
 * a post with neither, or from another site, is refused.
 */
export function isSameOrigin(header: (name: string) => string | undefined): boolean {
  const host = header('host');
  if (host === undefined) return false;
  const site = header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const source = header('origin') ?? header('referer');
  if (source === undefined || source === 'null') return false;
  try {
    return new URL(source).host === host;
  } catch {
    return false;
  }
}
