// Prints .dev.vars.example from the variable table the config code reads (src/config/variables.ts), so the
// two never drift; `--write` writes the file (`npm run docs` does, with the table of docs/configuration.md); a test checks it is current.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { VARIABLES } from '../src/config/variables.ts';

/** The text of .dev.vars.example. */
export function devVarsExample(): string {
  const lines = [
    '# Copy to .dev.vars for `npm start`; set the secrets with `wrangler secret put NAME` when you deploy.',
    '# Generated from src/config/variables.ts by scripts/dev-vars-example.ts. Commented lines show the defaults.',
    '',
  ];
  for (const v of VARIABLES) {
    lines.push(`# ${v.description}${v.secret ? ' (secret)' : ''}`);
    lines.push(`# ${v.name}=${v.default}`);
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--write')) {
    const file = new URL('../.dev.vars.example', import.meta.url);
    const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const after = devVarsExample();
    if (after !== before) writeFileSync(file, after);
    console.log(`.dev.vars.example: ${after === before ? 'already current' : 'updated'} (${VARIABLES.length} variables).`);
  } else process.stdout.write(devVarsExample());
}
