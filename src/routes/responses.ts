import { modelTraits } from '../calls/model-traits.ts';
import { responsesCall, storeOf } from '../calls/responses-call.ts';
import type { JsonObject } from '../core/types.ts';
import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { withStoredItems } from '../responses-store/stored-items.ts';
import type { StoredEntry } from '../responses-store/stored-responses.ts';
import { type DecodeOptions, decodeResponsesRequest, requestedModel } from '../wire/openai-responses/decode-request.ts';
import { deletedResponse, inputItemsPage, responseNotFound } from '../wire/openai-responses/stored.ts';

/** What decoding needs to know of the model asked for: whether it reasons, its output-limit field. */
function decodeOptions(model: string, rc: RequestContext): DecodeOptions {
  const { reasoning, maxTokensField } = modelTraits(model, rc.config);
  return { reasoning, maxTokensField };
}

/**
 * `POST /v1/responses`: OpenAI's Responses API in and out, over the one pipeline for every model (passed through to
 * OpenAI's own, translated for every other provider). The response is stored for the caller's key unless `store` is false (or the caller is anonymous), and
 * `previous_response_id` continues a stored one: its conversation, then this input, go to the model.
 */
export async function responses(request: Request, rc: RequestContext): Promise<Response> {
  const store = storeOf(rc);
  const input = await withStoredItems(store, await readJsonObject(request, rc.config.maxBodyBytes));
  const decoded = decodeResponsesRequest(input, decodeOptions(requestedModel(input), rc));
  return responsesCall(rc, decoded, input, store);
}

/** The id in the path of a stored-response route. */
const pathId = (rc: RequestContext): string => rc.route.params['id'] ?? '';

/** The caller's stored entry with the path's id; 404 when it has none (another key's id included). */
async function storedEntry(rc: RequestContext): Promise<StoredEntry> {
  const id = pathId(rc);
  const entry = await storeOf(rc)?.load(id);
  if (!entry) throw responseNotFound(id);
  return entry;
}

/** `GET /v1/responses/{id}`: the stored response object, as it was answered. */
export async function retrieveResponse(_request: Request, rc: RequestContext): Promise<Response> {
  const entry = await storedEntry(rc);
  return new Response(entry.response, { headers: { 'content-type': 'application/json' } });
}

/** `DELETE /v1/responses/{id}`: forgets a stored response (it can no longer be retrieved or continued). */
export async function deleteResponse(_request: Request, rc: RequestContext): Promise<Response> {
  const id = pathId(rc);
  if (!(await storeOf(rc)?.remove(id))) throw responseNotFound(id);
  return Response.json(deletedResponse(id));
}

/** `GET /v1/responses/{id}/input_items`: the input items the stored response was asked with, as a list. */
export async function responseInputItems(request: Request, rc: RequestContext): Promise<Response> {
  const entry = await storedEntry(rc);
  const items = JSON.parse(entry.input) as JsonObject[];
  return Response.json(inputItemsPage(items, new URL(request.url).searchParams));
}
