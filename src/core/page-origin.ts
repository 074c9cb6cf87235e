// Which page a browser request came from, from the headers a browser sets and a page cannot forge.

/**
 * The origin of the page a browser request came from: `Origin`; else the origin of `Referer` (an `<img>`, an
 * EventSource or a plain GET sends no `Origin`); else, when `Sec-Fetch-Site` says another site sent it, `"null"`
 * (the opaque origin of a page that withheld its own, which no list allows). Null when nothing says a page sent
 * it: a server, curl, a typed URL. Such a caller can send any header it likes, so headers cannot bind it; they
 * bind browsers.
 *
 * @example pageOrigin(new Request(url, { headers: { referer: 'https://evil.example/page' } })) // "https://evil.example"
 */
export function pageOrigin(request: Request): string | null {
  const origin = request.headers.get('origin');
  if (origin !== null) return origin;
  const referer = request.headers.get('referer');
  if (referer !== null) return URL.canParse(referer) ? new URL(referer).origin : 'null';
  const site = request.headers.get('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site' ? 'null' : null;
}

/** How an error names a page origin: `null` alone says nothing to a reader. */
export const describeOrigin = (origin: string): string =>
  origin === 'null' ? 'null (a page that withheld its origin: Origin: null, or a cross-site request without Origin or Referer)' : origin;
