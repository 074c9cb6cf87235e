import type { GatewayError } from '../errors.ts';

/** Who may call a route: anyone, a gateway key, or the admin token. */
export type RouteAuth = 'public' | 'key' | 'admin';

/** One served path: its handlers by method and how it is guarded. `:name` segments match one plain segment. */
export interface RouteRow<H> {
  readonly path: string;
  readonly auth: RouteAuth;
  readonly methods: Partial<Record<string, H>>;
  /** Whether `?access_token=` may stand in for the Authorization header, and on which method (EventSource can send no headers). */
  readonly queryTokenMethod?: string;
  /** A header that may carry the key instead of `Authorization: Bearer` (Anthropic's clients send `x-api-key`). */
  readonly keyHeader?: string;
  /** The error body in this route's wire shape (Anthropic's on /v1/messages); OpenAI's when absent. */
  readonly errorBody?: (error: GatewayError) => unknown;
}

export interface RouteMatch<H> {
  readonly row: RouteRow<H>;
  readonly params: Readonly<Record<string, string>>;
}

// A parameter is one plain segment: no percent-encoding, no dots-only segment, nothing a normaliser could reinterpret.
const PARAM = /^(?!\.+$)[A-Za-z0-9._~-]{1,128}$/;

/**
 * The one route match: the exact path of a served route, or nothing. No trailing slash, no empty
 * segment, no case folding, no decoding: whatever is not exactly a row is not served, so the route
 * that runs and the auth that guards it always come from the same row.
 */
export function matchRoute<H>(rows: readonly RouteRow<H>[], pathname: string): RouteMatch<H> | undefined {
  const segments = pathname.split('/');
  for (const row of rows) {
    const pattern = row.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const want = pattern[i] as string;
      const got = segments[i] as string;
      if (want.startsWith(':')) {
        ok = PARAM.test(got);
        params[want.slice(1)] = got;
      } else ok = want === got;
    }
    if (ok) return { row, params };
  }
  return undefined;
}
