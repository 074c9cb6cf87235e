// /extract's re-ask loop over the pipeline: ask for JSON matching a schema, check the answer, ask again with the
// problems found. Each ask is one pipeline call (its usage, cost, cache status and attempts reach the log through
// its outcome); the asks share one deadline (the step account's) and their usage is summed by the one adder.
import { addUsage } from '../core/sum-usage.ts';
import type { ChatBody, ChatCompletion, CompletionUsage } from '../core/types.ts';
import { GatewayError } from '../errors.ts';
import type { ExtractionSchema } from '../extract/schema.ts';
import { isStrictCompatible } from '../extract/schema.ts';
import type { RequestContext } from '../http/context.ts';
import { StepAccount } from '../loops/step-account.ts';
import { completeCall } from './complete-call.ts';
import { runPolicy } from './model-chain.ts';
import { startCall } from './start-call.ts';

/** What to extract: the schema, the conversation (instructions first), the model, the bound on asks. */
export interface ExtractRequest {
  readonly schema: ExtractionSchema;
  readonly messages: unknown[];
  readonly model: string | undefined;
  readonly temperature: unknown;
  readonly maxAttempts: number;
}

/** A valid extraction: the data, the model that answered, the asks' usage summed, how many asks it took, the answer's headers. */
export interface Extracted {
  readonly data: unknown;
  readonly model: string;
  readonly usage: CompletionUsage;
  readonly attempts: number;
  readonly headers: Record<string, string>;
}

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

/** The three counts an /extract answer reports, summed over its asks (zeros when no upstream reported any). */
function reported(usage: CompletionUsage | undefined): CompletionUsage {
  return {
    prompt_tokens: usage?.prompt_tokens ?? 0,
    completion_tokens: usage?.completion_tokens ?? 0,
    total_tokens: usage?.total_tokens ?? 0,
  };
}

/**
 * Asks until an answer parses and matches the schema, at most `maxAttempts` times and within the request's one
 * deadline; each re-ask carries the validation errors. A refusal, or no valid answer within the asks, is a 422.
 */
export async function extractCall(rc: RequestContext, request: ExtractRequest): Promise<Extracted> {
  const { schema, messages, maxAttempts } = request;
  const { timeoutMs } = runPolicy(rc.request.headers, rc.config);
  const account = new StepAccount({ now: () => rc.deps.clock.now(), timeoutMs, name: 'The extraction' });
  let usage: CompletionUsage | undefined;
  let problems: string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) account.checkContinue(rc.request.signal);
    const started = await startCall(rc, structuredBody(schema, messages, request.model, request.temperature), {
      stream: false,
      deterministic: true,
      trimByDefault: false,
      timeoutMs: account.timeLeft(),
    });
    const { answer, completion, headers } = await completeCall(started);
    usage = addUsage(usage, completion.usage);
    const choice = completion.choices[0];
    if (choice?.message.refusal || choice?.finish_reason === 'content_filter') {
      throw new GatewayError(422, `The model refused to extract: ${choice.message.refusal ?? 'content filtered'}`, { code: 'refusal' });
    }
    const raw = answerText(completion);
    const verdict = await schema.check(raw);
    if (verdict.parsed && verdict.validated) rc.log.extract_validations = (rc.log.extract_validations ?? 0) + 1;
    if (verdict.parsed && verdict.problems.length === 0) {
      return { data: verdict.data, model: answer.target.id, usage: reported(usage), attempts: attempt, headers };
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
