// When to try again: the server's hint first, then bounded exponential backoff with full jitter.
import type { BackoffSettings } from '../config/settings.ts';

/**
 * The wait the server asked for, in ms: `retry-after-ms` first (OpenAI's), then `retry-after` as
 * seconds or as an HTTP date. Undefined when there is no usable hint.
 */
export function serverDelayMs(headers: Readonly<Record<string, string>>, wallNow: number): number | undefined {
  const ms = Number.parseFloat(headers['retry-after-ms'] ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers['retry-after']?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - wallNow);
}

/** Full-jitter backoff for retry number `retry` (1 for the first retry): uniform in [0, min(cap, base·2^(retry-1))]. */
export function backoffMs(retry: number, settings: BackoffSettings, random: () => number): number {
  const ceiling = Math.min(settings.capMs, settings.baseMs * 2 ** (retry - 1));
  return Math.round(random() * ceiling);
}
