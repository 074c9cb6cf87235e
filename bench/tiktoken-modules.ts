// Lets Node load gpt-tokenizer's `.tiktoken` rank files as text modules, as wrangler and workerd do (wrangler.toml
// `rules`), so benches can run src/tokens in Node. Import it before anything that counts tokens.
import { register } from 'node:module';

const hooks = `
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export async function load(url, context, next) {
  if (!url.endsWith('.tiktoken')) return next(url, context);
  return { format: 'module', shortCircuit: true, source: 'export default ' + JSON.stringify(readFileSync(fileURLToPath(url), 'utf8')) };
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
