// The configuration table of docs/configuration.md, generated from the variable table the config code reads
// (src/config/variables.ts), so the two never drift. `node scripts/config-table.ts` prints it;
// `--write` replaces the page's table between the markers; a test checks the page is current. `npm run docs`
// runs this and scripts/dev-vars-example.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { VARIABLES } from '../src/config/variables.ts';

export const START_MARKER = '<!-- config-table:start -->';
export const END_MARKER = '<!-- config-table:end -->';
const PAGE = new URL('../docs/configuration.md', import.meta.url);

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The markdown table: every variable and secret, its default and what it does. */
export function configTable(): string {
  const rows = VARIABLES.map((v) => {
    const name = `\`${v.name}\`${v.secret ? ' (secret)' : ''}`;
    const fallback = v.default === '' ? '—' : `\`${v.default}\``;
    return `| ${name} | ${cell(fallback)} | ${cell(v.description)} |`;
  });
  return ['| variable | default | what it does |', '|---|---|---|', ...rows].join('\n');
}

/** `page` with the text between the markers replaced by the current table; throws if a marker is missing. */
export function withConfigTable(page: string): string {
  const start = page.indexOf(START_MARKER);
  const end = page.indexOf(END_MARKER);
  if (start === -1 || end < start)
    throw new Error(`docs/configuration.md must contain ${START_MARKER} … ${END_MARKER} around the configuration table.`);
  return `${page.slice(0, start + START_MARKER.length)}\n${configTable()}\n${page.slice(end)}`;
}

/** The page's text between the markers (without them), for the drift test. */
export function pageConfigTable(page: string): string {
  const start = page.indexOf(START_MARKER);
  const end = page.indexOf(END_MARKER);
  if (start === -1 || end < start) throw new Error(`docs/configuration.md has no ${START_MARKER} … ${END_MARKER} block.`);
  return page.slice(start + START_MARKER.length, end).trim();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--write')) {
    const before = readFileSync(PAGE, 'utf8');
    const after = withConfigTable(before);
    if (after !== before) writeFileSync(PAGE, after);
    console.log(`docs/configuration.md table: ${after === before ? 'already current' : 'updated'} (${VARIABLES.length} variables).`);
  } else process.stdout.write(`${configTable()}\n`);
}
