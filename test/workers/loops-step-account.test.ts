// The account every loop over the pipeline keeps (the tool loop, /extract's re-ask): pure, on an injected clock.
import { describe, expect, it } from 'vitest';
import { clientClosed, GatewayError } from '../../src/errors.ts';
import type { Outcome } from '../../src/gateway/types.ts';
import { StepAccount } from '../../src/loops/step-account.ts';

const step = (overrides: Partial<Outcome> = {}): Outcome => ({
  status: 'ok',
  target: undefined,
  attempts: [{ model: 'openai/gpt-4o-mini', status: 200, ms: 5 }],
  completion: undefined,
  usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_tokens_details: { cached_tokens: 4 } },
  cost: { usd: 0.001, estimated: false },
  cache: 'MISS',
  error: undefined,
  ...overrides,
});

describe('StepAccount', () => {
  it('gives each step only what is left of the one deadline, never less than 1 ms', () => {
    let now = 1_000;
    const account = new StepAccount({ now: () => now, timeoutMs: 300, name: 'The tool loop' });
    expect(account.timeLeft()).toBe(300);
    now = 1_250;
    expect(account.timeLeft()).toBe(50);
    now = 1_400;
    expect(account.timeLeft()).toBe(1);
  });

  it('refuses another step once the deadline has passed, with a 504 naming the loop', () => {
    let now = 0;
    const account = new StepAccount({ now: () => now, timeoutMs: 100, name: 'The extraction' });
    const signal = new AbortController().signal;
    expect(() => account.checkContinue(signal)).not.toThrow();
    now = 100;
    const error = (() => {
      try {
        account.checkContinue(signal);
      } catch (thrown) {
        return thrown;
      }
    })() as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 504, code: 'timeout' });
    expect(error.message).toBe("The extraction did not finish within the request's deadline of 100 ms.");
  });

  it('refuses another step with the abort reason once the signal aborted, before the deadline', () => {
    const account = new StepAccount({ now: () => 0, timeoutMs: 100, name: 'The tool loop' });
    const controller = new AbortController();
    const reason = clientClosed();
    controller.abort(reason);
    expect(() => account.checkContinue(controller.signal)).toThrow(reason);
  });

  it('sums the steps into one outcome: every attempt, usage field by field (details too), cost, the last target', () => {
    const account = new StepAccount({ now: () => 0, timeoutMs: 100, name: 'The tool loop' });
    const target = { id: 'openai/gpt-4o' } as Outcome['target'];
    account.count(step());
    account.count(step({ target, usage: { prompt_tokens: 20, completion_tokens: 3, total_tokens: 23, estimated: true } }));
    account.count(step({ usage: undefined, cost: undefined, attempts: [] }));
    expect(account.usage).toEqual({
      prompt_tokens: 30,
      completion_tokens: 5,
      total_tokens: 35,
      prompt_tokens_details: { cached_tokens: 4 },
      estimated: true,
    });
    const outcome = account.outcome({ status: 'ok', completion: undefined, cache: 'BYPASS', error: undefined });
    expect(outcome.attempts).toHaveLength(2);
    expect(outcome.cost).toEqual({ usd: 0.002, estimated: false });
    expect(outcome.target).toBe(target);
    expect(outcome).toMatchObject({ status: 'ok', cache: 'BYPASS' });
  });
});
