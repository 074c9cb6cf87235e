import type { GatewayModel, StreamEventData } from '../../src/client/index.ts';

/** 128000 → "128k", 1048576 → "1M". */
export function compact(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(2)}M`;
  if (n >= 1000) return `${+(n / 1000).toFixed(1)}k`;
  return String(n);
}

/** US dollars, with enough digits to see the cost of one small call. */
export function usd(n: number): string {
  if (n === 0) return '$0';
  if (n < 0.01) return `$${n.toPrecision(2)}`;
  // At least cents, at most four decimals: $0.60, $0.075, $2.50.
  return `$${n.toFixed(4).replace(/0{1,2}$/, '')}`;
}

export function ms(n: number): string {
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`;
}

/** What the gateway says about a model, when it says anything beyond its name. */
export function modelFacts(model: GatewayModel | undefined): string {
  if (!model) return '';
  const facts: string[] = [];
  if (typeof model.context_window === 'number') facts.push(`${compact(model.context_window)} context`);
  if (typeof model.max_output_tokens === 'number') facts.push(`${compact(model.max_output_tokens)} max output`);
  const p = model.pricing;
  if (p && (typeof p.input === 'number' || typeof p.output === 'number')) {
    const parts = [p.input, p.cached_input, p.output].map((v) => (typeof v === 'number' ? usd(v) : '?'));
    facts.push(
      typeof p.cached_input === 'number'
        ? `${parts[0]} in · ${parts[1]} cached · ${parts[2]} out per 1M tokens`
        : `${parts[0]} in · ${parts[2]} out per 1M tokens`,
    );
  }
  return facts.join(' · ');
}

/** "12 in · 40 out" and the cost, as the usage event reports them. */
export function tokens(usage: StreamEventData<'usage'> | undefined): { tokens: string; cost: string } {
  if (!usage) return { tokens: 'n/a', cost: 'n/a' };
  const mark = usage.estimated ? ' (est.)' : '';
  const cached = usage.prompt_tokens_details?.cached_tokens ? ` (${usage.prompt_tokens_details.cached_tokens} cached)` : '';
  return {
    tokens: `${usage.prompt_tokens} in${cached} · ${usage.completion_tokens} out${mark}`,
    cost: typeof usage.cost_usd === 'number' ? `${usd(usage.cost_usd)}${mark}` : 'n/a',
  };
}
