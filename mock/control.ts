// The /__mock/* endpoints tests use to inspect and reset the mock. No auth.
import { openAIError } from './errors.ts';
import type { Exchange } from './exchange.ts';
import { readFixtureBytes } from './fixtures.ts';
import { readBody, send, sendJson } from './http.ts';
import type { MockState } from './state.ts';

const CONTENT_TYPES: Array<[string, string]> = [
  ['.json', 'application/json'],
  ['.sse', 'text/event-stream; charset=utf-8'],
  ['.jsonl', 'application/jsonl; charset=utf-8'],
  ['.yaml', 'application/yaml; charset=utf-8'],
];

export async function handleControl(ex: Exchange, pathname: string, state: MockState): Promise<void> {
  const { req, res } = ex;
  const method = req.method ?? 'GET';
  const rest = pathname.slice('/__mock/'.length);
  const [section = '', ...tail] = rest.split('/');
  const arg = tail.length > 0 ? safeDecode(tail.join('/')) : undefined;

  if (method === 'GET' && section === 'health' && arg === undefined) return sendJson(res, 200, { ok: true });
  if (section === 'calls') {
    if (method === 'GET' && arg !== undefined) return sendJson(res, 200, state.calls.report(arg));
    if (method === 'DELETE') {
      state.calls.clear(arg);
      return sendJson(res, 200, { ok: true });
    }
  }
  if (section === 'traces') {
    if (method === 'GET' && arg !== undefined) return sendJson(res, 200, { spans: state.traces.byTrace(arg) });
    if (method === 'DELETE') {
      state.traces.clear();
      return sendJson(res, 200, { ok: true });
    }
  }
  // PUT /__mock/scenarios/<model> with a directive: requests for that model answer as if they carried it.
  if (method === 'PUT' && section === 'scenarios' && arg !== undefined) {
    state.scenarios.set(arg, JSON.parse(await readBody(req)));
    return sendJson(res, 200, { ok: true });
  }
  if (method === 'GET' && section === 'fixtures' && arg !== undefined) {
    const bytes = await readFixtureBytes(state.fixtures.dir, arg);
    if (bytes === undefined) return notFound(ex, `No fixture named ${JSON.stringify(arg)}`);
    const type = CONTENT_TYPES.find(([ext]) => arg.endsWith(ext))?.[1] ?? 'application/octet-stream';
    return send(res, 200, bytes, { 'content-type': type });
  }
  if (method === 'GET' && section === 'openapi.json' && arg === undefined) {
    const json = await state.openapi.json();
    if (json === undefined) return notFound(ex, 'No openapi.yaml configured or found');
    return send(res, 200, json, { 'content-type': 'application/json' });
  }
  return notFound(ex, `Unknown mock control endpoint: ${method} ${pathname}`);
}

function notFound(ex: Exchange, message: string): void {
  sendJson(ex.res, 404, openAIError(message, 'invalid_request_error', 'not_found'));
}

/** Undecodable input becomes a name no file has. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return '';
  }
}
