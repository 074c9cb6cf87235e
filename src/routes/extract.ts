import type { ChatBody, ChatCompletion, CompletionUsage } from '../core/types.ts';
import type { RequestContext } from '../http/context.ts';
import { GatewayError, invalidField } from '../errors.ts';
import { readJsonObject } from '../http/read-json.ts';
import { isStrictCompatible, prepareSchema, type ExtractionSchema } from '../extract/schema.ts';
import { completeCall } from '../calls/complete-call.ts';
import { startCall } from '../calls/start-call.ts';
import { onlyFields, optional } from '../wire/gateway/fields.ts';

const FIELDS = ['schema', 'text', 'messages', 'instructions', 'model', 'max_attempts', 'temperature'];
const DEFAULT_ATTEMPTS = 2;

/**
 * The request body: `response_format: json_schema` (strict where the schema allows). Each target of the
 * model chain is asked its own way by its provider adapter (json_schema, a JSON-object prompt, or a forced
 * tool whose arguments come back as the content), so a fallback to another provider is asked correctly.
 */
function structuredBody(schema: ExtractionSchema, messages: unknown[], model: string | undefined, temperature: unknown): ChatBody {
  return {
    messages,
    ...(model ? { model } : {}),
    ...(typeof temperature === 'number' ? { temperature } : {}),
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'extraction', schema: schema.modelSchema, strict: isStrictCompatible(schema.modelSchema) },
    },
  };
}

/** The raw JSON text of an answer: the message content, or a tool call's arguments. */
function answerText(completion: ChatCompletion): string {
  const message = completion.choices[0]?.message;
  if (message?.content) return message.content;
  const call = message?.tool_calls?.find((t) => t.type === 'function');
  return call && call.type === 'function' ? call.function.arguments : '';
}

function addUsage(total: CompletionUsage, usage: CompletionUsage | undefined): void {
  if (!usage) return;
  total.prompt_tokens += usage.prompt_tokens;
  total.completion_tokens += usage.completion_tokens;
  total.total_tokens += usage.total_tokens;
}

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
  const model = input['model'] as string | undefined;
  const instructions = typeof input['instructions'] === 'string' ? input['instructions'] : 'Extract the requested data from the input.';
  const messages: unknown[] = [
    { role: 'system', content: instructions },
    ...(typeof text === 'string' ? [{ role: 'user', content: text }] : (given as unknown[])),
  ];
  const usage: CompletionUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  let problems: string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    // Each ask is one pipeline call: its usage, cost, cache status and attempts reach the log through its outcome.
    const {
      answer,
      completion,
      headers: answerHeaders,
    } = await completeCall(
      await startCall(rc, structuredBody(schema, messages, model, input['temperature']), {
        stream: false,
        deterministic: true,
        trimByDefault: false,
      }),
    );
    addUsage(usage, completion.usage);
    const choice = completion.choices[0];
    if (choice?.message.refusal || choice?.finish_reason === 'content_filter') {
      throw new GatewayError(422, `The model refused to extract: ${choice.message.refusal ?? 'content filtered'}`, { code: 'refusal' });
    }
    const raw = answerText(completion);
    const verdict = await schema.check(raw);
    if (verdict.parsed && verdict.validated) rc.log.extract_validations = (rc.log.extract_validations ?? 0) + 1;
    if (verdict.parsed && verdict.problems.length === 0) {
      return Response.json({ data: verdict.data, model: answer.target.id, usage, attempts: attempt }, { headers: answerHeaders });
    }
    problems = verdict.parsed
      ? [...verdict.problems]
      : [`#: the answer is not valid JSON${choice?.finish_reason === 'length' ? ' (cut off at max_tokens)' : ''}`];
    messages.push(
      { role: 'assistant', content: raw },
      {
        role: 'user',
        content: `That answer does not match the JSON Schema:\n${problems.map((p) => `- ${p}`).join('\n')}\nReply again with only the corrected JSON.`,
      },
    );
  }
  throw new GatewayError(
    422,
    `No answer matched the schema after ${maxAttempts} attempt${maxAttempts === 1 ? '' : 's'}: ${problems.join('; ')}`,
    { code: 'extraction_failed' },
  );
}
