// Reads the few fields of a chat completions request the mock reacts to.
import { getObject, getString, isObject } from './json.ts';
import type { JsonObject } from './types.ts';

export interface ChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  /** Characters in all message texts; the basis of prompt_tokens. */
  promptChars: number;
  lastUserText: string;
  body: JsonObject;
}

const DEPLOYMENT = /\/deployments\/([^/]+)\//;

export function readChatRequest(body: JsonObject, pathname: string): ChatRequest {
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  let promptChars = 0;
  let lastUserText = '';
  for (const message of messages) {
    if (!isObject(message)) continue;
    const text = messageText(message['content']);
    promptChars += text.length;
    if (message['role'] === 'user') lastUserText = text;
  }
  return {
    model: getString(body, 'model') ?? deploymentName(pathname) ?? 'mock-model',
    stream: body['stream'] === true,
    includeUsage: getObject(body, 'stream_options')?.['include_usage'] === true,
    promptChars,
    lastUserText,
    body,
  };
}

/** Azure puts the model in the path: /openai/deployments/<name>/chat/completions. */
export function deploymentName(pathname: string): string | undefined {
  const name = DEPLOYMENT.exec(pathname)?.[1];
  if (name === undefined) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** Content may be a string or an array of parts; text parts are joined with a space. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (isObject(part) && typeof part['text'] === 'string') texts.push(part['text']);
  }
  return texts.join(' ');
}
