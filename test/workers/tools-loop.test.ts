import { describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk } from '../../src/core/types.ts';
import { GatewayError } from '../../src/errors.ts';
import type { Answer, Call, CallModel, CallRequest, GatewayEvent, Outcome, Usage } from '../../src/gateway/types.ts';
import type { Target } from '../../src/providers/target.ts';
import { accumulate } from '../../src/stream/accumulate.ts';
import { replay } from '../../src/stream/replay.ts';
import { SentAnswer } from '../../src/tools/sent-answer.ts';
import { ToolRegistry } from '../../src/tools/registry.ts';
import { defineTool, type Tool } from '../../src/tools/tool.ts';
import { TOOLS_FIELD, toolLoop, type ToolLoopOptions, type ToolLoopReport } from '../../src/tools/tool-loop.ts';

// The stage is tested against a scripted `next`: each model call answers with chunks the test wrote,
// and reports the usage the test chose, so every assertion is about what the loop did with them.

const target = { provider: {}, model: 'gpt-test', id: 'openai/gpt-test' } as unknown as Target;
const head = { id: 'chatcmpl-step', object: 'chat.completion.chunk' as const, created: 1, model: 'gpt-test' };
const chunk = (
  delta: ChatCompletionChunk.Choice['delta'],
  finish: ChatCompletionChunk.Choice['finish_reason'] = null,
): ChatCompletionChunk => ({ ...head, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
const usageChunk = (usage: Usage): ChatCompletionChunk => ({ ...head, choices: [], usage });
const usage = (prompt: number, completion: number, extra: Partial<Usage> = {}): Usage => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  ...extra,
});

type Batches = ChatCompletionChunk[][];

/** A model answer in text. */
function says(content: string, u: Usage = usage(10, 5)): Step {
  return { batches: [[chunk({ role: 'assistant', content: '' })], [chunk({ content })], [chunk({}, 'stop')], [usageChunk(u)]], usage: u };
}

/** A model answer asking for tools; each call's arguments may be given as fragments, each sent in its own batch. */
function asks(calls: { id: string; name: string; args: string | string[] }[], u: Usage = usage(10, 5)): Step {
  const batches: Batches = [[chunk({ role: 'assistant', content: null })]];
  calls.forEach((c, index) => {
    const parts = typeof c.args === 'string' ? [c.args] : c.args;
    parts.forEach((part, j) => {
      const fn =
        j === 0 ? { id: c.id, type: 'function' as const, function: { name: c.name, arguments: part } } : { function: { arguments: part } };
      batches.push([chunk({ tool_calls: [{ index, ...fn }] })]);
    });
  });
  batches.push([chunk({}, 'tool_calls')], [usageChunk(u)]);
  return { batches, usage: u };
}

interface Step {
  batches: Batches;
  usage: Usage;
  /** Answer with one `completion` event instead (a non-stream upstream or a cache hit). */
  asCompletion?: boolean;
}

/** A Call whose events are the step's batches; its outcome resolves once they were read (or abandoned). */
function fakeCall(step: Step): Call {
  let resolve!: (o: Outcome) => void;
  const outcome = new Promise<Outcome>((r) => (resolve = r));
  const completion = accumulate(step.batches.flat());
  const base = {
    target,
    attempts: [{ model: 'openai/gpt-test', status: 200, ms: 1 }],
    cost: { usd: 0.001, estimated: false },
    cache: 'MISS' as const,
  };
  async function* events(): AsyncGenerator<GatewayEvent> {
    let done = false;
    try {
      if (step.asCompletion) yield { type: 'completion', completion };
      else for (const chunks of step.batches) yield { type: 'chunks', chunks };
      done = true;
    } finally {
      resolve({
        ...base,
        status: done ? 'ok' : 'aborted',
        completion,
        usage: step.usage,
        error: done ? undefined : new GatewayError(499, 'gone'),
      });
    }
  }
  const answer: Answer = { target, attempts: base.attempts, cache: 'MISS', events: events() };
  return { answer: Promise.resolve(answer), outcome };
}

/** A `next` that answers call i with steps[i] (or the last step again), recording every request it got. */
function scripted(steps: Step[]) {
  const requests: CallRequest[] = [];
  const next: CallModel = (request) => {
    requests.push(request);
    return fakeCall(steps[Math.min(requests.length - 1, steps.length - 1)] as Step);
  };
  return { next, requests };
}

const never = (_ms: number, signal: AbortSignal) =>
  new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
const clientTool = {
  type: 'function',
  function: { name: 'lookup_order', description: 'Looks up an order', parameters: { type: 'object' } },
};

function request(overrides: Partial<CallRequest> = {}): CallRequest {
  return {
    body: { model: 'openai/gpt-test', messages: [{ role: 'user', content: 'What is 2+3?' }], tools: [clientTool] },
    targets: [target],
    stream: true,
    signal: new AbortController().signal,
    policy: { timeoutMs: 30_000 },
    caller: { keyHash: null, name: null },
    cache: undefined,
    serverTools: { names: ['calculate', 'get_current_time'], maxIterations: 5 },
    ...overrides,
  } as CallRequest;
}

function options(overrides: Partial<ToolLoopOptions> = {}): ToolLoopOptions {
  return {
    registry: new ToolRegistry(),
    env: {},
    fetch: () => Promise.reject(new Error('no network in this test')),
    now: () => 0,
    sleep: never,
    timeoutMs: 10_000,
    resultMaxBytes: 16_384,
    maxCallsPerTurn: 10,
    maxSubrequests: 50,
    ...overrides,
  };
}

/** Reads a call to its end: its events, its outcome, and the error its events ended with, if any. */
async function drain(call: Call) {
  const answer = await call.answer;
  const events: GatewayEvent[] = [];
  let error: unknown;
  try {
    for await (const event of answer.events) events.push(event);
  } catch (e) {
    error = e;
  }
  return { events, error, outcome: await call.outcome };
}

const chunksOf = (events: GatewayEvent[]) => events.flatMap((e) => (e.type === 'chunks' ? e.chunks : []));
const reportOf = (events: GatewayEvent[]) => {
  const finish = chunksOf(events).find((c) => c.choices.some((ch) => ch.finish_reason !== null));
  return { finish, report: (finish as unknown as Record<string, ToolLoopReport> | undefined)?.[TOOLS_FIELD] };
};
const contentOf = (events: GatewayEvent[]) =>
  chunksOf(events)
    .map((c) => c.choices[0]?.delta.content ?? '')
    .join('');

/** A tool for tests: runs `execute`, declares no hosts. */
const testTool = (name: string, execute: Tool['execute']) =>
  defineTool({ name, description: name, hosts: [], parameters: { type: 'object' }, execute });

describe('the tool loop stage', () => {
  it('passes a request without server tools straight to the next stage', () => {
    const { next, requests } = scripted([says('hi')]);
    const { serverTools: _none, ...plain } = request();
    toolLoop(options())(next)(plain);
    expect(requests).toEqual([plain]);
  });

  it('runs a single tool call and feeds its result back to the model', async () => {
    const { next, requests } = scripted([asks([{ id: 'call_1', name: 'calculate', args: '{"expression":"2+3"}' }]), says('It is 5.')]);
    const { events, error, outcome } = await drain(toolLoop(options())(next)(request()));
    expect(error).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['chunks', 'tool_call', 'tool_result', 'chunks', 'chunks']);
    expect(events[1]).toEqual({ type: 'tool_call', id: 'call_1', name: 'calculate', arguments: '{"expression":"2+3"}' });
    expect(events[2]).toMatchObject({ type: 'tool_result', id: 'call_1', name: 'calculate', result: '{"expression":"2+3","result":5}' });
    // The model saw the server tools beside the client's, and the second call carried the step's messages.
    expect(requests[0]?.body.tools).toEqual([clientTool, ...new ToolRegistry().definitions(['calculate', 'get_current_time'])]);
    expect(requests[1]?.body.messages).toEqual([
      { role: 'user', content: 'What is 2+3?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'calculate', arguments: '{"expression":"2+3"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"expression":"2+3","result":5}' },
    ]);
    expect(requests[1]?.serverTools).toBeUndefined();
    // The client never sees the server tool's call deltas, only the answer.
    expect(chunksOf(events).some((c) => c.choices.some((ch) => ch.delta.tool_calls))).toBe(false);
    expect(contentOf(events)).toBe('It is 5.');
    const { finish, report } = reportOf(events);
    expect(finish?.choices[0]?.finish_reason).toBe('stop');
    expect(report).toMatchObject({ iterations: 2, max_iterations: 5, max_iterations_reached: false });
    expect(report?.messages).toEqual(requests[1]?.body.messages.slice(1));
    expect(outcome).toMatchObject({ status: 'ok', error: undefined, cache: 'MISS' });
    expect(outcome.attempts).toHaveLength(2);
    expect(outcome.completion?.choices[0]?.message.content).toBe('It is 5.');
  });

  it('runs parallel calls concurrently: both start before either finishes', async () => {
    const log: string[] = [];
    const started: Record<string, () => void> = {};
    const both = Promise.all(['a', 'b'].map((n) => new Promise<void>((r) => (started[n] = r))));
    const latch = (name: string) =>
      testTool(name, async () => {
        log.push(`start ${name}`);
        started[name]?.();
        await both; // a tool run alone would wait here forever
        log.push(`end ${name}`);
        return name;
      });
    const registry = new ToolRegistry([latch('a'), latch('b')]);
    const { next } = scripted([
      asks([
        { id: 'ca', name: 'a', args: '{}' },
        { id: 'cb', name: 'b', args: '{}' },
      ]),
      says('done'),
    ]);
    const { events } = await drain(
      toolLoop(options({ registry }))(next)(request({ serverTools: { names: ['a', 'b'], maxIterations: 5 } })),
    );
    expect(log.slice(0, 2).sort()).toEqual(['start a', 'start b']);
    expect(log.slice(2).sort()).toEqual(['end a', 'end b']);
    expect(
      events
        .filter((e) => e.type === 'tool_result')
        .map((e) => (e.type === 'tool_result' ? e.result : ''))
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('joins arguments streamed in fragments before running the tool', async () => {
    const { next } = scripted([asks([{ id: 'call_f', name: 'calculate', args: ['{"expr', 'ession": "6', ' * 7"', '}'] }]), says('42')]);
    const { events } = await drain(toolLoop(options())(next)(request()));
    expect(events.find((e) => e.type === 'tool_call')).toMatchObject({ arguments: '{"expression": "6 * 7"}' });
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({ result: '{"expression":"6 * 7","result":42}' });
  });

  it('feeds a tool error back to the model as an error result', async () => {
    const registry = new ToolRegistry([
      testTool('boom', () => {
        throw new Error('the database is down');
      }),
      ...new ToolRegistry().names().map((n) => (new ToolRegistry().get(n) as { tool: Tool }).tool),
    ]);
    const { next, requests } = scripted([
      asks([
        { id: 'c1', name: 'boom', args: '{}' },
        { id: 'c2', name: 'calculate', args: '{"expression": "2+' },
      ]),
      says('Sorry.'),
    ]);
    const { events, outcome } = await drain(
      toolLoop(options({ registry }))(next)(request({ serverTools: { names: ['boom', 'calculate'], maxIterations: 5 } })),
    );
    const results = events.filter((e) => e.type === 'tool_result');
    expect(results.map((e) => (e.type === 'tool_result' ? e.id : '')).sort()).toEqual(['c1', 'c2']);
    expect(results.every((e) => e.type === 'tool_result' && e.error !== undefined && e.result === undefined)).toBe(true);
    const toolMessages = requests[1]?.body.messages.slice(2) as { content: string }[];
    expect(toolMessages.map((m) => m.content)).toEqual([
      'error: the database is down',
      expect.stringMatching(/^error: the arguments are not valid JSON/),
    ]);
    expect(outcome.status).toBe('ok');
  });

  it('stops a model that never stops asking at the bound, with finish_reason "length"', async () => {
    const { next, requests } = scripted([asks([{ id: 'again', name: 'calculate', args: '{"expression":"1+1"}' }], usage(10, 2))]);
    const { events, outcome } = await drain(
      toolLoop(options())(next)(request({ serverTools: { names: ['calculate'], maxIterations: 3 } })),
    );
    expect(requests).toHaveLength(3);
    // The last call's tools are not run: no model would read their results.
    expect(events.filter((e) => e.type === 'tool_result')).toHaveLength(2);
    const { finish, report } = reportOf(events);
    expect(finish?.choices[0]?.finish_reason).toBe('length');
    expect(report).toMatchObject({ iterations: 3, max_iterations: 3, max_iterations_reached: true });
    expect(report?.messages).toHaveLength(4);
    expect(outcome.status).toBe('ok');
    expect(outcome.usage).toEqual(usage(30, 6));
  });

  it('reports on its outcome, typed, how many model calls it made and which bound stopped it', async () => {
    const answered = await drain(
      toolLoop(options())(scripted([asks([{ id: 'c', name: 'calculate', args: '{"expression":"1"}' }]), says('1')]).next)(request()),
    );
    expect(answered.outcome.loop).toEqual({ iterations: 2, maxIterationsReached: false, maxSubrequestsReached: false });
    const bounded = scripted([asks([{ id: 'again', name: 'calculate', args: '{"expression":"1+1"}' }])]);
    const stopped = await drain(toolLoop(options())(bounded.next)(request({ serverTools: { names: ['calculate'], maxIterations: 2 } })));
    expect(stopped.outcome.loop).toEqual({ iterations: 2, maxIterationsReached: true, maxSubrequestsReached: false });
    const fannedOut = await drain(toolLoop(options({ maxSubrequests: 1 }))(bounded.next)(request()));
    expect(fannedOut.outcome.loop).toEqual({ iterations: 1, maxIterationsReached: false, maxSubrequestsReached: true });
  });

  it("ends the loop at a client tool call, returning it as tool_calls with the server steps' messages", async () => {
    const { next, requests } = scripted([
      asks([
        { id: 's1', name: 'get_current_time', args: '{"timezone":"UTC"}' },
        { id: 'c1', name: 'lookup_order', args: '{"id":7}' },
      ]),
    ]);
    const { events, outcome } = await drain(toolLoop(options())(next)(request()));
    expect(requests).toHaveLength(1);
    expect(events.filter((e) => e.type === 'tool_call').map((e) => (e.type === 'tool_call' ? e.id : ''))).toEqual(['s1']);
    const calls = chunksOf(events).flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    // Renumbered from 0: the client sees only its own call.
    expect(calls).toEqual([{ index: 0, id: 'c1', type: 'function', function: { name: 'lookup_order', arguments: '{"id":7}' } }]);
    const { finish, report } = reportOf(events);
    expect(finish?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(report?.messages).toMatchObject([
      { role: 'assistant', tool_calls: [{ id: 's1' }, { id: 'c1' }] },
      { role: 'tool', tool_call_id: 's1', content: expect.stringContaining('"timezone":"UTC"') },
    ]);
    expect(outcome.completion?.choices[0]?.message.tool_calls).toEqual([
      { id: 'c1', type: 'function', function: { name: 'lookup_order', arguments: '{"id":7}' } },
    ]);
  });

  it('answers a non-stream request with tool events, then one completion (a step answered whole included)', async () => {
    const { next } = scripted([
      { ...asks([{ id: 'call_1', name: 'calculate', args: '{"expression":"2+3"}' }]), asCompletion: true },
      { ...says('It is 5.'), asCompletion: true },
    ]);
    const { events } = await drain(toolLoop(options())(next)(request({ stream: false })));
    expect(events.map((e) => e.type)).toEqual(['tool_call', 'tool_result', 'completion']);
    const completion = (events[2] as { completion: ChatCompletion }).completion;
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'It is 5.' });
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.usage).toEqual(usage(20, 10));
    expect((completion as unknown as Record<string, ToolLoopReport>)[TOOLS_FIELD]?.iterations).toBe(2);
  });

  it('sums usage and cost over every step', async () => {
    const u1 = usage(11, 3, { prompt_tokens_details: { cached_tokens: 4 } });
    const u2 = usage(20, 9, { prompt_tokens_details: { cached_tokens: 8 }, completion_tokens_details: { reasoning_tokens: 5 } });
    const { next } = scripted([asks([{ id: 'c', name: 'calculate', args: '{"expression":"1"}' }], u1), says('1', u2)]);
    const { events, outcome } = await drain(toolLoop(options())(next)(request()));
    const sum = usage(31, 12, { prompt_tokens_details: { cached_tokens: 12 }, completion_tokens_details: { reasoning_tokens: 5 } });
    expect(outcome.usage).toEqual(sum);
    expect(outcome.cost?.usd).toBeCloseTo(0.002, 10);
    // The usage chunk the client gets is the sum too, once, at the end.
    const usages = chunksOf(events).filter((c) => c.usage);
    expect(usages.map((c) => c.usage)).toEqual([sum]);
  });

  it("reports the limits of its latest step: the first step's while it streams, the last one's once it has ended", async () => {
    const { next: inner } = scripted([asks([{ id: 'c', name: 'calculate', args: '{"expression":"1"}' }]), says('1')]);
    // Each step's answer carries the limits its reservation left, as the budget stage below the loop puts them.
    let step = 0;
    const next: CallModel = (req) => {
      const call = inner(req);
      const limits = { requests: { limit: 10, remaining: 9 - step++, resetMs: 60_000 }, tokens: null };
      return { ...call, answer: call.answer.then((a) => ({ ...a, limits })) };
    };
    const call = toolLoop(options())(next)(request());
    const answer = await call.answer;
    expect(answer.limits?.requests?.remaining).toBe(9);
    await drain(call);
    expect(answer.limits?.requests?.remaining).toBe(8);
  });

  it("aborts the tool's signal and the model call when the client goes away during a tool", async () => {
    const client = new AbortController();
    let toolSignal: AbortSignal | undefined;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const registry = new ToolRegistry([
      testTool('wait', (_a, { signal }) => {
        toolSignal = signal;
        started();
        return new Promise(() => {});
      }),
    ]);
    const { next, requests } = scripted([asks([{ id: 'w', name: 'wait', args: '{}' }]), says('never')]);
    const draining = drain(
      toolLoop(options({ registry }))(next)(request({ signal: client.signal, serverTools: { names: ['wait'], maxIterations: 5 } })),
    );
    await running;
    client.abort();
    const { events, error, outcome } = await draining;
    expect(toolSignal?.aborted).toBe(true);
    expect(requests[0]?.signal.aborted).toBe(true);
    expect(requests).toHaveLength(1);
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({ error: 'wait was cancelled: the request was aborted' });
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('client_closed_request');
    expect(outcome).toMatchObject({ status: 'aborted' });
  });

  it("stops a tool at the request's deadline and ends with a 504 instead of calling the model again", async () => {
    let now = 0;
    const asked: number[] = [];
    let fire!: () => void;
    const sleep = (ms: number) => {
      asked.push(ms);
      return new Promise<void>((r) => (fire = r));
    };
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const registry = new ToolRegistry([
      testTool('slow', () => {
        started();
        return new Promise(() => {});
      }),
    ]);
    const { next, requests } = scripted([asks([{ id: 's', name: 'slow', args: '{}' }]), says('late')]);
    const draining = drain(
      toolLoop(options({ registry, now: () => now, sleep }))(next)(
        request({ policy: { timeoutMs: 1000 } as CallRequest['policy'], serverTools: { names: ['slow'], maxIterations: 5 } }),
      ),
    );
    await running;
    expect(asked).toEqual([1000]);
    now = 1000;
    fire();
    const { events, error, outcome } = await draining;
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({ error: "slow was stopped: the request's deadline passed" });
    expect(requests).toHaveLength(1);
    expect(error).toBeInstanceOf(GatewayError);
    expect([(error as GatewayError).status, (error as GatewayError).code]).toEqual([504, 'timeout']);
    expect(outcome).toMatchObject({ status: 'error' });
  });

  it('gives each later step only what is left of the deadline', async () => {
    let now = 0;
    const registry = new ToolRegistry([
      testTool('tick', () => {
        now += 400;
        return 'ok';
      }),
    ]);
    const { next, requests } = scripted([asks([{ id: 't', name: 'tick', args: '{}' }]), says('ok')]);
    await drain(
      toolLoop(options({ registry, now: () => now }))(next)(
        request({ policy: { timeoutMs: 1000 } as CallRequest['policy'], serverTools: { names: ['tick'], maxIterations: 5 } }),
      ),
    );
    expect(requests.map((r) => r.policy.timeoutMs)).toEqual([1000, 600]);
  });

  it('tells a server tool from a client tool only once its name is whole', async () => {
    const split: Step = {
      batches: [
        [chunk({ role: 'assistant', content: null })],
        [chunk({ tool_calls: [{ index: 0, id: 'c0', type: 'function', function: { name: 'lookup_', arguments: '' } }] })],
        [chunk({ tool_calls: [{ index: 0, function: { name: 'order', arguments: '{}' } }] })],
        [chunk({ tool_calls: [{ index: 1, id: 's1', type: 'function', function: { name: 'calcu', arguments: '{"expression":' } }] })],
        [chunk({ tool_calls: [{ index: 1, function: { name: 'late', arguments: '"3*3"}' } }] })],
        [chunk({}, 'tool_calls')],
      ],
      usage: usage(1, 1),
    };
    const { next } = scripted([split]);
    const { events } = await drain(toolLoop(options())(next)(request()));
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({
      id: 's1',
      name: 'calculate',
      result: '{"expression":"3*3","result":9}',
    });
    expect(chunksOf(events).flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []))).toEqual([
      { index: 0, id: 'c0', type: 'function', function: { name: 'lookup_order', arguments: '{}' } },
    ]);
  });

  it('sends no usage chunk when the upstream sent none (the client did not ask for usage)', async () => {
    const strip = (step: Step): Step => ({ ...step, batches: step.batches.filter((b) => !b.some((c) => c.usage)) });
    const { next } = scripted([strip(asks([{ id: 'c', name: 'calculate', args: '{"expression":"1"}' }])), strip(says('1'))]);
    const { events, outcome } = await drain(toolLoop(options())(next)(request()));
    expect(chunksOf(events).filter((c) => c.usage || c.choices.length === 0)).toEqual([]);
    expect(outcome.usage).toEqual(usage(20, 10));
  });

  it('lets a forcing tool_choice apply to the first call only', async () => {
    const { next, requests } = scripted([asks([{ id: 'c', name: 'calculate', args: '{"expression":"1"}' }]), says('1')]);
    const forced = { type: 'function', function: { name: 'calculate' } };
    await drain(toolLoop(options())(next)(request({ body: { messages: [{ role: 'user', content: 'go' }], tool_choice: forced } })));
    expect(requests.map((r) => r.body.tool_choice)).toEqual([forced, 'auto']);
  });

  it('stops the step and the tools in flight when the reader stops reading', async () => {
    let toolSignal: AbortSignal | undefined;
    const registry = new ToolRegistry([
      testTool('wait', (_a, { signal }) => {
        toolSignal = signal;
        return new Promise(() => {});
      }),
    ]);
    const { next, requests } = scripted([asks([{ id: 'w', name: 'wait', args: '{}' }])]);
    const call = toolLoop(options({ registry }))(next)(request({ serverTools: { names: ['wait'], maxIterations: 5 } }));
    for await (const event of (await call.answer).events) if (event.type === 'tool_call') break;
    const outcome = await call.outcome;
    expect(requests[0]?.signal.aborted).toBe(true);
    expect(outcome).toMatchObject({ status: 'aborted', error: { code: 'client_closed_request' } });
    // The tool had not started when the reader left at its tool_call event.
    expect(toolSignal).toBeUndefined();
  });

  it("rejects like the first step when no answer starts, with that step's outcome", async () => {
    const failure = new GatewayError(502, 'upstream down');
    const failed: Outcome = {
      status: 'error',
      target,
      attempts: [{ model: 'openai/gpt-test', status: 502, ms: 3 }],
      completion: undefined,
      usage: undefined,
      cost: undefined,
      cache: 'MISS',
      error: failure,
    };
    const next: CallModel = () => ({ answer: Promise.reject(failure), outcome: Promise.resolve(failed) });
    const call = toolLoop(options())(next)(request());
    await expect(call.answer).rejects.toBe(failure);
    expect(await call.outcome).toBe(failed);
  });
});

describe("a step answered whole (a non-stream request's)", () => {
  const report: ToolLoopReport = {
    iterations: 2,
    max_iterations: 5,
    max_iterations_reached: false,
    max_subrequests_reached: false,
    messages: [],
  };
  const message = (content: string | null, refusal: string | null = null) => ({ role: 'assistant' as const, content, refusal });
  const completions: ChatCompletion[] = [
    {
      id: 'chatcmpl-a',
      object: 'chat.completion',
      created: 7,
      model: 'gpt-test',
      system_fingerprint: 'fp_1',
      choices: [{ index: 0, message: message('Let me  check the\nweather. '), finish_reason: 'tool_calls', logprobs: null }],
    },
    {
      id: 'chatcmpl-b',
      object: 'chat.completion',
      created: 8,
      model: 'gpt-test',
      choices: [
        { index: 0, message: message(null, 'I cannot help with that.'), finish_reason: 'stop', logprobs: null },
        { index: 1, message: message(''), finish_reason: 'stop', logprobs: null },
      ],
      usage: usage(5, 3),
    },
  ];

  it('is sent as the replayed stream would have been, taken in one piece per choice', () => {
    const taken = new SentAnswer();
    const replayed = new SentAnswer();
    for (const completion of completions) {
      taken.take(completion);
      for (const c of replay(completion)) replayed.pass(c);
    }
    expect(taken.completion(usage(5, 3), report)).toEqual(replayed.completion(usage(5, 3), report));
    expect(taken.completion(undefined, report).choices[0]?.message).toMatchObject({
      content: 'Let me  check the\nweather. ',
      refusal: 'I cannot help with that.',
    });
  });
});
