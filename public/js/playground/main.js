// Built by scripts/build-playground.ts from public/playground/main.ts: edit that file, not this one.
// The playground: chat with live streaming, extract, usage, and the request log's table and charts; every call
// made with the browser client (src/client).
import { listModels } from '../client/index.js';
import { setUpChat } from './chat-panel.js';
import { byId } from './dom.js';
import { explainError } from './explain-error.js';
import { setUpExtract } from './extract-panel.js';
import { setUpAdminAccess } from './admin-access.js';
import { loadLogs, setUpLogs } from './logs-panel.js';
import { clientOptions, describeModel, restoreKey, showModels } from './session.js';
import { loadUsageCharts, setUpUsageCharts } from './usage-dashboard.js';
import { refreshUsage, setUpUsage } from './usage-panel.js';

async function loadModels()                {
  try {
    showModels(await listModels(clientOptions()));
  } catch (error) {
    describeModel(`Could not list the models: ${explainError(error).title}`);
  }
}

/** What the admin tabs show, loaded when they are opened (and again when the admin token changes). */
const ADMIN_TABS                                      = { 'tab-logs': () => loadLogs(), 'tab-usage': loadUsageCharts };

/** Tabs as the ARIA pattern has them: arrow keys move between tabs, one tab stop. */
function setUpTabs()       {
  const tabs = ['tab-chat', 'tab-extract', 'tab-logs', 'tab-usage'].map((id) => byId                   (id));
  const select = (chosen                   ) => {
    for (const tab of tabs) {
      const on = tab === chosen;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      byId(tab.getAttribute('aria-controls') ?? '').hidden = !on;
    }
    const admin = ADMIN_TABS[chosen.id];
    byId('admin-access').hidden = !admin;
    document.body.classList.toggle('admin', admin !== undefined);
    void admin?.();
    chosen.focus();
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      if (step && next) select(next);
    });
  });
}

restoreKey(() => {
  void loadModels();
  void refreshUsage();
});
// The settings form is never sent: Enter in a field just commits it (the key's change reloads the models).
byId('settings').addEventListener('submit', (event) => event.preventDefault());
setUpTabs();
setUpAdminAccess(() => {
  const shown = document.querySelector('[role=tab][aria-selected=true]');
  void ADMIN_TABS[shown?.id ?? '']?.();
});
setUpLogs();
setUpUsageCharts();
setUpChat();
setUpExtract();
setUpUsage();
void loadModels();
