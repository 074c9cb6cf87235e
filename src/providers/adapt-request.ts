import { isJsonObject, type ChatBody, type JsonObject } from '../core/types.ts';
import type { StructuredOutput } from './catalog.ts';
import type { NormalizeOptions } from './normalize.ts';
import type { Target } from './target.ts';

/** A request as one target wants it, and how that target's answer is to be normalised. */
export interface AdaptedRequest {
  /** Still in the chat-completions shape; an Anthropic target translates it further on its own wire. */
  readonly body: ChatBody;
  readonly normalize: NormalizeOptions;
}

/** The name of the forced tool that stands for `response_format: json_schema` on `tool` providers. */
const DEFAULT_TOOL = 'json_answer';

/** How a target is asked for schema-shaped JSON; `/extract` and `response_format` are adapted to it per target. */
export function structuredOutputOf(target: Target): StructuredOutput {
  return target.provider.spec.structuredOutput;
}

/**
 * The client's body as one target wants it: its model, `stream`, usage asked for on streams where the provider
 * honours `stream_options`, and `response_format: json_schema` asked the target's own way (a JSON-object
 * prompt, or a forced tool whose arguments come back as the content). So a fallback from OpenAI to a provider
 * with other capabilities asks each one correctly.
 * @example adaptRequest(target, { messages, response_format: { type: 'json_schema', json_schema } }, false)
 */
export function adaptRequest(target: Target, body: ChatBody, stream: boolean): AdaptedRequest {
  const spec = target.provider.spec;
  const adapted: ChatBody = { ...body, model: target.model, stream };
  if (stream && spec.streamUsage === 'include_usage') {
    const asked = isJsonObject(body['stream_options']) ? body['stream_options'] : {};
    adapted['stream_options'] = { ...asked, include_usage: true };
  } else delete adapted['stream_options'];
  const normalize: NormalizeOptions = spec.streamUsage === 'always' ? { usageUnasked: true } : {};
  const schema = jsonSchemaFormat(body['response_format']);
  if (!schema || spec.wire === 'anthropic') return { body: adapted, normalize };
  return adaptStructured(spec.structuredOutput, adapted, schema, normalize);
}

interface JsonSchemaFormat {
  readonly name: string;
  readonly description: string | undefined;
  readonly schema: JsonObject;
}

/** The schema of `response_format: {type: "json_schema", json_schema: {name, schema}}`, if that is what was asked. */
export function jsonSchemaFormat(format: unknown): JsonSchemaFormat | undefined {
  if (!isJsonObject(format) || format['type'] !== 'json_schema' || !isJsonObject(format['json_schema'])) return undefined;
  const js = format['json_schema'];
  const schema = isJsonObject(js['schema']) ? js['schema'] : { type: 'object' };
  return {
    name: typeof js['name'] === 'string' && js['name'] !== '' ? js['name'] : DEFAULT_TOOL,
    description: typeof js['description'] === 'string' ? js['description'] : undefined,
    schema,
  };
}

function adaptStructured(
  strategy: StructuredOutput,
  body: ChatBody,
  format: JsonSchemaFormat,
  normalize: NormalizeOptions,
): AdaptedRequest {
  if (strategy === 'json_schema') return { body, normalize };
  if (strategy === 'json_object') {
    const instruction = `Reply with one JSON object that matches this JSON Schema, and nothing else:\n${JSON.stringify(format.schema)}`;
    // Into the caller's own system message when there is one, so it stays the first thing the model reads.
    const [first, ...rest] = body.messages;
    const own = isJsonObject(first) && first['role'] === 'system' && typeof first['content'] === 'string';
    const messages = own
      ? [{ ...first, content: `${first['content']}\n${instruction}` }, ...rest]
      : [{ role: 'system', content: instruction }, ...body.messages];
    return { body: { ...body, response_format: { type: 'json_object' }, messages }, normalize };
  }
  const { response_format: _dropped, ...rest } = body;
  const tool = {
    type: 'function',
    function: {
      name: format.name,
      description: format.description ?? 'Return the answer as arguments of this function.',
      parameters: format.schema,
    },
  };
  const tools = Array.isArray(body['tools']) ? [...body['tools'], tool] : [tool];
  return {
    body: { ...rest, messages: body.messages, tools, tool_choice: { type: 'function', function: { name: format.name } } },
    normalize: { ...normalize, structuredTool: format.name },
  };
}
