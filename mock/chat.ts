// POST …/chat/completions: parse, record the attempt, check the key, then let
// the directive for this attempt decide the answer.
import { checkAuth, findKey } from './auth.ts';
import { readChatRequest } from './chat-request.ts';
import { directiveForAttempt, parseDirective } from './directive.ts';
import { echoKey } from './echo-key.ts';
import { badJsonError, invalidKeyError, openAIError } from './errors.ts';
import type { Exchange } from './exchange.ts';
import { flatHeaders, readBody, sendJson } from './http.ts';
import { isObject } from './json.ts';
import { respond } from './respond.ts';
import type { MockState } from './state.ts';
import type { Directive } from './types.ts';

export async function handleChat(ex: Exchange, pathname: string, state: MockState): Promise<void> {
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
  if (!auth.ok) return sendJson(res, 401, invalidKeyError(auth.key));
  if (obj === undefined) {
    return sendJson(
      res,
      400,
      body === undefined ? badJsonError() : openAIError('The request body must be a JSON object.', 'invalid_request_error'),
    );
  }
  if (problems.length > 0) {
    return sendJson(
      res,
      400,
      openAIError(`Invalid mock directive: ${problems.join('; ')}`, 'invalid_request_error', 'invalid_mock_directive', 'mock'),
    );
  }

  const effective = echoKey(directiveForAttempt(directive, attempt), findKey(req.headers));
  const request = readChatRequest(obj, pathname);
  ex.model = request.model;
  ex.directive = effective;
  return respond(ex, effective, request, state);
}
