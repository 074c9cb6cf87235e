import { extractCall } from '../calls/extract-call.ts';
import { invalidField } from '../errors.ts';
import { prepareSchema } from '../extract/schema.ts';
import type { RequestContext } from '../http/context.ts';
import { readJsonObject } from '../http/read-json.ts';
import { onlyFields, optional } from '../wire/gateway/fields.ts';

const FIELDS = ['schema', 'text', 'messages', 'instructions', 'model', 'max_attempts', 'temperature'];
const DEFAULT_ATTEMPTS = 2;

/**
 * `POST /extract`: `{ schema, text | messages, instructions?, model?, max_attempts? }` → `{ data, model, usage, attempts }`.
 * The answer is parsed and validated against the schema; when it does not match, the model is asked
 * again with the validation errors. A refusal, or no valid answer within the attempts, is a 422.
 */
export async function extract(request: Request, rc: RequestContext): Promise<Response> {
  const input = await readJsonObject(request, rc.config.maxBodyBytes);
  onlyFields(input, FIELDS);
  optional(input, 'text', 'string');
  optional(input, 'instructions', 'string');
  optional(input, 'model', 'string');
  optional(input, 'messages', 'array');
  const schema = prepareSchema(input['schema']);
  const cap = rc.config.resilience.extractMaxAttempts;
  const maxAttempts = input['max_attempts'] ?? Math.min(DEFAULT_ATTEMPTS, cap);
  if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > cap) {
    throw invalidField('max_attempts', `"max_attempts" must be a whole number from 1 to ${cap} (EXTRACT_MAX_ATTEMPTS).`);
  }
  const text = input['text'];
  const given = input['messages'];
  if ((text === undefined) === (given === undefined))
    throw invalidField('text', 'Send either "text" (a string) or "messages" (an array).', 'missing_field');
  const instructions = typeof input['instructions'] === 'string' ? input['instructions'] : 'Extract the requested data from the input.';
  const messages: unknown[] = [
    { role: 'system', content: instructions },
    ...(typeof text === 'string' ? [{ role: 'user', content: text }] : (given as unknown[])),
  ];
  const { headers, ...answer } = await extractCall(rc, {
    schema,
    messages,
    model: input['model'] as string | undefined,
    temperature: input['temperature'],
    maxAttempts,
  });
  return Response.json(answer, { headers });
}
