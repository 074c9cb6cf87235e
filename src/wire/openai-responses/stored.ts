// The shapes of stored responses on OpenAI's wire: ids, the not-found errors, the deletion answer, input item lists.
import type { JsonObject } from '../../core/types.ts';
import { GatewayError, invalidField } from '../../errors.ts';

/** A new response id in OpenAI's form (`resp_` and 48 hex digits): unique, so a stored response is never overwritten. */
export function newResponseId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `resp_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** 404 for an id this key has not stored (or whose retention ran out): the same for another key's id. */
export const responseNotFound = (id: string) =>
  new GatewayError(404, `Response with id '${id}' not found.`, { code: 'response_not_found' });

/** 400 for a `previous_response_id` this key has not stored, as OpenAI answers it. */
export const previousResponseNotFound = (id: string) =>
  new GatewayError(400, `Previous response with id '${id}' not found.`, {
    code: 'previous_response_not_found',
    param: 'previous_response_id',
  });

/** The answer to `DELETE /v1/responses/{id}`. */
export const deletedResponse = (id: string): JsonObject => ({ id, object: 'response', deleted: true });

const ITEM_PREFIX: Readonly<Record<string, string>> = {
  message: 'msg',
  function_call: 'fc',
  function_call_output: 'fco',
  custom_tool_call: 'ctc',
  custom_tool_call_output: 'ctco',
  reasoning: 'rs',
};

/** Input items as a response keeps them: each with an id (its own, or one made from the response's). */
export function identifiedItems(items: readonly JsonObject[], responseId: string): JsonObject[] {
  const stem = responseId.replace(/^resp_/, '');
  return items.map((item, i) => {
    if (typeof item['id'] === 'string') return item;
    const type = typeof item['type'] === 'string' ? item['type'] : 'message';
    return { id: `${ITEM_PREFIX[type] ?? 'item'}_${stem}_in${i}`, type, ...item };
  });
}

/**
 * `GET /v1/responses/{id}/input_items`: a page of a response's input items as OpenAI's list object, newest first
 * unless `order=asc`, at most `limit` (1 to 100, default 20), after the item `after`.
 */
export function inputItemsPage(items: readonly JsonObject[], query: URLSearchParams): JsonObject {
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw invalidField('order', `Invalid 'order': must be 'asc' or 'desc'; got '${order}'.`);
  const limitText = query.get('limit') ?? '20';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw invalidField('limit', `Invalid 'limit': must be a whole number from 1 to 100; got '${limitText}'.`);
  const ordered = order === 'asc' ? [...items] : [...items].reverse();
  const after = query.get('after');
  const start = after === null ? 0 : ordered.findIndex((item) => item['id'] === after) + 1;
  const data = after !== null && start === 0 ? [] : ordered.slice(start, start + limit);
  return {
    object: 'list',
    data,
    first_id: data[0]?.['id'] ?? null,
    last_id: data.at(-1)?.['id'] ?? null,
    has_more: start + data.length < ordered.length && data.length > 0,
  };
}

/** Where one of this gateway's item ids points: its response, and its place in that response's output or input. */
export function itemPlace(id: string): { responseId: string; input: boolean; index: number } | null {
  // Output items are `<prefix>_<hex>_<n>` (encode-response.ts), input items `<prefix>_<hex>_in<n>` (above).
  const match = /^[a-z]+_([0-9a-f]{48})_(in)?(\d{1,6})$/.exec(id);
  if (!match) return null;
  return { responseId: `resp_${match[1]}`, input: match[2] === 'in', index: Number(match[3]) };
}

const isReference = (item: unknown): item is JsonObject =>
  typeof item === 'object' && item !== null && (item as JsonObject)['type'] === 'item_reference';

/** The ids the `item_reference` items of a request's input name (none for a string input). */
export function referencedItemIds(input: unknown): string[] {
  if (!Array.isArray(input)) return [];
  return input.filter(isReference).flatMap((item) => (typeof item['id'] === 'string' ? [item['id']] : []));
}

/** The input with each `item_reference` replaced by the stored item it names; a 400 naming the first that names none. */
export function withReferencesResolved(input: readonly unknown[], found: ReadonlyMap<string, JsonObject>): unknown[] {
  return input.map((item, i) => {
    if (!isReference(item)) return item;
    const id = item['id'];
    const stored = typeof id === 'string' ? found.get(id) : undefined;
    if (!stored)
      throw invalidField(
        `input[${i}].id`,
        `Invalid 'input[${i}].id': no item ${JSON.stringify(id)} among the responses this key stored (an item_reference names an item of a stored response).`,
      );
    return stored;
  });
}

/**
 * A stored conversation's items as the input of a stateless request to OpenAI (`store: false`, whose own ids name
 * nothing there): every item without its `id`, but reasoning items, which are kept (id included) only with their
 * `encrypted_content`, the one form OpenAI takes back without storing; others are dropped, as OpenAI's stateless
 * multi-turn guide says.
 */
export function replayedItems(items: readonly JsonObject[]): JsonObject[] {
  return items.flatMap((item) => {
    if (item['type'] === 'reasoning') return typeof item['encrypted_content'] === 'string' ? [item] : [];
    const { id: _id, ...rest } = item;
    return [rest];
  });
}
