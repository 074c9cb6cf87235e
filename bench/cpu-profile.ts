// Folds a V8 CPU profile of the gateway's isolate into "where the time goes": self time per source
// (each npm package, each file of src/, the runtime's built-ins), the hottest functions, and the
// inclusive time of the gateway's own functions. Pure: the profile and a source-map lookup in, figures out.
import type { Profiler } from 'node:inspector';

/** Where a bundle position came from, as the bundle's source map tells it. */
export interface OriginalPosition {
  readonly source: string;
  readonly line: number;
  readonly name?: string;
}

export type Resolve = (url: string, line: number, column: number) => OriginalPosition | undefined;

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  /** Native work V8 cannot attribute to a JS function (the runtime's C++: HTTP, streams, KV, I/O). */
  readonly programMs: number;
  readonly gcMs: number;
  /** Self time of JavaScript, by source: `openai`, `src/http/auth.ts`, `(runtime built-ins)`, … */
  readonly bySource: readonly { readonly source: string; readonly ms: number }[];
  readonly topFunctions: readonly { readonly fn: string; readonly ms: number }[];
  /** Time with each src/ function anywhere on the stack (a sample counts once per function). */
  readonly inclusive: readonly { readonly fn: string; readonly ms: number }[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** `node_modules/openai/…` → `openai`; `src/http/auth.ts` stays; anything else as it is. */
export function sourceGroup(source: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1];
  if (pkg) return pkg;
  const src = /(?:^|\/)(src\/.+)$/.exec(source)?.[1];
  return src ?? source;
}

/** Summarises a profile; `resolve` maps bundle positions to original sources (undefined: not the bundle). */
export function summarizeProfile(profile: Profiler.Profile, resolve: Resolve, top = 25): ProfileSummary {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const label = new Map<number, { group: string; fn: string; special?: string }>();
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber, columnNumber } = n.callFrame;
    if (SPECIAL.has(functionName)) {
      label.set(n.id, { group: functionName, fn: functionName, special: functionName });
      continue;
    }
    const original = url ? resolve(url, lineNumber, columnNumber) : undefined;
    if (original) {
      const group = sourceGroup(original.source);
      const name = original.name ?? (functionName || '(anonymous)');
      label.set(n.id, { group, fn: `${name} (${group.startsWith('src/') ? `${group}:${original.line + 1}` : group})` });
    } else {
      // Not the bundle: workerd's own JavaScript (node: compatibility modules, streams glue) or native functions.
      label.set(n.id, {
        group: '(runtime built-ins)',
        fn: `${functionName || '(anonymous)'} (runtime${url ? `: ${url.replace(/^.*\//, '')}` : ''})`,
      });
    }
  }

  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const self = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalMs = 0;
  const special: Record<string, number> = {};
  samples.forEach((id, i) => {
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    totalMs += ms;
    const l = label.get(id);
    if (!l) return;
    if (l.special) {
      special[l.special] = (special[l.special] ?? 0) + ms;
      return;
    }
    self.set(l.group, (self.get(l.group) ?? 0) + ms);
    fnSelf.set(l.fn, (fnSelf.get(l.fn) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const a = label.get(at);
      if (a?.group.startsWith('src/') && !seen.has(a.fn)) {
        seen.add(a.fn);
        inclusive.set(a.fn, (inclusive.get(a.fn) ?? 0) + ms);
      }
    }
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalMs,
    idleMs: special['(idle)'] ?? 0,
    programMs: special['(program)'] ?? 0,
    gcMs: special['(garbage collector)'] ?? 0,
    bySource: sorted(self).map(([source, ms]) => ({ source, ms })),
    topFunctions: sorted(fnSelf)
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms })),
    inclusive: sorted(inclusive)
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms })),
  };
}
