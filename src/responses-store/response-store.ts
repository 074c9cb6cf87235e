import type { StoredEntry, StoredResponses } from './stored-responses.ts';

/** RESPONSES_RETENTION_DAYS, RESPONSES_MAX_BYTES and RESPONSES_MAX_PER_KEY, read once per isolate. */
export interface ResponseStoreSettings {
  readonly retentionMs: number;
  /** Largest entry kept (UTF-8 bytes of the response, its conversation, twice, and its input); a larger one is not stored. */
  readonly maxBytes: number;
  /** Responses one key keeps; past it the oldest are dropped. */
  readonly maxRows: number;
}

/** One key's stored responses. */
export interface ResponseStore {
  save(entry: StoredEntry): Promise<void>;
  load(id: string): Promise<StoredEntry | null>;
  loadMany(ids: readonly string[]): Promise<StoredEntry[]>;
  /** The entries whose responses hold output items with these ids (one each, the newest). */
  loadHolding(itemIds: readonly string[]): Promise<StoredEntry[]>;
  remove(id: string): Promise<boolean>;
}

/** The size of an entry as it is kept. */
const bytesOf = (entry: StoredEntry): number => {
  const encoder = new TextEncoder();
  const texts = [entry.response, entry.messages, entry.input, entry.items ?? ''];
  return texts.reduce((bytes, text) => bytes + encoder.encode(text).length, 0);
};

/** Whether an entry is small enough to be kept. */
export const fitsStore = (entry: StoredEntry, settings: ResponseStoreSettings): boolean => bytesOf(entry) <= settings.maxBytes;

/**
 * The stored responses of the key with this hash: its own object of the RESPONSES namespace, named by the hash.
 * `now` is the wall clock in ms (the app's clock, so tests move it).
 * @example await responseStore(env.RESPONSES, rc.caller.keyHash, settings, () => Date.now()).load('resp_…')
 */
export function responseStore(
  namespace: DurableObjectNamespace<StoredResponses>,
  keyHash: string,
  settings: ResponseStoreSettings,
  now: () => number,
): ResponseStore {
  const object = namespace.get(namespace.idFromName(keyHash));
  return {
    save: (entry) => object.put(entry, { now: now(), retentionMs: settings.retentionMs, maxRows: settings.maxRows }),
    load: (id) => object.get(id, now()),
    loadMany: (ids) => object.getMany([...ids], now()),
    loadHolding: (itemIds) => object.getHolding([...itemIds], now()),
    remove: (id) => object.remove(id, now()),
  };
}
