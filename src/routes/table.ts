import type { Handler } from '../http/context.ts';
import type { RouteRow } from '../http/route-match.ts';
import { adminLogs, adminStats } from './admin-logs.ts';
import { admin } from './admin.ts';
import { chat } from './chat.ts';
import { chatCompletions } from './chat-completions.ts';
import { embeddings } from './embeddings.ts';
import { extract } from './extract.ts';
import { messages, messagesCountTokens } from './messages.ts';
import { deleteResponse, responseInputItems, responses, retrieveResponse } from './responses.ts';
import { attachStream, cancelStream } from '../resumable/resumable-route.ts';
import { health } from './health.ts';
import { model, models } from './models.ts';
import { stream } from './stream.ts';
import { tokensCount } from './tokens-count.ts';
import { usage } from './usage.ts';
import { messagesErrorBody } from '../wire/anthropic-messages/error-body.ts';

/** The route table: every served path, its handlers by method and its guard. Nothing else is served. */
export const ROUTES: readonly RouteRow<Handler>[] = [
  { path: '/health', auth: 'public', methods: { GET: health } },
  { path: '/v1/models', auth: 'key', methods: { GET: models } },
  { path: '/v1/models/:id', auth: 'key', methods: { GET: model } },
  { path: '/v1/models/:provider/:id', auth: 'key', methods: { GET: model } },
  { path: '/v1/tokens/count', auth: 'key', methods: { POST: tokensCount } },
  { path: '/v1/chat/completions', auth: 'key', methods: { POST: chatCompletions } },
  { path: '/v1/embeddings', auth: 'key', methods: { POST: embeddings } },
  // Anthropic's Messages API: its clients send the key as `x-api-key` and read errors in Anthropic's shape.
  { path: '/v1/messages', auth: 'key', methods: { POST: messages }, keyHeader: 'x-api-key', errorBody: messagesErrorBody },
  {
    path: '/v1/messages/count_tokens',
    auth: 'key',
    methods: { POST: messagesCountTokens },
    keyHeader: 'x-api-key',
    errorBody: messagesErrorBody,
  },
  // OpenAI's Responses API (the Codex CLI, the Agents SDK, @ai-sdk/openai): OpenAI's key header and error shape.
  { path: '/v1/responses', auth: 'key', methods: { POST: responses } },
  // Stored responses: each key reads only its own (one Durable Object per key).
  { path: '/v1/responses/:id', auth: 'key', methods: { GET: retrieveResponse, DELETE: deleteResponse } },
  { path: '/v1/responses/:id/input_items', auth: 'key', methods: { GET: responseInputItems } },
  { path: '/chat', auth: 'key', methods: { POST: chat } },
  // EventSource cannot send headers, so GET /stream alone accepts `?access_token=`.
  { path: '/stream', auth: 'key', methods: { GET: stream, POST: stream }, queryTokenMethod: 'GET' },
  // A resumable stream (x-gateway-resumable: true): reattach with Last-Event-ID or ?after=, or cancel it.
  { path: '/stream/:id', auth: 'key', methods: { GET: attachStream, DELETE: cancelStream }, queryTokenMethod: 'GET' },
  { path: '/extract', auth: 'key', methods: { POST: extract } },
  { path: '/v1/usage', auth: 'key', methods: { GET: usage } },
  { path: '/admin/keys', auth: 'admin', methods: { GET: admin, POST: admin } },
  { path: '/admin/keys/:id', auth: 'admin', methods: { GET: admin, PATCH: admin, DELETE: admin } },
  { path: '/admin/keys/:id/usage', auth: 'admin', methods: { GET: admin } },
  { path: '/admin/logs', auth: 'admin', methods: { GET: adminLogs } },
  { path: '/admin/stats', auth: 'admin', methods: { GET: adminStats } },
];
