import { commaList } from '../core/comma-list.ts';
// What a route turns a request's server-tool fields into, checked before any upstream call.
import type { ChatBody } from '../core/types.ts';
import { GatewayError, invalidField } from '../errors.ts';
import type { CallRequest } from '../gateway/types.ts';
import type { ToolRegistry } from './registry.ts';
import type { ToolSettings } from '../config/tool-settings.ts';

export type ServerTools = NonNullable<CallRequest['serverTools']>;

/** The names in an `x-gateway-tools: get_weather, calculate` header (empty when absent). */
export function parseToolsHeader(value: string | null): string[] {
  return commaList(value);
}

/**
 * Checks the server tools a request asks for and returns `CallRequest.serverTools`, or undefined when it
 * asks for none. 400 for an unknown name (`unknown_tool`), a client tool of the same name, `n` above 1,
 * or a `max_iterations` that is not a positive whole number; a larger one is lowered to the deployment's bound.
 *
 * @example
 * const serverTools = resolveServerTools(body.tools, body.max_iterations, upstreamBody, registry, settings);
 */
export function resolveServerTools(
  names: unknown,
  maxIterations: unknown,
  body: ChatBody,
  registry: ToolRegistry,
  settings: ToolSettings,
  param = 'tools',
): ServerTools | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string'))
    throw invalidField(param, `${param} must be an array of server tool names.`, 'invalid_type');
  if (names.length === 0) return undefined;
  const unique = [...new Set(names)];
  const unknown = unique.filter((n) => !registry.get(n));
  if (unknown.length > 0) {
    throw new GatewayError(
      400,
      `Unknown server tool${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; this gateway offers ${registry.names().join(', ')}.`,
      { param, code: 'unknown_tool' },
    );
  }
  const clientNames = new Set(
    (Array.isArray(body.tools) ? body.tools : []).map((t: unknown) => (t as { function?: { name?: unknown } } | null)?.function?.name),
  );
  const clash = unique.find((n) => clientNames.has(n));
  if (clash) throw invalidField('tools', `"${clash}" is both a server tool and one of the request's own tools; rename the client tool.`);
  if (typeof body.n === 'number' && body.n > 1) throw invalidField('n', 'Server tools answer one choice: n must be 1.');
  if (maxIterations !== undefined && (typeof maxIterations !== 'number' || !Number.isInteger(maxIterations) || maxIterations < 1)) {
    throw invalidField('max_iterations', 'max_iterations must be a whole number of at least 1.');
  }
  return { names: unique, maxIterations: Math.min(maxIterations ?? settings.maxIterations, settings.maxIterations) };
}
