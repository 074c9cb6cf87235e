import { readVariable } from '../config/variables.ts';
import { isJsonObject } from '../core/types.ts';
import { defineTool } from './tool.ts';

const CURRENT = [
  'temperature_2m',
  'apparent_temperature',
  'relative_humidity_2m',
  'precipitation',
  'weather_code',
  'wind_speed_10m',
] as const;

// WMO weather interpretation codes, as Open-Meteo documents them for `weather_code`.
const WMO: Readonly<Record<number, string>> = {
  0: 'clear sky',
  1: 'mainly clear',
  2: 'partly cloudy',
  3: 'overcast',
  45: 'fog',
  48: 'depositing rime fog',
  51: 'light drizzle',
  53: 'moderate drizzle',
  55: 'dense drizzle',
  56: 'light freezing drizzle',
  57: 'dense freezing drizzle',
  61: 'slight rain',
  63: 'moderate rain',
  65: 'heavy rain',
  66: 'light freezing rain',
  67: 'heavy freezing rain',
  71: 'slight snowfall',
  73: 'moderate snowfall',
  75: 'heavy snowfall',
  77: 'snow grains',
  80: 'slight rain showers',
  81: 'moderate rain showers',
  82: 'violent rain showers',
  85: 'slight snow showers',
  86: 'heavy snow showers',
  95: 'thunderstorm',
  96: 'thunderstorm with slight hail',
  99: 'thunderstorm with heavy hail',
};

const urls = (env: object) => ({
  geocoding: readVariable(env, 'OPEN_METEO_GEOCODING_URL'),
  forecast: readVariable(env, 'OPEN_METEO_FORECAST_URL'),
});

/** Current weather for a place name: Open-Meteo's geocoding API finds it, its forecast API describes it. Free, no key. */
export const getWeather = defineTool<{ city: string; unit?: 'celsius' | 'fahrenheit' }>({
  name: 'get_weather',
  description: 'Current weather (temperature, feels-like, humidity, precipitation, wind, conditions) for a city or place name.',
  parameters: {
    type: 'object',
    properties: {
      city: {
        type: 'string',
        minLength: 1,
        maxLength: 100,
        description: 'Place name, optionally with its country, e.g. "Paris" or "Paris, France"',
      },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'], description: 'Temperature unit (default celsius)' },
    },
    required: ['city'],
    additionalProperties: false,
  },
  hosts: (env) => Object.values(urls(env)).map((u) => new URL(u).host),
  timeoutMs: 8000,
  async execute({ city, unit = 'celsius' }, { env, fetch }) {
    const { geocoding, forecast } = urls(env);
    const place = firstResult(
      await getJson(fetch, `${geocoding}?${new URLSearchParams({ name: city, count: '1', language: 'en', format: 'json' })}`),
    );
    if (!place) throw new Error(`no place named "${city}" was found`);
    const query = new URLSearchParams({
      latitude: String(place.latitude),
      longitude: String(place.longitude),
      current: CURRENT.join(','),
      temperature_unit: unit,
      timezone: 'auto',
    });
    const body = await getJson(fetch, `${forecast}?${query}`);
    const current = isJsonObject(body.current) ? body.current : undefined;
    const units = isJsonObject(body.current_units) ? body.current_units : {};
    if (!current) throw new Error('the forecast service answered without current conditions');
    const reading = (name: (typeof CURRENT)[number]) =>
      typeof current[name] === 'number' ? `${current[name]} ${String(units[name] ?? '')}`.trim() : null;
    const code = current.weather_code;
    return {
      location: [place.name, place.admin1, place.country].filter((p) => typeof p === 'string' && p !== '').join(', '),
      latitude: place.latitude,
      longitude: place.longitude,
      timezone: body.timezone ?? place.timezone ?? null,
      time: current.time ?? null,
      conditions: typeof code === 'number' ? (WMO[code] ?? `WMO code ${code}`) : null,
      temperature: reading('temperature_2m'),
      feels_like: reading('apparent_temperature'),
      humidity: reading('relative_humidity_2m'),
      precipitation: reading('precipitation'),
      wind_speed: reading('wind_speed_10m'),
    };
  },
});

interface Place {
  name?: unknown;
  admin1?: unknown;
  country?: unknown;
  timezone?: unknown;
  latitude: number;
  longitude: number;
}

/** Open-Meteo answers a search with no match by leaving `results` out. */
function firstResult(body: Record<string, unknown>): Place | undefined {
  const [first] = Array.isArray(body.results) ? body.results : [];
  return isJsonObject(first) && typeof first.latitude === 'number' && typeof first.longitude === 'number'
    ? (first as unknown as Place)
    : undefined;
}

/** GETs JSON; Open-Meteo's errors are `{"error": true, "reason": "…"}`, and their reason is what the model should read. */
async function getJson(fetch: typeof globalThis.fetch, url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  const body: unknown = await response.json().catch(() => undefined);
  const where = new URL(url).host;
  if (!response.ok)
    throw new Error(
      `${where} answered ${response.status}${isJsonObject(body) && typeof body.reason === 'string' ? `: ${body.reason}` : ''}`,
    );
  if (!isJsonObject(body)) throw new Error(`${where} answered with something other than a JSON object`);
  return body;
}
