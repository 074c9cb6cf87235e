// The gateway's browser client: typed, no dependencies, plain `fetch`. Works in browsers, Workers and Node 18+.
export { chat, type ChatAnswer } from './chat.ts';
export type { ChatInput, ChatMessage } from './chat-input.ts';
export { GatewayClientError, type ClientErrorCode } from './client-error.ts';
export { countTokens, type TokenCount } from './count-tokens.ts';
export type { ErrorBody, StreamEvent, StreamEventData, StreamEventName, StreamEventPayloads } from './events.ts';
export { extract, type ExtractAnswer, type ExtractInput } from './extract.ts';
export { listModels, type GatewayModel } from './models.ts';
export type { AnswerInfo, ClientOptions } from './request.ts';
export { SseDecoder, type SseMessage } from './sse-decoder.ts';
export { resumeStream, type ResumeStreamOptions, streamChat, type StreamChatOptions } from './stream-chat.ts';
export { usage, type UsageLimits, type UsagePeriod, type UsageReport } from './usage.ts';
export {
  adminLogs,
  adminStats,
  type LogEntry,
  type LogFilters,
  type LogPage,
  type StatsEntry,
  type StatsQuery,
  type StatsReport,
} from './admin-log.ts';
