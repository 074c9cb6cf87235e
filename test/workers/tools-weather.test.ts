import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import '../provided-context.ts';
import { ToolRegistry } from '../../src/tools/registry.ts';
import { runToolCalls, type ToolRunContext } from '../../src/tools/run-tool-calls.ts';

// No recorded Open-Meteo responses exist under ../shared, so these run against the mock's stand-in
// (mock/open-meteo.ts), which answers in Open-Meteo's documented shapes with invented readings.
const mockUrl = inject('mockUrl');
const standIn = {
  OPEN_METEO_GEOCODING_URL: `${mockUrl}/open-meteo/v1/search`,
  OPEN_METEO_FORECAST_URL: `${mockUrl}/open-meteo/v1/forecast`,
};
const never = (_ms: number, signal: AbortSignal) =>
  new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

function context(vars: Record<string, string>, fetch: typeof globalThis.fetch = globalThis.fetch): ToolRunContext {
  return {
    env: { ...env, ...vars },
    signal: new AbortController().signal,
    fetch,
    now: () => 0,
    deadlineAt: 60_000,
    timeoutMs: 10_000,
    resultMaxBytes: 16_384,
    sleep: never,
  };
}

const weather = async (args: object, ctx: ToolRunContext) =>
  (await runToolCalls([{ id: 'w', name: 'get_weather', arguments: JSON.stringify(args) }], new ToolRegistry(), ctx))[0];

describe('get_weather against the local Open-Meteo stand-in', () => {
  it('geocodes the city, then reads its current weather', async () => {
    const r = await weather({ city: 'Paris' }, context(standIn));
    expect(r?.error).toBeUndefined();
    const result = JSON.parse(r?.result ?? '');
    expect(result).toMatchObject({
      location: 'Paris, Île-de-France, France',
      latitude: 48.85,
      longitude: 2.35,
      timezone: 'Europe/Paris',
      conditions: 'partly cloudy',
      temperature: '8.7 °C',
      feels_like: '7.2 °C',
      humidity: '60 %',
      wind_speed: '12.5 km/h',
    });
    expect(result.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  });

  it('passes the unit through', async () => {
    const r = await weather({ city: 'Paris', unit: 'fahrenheit' }, context(standIn));
    expect(JSON.parse(r?.result ?? '').temperature).toBe('47.7 °F');
  });

  it('tells the model when no place has that name', async () => {
    const r = await weather({ city: 'Atlantis' }, context(standIn));
    expect(r?.content).toBe('error: no place named "Atlantis" was found');
  });

  it("relays the service's own reason when it refuses a request", async () => {
    const r = await weather({ city: 'Paris' }, context({ ...standIn, OPEN_METEO_FORECAST_URL: `${mockUrl}/open-meteo/v1/nowhere` }));
    expect(r?.content).toMatch(/^error: 127\.0\.0\.1:\d+ answered 404: Not found: GET \/open-meteo\/v1\/nowhere$/);
  });

  it('may reach only the configured Open-Meteo hosts', async () => {
    const reached: string[] = [];
    const spy = (async (input: RequestInfo | URL) => {
      reached.push(String(input));
      return new Response('{}');
    }) as typeof globalThis.fetch;
    // Default URLs: the real Open-Meteo hosts are declared, so the request goes out (to the spy here).
    const real = await weather({ city: 'Paris' }, context({}, spy));
    expect(reached).toEqual(['https://geocoding-api.open-meteo.com/v1/search?name=Paris&count=1&language=en&format=json']);
    expect(real?.content).toBe('error: no place named "Paris" was found');
  });
});
