// Prints .dev.vars.example from the variable table the config code reads (src/config/variables.ts), so the
// two never drift: `node scripts/dev-vars-example.ts > .dev.vars.example`; a test checks the file is current.
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

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(devVarsExample());
