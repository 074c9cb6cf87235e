import { commaList } from '../core/comma-list.ts';
import type { Config } from '../config/config.ts';
import type { RunPolicy } from '../config/settings.ts';
import type { ChatBody } from '../core/types.ts';
import { GatewayError, invalidField } from '../errors.ts';
import { resolveModel } from '../providers/resolve-model.ts';
import type { Target } from '../providers/target.ts';

/**
 * The models to try, in order: the requested one, then the request's own fallbacks (`models` in the
 * body, OpenRouter's convention, or `x-gateway-fallbacks: a,b`), then FALLBACKS for that model.
 * Fallbacks whose provider is not configured are skipped; an unknown provider is still a 400.
 */
export function modelChain(body: ChatBody, headers: Headers, config: Config): [Target, ...Target[]] {
  const requested = typeof body.model === 'string' ? body.model : undefined;
  const primary = resolveModel(requested, config);
  const fromBody = Array.isArray(body['models']) ? body['models'] : [];
  if (!fromBody.every((m): m is string => typeof m === 'string')) throw invalidField('models', '"models" must be a list of model names.');
  const fromHeader = commaList(headers.get('x-gateway-fallbacks'));
  const cap = config.resilience.maxFallbacks;
  if (fromBody.length + fromHeader.length > cap) {
    throw invalidField(
      fromBody.length > 0 ? 'models' : 'x-gateway-fallbacks',
      `A request may name at most ${cap} fallback models (MAX_FALLBACKS); it named ${fromBody.length + fromHeader.length}.`,
    );
  }
  const configured = config.resilience.fallbacks[requested ?? ''] ?? config.resilience.fallbacks[primary.id] ?? [];
  const chain: [Target, ...Target[]] = [primary];
  for (const name of [...fromBody, ...fromHeader, ...configured]) {
    let target: Target;
    try {
      target = resolveModel(name, config, 'models');
    } catch (error) {
      if (error instanceof GatewayError && error.is('provider_not_configured')) continue;
      throw error;
    }
    if (!chain.some((t) => t.id === target.id)) chain.push(target);
  }
  return chain;
}

function headerInt(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw invalidField(name, `Header ${name} must be a positive whole number.`);
  return n;
}

/** A per-request override that may only narrow the deployer's setting: 400 naming the header and the limit above it. */
function narrowed(headers: Headers, name: string, limit: number, variable: string): number {
  const asked = headerInt(headers, name);
  if (asked === undefined) return limit;
  if (asked > limit) throw invalidField(name, `Header ${name} may lower ${variable} (${limit}) but not raise it; got ${asked}.`);
  return asked;
}

/** The retry policy for one request: the deployer's settings, narrowed (never widened) by `x-gateway-max-attempts` and `x-gateway-timeout-ms`. */
export function runPolicy(headers: Headers, config: Config): RunPolicy {
  const r = config.resilience;
  return {
    maxAttempts: narrowed(headers, 'x-gateway-max-attempts', r.maxAttempts, 'MAX_ATTEMPTS'),
    backoff: r.backoff,
    timeoutMs: narrowed(headers, 'x-gateway-timeout-ms', r.timeoutMs, 'REQUEST_TIMEOUT_MS'),
    firstByteTimeoutMs: r.firstByteTimeoutMs,
    idleTimeoutMs: r.idleTimeoutMs,
    cooldown: r.cooldown,
  };
}
