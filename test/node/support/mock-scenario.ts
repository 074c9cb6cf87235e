import { mockUrl } from './gateway-server.ts';

/** What the mock upstream recorded for a scenario id. */
export interface MockCalls {
  count: number;
  requests: { url: string; headers: Record<string, string>; body: Record<string, unknown> }[];
  closed_by_client: number;
}

/**
 * Registers a mock directive under a fresh model name and returns `openai/<name>`, for clients whose
 * request bodies a test cannot extend with a `mock` field. With `id: true` the directive gets a scenario
 * id (returned too), so `mockCalls(id)` can count and inspect what reached the upstream.
 */
export async function scenario(directive: Record<string, unknown> = {}): Promise<{ model: string; id: string }> {
  const id = `e2e-${crypto.randomUUID()}`;
  const response = await fetch(`${mockUrl}/__mock/scenarios/${id}`, { method: 'PUT', body: JSON.stringify({ id, ...directive }) });
  if (!response.ok) throw new Error(`Registering mock scenario ${id} failed: HTTP ${response.status}`);
  return { model: `openai/${id}`, id };
}

/** The requests that reached the mock upstream for a scenario id. */
export async function mockCalls(id: string): Promise<MockCalls> {
  const response = await fetch(`${mockUrl}/__mock/calls/${id}`);
  return (await response.json()) as MockCalls;
}
