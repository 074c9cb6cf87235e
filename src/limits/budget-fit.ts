// How much output a request may have under a key's budgets: pure arithmetic over the ledger's figures.
import { affordable, NANO, toNano, type WholeOutput } from './amounts.ts';
import type { BudgetLimitName, BudgetRefusal } from './key-limits-rpc.ts';
import type { KeyRecord } from './key-record.ts';
import { nextUtcMidnight, nextUtcMonth, type PeriodTotals } from './ledger.ts';

/** What a request asks of the budgets: its fixed part (the prompt) in tokens and nano-dollars, and its output. */
export interface Asked {
  readonly tokens: number;
  readonly nano: number;
  readonly output: WholeOutput | undefined;
}

/** A budget that leaves room for the request, with the output per choice it pays for. */
export interface Fitted {
  readonly ok: true;
  /** Output tokens per choice granted (the asked output when no budget narrows it). */
  readonly granted: number;
  /** Whether any token or dollar budget bounds the call (then its output limit must be sent upstream). */
  readonly bounded: boolean;
}

interface Budget {
  readonly limit: BudgetLimitName;
  readonly left: number;
  readonly fixed: number;
  readonly perToken: number;
  readonly resetAt: number;
  readonly unit: number;
}

/**
 * Fits a request into every budget of the key: each bounds the output per choice to what is left after the fixed
 * part, divided by what a token costs. Refused when the tightest one leaves less than the least output worth sending.
 */
export function fitBudgets(record: KeyRecord, asked: Asked, day: PeriodTotals, month: PeriodTotals, now: number): Fitted | BudgetRefusal {
  const { output } = asked;
  const choices = output?.choices ?? 1;
  const nanoPerChoice = choices * (output?.nanoPerToken ?? 0);
  const budgets: Budget[] = [];
  if (record.tokens_per_day !== null)
    budgets.push({
      limit: 'tokens_per_day',
      left: record.tokens_per_day - day.tokens,
      fixed: asked.tokens,
      perToken: choices,
      resetAt: nextUtcMidnight(now),
      unit: 1,
    });
  // A dollar budget: what its limit leaves of the period's spend, in nano-dollars.
  const dollars = (limit: BudgetLimitName, usd: number, spentNano: number, resetAt: number): Budget => ({
    limit,
    left: toNano(usd, Math.round) - spentNano,
    fixed: asked.nano,
    perToken: nanoPerChoice,
    resetAt,
    unit: NANO,
  });
  if (record.usd_per_day !== null) budgets.push(dollars('usd_per_day', record.usd_per_day, day.nano_usd, nextUtcMidnight(now)));
  if (record.usd_per_month !== null) budgets.push(dollars('usd_per_month', record.usd_per_month, month.nano_usd, nextUtcMonth(now)));
  const wanted = output?.tokens ?? 0;
  let granted = wanted;
  let tightest: Budget | undefined;
  for (const budget of budgets) {
    const fits = affordable(budget.left - budget.fixed, budget.perToken);
    if (fits < granted) {
      granted = fits;
      tightest = budget;
    }
  }
  if (tightest && granted < Math.min(output?.min ?? 0, wanted)) {
    return {
      ok: false,
      limit: tightest.limit,
      resetSeconds: Math.max(1, Math.ceil((tightest.resetAt - now) / 1000)),
      shortfall: {
        left: Math.max(0, tightest.left) / tightest.unit,
        wanted: (tightest.fixed + Math.ceil(wanted * tightest.perToken)) / tightest.unit,
        fits: Math.max(0, granted),
        min: output?.min ?? 0,
      },
    };
  }
  return { ok: true, granted, bounded: budgets.length > 0 };
}
