import { adaptRequest } from './adapt-request.ts';
import { callAnthropic } from './anthropic/call.ts';
import { callOpenAi } from './openai/call.ts';
import type { UpstreamAnswer, UpstreamCall } from './wire.ts';

/**
 * Makes one upstream attempt and returns its normalised answer: the body adapted to the target
 * (`adaptRequest`), then the provider's wire (the `wire` column): the OpenAI wire, or Anthropic's Messages API
 * (a plain `fetch`, no SDK). Errors of every kind come out as GatewayError.
 */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamAnswer> {
  const adapted = adaptRequest(call.target, call.body, call.stream);
  return call.target.provider.spec.wire === 'anthropic' ? callAnthropic(call, adapted) : callOpenAi(call, adapted);
}
