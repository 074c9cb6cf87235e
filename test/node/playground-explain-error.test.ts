import { describe, expect, it } from 'vitest';
import { GatewayClientError } from '../../src/client/index.ts';
import { explainError } from '../../public/playground/explain-error.ts';

const failure = (status: number, code: string | null, extra: { retryAfterSeconds?: number } = {}) =>
  new GatewayClientError(status, { message: `upstream said ${code}`, type: 'x', param: null, code }, extra);

// What the playground tells a person, for each way a call fails.
describe('the playground explains failures in words', () => {
  it('tells a missing key from a wrong one', () => {
    expect(explainError(failure(401, 'missing_api_key')).title).toBe('This gateway needs a key: enter your gateway key above.');
    expect(explainError(failure(401, 'invalid_api_key')).title).toBe('The gateway key was not accepted: check the key above.');
  });

  it('gives the wait of a rate limit, rounded up, or says it is unknown', () => {
    expect(explainError(failure(429, 'rate_limit_exceeded', { retryAfterSeconds: 2.2 })).title).toBe('Rate limited: try again in 3 s.');
    expect(explainError(failure(429, 'rate_limit_exceeded')).title).toBe('Rate limited: try again in a little while.');
  });

  it("shows a budget refusal in the gateway's own words (what is left, what would fit), not as a rate limit", () => {
    const message =
      "This gateway key's spending limit (US dollars per day) cannot pay for this request: $0.0043 is left, and the request may use up to $0.041. Lower max_tokens to at most 405 to fit, or wait for the limit to reset in 13 h 19 min.";
    const refused = new GatewayClientError(
      429,
      { message, type: 'rate_limit_error', param: null, code: 'budget_exceeded' },
      { requestId: 'req-9' },
    );
    expect(explainError(refused)).toEqual({ title: message, detail: 'request req-9' });
    expect(explainError(failure(402, null)).title).toMatch(/^This key's budget is spent/);
    expect(explainError(failure(429, 'insufficient_quota')).title).toMatch(/^This key's budget is spent/);
  });

  it('says when the gateway cannot be reached, and when an answer broke off', () => {
    expect(
      explainError(new GatewayClientError(0, { message: 'm', type: 'client_error', param: null, code: 'gateway_unreachable' })).title,
    ).toMatch(/^The gateway cannot be reached/);
    expect(
      explainError(new GatewayClientError(0, { message: 'm', type: 'client_error', param: null, code: 'stream_incomplete' })).title,
    ).toBe('The connection was cut before the answer finished.');
    expect(explainError(failure(200, null), true).title).toBe('The answer failed part-way: what arrived is kept above.');
    expect(explainError(failure(200, null), false).title).toBe('The model call failed before any of the answer arrived.');
  });

  it('keeps the gateway message and request id as the details', () => {
    const explained = explainError(
      new GatewayClientError(
        502,
        { message: 'Upstream unreachable.', type: 'api_error', param: null, code: 'upstream_connection_error' },
        { requestId: 'req-1' },
      ),
    );
    expect(explained).toEqual({
      title: 'The gateway or the model provider failed (HTTP 502).',
      detail: 'Upstream unreachable. (request req-1)',
    });
  });
});
