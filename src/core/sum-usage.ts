// The one adder of token counts and costs, for every place that sums several model calls (a loop's steps).
import { type Cost, isJsonObject, type Usage } from './types.ts';

/** Adds two token counts field by field, nested details included; either may be missing. Estimated if either was. */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a || !b) return a ?? b;
  const sum = sumNumbers(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>) as unknown as Usage;
  return a.estimated || b.estimated ? { ...sum, estimated: true } : sum;
}

/** Adds two costs; estimated if either was. */
export function addCost(a: Cost | undefined, b: Cost | undefined): Cost | undefined {
  if (!a || !b) return a ?? b;
  return { usd: a.usd + b.usd, estimated: a.estimated || b.estimated };
}

function sumNumbers(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key];
    const y = b[key];
    if (typeof x === 'number' || typeof y === 'number') out[key] = (typeof x === 'number' ? x : 0) + (typeof y === 'number' ? y : 0);
    else if (isJsonObject(x) && isJsonObject(y)) out[key] = sumNumbers(x, y);
    else if (x !== undefined || y !== undefined) out[key] = x ?? y;
  }
  return out;
}
