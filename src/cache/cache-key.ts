import { sha256, toHex } from '../core/sha256.ts';

/** Request fields that never change the answer: how it is delivered, who asked, and gateway-only options. */
const IGNORED = new Set([
  'stream',
  'stream_options',
  'user',
  'metadata',
  'store',
  'models',
  'service_tier',
  'prompt_cache_key',
  'safety_identifier',
]);

/** JSON with object keys sorted at every depth, so property order never splits the cache. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The KV key of an answer: SHA-256 of everything in the request that changes it (messages, tools,
 * tool_choice, response_format, sampling settings, seed, stop, n, logprobs, … and the resolved
 * `provider/model`), scoped by the caller (`scope`: a hash of their gateway key, or `shared`).
 * About 140 bytes, well under KV's 512.
 */
export async function cacheKey(scope: string, model: string, body: Readonly<Record<string, unknown>>): Promise<string> {
  const material: Record<string, unknown> = { model };
  for (const [k, v] of Object.entries(body)) if (!IGNORED.has(k) && k !== 'model') material[k] = v;
  return `c1:${scope}:${toHex(await sha256(canonicalJson(material)))}`;
}
