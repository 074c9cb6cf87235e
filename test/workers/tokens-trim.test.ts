import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.ts';
import { chatTokenCounter } from '../../src/tokens/count-chat.ts';
import { trimToFit } from '../../src/tokens/trim.ts';

type Message = Record<string, unknown> & { role: string };

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T };
}

const WORDS = ['the', 'gateway', 'counts', 'tokens', 'weather', 'in', 'Paris', 'is', 'mild', 'today', '42', 'ünïcödé', '日本語', '{"a":1}'];

/** A valid OpenAI conversation: system first, sometimes a developer or system message later, turns of user → (tool calls → results)* → answer. */
function conversation(seed: number): Message[] {
  const r = random(seed);
  const text = () => Array.from({ length: r.int(1, 40) }, () => r.pick(WORDS)).join(' ');
  const out: Message[] = [];
  if (r.next() < 0.8) out.push({ role: 'system', content: text() });
  let callId = 0;
  const turns = r.int(1, 8);
  for (let t = 0; t < turns; t++) {
    if (r.next() < 0.1) out.push({ role: r.pick(['system', 'developer']), content: text() });
    out.push({ role: 'user', content: text() });
    const last = t === turns - 1;
    for (let step = r.int(0, 3); step > 0; step--) {
      const ids = Array.from({ length: r.int(1, 3) }, () => `call_${seed}_${callId++}`);
      out.push({
        role: 'assistant',
        content: null,
        tool_calls: ids.map((id) => ({ id, type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ q: text() }) } })),
      });
      for (const id of ids.sort(() => r.next() - 0.5)) out.push({ role: 'tool', tool_call_id: id, content: text() });
    }
    if (!last || r.next() < 0.5) out.push({ role: 'assistant', content: text() });
  }
  return out;
}

const counter = await chatTokenCounter('openai/gpt-4o');
const count = (messages: readonly unknown[]) => counter(messages).tokens;
const pinned = (m: Message) => m.role === 'system' || m.role === 'developer';
const callIds = (m: Message) => (Array.isArray(m['tool_calls']) ? (m['tool_calls'] as { id: string }[]).map((c) => c.id) : []);

/** The violations of OpenAI's sequence rules: tool results right after the assistant message that called them, every call answered. */
function violations(messages: readonly Message[]): string[] {
  const found: string[] = [];
  let open: Set<string> | undefined;
  for (const [i, m] of messages.entries()) {
    if (m.role === 'tool') {
      if (!open?.delete(String(m['tool_call_id'])))
        found.push(`message ${i}: tool result ${String(m['tool_call_id'])} without its assistant tool_calls`);
      continue;
    }
    if (open && open.size > 0) found.push(`message ${i}: tool_calls ${[...open].join(',')} left without results`);
    open = m.role === 'assistant' ? new Set(callIds(m)) : undefined;
  }
  if (open && open.size > 0) found.push(`end: tool_calls ${[...open].join(',')} left without results`);
  const firstTurn = messages.find((m) => !pinned(m));
  if (firstTurn && firstTurn.role !== 'user') found.push(`the first non-system message is ${firstTurn.role}, not user`);
  return found;
}

const newestTurn = (messages: readonly Message[]) =>
  messages.slice(messages.findLastIndex((m) => m.role === 'user')).filter((m) => !pinned(m));

describe('trimToFit, property test over 400 seeded random conversations', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const messages = conversation(seed);
    const r = random(seed * 7919);
    const floor = count(messages.filter(pinned)) + count(newestTurn(messages)) - count([]);
    const budget = r.int(floor, count(messages) + 20);
    it(`seed ${seed}: ${messages.length} messages into ${budget} tokens`, () => {
      expect(violations(messages), 'the generator makes valid conversations').toEqual([]);
      const { messages: kept, dropped } = trimToFit(messages, { budget, count });
      const result = kept as Message[];
      expect(violations(result)).toEqual([]);
      expect(count(result)).toBeLessThanOrEqual(budget);
      expect(result.filter(pinned)).toEqual(messages.filter(pinned));
      expect(newestTurn(result)).toEqual(newestTurn(messages));
      expect(dropped).toBe(messages.length - result.length);
      // What was kept is the original order with a prefix of whole turns removed.
      expect(result.filter((m) => !pinned(m))).toEqual(messages.filter((m) => !pinned(m)).slice(dropped));
    });
  }
});

describe('trimToFit', () => {
  const chat: Message[] = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'first question '.repeat(50) },
    { role: 'assistant', content: 'first answer '.repeat(50) },
    { role: 'user', content: 'What is the weather in Paris?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', content: '{"temp":21}' },
  ];
  it('returns the conversation untouched when it fits', () => {
    expect(trimToFit(chat, { budget: count(chat), count })).toEqual({ messages: chat, dropped: 0 });
  });
  it('drops the oldest whole turn, keeping the system message and the tool call with its result', () => {
    const trimmed = trimToFit(chat, { budget: count(chat) - 1, count });
    expect(trimmed).toEqual({ messages: [chat[0], chat[3], chat[4], chat[5]], dropped: 2 });
  });
  it('answers 400 context_length_exceeded, with the counts, when even the newest turn does not fit', () => {
    const needed = count([chat[0], chat[3], chat[4], chat[5]]);
    let error: unknown;
    try {
      trimToFit(chat, { budget: needed - 1, count });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError.status).toBe(400);
    expect(gatewayError.is('context_length_exceeded')).toBe(true);
    expect(gatewayError.param).toBe('messages');
    expect(gatewayError.message).toContain(`${needed} in all`);
    expect(gatewayError.message).toContain(`but ${needed - 1} tokens are left`);
  });
  it('throws too when the system messages alone exceed the budget', () => {
    expect(() => trimToFit([{ role: 'system', content: 'x '.repeat(100) }], { budget: 10, count })).toThrow(GatewayError);
  });
});
