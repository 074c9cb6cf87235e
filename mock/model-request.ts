// What every model endpoint does first: parse the body, find its directive (the `mock` field, or the scenario
// registered for its model), record the attempt, check the key. Answers the refusals itself.
import { checkAuth, findKey } from './auth.ts';
import { directiveForAttempt, parseDirective } from './directive.ts';
import { echoKey } from './echo-key.ts';
import { badJsonError, invalidKeyError, openAIError } from './errors.ts';
import type { Exchange } from './exchange.ts';
import { flatHeaders, readBody, sendJson } from './http.ts';
import { isObject } from './json.ts';
import type { MockState } from './state.ts';
import type { Directive, JsonObject } from './types.ts';

/** A request admitted to a model endpoint: its JSON body and the directive for this attempt. */
export interface ModelRequest {
  readonly body: JsonObject;
  readonly directive: Directive;
}

/** The admitted request, or undefined once a refusal (bad JSON, bad key, bad directive) has been sent. */
export async function readModelRequest(ex: Exchange, state: MockState): Promise<ModelRequest | undefined> {
  const { req, res } = ex;
  const text = await readBody(req);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const obj = isObject(body) ? body : undefined;

  let directive: Directive = {};
  let problems: string[] = [];
  // `mock: null` is treated like no directive; a model registered as a scenario brings its own.
  const model = obj?.['model'];
  const raw = obj?.['mock'] ?? (typeof model === 'string' ? state.scenarios.get(model) : undefined);
  if (raw !== undefined && raw !== null) {
    const parsed = parseDirective(raw);
    if ('errors' in parsed) problems = parsed.errors;
    else directive = parsed.directive;
  }

  // Every attempt that reaches the mock counts, even one that is then refused.
  let attempt = 0;
  const id = directive.id;
  if (id !== undefined) {
    attempt = state.calls.record(id, { url: req.url ?? '', headers: flatHeaders(req), body: obj ?? text });
    res.once('close', () => {
      if (ex.closedByClient) state.calls.closedByClient(id);
    });
  }

  const auth = checkAuth(req.headers);
  if (!auth.ok) return void sendJson(res, 401, invalidKeyError(auth.key));
  if (obj === undefined) {
    return void sendJson(
      res,
      400,
      body === undefined ? badJsonError() : openAIError('The request body must be a JSON object.', 'invalid_request_error'),
    );
  }
  if (problems.length > 0) {
    return void sendJson(
      res,
      400,
      openAIError(`Invalid mock directive: ${problems.join('; ')}`, 'invalid_request_error', 'invalid_mock_directive', 'mock'),
    );
  }
  // A hostile upstream (`echo_key`) writes the key it was sent wherever the directive says {{key}}.
  return { body: obj, directive: echoKey(directiveForAttempt(directive, attempt), findKey(req.headers)) };
}
