// Dependencies in src/ go one way: no cycle between folders, none between files anywhere, errors.ts imports nothing,
// and the layers keep their directions (LAYERS below).
// Run alone: npx vitest run --project workers test/workers/unit-import-graph.test.ts
import { describe, expect, it } from 'vitest';

// Every source file's text, bundled by Vite at test time (workerd has no file system).
const sources = import.meta.glob<string>('../../src/**/*.ts', { query: '?raw', import: 'default', eager: true });

const SRC = '../../src/';

/** A file's node in the folder graph: its first path segment under src/ (a top-level file is its own node). */
const nodeOf = (path: string) => path.slice(SRC.length).split('/')[0]!;

/** Module specifiers of static imports and re-exports (`import … from`, `import '…'`, `export … from`) and dynamic `import('…')`. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** Resolves a relative specifier against the importing file's path (both relative to this test). */
function resolve(from: string, specifier: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const segment of specifier.split('/')) {
    if (segment === '..') parts.pop();
    else if (segment !== '.') parts.push(segment);
  }
  return parts.join('/');
}

/** Folder edges `from → to`, each with the files that make it. */
function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const [path, text] of Object.entries(sources)) {
    const from = nodeOf(path);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const specifier of specifiers(text)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(path, specifier);
      if (!target.startsWith(SRC)) continue;
      const to = nodeOf(target);
      if (to === from) continue;
      const edges = graph.get(from)!;
      edges.set(to, [...(edges.get(to) ?? []), `${path.slice(SRC.length)} → ${target.slice(SRC.length)}`]);
    }
  }
  return graph;
}

/** File edges `from → to`, every relative import of every source file (paths under src/), each edge with itself as its witness. */
function fileGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const [path, text] of Object.entries(sources)) {
    const from = path.slice(SRC.length);
    const edges = new Map<string, string[]>();
    graph.set(from, edges);
    for (const specifier of specifiers(text)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(path, specifier);
      if (target.startsWith(SRC)) edges.set(target.slice(SRC.length), [`${from} → ${target.slice(SRC.length)}`]);
    }
  }
  return graph;
}

/** Strongly connected components with more than one node, or one node that imports itself: each is a cycle (Tarjan). */
function cycles(graph: Map<string, Map<string, string[]>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let top = stack.pop()!; ; top = stack.pop()!) {
      onStack.delete(top);
      component.push(top);
      if (top === node) break;
    }
    if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/**
 * The layers around a model call, as directions: the route table imports the endpoints (routes/); an endpoint
 * decodes with its wire's codecs (wire/) and builds its call in calls/; calls/ alone turns a decoded request into
 * a pipeline call (gateway/, cache/); the loops over the pipeline (loops/) serve calls/ and the tool loop; the
 * codecs are pure.
 */
const LAYERS = {
  /** Who may import a folder. */
  importedOnlyBy: { routes: ['app.ts'], calls: ['routes'], loops: ['calls', 'tools'] } as Record<string, readonly string[]>,
  /** All a folder may import. */
  importsOnly: { wire: ['client', 'core', 'errors.ts', 'stream'] } as Record<string, readonly string[]>,
  /** What a folder may not import. */
  importsNot: { routes: ['gateway', 'cache'] } as Record<string, readonly string[]>,
};

/** The folder edges that break LAYERS, each with the files that make it. */
function wrongDirections(graph: Map<string, Map<string, string[]>>, layers: typeof LAYERS): string[] {
  const wrong: string[] = [];
  for (const [from, edges] of graph) {
    for (const [to, files] of edges) {
      const importers = layers.importedOnlyBy[to];
      const allowed = layers.importsOnly[from];
      const refused = layers.importsNot[from];
      if ((importers && !importers.includes(from)) || (allowed && !allowed.includes(to)) || refused?.includes(to))
        wrong.push(`${from} → ${to}: ${files.join('; ')}`);
    }
  }
  return wrong.sort();
}

/** The folder graph, one folder a line, for failure messages. */
function describeGraph(graph: Map<string, Map<string, string[]>>): string {
  return [...graph.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([from, edges]) => `  ${from} → ${[...edges.keys()].sort().join(', ') || '(nothing)'}`)
    .join('\n');
}

describe('the import graph of src/', () => {
  const graph = folderGraph();

  it('finds the source files and their imports', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    expect(graph.get('gateway')?.has('errors.ts')).toBe(true);
  });

  it('would catch a cycle (the checker itself, on a made-up graph)', () => {
    const edge = (...to: string[]) => new Map(to.map((t) => [t, ['x']]));
    const made = new Map([
      ['core', edge('http')],
      ['http', edge('providers')],
      ['providers', edge('core')],
      ['stream', edge('core')],
    ]);
    expect(cycles(made)).toEqual([['core', 'http', 'providers']]);
    // Files as well as folders: a two-file circle inside one folder, and a file importing itself.
    expect(
      cycles(
        new Map([
          ['providers/upstream.ts', edge('providers/anthropic/call.ts', 'providers/wire.ts')],
          ['providers/anthropic/call.ts', edge('providers/upstream.ts')],
          ['core/types.ts', edge('core/types.ts')],
          ['providers/wire.ts', edge()],
        ]),
      ),
    ).toEqual([['core/types.ts'], ['providers/anthropic/call.ts', 'providers/upstream.ts']]);
    expect(
      specifiers(
        "import {\n  a,\n  type B,\n} from '../x/y.ts';\nexport { c } from './c.ts';\nimport './side.ts';\nconst d = await import('../d.ts');",
      ),
    ).toEqual(['../x/y.ts', './c.ts', './side.ts', '../d.ts']);
  });

  it('has no file-level cycle anywhere in src/, and every relative import names a source file', () => {
    const files = fileGraph();
    const unresolved = [...files.values()].flatMap((edges) => [...edges.keys()].filter((to) => !files.has(to)));
    expect(unresolved, 'relative imports that name no file of src/ (the graph would miss their edges)').toEqual([]);
    const found = cycles(files);
    const detail = found
      .map((component) => {
        const inside = component.flatMap((from) =>
          [...(files.get(from)?.keys() ?? [])].filter((to) => component.includes(to)).map((to) => `    ${from} → ${to}`),
        );
        return `  cycle among ${component.join(', ')}:\n${inside.join('\n')}`;
      })
      .join('\n');
    expect(found, `file-level cycles:\n${detail}`).toEqual([]);
  });

  it('keeps the layers in their directions: app → routes → (wire, calls) → gateway; pure codecs', () => {
    expect(wrongDirections(graph, LAYERS), `the folder graph:\n${describeGraph(graph)}`).toEqual([]);
    // The checker itself, on a made-up graph: each kind of rule catches its edge.
    const edge = (...to: string[]) => new Map(to.map((t) => [t, ['x']]));
    const made = new Map([
      ['app.ts', edge('routes')],
      ['routes', edge('calls', 'wire', 'gateway')],
      ['calls', edge('gateway', 'wire')],
      ['tools', edge('calls')],
      ['wire', edge('core', 'http')],
    ]);
    expect(wrongDirections(made, LAYERS)).toEqual(['routes → gateway: x', 'tools → calls: x', 'wire → http: x']);
  });

  it('has errors.ts as a leaf that imports nothing', () => {
    expect(specifiers(sources[`${SRC}errors.ts`] ?? '')).toEqual([]);
  });

  it('has no folder-level cycle', () => {
    const found = cycles(graph);
    const detail = found
      .map((component) => {
        const inside = component.flatMap((from) =>
          [...(graph.get(from)?.entries() ?? [])]
            .filter(([to]) => component.includes(to))
            .map(([to, files]) => `    ${from} → ${to}: ${files.join('; ')}`),
        );
        return `  cycle among ${component.join(', ')}:\n${inside.join('\n')}`;
      })
      .join('\n');
    expect(found, `folder-level cycles:\n${detail}\nthe folder graph:\n${describeGraph(graph)}`).toEqual([]);
  });
});
