// Carries out one attempt's directive: faults first (delay, reset, stall, raw,
// fixture, error status), then OpenAI's field checks, otherwise a generated completion or stream.
import { buildAnswer } from './answer.ts';
import type { ChatRequest } from './chat-request.ts';
import { completionBody } from './completion.ts';
import { errorForStatus, openAIError } from './errors.ts';
import type { Exchange } from './exchange.ts';
import { send, sendJson } from './http.ts';
import { SSE_HEADERS, dataFrames, writeFrames } from './sse-writer.ts';
import type { FramePlan } from './sse-writer.ts';
import type { MockState } from './state.ts';
import { streamPayloads } from './stream-chunks.ts';
import { findOpenAiChatFieldProblem } from '../src/wire/openai-chat/request.ts';
import type { Directive, StreamDirective } from './types.ts';

export async function respond(ex: Exchange, d: Directive, request: ChatRequest, state: MockState): Promise<void> {
  const { res } = ex;
  const n = state.nextResponseNumber();
  const headers = { 'x-request-id': `req_mock_${n}`, ...d.headers };
  if (await scriptedFault(ex, d, request.model, headers, state)) return;

  // Scripted faults stand for the upstream whatever the body; an answer of the mock's own is refused as OpenAI
  // would refuse it (same rules as the gateway's check), so a test sees what production would.
  const problem = findOpenAiChatFieldProblem(request.body);
  if (problem) return sendJson(res, 400, openAIError(problem.message, 'invalid_request_error', problem.code, problem.param), headers);

  const answer = buildAnswer(request, d, n);
  const id = `chatcmpl-mock-${n}`;
  const created = Math.floor(Date.now() / 1000);
  if (!request.stream) return sendJson(res, d.status ?? 200, completionBody(answer, request.model, id, created), headers);

  const options = streamOptions(d, state);
  const payloads = streamPayloads(answer, { id, created, model: request.model, includeUsage: request.includeUsage, options });
  return stream(ex, d.status ?? 200, headers, dataFrames(payloads, options));
}

/**
 * Carries out what a directive scripts in place of a real answer (`delay_ms` first, then `reset`, `stall`, `raw`,
 * `fixture`, `body`, an error `status`); true when it did, and nothing else is to be sent. Any endpoint's faults.
 */
export async function scriptedFault(
  ex: Exchange,
  d: Directive,
  model: string,
  headers: Record<string, string>,
  state: MockState,
): Promise<boolean> {
  const { res } = ex;
  if (d.delay_ms !== undefined && !(await ex.sleep(d.delay_ms))) return true;
  if (d.reset === true) await ex.destroySocket();
  else if (d.stall === true) await ex.untilClosed();
  // `raw` is sent exactly: only its own headers (plus content-length).
  else if (d.raw !== undefined) send(res, d.raw.status ?? 200, d.raw.body, d.raw.headers ?? {});
  else if (d.fixture !== undefined) await replayFixture(ex, d, d.fixture, headers, state);
  else if (d.body !== undefined) {
    const status = d.status ?? 200;
    if (typeof d.body === 'string') send(res, status, d.body, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    else sendJson(res, status, d.body, headers);
  } else if (d.status !== undefined && d.status >= 400) sendJson(res, d.status, errorForStatus(d.status, model), headers);
  else return false;
  return true;
}

async function stream(ex: Exchange, status: number, headers: Record<string, string | string[]>, plan: FramePlan): Promise<void> {
  ex.res.writeHead(status, { ...SSE_HEADERS, ...headers });
  ex.res.flushHeaders();
  return writeFrames(ex, plan);
}

async function replayFixture(ex: Exchange, d: Directive, name: string, headers: Record<string, string>, state: MockState): Promise<void> {
  const replay = await state.fixtures.load(name);
  if (ex.closed) return;
  const options = streamOptions(d, state);
  if (replay === undefined) {
    return sendJson(ex.res, 404, openAIError(`Unknown fixture: ${name}`, 'invalid_request_error', 'fixture_not_found', 'mock.fixture'));
  }
  switch (replay.kind) {
    case 'payloads':
      return stream(ex, 200, headers, dataFrames(replay.payloads, options));
    case 'sse':
      return stream(ex, 200, headers, { frames: replay.segments, eol: '\n', options });
    case 'body': {
      const status = replay.status ?? (replay.hasError ? (d.status ?? 400) : 200);
      return send(ex.res, status, replay.body, { ...replay.headers, ...headers });
    }
  }
}

/** The directive's stream options, paced at the server's default when the directive sets no delay. */
function streamOptions(d: Directive, state: MockState): StreamDirective {
  return { chunk_delay_ms: state.chunkDelayMs, ...d.stream };
}
