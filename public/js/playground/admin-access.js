// Built by scripts/build-playground.ts from public/playground/admin-access.ts: edit that file, not this one.
                                                               
import { byId } from './dom.js';

const TOKEN_STORAGE = 'edge-llm-gateway.admin-token';
const tokenInput = byId                  ('admin-token');

/**
 * The admin token field of the Logs and Usage tabs: kept in this tab only (sessionStorage, gone when the tab
 * closes, never in the URL or localStorage); `onChange` reloads what the tabs show.
 */
export function setUpAdminAccess(onChange            )       {
  tokenInput.value = sessionStorage.getItem(TOKEN_STORAGE) ?? '';
  tokenInput.addEventListener('input', () => sessionStorage.setItem(TOKEN_STORAGE, tokenInput.value));
  byId('admin-access').addEventListener('submit', (event) => {
    event.preventDefault();
    onChange();
  });
  tokenInput.addEventListener('change', onChange);
}

/** How to call the admin API: the admin token as the bearer; undefined until one is entered. */
export function adminOptions()                            {
  const token = tokenInput.value.trim();
  return token ? { key: token } : undefined;
}
