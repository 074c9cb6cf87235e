import { extract } from '../../src/client/index.ts';
import { answerMeta } from './answer-meta.ts';
import { byId, el } from './dom.ts';
import { explainError } from './explain-error.ts';
import { clearError, showError } from './notice.ts';
import { chosenModel, clientOptions } from './session.ts';

const schemaInput = byId<HTMLTextAreaElement>('schema');
const schemaError = byId('schema-error');
const result = byId('extract-result');
const runButton = byId<HTMLButtonElement>('extract-run');

/** The schema in the editor, or undefined (with the reason shown beside it) when it is not a JSON object. */
function readSchema(): Record<string, unknown> | undefined {
  let reason = '';
  let schema: unknown;
  try {
    schema = JSON.parse(schemaInput.value);
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
      reason = 'A JSON Schema is a JSON object, e.g. {"type":"object",…}.';
  } catch (error) {
    reason = `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  schemaError.textContent = reason;
  schemaInput.setAttribute('aria-invalid', String(reason !== ''));
  // A result extracted with an earlier schema no longer says anything about this one.
  if (reason) result.hidden = true;
  return reason ? undefined : (schema as Record<string, unknown>);
}

async function run(): Promise<void> {
  const schema = readSchema();
  if (!schema) return schemaInput.focus();
  clearError();
  runButton.disabled = true;
  result.hidden = false;
  result.replaceChildren(el('p', 'hint', 'Extracting…'));
  const started = performance.now();
  try {
    const instructions = byId<HTMLInputElement>('instructions').value.trim();
    const answer = await extract({
      ...clientOptions(),
      ...chosenModel(),
      schema,
      text: byId<HTMLTextAreaElement>('extract-text').value,
      ...(instructions ? { instructions } : {}),
    });
    result.replaceChildren(
      el('p', 'valid', '✓ Matches the schema (validated by the gateway)'),
      el('pre', 'data', JSON.stringify(answer.data, null, 2)),
      answerMeta({
        info: answer.info,
        model: answer.model,
        usage: answer.usage,
        calls: answer.attempts,
        totalMs: performance.now() - started,
      }),
    );
  } catch (error) {
    result.hidden = true;
    showError(explainError(error));
  } finally {
    runButton.disabled = false;
    document.dispatchEvent(new Event('answered'));
  }
}

/** Wires the extract tab: the schema is checked as it is typed, the result shown with its facts. */
export function setUpExtract(): void {
  schemaInput.addEventListener('input', () => readSchema());
  byId('extract-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
}
