// The playground: chat with live streaming, extract, usage, and the request log's table and charts; every call
// made with the browser client (src/client).
import { listModels } from '../../src/client/index.ts';
import { setUpChat } from './chat-panel.ts';
import { byId } from './dom.ts';
import { explainError } from './explain-error.ts';
import { setUpExtract } from './extract-panel.ts';
import { setUpAdminAccess } from './admin-access.ts';
import { loadLogs, setUpLogs } from './logs-panel.ts';
import { clientOptions, describeModel, restoreKey, showModels } from './session.ts';
import { loadUsageCharts, setUpUsageCharts } from './usage-dashboard.ts';
import { refreshUsage, setUpUsage } from './usage-panel.ts';

async function loadModels(): Promise<void> {
  try {
    showModels(await listModels(clientOptions()));
  } catch (error) {
    describeModel(`Could not list the models: ${explainError(error).title}`);
  }
}

/** What the admin tabs show, loaded when they are opened (and again when the admin token changes). */
const ADMIN_TABS: Record<string, () => Promise<void>> = { 'tab-logs': () => loadLogs(), 'tab-usage': loadUsageCharts };

/** Tabs as the ARIA pattern has them: arrow keys move between tabs, one tab stop. */
function setUpTabs(): void {
  const tabs = ['tab-chat', 'tab-extract', 'tab-logs', 'tab-usage'].map((id) => byId<HTMLButtonElement>(id));
  const select = (chosen: HTMLButtonElement) => {
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
