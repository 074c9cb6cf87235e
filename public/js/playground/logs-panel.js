// Built by scripts/build-playground.ts from public/playground/logs-panel.ts: edit that file, not this one.
import { adminLogs, GatewayClientError,                                } from '../client/index.js';
import { adminOptions } from './admin-access.js';
import { byId, el } from './dom.js';
import { explainError } from './explain-error.js';
import { compact, ms, usd } from './format.js';
import { modelInfo } from './session.js';

/** Rows a page: the table grows by this much with each "Load more". */
export const LOG_PAGE_SIZE = 50;

const form = byId                 ('log-filters');
const rows = byId                         ('log-rows');
const status = byId('log-status');
const more = byId                   ('log-more');
const detail = byId('log-detail');
let filters             = {};
let cursor                = null;
let loading                             ;

/** A `datetime-local` field (the person's local time) as ISO 8601, or undefined when empty. */
function isoOf(id        )                     {
  const value = byId                  (id).value;
  return value ? new Date(value).toISOString() : undefined;
}

function readFilters()             {
  const text = (id        ) => byId                  (id).value.trim() || undefined;
  const code = text('log-status-code');
  const fields = {
    key: text('log-key'),
    model: text('log-model'),
    status: code ? Number(code) : undefined,
    from: isoOf('log-from'),
    to: isoOf('log-to'),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))              ;
}

const time = (iso        ) =>
  new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const tokensOf = (row          ) =>
  row.prompt_tokens === null && row.completion_tokens === null
    ? '—'
    : `${compact(row.prompt_tokens ?? 0)} / ${compact(row.completion_tokens ?? 0)}`;
const costOf = (row          ) => (row.cost_usd === null ? '—' : `${usd(row.cost_usd)}${row.cost_estimated ? ' (est.)' : ''}`);

/** One table row; its time is a button that opens the call's detail. */
function rowOf(row          )                      {
  const tr = el('tr');
  const open = el('button', 'link', time(row.at));
  open.type = 'button';
  open.addEventListener('click', () => {
    for (const selected of rows.querySelectorAll('tr[aria-current]')) selected.removeAttribute('aria-current');
    tr.setAttribute('aria-current', 'true');
    showDetail(row);
  });
  const first = el('td');
  first.append(open);
  const cells = [
    row.key_name ?? 'anonymous',
    `${row.method} ${row.route}`,
    row.model ?? row.model_requested ?? '—',
    String(row.status),
    row.cache ?? '—',
    tokensOf(row),
    costOf(row),
    ms(row.latency_ms),
  ].map((text) => el('td', '', text));
  cells[3]?.classList.add(row.status >= 400 ? 'bad' : 'ok');
  tr.append(first, ...cells);
  return tr;
}

/** What the call cost, part by part, from the tokens in its row and the model's prices as the gateway lists them. */
function costBreakdown(row          )                     {
  const price = modelInfo(row.model)?.pricing;
  if (row.cost_usd === null) return [['Cost', 'not known (the model has no price, or no tokens were counted)']];
  const total                   = [
    'Cost',
    `${usd(row.cost_usd)}${row.cost_estimated ? ', estimated (the gateway counted the tokens itself)' : ''}`,
  ];
  if (!price || typeof price.input !== 'number' || typeof price.output !== 'number') return [total];
  const cached = row.cached_tokens ?? 0;
  const fresh = (row.prompt_tokens ?? 0) - cached;
  const cachedPrice = price.cached_input ?? price.input;
  const part = (tokens        , perMillion        ) => `${tokens} × ${usd(perMillion)}/1M = ${usd((tokens * perMillion) / 1e6)}`;
  return [
    total,
    ['Input', part(fresh, price.input)],
    ...(cached ? ([['Cached input', part(cached, cachedPrice)]]                      ) : []),
    ['Output', part(row.completion_tokens ?? 0, price.output)],
  ];
}

function showDetail(row          )       {
  const list = el('dl');
  const facts                     = [
    ['Request id', row.request_id],
    ['Time', new Date(row.at).toLocaleString()],
    ['Key', row.key_name ?? 'anonymous'],
    ['Route', `${row.method} ${row.route} (${row.surface}${row.stream ? ', streamed' : ''})`],
    ...(row.model_requested && row.model_requested !== row.model ? ([['Model asked', row.model_requested]]                      ) : []),
    ['Model that answered', `${row.model ?? '—'}${row.provider ? ` (${row.provider})` : ''}`],
    ['Status', `${row.status}${row.error_code ? ` ${row.error_code}` : ''}`],
    ['Attempts', row.cache === 'HIT' ? '0 (answered from the cache)' : String(row.attempts)],
    ['Cache', row.cache ?? '—'],
    ['Tokens', `${row.prompt_tokens ?? 0} in (${row.cached_tokens ?? 0} cached) · ${row.completion_tokens ?? 0} out`],
    ...costBreakdown(row),
    ['Latency', `${ms(row.latency_ms)}${row.ttfb_ms === null ? '' : `, first byte after ${ms(row.ttfb_ms)}`}`],
    ...(row.tool_steps ? ([['Tool steps', String(row.tool_steps)]]                      ) : []),
  ];
  for (const [name, value] of facts) list.append(el('dt', '', name), el('dd', '', value));
  const close = el('button', 'secondary small', 'Close');
  close.type = 'button';
  close.addEventListener('click', () => {
    detail.hidden = true;
    rows.querySelector('tr[aria-current]')?.removeAttribute('aria-current');
  });
  detail.replaceChildren(el('h3', '', 'One call'), list, close);
  detail.hidden = false;
}

/** Loads the first page for the filters (`append`: the next page after the cursor). */
export async function loadLogs(append = false)                {
  const options = adminOptions();
  if (!options) {
    status.textContent = 'Enter the admin token to see the request log.';
    return;
  }
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  if (!append) {
    filters = readFilters();
    cursor = null;
    detail.hidden = true;
  }
  status.textContent = 'Loading…';
  try {
    const page = await adminLogs(
      { ...options, signal: controller.signal },
      { ...filters, limit: LOG_PAGE_SIZE, ...(append && cursor ? { cursor } : {}) },
    );
    if (!append) rows.replaceChildren();
    rows.append(...page.data.map(rowOf));
    cursor = page.next_cursor;
    more.hidden = !page.has_more;
    const shown = rows.childElementCount;
    status.textContent = shown
      ? `${shown} call${shown === 1 ? '' : 's'}${page.has_more ? ', more below' : ''}, newest first.`
      : 'No call matches.';
  } catch (error) {
    if (controller.signal.aborted) return;
    status.textContent = problem(error);
  }
}

/** Why the log cannot be shown, in words for the person. */
export function problem(error         )         {
  if (error instanceof GatewayClientError) {
    if (error.status === 401) return 'The admin token was not accepted.';
    if (error.status === 404) return 'This gateway has no admin API (ADMIN_TOKEN is not set).';
    if (error.code === 'gateway_not_configured') return 'The request log is off on this gateway (no REQUEST_LOG_DB binding).';
    // The usual cause locally: the D1 database has no request_log table yet.
    if (error.status === 500)
      return `The request log could not be read (HTTP 500): has its database been migrated? (npx wrangler d1 migrations apply REQUEST_LOG_DB). ${error.requestId ? `Request ${error.requestId}.` : ''}`;
  }
  return explainError(error).title;
}

/** Wires the Logs tab: the filters apply on submit, "Load more" follows the cursor. */
export function setUpLogs()       {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void loadLogs();
  });
  form.addEventListener('reset', () => queueMicrotask(() => void loadLogs()));
  more.addEventListener('click', () => void loadLogs(true));
}
