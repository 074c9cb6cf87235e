// POST …/chat/completions: parse, record the attempt, check the key, then let
// the directive for this attempt decide the answer.
import { readChatRequest } from './chat-request.ts';
import type { Exchange } from './exchange.ts';
import { readModelRequest } from './model-request.ts';
import { respond } from './respond.ts';
import type { MockState } from './state.ts';

export async function handleChat(ex: Exchange, pathname: string, state: MockState): Promise<void> {
  const admitted = await readModelRequest(ex, state);
  if (!admitted) return;
  const request = readChatRequest(admitted.body, pathname);
  ex.model = request.model;
  ex.directive = admitted.directive;
  return respond(ex, admitted.directive, request, state);
}
