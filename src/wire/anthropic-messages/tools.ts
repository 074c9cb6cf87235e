// A Messages request's tools and `tool_choice` in the chat wire's shape.
import { type ChatBody, isJsonObject, type JsonObject } from '../../core/types.ts';
import { fail, object, oneOf, string } from './checks.ts';

/** A client tool as a function tool; Anthropic's server tools (web search, code execution) only where the model is Anthropic's. */
export function chatTool(tool: unknown, path: string, model: string, native: boolean): JsonObject {
  const t = object(tool, path);
  const name = string(t['name'], `${path}.name`);
  if (t['type'] !== undefined && t['type'] !== null && t['type'] !== 'custom') {
    if (native) return t;
    throw fail(
      path,
      `"${name}" (${String(t['type'])}) is one of Anthropic's server tools, which run only on Anthropic's models; "${model}" cannot run it.`,
    );
  }
  const fn: JsonObject = { name, parameters: object(t['input_schema'], `${path}.input_schema`) };
  if (t['description'] !== undefined) fn['description'] = string(t['description'], `${path}.description`);
  if (t['strict'] === true) fn['strict'] = true;
  const out: JsonObject = { type: 'function', function: fn };
  if (native && isJsonObject(t['cache_control'])) out['cache_control'] = t['cache_control'];
  return out;
}

/** Anthropic's tool choices by their chat-completions names. */
const CHOICES: Readonly<Record<string, string>> = { auto: 'auto', any: 'required', none: 'none' };

export function toolChoice(choice: JsonObject, body: ChatBody, hasTools: boolean): void {
  const type = oneOf(choice['type'], 'tool_choice.type', ['auto', 'any', 'tool', 'none']);
  const name = type === 'tool' ? string(choice['name'], 'tool_choice.name') : undefined;
  const serial = choice['disable_parallel_tool_use'];
  if (serial !== undefined && typeof serial !== 'boolean') throw fail('tool_choice.disable_parallel_tool_use', 'must be a boolean.');
  // Chat completions refuse a tool choice without tools; Anthropic ignores it.
  if (!hasTools) return;
  body['tool_choice'] = name !== undefined ? { type: 'function', function: { name } } : CHOICES[type];
  if (serial === true && type !== 'none') body['parallel_tool_calls'] = false;
}
