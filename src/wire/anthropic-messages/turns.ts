// A Messages request's system prompt and turns as chat messages: text, image and document blocks as parts,
// `tool_result` blocks as tool messages, assistant turns with their tool calls (and, for Anthropic's models, thinking).
import { isJsonObject, type JsonObject } from '../../core/types.ts';
import { fail, list, object, oneOf, string } from './checks.ts';

/** `system`: a string or text blocks. Anthropic's models keep the blocks (and their `cache_control`); others get one string. */
export function systemMessage(system: unknown, path: string, native: boolean): JsonObject | undefined {
  if (system === undefined || system === null || system === '') return undefined;
  if (typeof system === 'string') return { role: 'system', content: system };
  const blocks = list(system, path).map((b, i) => textBlock(b, `${path}.${i}`));
  if (blocks.length === 0) return undefined;
  return { role: 'system', content: native ? blocks : blocks.map((b) => b['text']).join('\n') };
}

function textBlock(block: unknown, path: string): JsonObject {
  const b = object(block, path);
  if (b['type'] !== 'text') throw fail(`${path}.type`, 'must be "text" here.');
  string(b['text'], `${path}.text`);
  return b;
}

/**
 * One Messages turn as chat messages (a user turn with tool results is several: the tool messages, then the
 * user's own words). After the first turn a system turn is taken too: Claude Code sends them mid-conversation
 * (its beta `mid-conversation-system-2026-04-07`); a conversation still opens with `system` and a user turn.
 */
export function chatMessages(turn: unknown, path: string, midConversation: boolean, native: boolean): JsonObject[] {
  const t = object(turn, path);
  const role = oneOf(t['role'], `${path}.role`, midConversation ? ['user', 'assistant', 'system'] : ['user', 'assistant']);
  const content = t['content'];
  if (role === 'system') return [systemMessage(content, `${path}.content`, native)].filter((m) => m !== undefined);
  if (typeof content === 'string') return [{ role, content }];
  const blocks = list(content, `${path}.content`).map((b, j) => object(b, `${path}.content.${j}`));
  return role === 'user' ? userMessages(blocks, `${path}.content`, native) : [assistantMessage(blocks, `${path}.content`, native)];
}

/** What each block kind becomes on the user side: a part of the user message, or a tool message. */
function userMessages(blocks: JsonObject[], path: string, native: boolean): JsonObject[] {
  const results: JsonObject[] = [];
  const parts: JsonObject[] = [];
  blocks.forEach((b, j) => {
    const at = `${path}.${j}`;
    if (b['type'] === 'text') parts.push(textPart(textBlock(b, at), native));
    else if (b['type'] === 'image') parts.push(imagePart(b, at, native));
    else if (b['type'] === 'document') parts.push(documentPart(b, at));
    else if (b['type'] === 'tool_result') {
      const { message, images } = toolMessage(b, at, native);
      results.push(message);
      // A tool message holds text only: images a tool returned follow in the user message.
      parts.push(...images);
    } else
      throw fail(
        `${at}.type`,
        `blocks of type "${String(b['type'])}" cannot be sent in a user turn here (text, image, document and tool_result can).`,
      );
  });
  // OpenAI's wire wants tool results right after the assistant's calls, before anything else the user says.
  if (parts.length === 0) return results;
  const plain = parts.length === 1 && Object.keys(parts[0] ?? {}).length === 2 && parts[0]?.['type'] === 'text';
  return [...results, { role: 'user', content: plain ? parts[0]?.['text'] : parts }];
}

/** A text block as a text part; Anthropic's models keep its extra keys (`cache_control`, `citations`). */
const textPart = (block: JsonObject, native: boolean): JsonObject => (native ? { ...block } : { type: 'text', text: block['text'] });

function imagePart(block: JsonObject, path: string, native: boolean): JsonObject {
  const source = object(block['source'], `${path}.source`);
  let url: string;
  if (source['type'] === 'base64')
    url = `data:${string(source['media_type'], `${path}.source.media_type`)};base64,${string(source['data'], `${path}.source.data`)}`;
  else if (source['type'] === 'url') url = string(source['url'], `${path}.source.url`);
  else throw fail(`${path}.source.type`, 'must be "base64" or "url" (files uploaded to Anthropic cannot be read here).');
  const part: JsonObject = { type: 'image_url', image_url: { url } };
  if (native && isJsonObject(block['cache_control'])) part['cache_control'] = block['cache_control'];
  return part;
}

/** A document: plain text as text, a base64 PDF as OpenAI's `file` part. */
function documentPart(block: JsonObject, path: string): JsonObject {
  const source = object(block['source'], `${path}.source`);
  if (source['type'] === 'text') return { type: 'text', text: string(source['data'], `${path}.source.data`) };
  if (source['type'] === 'base64') {
    const media = string(source['media_type'], `${path}.source.media_type`);
    const title = typeof block['title'] === 'string' ? block['title'] : 'document.pdf';
    return { type: 'file', file: { filename: title, file_data: `data:${media};base64,${string(source['data'], `${path}.source.data`)}` } };
  }
  throw fail(`${path}.source.type`, 'must be "text" or "base64" here.');
}

/** A `tool_result` block as a tool message (its text), and the images it held. */
function toolMessage(block: JsonObject, path: string, native: boolean): { message: JsonObject; images: JsonObject[] } {
  const id = string(block['tool_use_id'], `${path}.tool_use_id`);
  const content = block['content'];
  const texts: string[] = [];
  const images: JsonObject[] = [];
  if (typeof content === 'string') texts.push(content);
  else if (content !== undefined && content !== null)
    list(content, `${path}.content`).forEach((part, k) => {
      const p = object(part, `${path}.content.${k}`);
      if (p['type'] === 'text') texts.push(string(p['text'], `${path}.content.${k}.text`));
      else if (p['type'] === 'image') images.push(imagePart(p, `${path}.content.${k}`, native));
      else if (p['type'] === 'document') images.push(documentPart(p, `${path}.content.${k}`));
      else throw fail(`${path}.content.${k}.type`, 'must be "text", "image" or "document".');
    });
  const isError = block['is_error'] === true;
  const message: JsonObject = { role: 'tool', tool_call_id: id, content: texts.join('\n') };
  if (native) {
    if (isError) message['is_error'] = true;
    if (isJsonObject(block['cache_control'])) message['cache_control'] = block['cache_control'];
  } else if (isError) message['content'] = `Error: ${message['content']}`;
  return { message, images };
}

/** An assistant turn: text, tool calls and (for Anthropic's models) its thinking blocks with their signatures. */
function assistantMessage(blocks: JsonObject[], path: string, native: boolean): JsonObject {
  const texts: JsonObject[] = [];
  const calls: JsonObject[] = [];
  const thinking: JsonObject[] = [];
  blocks.forEach((b, j) => {
    const at = `${path}.${j}`;
    if (b['type'] === 'text') texts.push(textBlock(b, at));
    else if (b['type'] === 'tool_use') {
      const input = b['input'] === undefined ? {} : object(b['input'], `${at}.input`);
      calls.push({
        id: string(b['id'], `${at}.id`),
        type: 'function',
        function: { name: string(b['name'], `${at}.name`), arguments: JSON.stringify(input) },
      });
    } else if (b['type'] === 'thinking' || b['type'] === 'redacted_thinking') {
      // Signed thinking goes back to Anthropic unchanged; other providers take no reasoning back, and unsigned
      // thinking (another provider's reasoning, from earlier in a conversation that changed model) Anthropic would refuse.
      if (native && (b['type'] === 'redacted_thinking' || (typeof b['signature'] === 'string' && b['signature'] !== ''))) thinking.push(b);
    } else
      throw fail(
        `${at}.type`,
        `blocks of type "${String(b['type'])}" cannot be sent in an assistant turn here (text, tool_use and thinking can).`,
      );
  });
  const keepParts = native && texts.some((t) => Object.keys(t).length > 2);
  const text = texts.map((t) => String(t['text'])).join('\n\n');
  const message: JsonObject = {
    role: 'assistant',
    content: keepParts ? texts.map((t) => ({ ...t })) : text === '' && calls.length > 0 ? null : text,
  };
  if (calls.length > 0) message['tool_calls'] = calls;
  if (thinking.length > 0) message['thinking_blocks'] = thinking;
  return message;
}
