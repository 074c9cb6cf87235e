// OpenAI-shaped error bodies. Messages and codes follow the recorded fixtures
// (openai-error-*.json) so gateway code parses what real providers send.

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAIError(message: string, type: string, code: string | null = null, param: string | null = null): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

/** Hides a key the way OpenAI does: only a prefix and the last 4 characters survive. */
export function maskKey(key: string): string {
  return key.length >= 12 ? `${key.slice(0, 3)}...${key.slice(-4)}` : '*'.repeat(key.length);
}

export function invalidKeyError(key: string | undefined): OpenAIErrorBody {
  const message =
    key === undefined
      ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
      : `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
  return openAIError(message, 'invalid_request_error', 'invalid_api_key');
}

export function badJsonError(): OpenAIErrorBody {
  return openAIError(
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    'invalid_request_error',
  );
}

/** A plausible body for a fault status chosen by a directive. */
export function errorForStatus(status: number, model: string): OpenAIErrorBody {
  switch (status) {
    case 400:
      return openAIError('Invalid request (mock upstream).', 'invalid_request_error');
    case 401:
      return invalidKeyError('sk-mock-invalid-key');
    case 403:
      return openAIError('Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory');
    case 404:
      return openAIError(
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    case 408:
      return openAIError('Request timed out.', 'timeout');
    case 409:
      return openAIError('Conflict (mock upstream).', 'invalid_request_error');
    case 413:
      return openAIError('Request too large (mock upstream).', 'invalid_request_error', 'request_too_large');
    case 422:
      return openAIError('Unprocessable entity (mock upstream).', 'invalid_request_error');
    case 429:
      return openAIError(
        `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.`,
        'requests',
        'rate_limit_exceeded',
      );
    case 500:
      return openAIError('The server had an error processing your request. Sorry about that! You can retry your request.', 'server_error');
    case 502:
      return openAIError('Bad gateway.', 'server_error');
    case 503:
      return openAIError('The server is overloaded or not ready yet.', 'server_error');
    case 504:
      return openAIError('Gateway timeout.', 'server_error');
    default:
      return status >= 500
        ? openAIError(`Upstream error ${status} (mock upstream).`, 'server_error')
        : openAIError(`Request failed with status ${status} (mock upstream).`, 'invalid_request_error');
  }
}
