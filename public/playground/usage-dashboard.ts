import { adminStats, type StatsEntry } from '../../src/client/index.ts';
import { adminOptions } from './admin-access.ts';
import { chart, PALETTE, type Series } from './charts.ts';
import { byId, el } from './dom.ts';
import { compact, usd } from './format.ts';
import { problem } from './logs-panel.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The ranges offered: how far back, and the bucket. */
const RANGES = {
  '24h': { span: DAY_MS, group: 'hour' },
  '7d': { span: 7 * DAY_MS, group: 'day' },
  '30d': { span: 30 * DAY_MS, group: 'day' },
} as const;

const body = byId('usage-charts');
const rangeSelect = byId<HTMLSelectElement>('usage-range');
let loading: AbortController | undefined;

/** Every bucket of the range, oldest first, as /admin/stats names them (UTC), so an idle day shows as empty. */
function bucketsOf(from: number, to: number, group: 'day' | 'hour'): string[] {
  const step = group === 'day' ? DAY_MS : HOUR_MS;
  const out: string[] = [];
  for (let t = Math.floor(from / step) * step; t < to; t += step) out.push(bucketOf(new Date(t).toISOString(), group));
  return out;
}

const bucketOf = (iso: string, group: 'day' | 'hour') => (group === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 13)}:00:00Z`);
/** An axis label: `12-06` for a day, `14h` for an hour. */
const labelOf = (bucket: string, group: 'day' | 'hour') => (group === 'day' ? bucket.slice(5) : `${bucket.slice(11, 13)}h`);
const percent = (n: number) => `${Math.round(n * 100)}%`;
const dollars = (n: number) => (n === 0 ? '$0' : usd(n));
const latency = (n: number) => (n >= 1000 ? `${+(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`);

/** A figure for a summary line: a big number and what it counts. */
function tile(value: string, what: string): HTMLElement {
  const box = el('div', 'tile');
  box.append(el('strong', '', value), el('span', '', what));
  return box;
}

/** Loads the range's statistics and draws the four charts. */
export async function loadUsageCharts(): Promise<void> {
  const options = adminOptions();
  if (!options) {
    body.replaceChildren(el('p', 'hint', 'Enter the admin token to see the charts.'));
    return;
  }
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  const { span, group } = RANGES[rangeSelect.value as keyof typeof RANGES] ?? RANGES['7d'];
  const to = Date.now();
  const from = to - span;
  const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  body.replaceChildren(el('p', 'hint', 'Loading…'));
  try {
    const stats = await adminStats({ ...options, signal: controller.signal }, { group, by: 'model', ...range });
    body.replaceChildren(...draw(stats.data, bucketsOf(from, to, group), group));
  } catch (error) {
    if (!controller.signal.aborted) body.replaceChildren(el('p', 'hint', problem(error)));
  }
}

function draw(data: readonly StatsEntry[], buckets: string[], group: 'day' | 'hour'): HTMLElement[] {
  if (data.length === 0) return [el('p', 'hint', 'No calls in this range.')];
  const labels = buckets.map((b) => labelOf(b, group));
  const index = new Map(buckets.map((b, i) => [b, i]));
  // Model calls by model (requests that name none, /admin or /v1/models, count among requests only), the
  // costliest first, so it sits at the bottom of each bar.
  const byModel = new Map<string, StatsEntry[]>();
  for (const entry of data) if (entry.model) byModel.set(entry.model, [...(byModel.get(entry.model) ?? []), entry]);
  const sum = (entries: readonly StatsEntry[], pick: (e: StatsEntry) => number) => entries.reduce((s, e) => s + pick(e), 0);
  const models = [...byModel.keys()].sort(
    (a, b) =>
      sum(byModel.get(b) ?? [], (e) => e.cost_usd) - sum(byModel.get(a) ?? [], (e) => e.cost_usd) ||
      sum(byModel.get(b) ?? [], (e) => e.requests) - sum(byModel.get(a) ?? [], (e) => e.requests),
  );
  const color = (i: number) => PALETTE[i % PALETTE.length] ?? '#555';
  const perBucket = (entries: readonly StatsEntry[], pick: (e: StatsEntry) => number | null) => {
    const values: (number | null)[] = buckets.map(() => null);
    for (const e of entries) {
      const i = index.get(e.bucket);
      if (i !== undefined) values[i] = pick(e);
    }
    return values;
  };
  const all = (pick: (e: StatsEntry) => number) => {
    const values = buckets.map(() => 0);
    for (const e of data) {
      const i = index.get(e.bucket);
      if (i !== undefined) values[i] = (values[i] ?? 0) + pick(e);
    }
    return values;
  };
  const requests = all((e) => e.requests);
  const errors = all((e) => e.errors);
  const totalRequests = requests.reduce((a, b) => a + b, 0);
  const totalErrors = errors.reduce((a, b) => a + b, 0);
  // Cache hit rate: hits among the calls the cache was asked about (HIT or MISS; BYPASS calls were not cacheable).
  const hits = all((e) => e.cache_hits);
  const asked = all((e) => e.cache_hits + e.cache_misses);
  const totalAsked = asked.reduce((a, b) => a + b, 0);
  const totalHits = hits.reduce((a, b) => a + b, 0);
  const summary = el('div', 'tiles');
  summary.append(
    tile(dollars(sum(data, (e) => e.cost_usd)), 'spent'),
    tile(compact(totalRequests), 'requests'),
    tile(percent(totalErrors / totalRequests), 'errors'),
    tile(compact(sum(data, (e) => e.prompt_tokens + e.completion_tokens)), 'tokens'),
    tile(totalAsked ? percent(totalHits / totalAsked) : '—', 'cache hits'),
  );
  const unit = group === 'day' ? 'day' : 'hour';
  return [
    summary,
    chart({
      title: `Spend per ${unit}, by model`,
      labels,
      kind: 'stacked',
      format: dollars,
      series: models.map((name, i) => ({ name, color: color(i), values: perBucket(byModel.get(name) ?? [], (e) => e.cost_usd) })),
    }),
    chart({
      title: `Requests and errors per ${unit}`,
      note: 'Errors: answered with a status of 400 or more.',
      labels,
      kind: 'stacked',
      format: (n) => compact(Math.round(n)),
      series: [
        { name: 'Succeeded', color: '#188038', values: requests.map((r, i) => r - (errors[i] ?? 0)) },
        { name: 'Errors', color: '#b3261e', values: errors },
      ],
    }),
    chart({
      title: `Latency per ${unit}, by model`,
      note: 'p95 solid, p50 dashed.',
      labels,
      kind: 'lines',
      format: latency,
      series: models.flatMap((name, i): Series[] => [
        { name, color: color(i), values: perBucket(byModel.get(name) ?? [], (e) => e.latency_p95_ms) },
        {
          name: `${name} p50`,
          color: color(i),
          dashed: true,
          unlisted: true,
          values: perBucket(byModel.get(name) ?? [], (e) => e.latency_p50_ms),
        },
      ]),
    }),
    chart({
      title: `Cache hit rate per ${unit}`,
      note: 'Hits among the calls the cache could answer (HIT or MISS).',
      labels,
      kind: 'lines',
      max: 1,
      format: percent,
      series: [{ name: 'Cache hits', color: '#0b57d0', values: asked.map((n, i) => (n ? (hits[i] ?? 0) / n : null)) }],
    }),
  ];
}

/** Wires the Usage tab's range picker. */
export function setUpUsageCharts(): void {
  rangeSelect.addEventListener('change', () => void loadUsageCharts());
}
