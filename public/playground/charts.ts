// Small SVG charts for the Usage tab: stacked bars and lines over time buckets, with axes, a legend and a
// tooltip (`<title>`) on every bar and point. Hand-written: no charting library is installed in this project
// (notes/ui.md says which one would replace this file, and why).
import { el } from './dom.ts';

/** One coloured series: a value per bucket, null where there is none (a gap in a line). */
export interface Series {
  readonly name: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  /** Drawn dashed (lines only): a second measure of the same group, e.g. p50 beside p95. */
  readonly dashed?: boolean;
  /** Left out of the legend (its colour is already there, under another series' name). */
  readonly unlisted?: boolean;
}

export interface ChartSpec {
  readonly title: string;
  /** Explains the chart below its title. */
  readonly note?: string;
  /** The x axis: one label per bucket. */
  readonly labels: readonly string[];
  readonly series: readonly Series[];
  readonly kind: 'stacked' | 'lines';
  /** How a value reads, on the axis and in tooltips. */
  readonly format: (n: number) => string;
  /** A fixed top of the y axis (e.g. 1 for a rate). */
  readonly max?: number;
}

/** A palette with enough contrast on white, told apart by hue and lightness. */
export const PALETTE = ['#0b57d0', '#e37400', '#188038', '#a142f4', '#d01884', '#007b83', '#795548', '#5f6368'];

const NS = 'http://www.w3.org/2000/svg';
// Drawn about as wide as it is shown, so the axis text stays readable.
const W = 520;
const H = 230;
const PAD = { top: 12, right: 10, bottom: 28, left: 62 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, tip?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (tip) node.append(Object.assign(document.createElementNS(NS, 'title'), { textContent: tip }));
  return node;
}

/** A round top for the y axis: 1, 2, 2.5 or 5 times a power of ten, at or above `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 2.5, 5, 10].find((step) => step * power >= max) ?? 10) * power;
}

/** A chart as a figure: title, SVG, legend. */
export function chart(spec: ChartSpec): HTMLElement {
  const figure = el('figure', 'chart');
  const caption = el('figcaption', '', spec.title);
  if (spec.note) caption.append(el('span', 'hint', spec.note));
  figure.append(caption);
  const n = spec.labels.length;
  const totals = spec.labels.map((_, i) =>
    spec.kind === 'stacked'
      ? spec.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)
      : Math.max(0, ...spec.series.map((s) => s.values[i] ?? 0)),
  );
  const top = spec.max ?? niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const band = plotW / Math.max(n, 1);
  const x = (i: number) => PAD.left + band * i + band / 2;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': spec.title });
  // Grid and y axis in round steps: a top of 2.5 or 5 (times a power of ten) in five, of 1 or 2 in four.
  const mantissa = Math.round((top / 10 ** Math.floor(Math.log10(top))) * 10);
  const steps = mantissa === 25 || mantissa === 50 ? 5 : 4;
  for (let step = 0; step <= steps; step++) {
    const v = (top * step) / steps;
    root.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: step ? 'grid' : 'axis' }));
    const label = svg('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' });
    label.textContent = spec.format(v);
    root.append(label);
  }
  // X labels: at most eight, evenly spaced.
  const every = Math.max(1, Math.ceil(n / 8));
  spec.labels.forEach((text, i) => {
    if (i % every) return;
    const label = svg('text', { x: x(i), y: H - 10, 'text-anchor': 'middle', class: 'tick' });
    label.textContent = text;
    root.append(label);
  });
  if (spec.kind === 'stacked') {
    const width = Math.max(2, Math.min(40, band * 0.7));
    spec.labels.forEach((label, i) => {
      let base = 0;
      for (const s of spec.series) {
        const v = s.values[i] ?? 0;
        if (v <= 0) continue;
        root.append(
          svg(
            'rect',
            { x: x(i) - width / 2, y: y(base + v), width, height: Math.max(1, y(base) - y(base + v)), fill: s.color },
            `${label} · ${s.name}: ${spec.format(v)}`,
          ),
        );
        base += v;
      }
    });
  } else {
    for (const s of spec.series) {
      // Runs of buckets with a value, drawn as one line each; a missing bucket is a gap, not a zero.
      let run: string[] = [];
      const flush = () => {
        if (run.length > 1)
          root.append(
            svg('polyline', {
              points: run.join(' '),
              fill: 'none',
              stroke: s.color,
              'stroke-width': 2,
              ...(s.dashed ? { 'stroke-dasharray': '5 4' } : {}),
            }),
          );
        run = [];
      };
      for (const [i, v] of s.values.entries()) {
        if (v === null) {
          flush();
          continue;
        }
        run.push(`${x(i)},${y(v)}`);
        root.append(svg('circle', { cx: x(i), cy: y(v), r: 3, fill: s.color }, `${spec.labels[i]} · ${s.name}: ${spec.format(v)}`));
      }
      flush();
    }
  }
  figure.append(root);
  const legend = el('ul', 'legend');
  for (const s of spec.series) {
    if (s.unlisted) continue;
    const item = el('li');
    const swatch = el('span', s.dashed ? 'swatch dashed' : 'swatch');
    swatch.style.setProperty('--swatch', s.color);
    item.append(swatch, s.name);
    legend.append(item);
  }
  figure.append(legend);
  return figure;
}
