import type { ClientOptions, GatewayModel } from '../../src/client/index.ts';
import { byId } from './dom.ts';
import { modelFacts } from './format.ts';

const KEY_STORAGE = 'edge-llm-gateway.key';
const keyInput = byId<HTMLInputElement>('key');
const modelInput = byId<HTMLInputElement>('model');
const known = new Map<string, GatewayModel>();

/** Restores the key of this tab (sessionStorage: gone when the tab closes, never in the URL) and keeps it updated. */
export function restoreKey(onChange: () => void): void {
  keyInput.value = sessionStorage.getItem(KEY_STORAGE) ?? '';
  keyInput.addEventListener('input', () => sessionStorage.setItem(KEY_STORAGE, keyInput.value));
  keyInput.addEventListener('change', onChange);
}

/** How to reach the gateway: this page's origin, with the key when one is set. */
export function clientOptions(signal?: AbortSignal): ClientOptions {
  const key = keyInput.value.trim();
  return { ...(key ? { key } : {}), ...(signal ? { signal } : {}) };
}

/** The model field: undefined leaves the choice to the gateway's default. */
export function chosenModel(): { model?: string } {
  const model = modelInput.value.trim();
  return model ? { model } : {};
}

/** Fills the model picker with what the gateway serves, and says what it knows about the chosen one. */
export function showModels(models: readonly GatewayModel[]): void {
  known.clear();
  const list = byId<HTMLDataListElement>('models');
  list.replaceChildren(
    ...models.map((m) => {
      known.set(m.id, m);
      const option = document.createElement('option');
      option.value = m.id;
      const facts = modelFacts(m);
      if (facts) option.label = `${m.id} (${facts})`;
      return option;
    }),
  );
  describeModel();
}

/** Says what the gateway reports about the model in the field (context window, prices), or the default model. */
export function describeModel(note = ''): void {
  const id = modelInput.value.trim();
  const model = known.get(id);
  const text =
    note ||
    (model
      ? modelFacts(model) || `${id}: no limits or prices reported`
      : id
        ? ''
        : `Default: ${known.size ? [...known.keys()][0] : 'the gateway’s'}`);
  byId('model-facts').textContent = text;
}

modelInput.addEventListener('input', () => describeModel());

/** What the gateway reported about a model (its prices, for the log's cost breakdown), if it listed it. */
export function modelInfo(id: string | null): GatewayModel | undefined {
  return id === null ? undefined : known.get(id);
}
