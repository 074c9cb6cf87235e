// The variables of the gateway's features (server tools, limits and budgets, stored responses, resumable streams,
// the request log); src/config/variables.ts joins them to the core and provider ones.
import type { VariableSpec } from './variable-spec.ts';

const tools: VariableSpec[] = [
  {
    name: 'TOOLS_MAX_ITERATIONS',
    secret: false,
    default: '5',
    description: 'Most model calls one server-tool loop may make (a request may ask for fewer with `max_iterations`; never more than 10).',
  },
  {
    name: 'TOOLS_MAX_CALLS_PER_TURN',
    secret: false,
    default: '10',
    description:
      'Most server tool calls run from one model answer; the calls past it are not run, and the model reads an error result for each.',
  },
  {
    name: 'MAX_SUBREQUESTS',
    secret: false,
    default: '50',
    description:
      "Most outbound requests one server-tool request may make: model calls (retries and fallbacks included) and tools' fetches. 50 is the Workers Free plan's limit; set your plan's. A tool fetch past it fails and the model reads the error.",
  },
  {
    name: 'TOOL_TIMEOUT_MS',
    secret: false,
    default: '10000',
    description: 'Time limit of one server tool call (a tool may declare a shorter one); past it the model reads an error result.',
  },
  {
    name: 'TOOL_RESULT_MAX_BYTES',
    secret: false,
    default: '16384',
    description: 'Largest tool result fed back to the model (UTF-8 bytes); longer results are cut and marked as cut.',
  },
  {
    name: 'OPEN_METEO_GEOCODING_URL',
    secret: false,
    default: 'https://geocoding-api.open-meteo.com/v1/search',
    description:
      'Open-Meteo geocoding endpoint used by the `get_weather` tool (its host is the only one the tool may reach, with the forecast host).',
  },
  {
    name: 'OPEN_METEO_FORECAST_URL',
    secret: false,
    default: 'https://api.open-meteo.com/v1/forecast',
    description: 'Open-Meteo forecast endpoint used by the `get_weather` tool.',
  },
];

const limits: VariableSpec[] = [
  {
    name: 'ADMIN_TOKEN',
    secret: true,
    default: '',
    description:
      'Token for the admin API (`Authorization: Bearer <token>`, compared in constant time); unset, /admin/* answers 404 as if absent.',
  },
  {
    name: 'KEY_REQUESTS_PER_MINUTE',
    secret: false,
    default: '',
    description: 'Requests per sliding minute for each static key (GATEWAY_API_KEYS); empty = unlimited. Managed keys carry their own.',
  },
  { name: 'KEY_TOKENS_PER_DAY', secret: false, default: '', description: 'Tokens per UTC day for each static key; empty = unlimited.' },
  { name: 'KEY_USD_PER_DAY', secret: false, default: '', description: 'US dollars per UTC day for each static key; empty = unlimited.' },
  {
    name: 'KEY_USD_PER_MONTH',
    secret: false,
    default: '',
    description: 'US dollars per UTC month for each static key; empty = unlimited.',
  },
  {
    name: 'LIMITS_FAIL_OPEN',
    secret: false,
    default: 'false',
    description:
      '"true" lets requests through without limits when the key\'s Durable Object cannot be reached (default: 503 `limit_unavailable`). Never applies to checking a managed key itself.',
  },
  {
    name: 'LIMITS_RESERVATION_TTL_SECONDS',
    secret: false,
    default: '900',
    description: 'How long a budget reservation waits for its settle before it is released (a call whose isolate died).',
  },
  {
    name: 'BUDGET_MIN_OUTPUT_TOKENS',
    secret: false,
    default: '256',
    description:
      'Shortest answer (output tokens) a budget narrows a call to before refusing it: a call whose prompt plus this much cannot be paid is a 429.',
  },
];

const responses: VariableSpec[] = [
  {
    name: 'RESPONSES_RETENTION_DAYS',
    secret: false,
    default: '30',
    description:
      'Days a stored Responses API answer (`store`, the default) is kept for `GET /v1/responses/{id}` and `previous_response_id`; then deleted.',
  },
  {
    name: 'RESPONSES_MAX_BYTES',
    secret: false,
    default: '1048576',
    description:
      'Largest stored response (its JSON, the conversation it continues and its input, in UTF-8 bytes; at most 1900000, under the Durable Object row limit); a larger one is answered with `store: false` and not kept.',
  },
  {
    name: 'RESPONSES_MAX_PER_KEY',
    secret: false,
    default: '1000',
    description: 'Stored responses one gateway key keeps; storing one more deletes its oldest.',
  },
];

const resumable: VariableSpec[] = [
  {
    name: 'RESUMABLE_STREAMS',
    secret: false,
    default: 'false',
    description: '"true" makes every `/stream` resumable unless it sends `x-gateway-resumable: false` (docs/streaming.md).',
  },
  {
    name: 'RESUMABLE_DETACHED',
    secret: false,
    default: 'cancel',
    description:
      'A resumable stream with no client attached: `cancel` its model call after RESUMABLE_GRACE_SECONDS, or `keep` generating to the end.',
  },
  {
    name: 'RESUMABLE_GRACE_SECONDS',
    secret: false,
    default: '5',
    description: 'How long a resumable stream with no client attached waits for one before its model call is cancelled.',
  },
  {
    name: 'RESUMABLE_KEEP_SECONDS',
    secret: false,
    default: '300',
    description: "How long a finished resumable stream's events can still be replayed (while its object stays in memory).",
  },
  {
    name: 'RESUMABLE_MAX_KEPT_BYTES',
    secret: false,
    default: '8388608',
    description:
      'The most event bytes one resumable stream keeps for replay (8 MiB); past it the oldest are dropped, and a reattach from before them gets 410 `stream_events_expired`.',
  },
];

const requestLog: VariableSpec[] = [
  {
    name: 'REQUEST_LOG_RETENTION_DAYS',
    secret: false,
    default: '30',
    description: 'Days a request log row (docs/observability.md) is kept in D1; a daily cron deletes older rows (1 to 3650).',
  },
];

const telemetry: VariableSpec[] = [
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    secret: false,
    default: '',
    description:
      'Base URL of an OpenTelemetry collector (OTLP/HTTP); spans in the GenAI conventions are POSTed as JSON to `<it>/v1/traces` after each answer. Empty: no export.',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_HEADERS',
    secret: true,
    default: '',
    description:
      'Headers sent with every export, `name=value` pairs separated by commas (values percent-encoded), e.g. `authorization=Bearer%20…`.',
  },
  {
    name: 'OTEL_SERVICE_NAME',
    secret: false,
    default: 'edge-llm-gateway',
    description: "The `service.name` of the gateway's spans.",
  },
  {
    name: 'OTEL_TRACES_SAMPLE_RATIO',
    secret: false,
    default: '1',
    description: "Share (0 to 1) of requests without a caller's `traceparent` that are traced; a caller's sampled flag is always followed.",
  },
];

/** Every feature's variables, in the order docs/configuration.md lists them. */
export const FEATURE_VARIABLES: readonly VariableSpec[] = [...tools, ...limits, ...responses, ...resumable, ...requestLog, ...telemetry];
