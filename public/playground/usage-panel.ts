import { GatewayClientError, type UsageLimits, type UsagePeriod, type UsageReport, usage } from '../../src/client/index.ts';
import { byId, el } from './dom.ts';
import { explainError } from './explain-error.ts';
import { compact, usd } from './format.ts';
import { clientOptions } from './session.ts';

const panel = byId<HTMLDetailsElement>('usage');
const body = byId('usage-body');

const isPeriod = (value: unknown): value is UsagePeriod =>
  typeof value === 'object' && value !== null && typeof (value as UsagePeriod).requests === 'number';

/** " of 1000" when the key has that limit. */
function of(limits: UsageLimits, name: string, format: (n: number) => string = String): string {
  const limit = limits[name];
  return typeof limit === 'number' ? ` of ${format(limit)}` : '';
}

/** The rows shown: each period's spend against its limits. */
function rows(report: UsageReport): [string, string][] {
  const limits = report.limits ?? {};
  const out: [string, string][] = [];
  if (typeof report.minute?.requests === 'number')
    out.push(['This minute', `${report.minute.requests}${of(limits, 'requests_per_minute')} requests`]);
  if (isPeriod(report.day))
    out.push([
      `Today (${report.day.period}, UTC)`,
      `${report.day.requests} requests · ${compact(report.day.tokens)}${of(limits, 'tokens_per_day', compact)} tokens · ${usd(report.day.usd)}${of(limits, 'usd_per_day', usd)}`,
    ]);
  if (isPeriod(report.month))
    out.push([
      `This month (${report.month.period})`,
      `${report.month.requests} requests · ${compact(report.month.tokens)} tokens · ${usd(report.month.usd)}${of(limits, 'usd_per_month', usd)}`,
    ]);
  if (report.pending?.reservations)
    out.push(['Reserved by calls under way', `${compact(report.pending.tokens)} tokens · ${usd(report.pending.usd)}`]);
  if (Object.values(limits).every((v) => v === null)) out.push(['Limits', 'none on this key']);
  return out;
}

/** Loads the key's usage and limits, when the gateway reports them. */
export async function refreshUsage(): Promise<void> {
  if (!panel.open) return;
  try {
    const list = el('dl');
    for (const [name, value] of rows(await usage(clientOptions()))) list.append(el('dt', '', name), el('dd', '', value));
    body.replaceChildren(list);
  } catch (error) {
    const missing = error instanceof GatewayClientError && error.status === 404;
    const anonymous = error instanceof GatewayClientError && error.code === 'missing_api_key';
    body.replaceChildren(
      el(
        'p',
        'hint',
        missing
          ? 'This gateway does not report usage (no GET /v1/usage).'
          : anonymous
            ? 'Usage is counted per gateway key: calls without a key have none to show. Enter a key above to see its usage and limits.'
            : explainError(error).title,
      ),
    );
  }
}

/** The panel loads only when opened (a gateway without /v1/usage costs a page nothing), then after each answer. */
export function setUpUsage(): void {
  panel.addEventListener('toggle', () => void refreshUsage());
  byId('usage-refresh').addEventListener('click', () => void refreshUsage());
  document.addEventListener('answered', () => void refreshUsage());
}
