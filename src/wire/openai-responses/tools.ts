// A Responses request's tools and `tool_choice` in the chat wire's shape.
import type { ChatBody, JsonObject } from '../../core/types.ts';
import { boolean, fail, given, object, oneOf, string } from './checks.ts';

/**
 * Why a built-in tool type is refused: OpenAI runs it on its servers (web and file search, code interpreter, MCP,
 * image generation) or only OpenAI's own models are trained to call it (computer use, local shell), and
 * chat completions, which every model is reached by here, have no such tool.
 */
const UNTRANSLATABLE =
  'has no chat-completions equivalent (OpenAI runs it as a hosted tool, or only its own models know how to call it), so this gateway cannot translate it';

/** The one string argument a freeform `custom` tool is given as a function. */
const customParameters = (description: string | undefined): JsonObject => ({
  type: 'object',
  properties: { input: { type: 'string', ...(description ? { description } : {}) } },
  required: ['input'],
  additionalProperties: false,
});

/** A function tool in the chat wire's nested shape; a `custom` tool as a function of one string; hosted tools refused. */
export function chatTool(value: unknown, path: string, customTools: Set<string>): JsonObject {
  const tool = object(value, path);
  const type = string(tool['type'], `${path}.type`);
  if (type === 'function') {
    const fn: JsonObject = { name: string(tool['name'], `${path}.name`) };
    if (given(tool['description'])) fn['description'] = string(tool['description'], `${path}.description`);
    fn['parameters'] = given(tool['parameters']) ? object(tool['parameters'], `${path}.parameters`) : { type: 'object', properties: {} };
    if (given(tool['strict'])) fn['strict'] = boolean(tool['strict'], `${path}.strict`);
    return { type: 'function', function: fn };
  }
  if (type === 'custom') {
    const name = string(tool['name'], `${path}.name`);
    const description = given(tool['description']) ? string(tool['description'], `${path}.description`) : undefined;
    // A grammar or format the model must follow travels as the argument's description: no chat wire can enforce it.
    const format = given(tool['format']) ? object(tool['format'], `${path}.format`) : undefined;
    const hint =
      format && format['type'] !== 'text'
        ? `Follow this ${String(format['syntax'] ?? 'grammar')} grammar:\n${String(format['definition'] ?? '')}`
        : undefined;
    customTools.add(name);
    return { type: 'function', function: { name, ...(description ? { description } : {}), parameters: customParameters(hint) } };
  }
  const name = typeof tool['name'] === 'string' ? ` ("${tool['name']}")` : '';
  throw fail(`${path}.type`, `the tool '${type}'${name} ${UNTRANSLATABLE}. Define it as a function or custom tool instead.`);
}

/** `tool_choice`: the same modes as chat completions; a named function or custom tool as a named function. */
export function toolChoice(value: unknown, body: ChatBody, hasTools: boolean): unknown {
  if (!given(value)) return 'auto';
  let choice: unknown;
  if (typeof value === 'string') choice = oneOf(value, 'tool_choice', ['auto', 'none', 'required']);
  else {
    const c = object(value, 'tool_choice');
    const type = string(c['type'], 'tool_choice.type');
    if (type !== 'function' && type !== 'custom')
      throw fail('tool_choice.type', `'${type}' cannot be chosen here: only function and custom tools can (built-in tools are refused).`);
    choice = { type: 'function', function: { name: string(c['name'], 'tool_choice.name') } };
  }
  // Chat completions refuse a tool choice without tools.
  if (hasTools) body['tool_choice'] = choice;
  return value;
}
