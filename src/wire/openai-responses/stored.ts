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
