// Amounts as the counters hold them: whole tokens and whole nano-dollars, so sums and comparisons are exact.
import type { OutputBound } from './key-limits-rpc.ts';

/** Dollars are counted in whole nano-dollars. */
export const NANO = 1e9;
/** The largest amount a counter holds exactly: beyond it sums would round, so it is refused, never stored. */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

/** Dollars in nano-dollars, rounded by `round`. */
// toFixed first: float noise (0.001 * 1e9 = 1000000.0000000001) must not round a reservation up by a nano-dollar.
export const toNano = (usd: number, round: (n: number) => number) => round(Number((usd * NANO).toFixed(3)));
export const fromNano = (nano: number) => nano / NANO;

/** A whole count, or null when it is not a finite, non-negative, exactly representable number. */
export function toCount(value: number): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  const count = Math.ceil(value);
  return count <= MAX_AMOUNT ? count : null;
}

/** Dollars as whole nano-dollars (rounded up), or null when they cannot be counted. */
export const toNanoAmount = (usd: number): number | null =>
  typeof usd === 'number' && Number.isFinite(usd) && usd >= 0 ? toCount(toNano(usd, Math.ceil)) : null;

/** An output bound in whole units. */
export interface WholeOutput {
  readonly tokens: number;
  readonly min: number;
  readonly choices: number;
  readonly nanoPerToken: number;
}

/** The output bound in whole units, or null when any part of it cannot be represented. */
export function outputOf(output: OutputBound): WholeOutput | null {
  const tokens = toCount(output.tokens);
  const min = toCount(output.min);
  const choices = toCount(output.choices);
  const nanoPerToken =
    typeof output.usdPerToken === 'number' && Number.isFinite(output.usdPerToken) && output.usdPerToken >= 0
      ? output.usdPerToken * NANO
      : null;
  if (tokens === null || min === null || choices === null || choices === 0 || nanoPerToken === null) return null;
  if (tokens * choices * Math.max(1, nanoPerToken) > MAX_AMOUNT) return null;
  return { tokens, min, choices, nanoPerToken };
}

/** How many output tokens `room` pays for at `perToken` each (Infinity when they are free; -1 when the room is gone). */
export function affordable(room: number, perToken: number): number {
  if (room < 0) return -1;
  if (perToken === 0) return Number.POSITIVE_INFINITY;
  let fits = Math.floor(room / perToken);
  // Reservations round a fraction of a nano-dollar up: step back until the rounded cost fits too.
  while (fits > 0 && Math.ceil(fits * perToken) > room) fits--;
  return fits;
}
