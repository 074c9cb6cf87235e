import type { AnswerInfo, StreamEventData } from '../../src/client/index.ts';
import { el } from './dom.ts';
import { ms, tokens } from './format.ts';

/** What is shown beside each answer. */
export interface AnswerFacts {
  readonly info: AnswerInfo | undefined;
  /** The model named by the answer itself (`done`, or the JSON body), when the headers did not say. */
  readonly model?: string | undefined;
  readonly usage: StreamEventData<'usage'> | undefined;
  /** Model calls, when the route counts them itself (/extract's re-asks). */
  readonly calls?: number;
  readonly firstTokenMs?: number | undefined;
  readonly totalMs: number;
}

/** A definition list: model, tokens, cost, cache, attempts, latency. */
export function answerMeta(facts: AnswerFacts): HTMLDListElement {
  // A JSON answer (/extract) carries its cost in a header, a stream in its usage event.
  const costUsd = facts.usage?.cost_usd ?? facts.info?.costUsd;
  const { tokens: t, cost } = tokens(facts.usage && costUsd !== undefined ? { ...facts.usage, cost_usd: costUsd } : facts.usage);
  const latency =
    facts.firstTokenMs === undefined ? ms(facts.totalMs) : `${ms(facts.firstTokenMs)} to first token, ${ms(facts.totalMs)} total`;
  const rows: [string, string][] = [
    ['Model', facts.info?.model ?? facts.model ?? 'n/a'],
    ['Tokens', t],
    ['Cost', cost],
    ['Cache', facts.info?.cache ?? 'n/a'],
    ['Attempts', facts.info?.attempts === undefined ? 'n/a' : String(facts.info.attempts)],
    ...(facts.calls === undefined ? [] : ([['Model calls', String(facts.calls)]] as [string, string][])),
    ['Latency', latency],
  ];
  const list = el('dl', 'meta');
  for (const [name, value] of rows) {
    const row = el('div');
    row.append(el('dt', '', name), el('dd', '', value));
    list.append(row);
  }
  return list;
}
