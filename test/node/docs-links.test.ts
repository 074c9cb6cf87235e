// The README and the pages in docs/ link to each other by relative paths and #anchors: each link must reach an
// existing file and, for a markdown page, an existing heading; and every page must be reachable from the README.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const PAGES = [
  'README.md',
  ...readdirSync('docs')
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name)),
];

/** The text outside fenced code blocks and inline code, where links and headings are markdown. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, (code) => code.replace(/[[\]()#]/g, ' '));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens (`-1`, `-2` for repeats). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading = ''] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** Every relative link and image target of a page: `[text](target)`, without external URLs. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** Why a link of `page` does not resolve, or null when it does. */
function brokenReason(page: string, target: string): string | null {
  const [path = '', anchor] = target.split('#');
  const file = path === '' ? page : normalize(join(dirname(page), decodeURIComponent(path)));
  if (!existsSync(file)) return `${file} does not exist`;
  if (anchor === undefined || !file.endsWith('.md')) return null;
  return anchors(readFileSync(file, 'utf8')).has(anchor) ? null : `${file} has no heading #${anchor}`;
}

describe('the documentation links', () => {
  it('reads the README and the docs pages', () => {
    expect(PAGES.length).toBeGreaterThan(10);
    expect(PAGES).toContain(join('docs', 'configuration.md'));
  });

  it.each(PAGES)('every relative link of %s reaches an existing file and heading', (page) => {
    const links = relativeLinks(readFileSync(page, 'utf8'));
    const broken = links.map((target) => [target, brokenReason(page, target)] as const).filter(([, reason]) => reason !== null);
    expect(broken).toEqual([]);
  });

  it('every page in docs/ is linked from the README', () => {
    const linked = new Set(relativeLinks(readFileSync('README.md', 'utf8')).map((target) => normalize(target.split('#')[0] ?? '')));
    const pages = PAGES.filter((page) => page.startsWith('docs'));
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('computes GitHub anchors as GitHub does', () => {
    expect([
      ...anchors("## OpenAI's Responses API\n## `/v1/chat/completions` streams\n## Keys, limits and budgets\n## Keys, limits and budgets"),
    ]).toEqual(['openais-responses-api', 'v1chatcompletions-streams', 'keys-limits-and-budgets', 'keys-limits-and-budgets-1']);
  });

  it('finds a broken link, a missing heading and skips code and external URLs', () => {
    const links = relativeLinks('[a](docs/nope.md) `[b](c.md)` [d](https://x.example/y)\n```\n[e](f.md)\n```\n![g](docs/playground.png)');
    expect(links).toEqual(['docs/nope.md', 'docs/playground.png']);
    expect(brokenReason('README.md', 'docs/nope.md')).toBe('docs/nope.md does not exist');
    expect(brokenReason('README.md', 'docs/playground.png')).toBeNull();
    expect(brokenReason('README.md', 'docs/routes.md#nope')).toBe('docs/routes.md has no heading #nope');
  });
});
