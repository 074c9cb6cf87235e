// Built by scripts/build-playground.ts from public/playground/answer-meta.ts: edit that file, not this one.
                                                                             
import { el } from './dom.js';
import { ms, tokens } from './format.js';

/** What is shown beside each answer. */
                              
                                        
                                                                                                       
                                      
                                                       
                                                                             
                          
                                             
                           
 

/** A definition list: model, tokens, cost, cache, attempts, latency. */
export function answerMeta(facts             )                   {
  // A JSON answer (/extract) carries its cost in a header, a stream in its usage event.
  const costUsd = facts.usage?.cost_usd ?? facts.info?.costUsd;
  const { tokens: t, cost } = tokens(facts.usage && costUsd !== undefined ? { ...facts.usage, cost_usd: costUsd } : facts.usage);
  const latency =
    facts.firstTokenMs === undefined ? ms(facts.totalMs) : `${ms(facts.firstTokenMs)} to first token, ${ms(facts.totalMs)} total`;
  const rows                     = [
    ['Model', facts.info?.model ?? facts.model ?? 'n/a'],
    ['Tokens', t],
    ['Cost', cost],
    ['Cache', facts.info?.cache ?? 'n/a'],
    ['Attempts', facts.info?.attempts === undefined ? 'n/a' : String(facts.info.attempts)],
    ...(facts.calls === undefined ? [] : ([['Model calls', String(facts.calls)]]                      )),
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
