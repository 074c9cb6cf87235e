import { adaptRequest } from './adapt-request.ts';
import { callOpenAi } from './openai/call.ts';
import type { UpstreamAnswer, UpstreamCall } from './wire.ts';

/**
 * Makes one upstream attempt and returns its normalised answer: the body adapted to the target
 * (`adaptRequest`), then the provider's wire (the `wire` column): the OpenAI wire, or Anthropic's Messages API
 * through its SDK, loaded on the first call that needs it. Errors of every kind come out as GatewayError.
 */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamAnswer> {
  const adapted = adaptRequest(call.target, call.body, call.stream);
  if (call.target.provider.spec.wire !== 'anthropic') return callOpenAi(call, adapted);
  const { callAnthropic } = await import('./anthropic/call.ts');
  return callAnthropic(call, adapted);
}
