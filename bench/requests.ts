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

/** A stream the mock sends: `pieces` content chunks (plus the role and finish chunks), `delayMs` apart or as fast as it can. */
export interface StreamShape {
  readonly pieces: number;
  readonly delayMs?: number | undefined;
}

/**
 * Stream shapes are mock scenarios named by model (`PUT /__mock/scenarios/<model>`), not a `mock` field in
 * the body: Portkey drops fields it does not know, and every target must send the same body.
 */
const streamModel = (s: StreamShape) => `bench-stream-${s.pieces}x${s.delayMs ?? 0}`;

/**
 * A stream of exactly `pieces` content chunks (plus the role and finish chunks), sent as fast as possible,
 * or `delayMs` apart (so each chunk arrives in its own read, as a model's tokens do). Its shape must be
 * registered with the mock first (`registerStreams`).
 */
export const streamBody = (pieces: number, delayMs?: number): object => ({
  ...BASE,
  model: `openai/${streamModel({ pieces, delayMs })}`,
  stream: true,
});

/** A slow stream (one chunk a second) to hold connections open for the memory figure. */
export const SLOW_STREAM: StreamShape = { pieces: 30, delayMs: 1000 };
export const slowStreamBody = (): object => streamBody(SLOW_STREAM.pieces, SLOW_STREAM.delayMs);

/** Tells the mock the stream shapes of a run, under the model name each target sends (with and without `openai/`). */
export async function registerStreams(mockUrl: string, shapes: readonly StreamShape[]): Promise<void> {
  for (const shape of shapes) {
    const directive = JSON.stringify({ stream: { pieces: shape.pieces, ...(shape.delayMs ? { chunk_delay_ms: shape.delayMs } : {}) } });
    for (const model of [streamModel(shape), `openai/${streamModel(shape)}`]) {
      const response = await fetch(`${mockUrl}/__mock/scenarios/${model}`, { method: 'PUT', body: directive });
      if (!response.ok) throw new Error(`The mock refused scenario ${model}: ${response.status} ${await response.text()}`);
    }
  }
}

/** A request the gateway's response cache may answer: `temperature: 0` is cacheable by default. */
export const cacheableBody = (): object => ({ ...BASE, temperature: 0 });
