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

/** Completed answers in Workers KV: chat completions by default; another entry shape (embeddings) names its own check. */
export class ResponseCache<E extends object = CacheEntry> {
  readonly #kv: KVNamespace;
  readonly #isEntry: (value: object) => boolean;

  constructor(kv: KVNamespace, isEntry: (value: object) => boolean = (value) => 'completion' in value) {
    this.#kv = kv;
    this.#isEntry = isEntry;
  }

  /** The stored answer for a key, or null (a value that does not parse counts as a miss). */
  async get(key: string): Promise<E | null> {
    const entry = await this.#kv.get<E>(key, 'json').catch(() => null);
    return entry && typeof entry === 'object' && this.#isEntry(entry) ? entry : null;
  }

  /** Stores an answer; returns why it did not, or null. */
  async put(key: string, entry: E, ttlSeconds: number): Promise<string | null> {
    const value = JSON.stringify(entry);
    if (new TextEncoder().encode(value).byteLength > KV_MAX_VALUE_BYTES) return 'larger than the KV value limit';
    await this.#kv.put(key, value, { expirationTtl: ttlSeconds });
    return null;
  }
}
