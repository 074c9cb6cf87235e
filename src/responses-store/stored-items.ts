import type { JsonObject } from '../core/types.ts';
import { invalidField } from '../errors.ts';
import { itemPlace, referencedItemIds, withReferencesResolved } from '../wire/openai-responses/stored.ts';
import type { ResponseStore } from './response-store.ts';
import type { StoredEntry } from './stored-responses.ts';

/** Most stored responses one request's `item_reference` items may name (each is read from the key's object). */
const MAX_REFERENCED_RESPONSES = 20;

/**
 * The request with each `item_reference` input item replaced by the item it names: an output or input item of a
 * response this key stored (@ai-sdk/openai refers to earlier answers this way when `store` is on). One read of the
 * key's object for all the gateway's own ids, one more for OpenAI's (output items of a response passed through);
 * an id that names nothing is a 400 naming the item.
 * @example const input = await withStoredItems(store, await readJsonObject(request, maxBytes))
 */
export async function withStoredItems(store: ResponseStore | null, request: JsonObject): Promise<JsonObject> {
  const ids = referencedItemIds(request['input']);
  if (ids.length === 0) return request;
  const places = new Map(
    ids.flatMap((id) => {
      const place = itemPlace(id);
      return place ? [[id, place] as const] : [];
    }),
  );
  const responseIds = [...new Set([...places.values()].map((p) => p.responseId))];
  if (responseIds.length > MAX_REFERENCED_RESPONSES)
    throw invalidField(
      'input',
      `item_reference items may name items of at most ${MAX_REFERENCED_RESPONSES} stored responses; got ${responseIds.length}.`,
    );
  const entries = new Map(((await store?.loadMany(responseIds)) ?? []).map((entry) => [entry.id, entry]));
  // Each stored response's output and input, parsed once however many references name items of it.
  const lists = new Map<string, JsonObject[]>();
  const listOf = (entry: StoredEntry, input: boolean): JsonObject[] => {
    const key = `${entry.id}:${input}`;
    let list = lists.get(key);
    if (!list) {
      list = input ? (JSON.parse(entry.input) as JsonObject[]) : ((JSON.parse(entry.response) as JsonObject)['output'] as JsonObject[]);
      lists.set(key, list);
    }
    return list;
  };
  const found = new Map<string, JsonObject>();
  for (const [id, place] of places) {
    const entry = entries.get(place.responseId);
    const item = entry ? listOf(entry, place.input)[place.index] : undefined;
    if (item?.['id'] === id) found.set(id, item);
  }
  // Ids of OpenAI's own output items (a response passed through), looked for in the key's responses.
  const unplaced = [...new Set(ids.filter((id) => !places.has(id)))].slice(0, MAX_REFERENCED_RESPONSES);
  for (const entry of unplaced.length > 0 ? ((await store?.loadHolding(unplaced)) ?? []) : []) {
    for (const item of listOf(entry, false))
      if (typeof item['id'] === 'string' && unplaced.includes(item['id'])) found.set(item['id'], item);
  }
  return { ...request, input: withReferencesResolved(request['input'] as unknown[], found) };
}
