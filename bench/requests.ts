// What the bench sends: one chat request body per scenario, to the mock directly or through the gateway.

/** Where requests go and the headers they carry (the key differs: the mock's key direct, a gateway key through it). */
export interface Target {
  readonly name: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const GATEWAY_KEY = 'bench-key';
export const UPSTREAM_KEY = 'sk-bench';
const PATH = '/v1/chat/completions';

/** The mock upstream itself: the baseline every gateway figure is compared with. */
export const directTarget = (mockUrl: string): Target => ({
  name: 'direct',
  url: `${mockUrl}${PATH}`,
  headers: { authorization: `Bearer ${UPSTREAM_KEY}`, 'content-type': 'application/json' },
});

/** A gateway (or reference worker) listening at `baseUrl`. */
export const gatewayTarget = (name: string, baseUrl: string): Target => ({
  name,
  url: `${baseUrl}${PATH}`,
  headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
});

const BASE = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

/** A plain completion; the mock answers at once. */
export const completionBody = (): object => BASE;

/**
 * A stream of exactly `pieces` content chunks (plus the role and finish chunks), sent as fast as possible,
 * or `delayMs` apart (so each chunk arrives in its own read, as a model's tokens do).
 */
export const streamBody = (pieces: number, delayMs?: number): object => ({ ...BASE, stream: true, mock: { stream: { pieces, ...(delayMs ? { chunk_delay_ms: delayMs } : {}) } } });

/** A slow stream (one chunk a second) to hold connections open for the memory figure. */
export const slowStreamBody = (): object => ({ ...BASE, stream: true, mock: { stream: { pieces: 30, chunk_delay_ms: 1000 } } });

/** A request the gateway's response cache may answer: `temperature: 0` is cacheable by default. */
export const cacheableBody = (): object => ({ ...BASE, temperature: 0 });
