import type { ChatCompletion } from '../core/types.ts';

/** What is stored per answer. */
export interface CacheEntry {
  readonly completion: ChatCompletion;
  /** The `provider/model` that answered. */
  readonly model: string;
  /** Wall-clock ms when it was stored, for the `age` header. */
  readonly storedAt: number;
}

/** KV's largest value. */
const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;

/** Completed answers in Workers KV. */
export class ResponseCache {
  readonly #kv: KVNamespace;

  constructor(kv: KVNamespace) {
    this.#kv = kv;
  }

  /** The stored answer for a key, or null (a value that does not parse counts as a miss). */
  async get(key: string): Promise<CacheEntry | null> {
    const entry = await this.#kv.get<CacheEntry>(key, 'json').catch(() => null);
    return entry && typeof entry === 'object' && 'completion' in entry ? entry : null;
  }

  /** Stores an answer; returns why it did not, or null. */
  async put(key: string, entry: CacheEntry, ttlSeconds: number): Promise<string | null> {
    const value = JSON.stringify(entry);
    if (new TextEncoder().encode(value).byteLength > KV_MAX_VALUE_BYTES) return 'larger than the KV value limit';
    await this.#kv.put(key, value, { expirationTtl: ttlSeconds });
    return null;
  }
}
