// Built by scripts/build-playground.ts from public/playground/usage-panel.ts: edit that file, not this one.
import { GatewayClientError, usage } from '../client/index.js';
import { byId, el } from './dom.js';
import { explainError } from './explain-error.js';
import { usd } from './format.js';
import { clientOptions } from './session.js';

const panel = byId                    ('usage');
const body = byId('usage-body');

/** `{today:{requests:3}}` → [["today requests", "3"]]; costs as dollars. Tolerates any shape the gateway reports. */
function rows(value         , prefix = '')                     {
  if (typeof value !== 'object' || value === null) {
    const text = typeof value === 'number' && /cost|usd/.test(prefix) ? usd(value) : value === null ? 'no limit' : String(value);
    return [[prefix.trim() || 'value', text]];
  }
  return Object.entries(value).flatMap(([k, v]) => rows(v, `${prefix} ${k.replaceAll('_', ' ')}`));
}

/** Loads the key's usage and limits, when the gateway reports them. */
export async function refreshUsage()                {
  if (!panel.open) return;
  try {
    const report = await usage(clientOptions());
    const list = el('dl');
    for (const [name, value] of rows(report)) list.append(el('dt', '', name), el('dd', '', value));
    body.replaceChildren(list);
  } catch (error) {
    const missing = error instanceof GatewayClientError && error.status === 404;
    body.replaceChildren(el('p', 'hint', missing ? 'This gateway does not report usage (no GET /v1/usage).' : explainError(error).title));
  }
}

/** The panel loads only when opened (a gateway without /v1/usage costs a page nothing), then after each answer. */
export function setUpUsage()       {
  panel.addEventListener('toggle', () => void refreshUsage());
  byId('usage-refresh').addEventListener('click', () => void refreshUsage());
  document.addEventListener('answered', () => void refreshUsage());
}
