// A local stand-in for Open-Meteo's free APIs, so the `get_weather` tool runs without internet:
//   GET /open-meteo/v1/search?name=…       (geocoding-api.open-meteo.com/v1/search)
//   GET /open-meteo/v1/forecast?latitude=…  (api.open-meteo.com/v1/forecast, `current=` only)
// Response shapes follow Open-Meteo's documentation: a search with no match has no `results` key, errors
// are 400 `{"error":true,"reason":…}`. The places and readings are invented (deterministic), not recorded.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http.ts';

export const OPEN_METEO_PREFIX = '/open-meteo/';

interface Place {
  id: number;
  name: string;
  latitude: number;
  longitude: number;
  elevation: number;
  country_code: string;
  country: string;
  admin1: string;
  timezone: string;
}

const PLACES: readonly Place[] = [
  {
    id: 1,
    name: 'Paris',
    latitude: 48.85,
    longitude: 2.35,
    elevation: 40,
    country_code: 'FR',
    country: 'France',
    admin1: 'Île-de-France',
    timezone: 'Europe/Paris',
  },
  {
    id: 2,
    name: 'Tokyo',
    latitude: 35.69,
    longitude: 139.69,
    elevation: 40,
    country_code: 'JP',
    country: 'Japan',
    admin1: 'Tokyo',
    timezone: 'Asia/Tokyo',
  },
  {
    id: 3,
    name: 'New York',
    latitude: 40.71,
    longitude: -74.01,
    elevation: 10,
    country_code: 'US',
    country: 'United States',
    admin1: 'New York',
    timezone: 'America/New_York',
  },
  {
    id: 4,
    name: 'Berlin',
    latitude: 52.52,
    longitude: 13.41,
    elevation: 35,
    country_code: 'DE',
    country: 'Germany',
    admin1: 'Berlin',
    timezone: 'Europe/Berlin',
  },
  {
    id: 5,
    name: 'Sydney',
    latitude: -33.87,
    longitude: 151.21,
    elevation: 20,
    country_code: 'AU',
    country: 'Australia',
    admin1: 'New South Wales',
    timezone: 'Australia/Sydney',
  },
];

const UNITS: Readonly<Record<string, string>> = {
  temperature_2m: '°C',
  apparent_temperature: '°C',
  relative_humidity_2m: '%',
  precipitation: 'mm',
  rain: 'mm',
  weather_code: 'wmo code',
  wind_speed_10m: 'km/h',
  wind_direction_10m: '°',
  cloud_cover: '%',
  is_day: '',
};

/** Answers a request under /open-meteo/ and returns true; returns false for any other path. */
export function handleOpenMeteo(req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  if (!url.pathname.startsWith(OPEN_METEO_PREFIX)) return false;
  const path = url.pathname.slice(OPEN_METEO_PREFIX.length - 1);
  const [status, body] =
    req.method === 'GET' && path === '/v1/search'
      ? search(url.searchParams)
      : req.method === 'GET' && path === '/v1/forecast'
        ? forecast(url.searchParams)
        : refuse(404, `Not found: ${req.method} ${url.pathname}`);
  sendJson(res, status, body);
  return true;
}

type Reply = [status: number, body: unknown];

/** Open-Meteo's error shape. */
const refuse = (status: number, reason: string): Reply => [status, { error: true, reason }];

function search(q: URLSearchParams): Reply {
  const name = (q.get('name') ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  const count = Number(q.get('count') ?? '10');
  if (!Number.isInteger(count) || count < 1 || count > 100) return refuse(400, 'Parameter count must be between 1 and 100.');
  const results = name.length < 2 ? [] : PLACES.filter((p) => p.name.toLowerCase().startsWith(name)).slice(0, count);
  return [200, results.length > 0 ? { results, generationtime_ms: 0.4 } : { generationtime_ms: 0.4 }];
}

function forecast(q: URLSearchParams): Reply {
  const latitude = Number(q.get('latitude'));
  const longitude = Number(q.get('longitude'));
  if (q.get('latitude') === null || q.get('longitude') === null || !Number.isFinite(latitude) || !Number.isFinite(longitude)) {
    return refuse(400, 'Parameter latitude and longitude must be set');
  }
  if (Math.abs(latitude) > 90) return refuse(400, `Latitude must be in range of -90 to 90°. Given: ${latitude}.`);
  const variables = (q.get('current') ?? '').split(',').filter(Boolean);
  const unknown = variables.find((v) => !(v in UNITS));
  if (unknown) return refuse(400, `Data corrupted at path ''. Cannot initialize ForecastVariable from invalid String value ${unknown}.`);
  const fahrenheit = q.get('temperature_unit') === 'fahrenheit';
  const place = PLACES.find((p) => Math.abs(p.latitude - latitude) < 0.01 && Math.abs(p.longitude - longitude) < 0.01);
  const timezone = q.get('timezone') === 'auto' ? (place?.timezone ?? 'GMT') : (q.get('timezone') ?? 'GMT');
  const offset = offsetSeconds(timezone);
  const local = new Date(Math.floor((Date.now() + offset * 1000) / 900_000) * 900_000);
  // Readings derived from the coordinates: stable, so tests can assert them.
  const celsius = Math.round((25 - Math.abs(latitude) / 3) * 10) / 10;
  const values: Record<string, number> = {
    temperature_2m: fahrenheit ? Math.round(((celsius * 9) / 5) * 10 + 320) / 10 : celsius,
    apparent_temperature: fahrenheit ? Math.round((((celsius - 1.5) * 9) / 5) * 10 + 320) / 10 : Math.round((celsius - 1.5) * 10) / 10,
    relative_humidity_2m: 60,
    precipitation: 0,
    rain: 0,
    weather_code: 2,
    wind_speed_10m: 12.5,
    wind_direction_10m: 240,
    cloud_cover: 40,
    is_day: 1,
  };
  const unit = (v: string) => (fahrenheit && UNITS[v] === '°C' ? '°F' : (UNITS[v] ?? ''));
  return [
    200,
    {
      latitude: Math.round(latitude * 1000) / 1000,
      longitude: Math.round(longitude * 1000) / 1000,
      generationtime_ms: 0.05,
      utc_offset_seconds: offset,
      timezone,
      timezone_abbreviation: timezone === 'GMT' ? 'GMT' : abbreviation(timezone),
      elevation: place?.elevation ?? 0,
      current_units: { time: 'iso8601', interval: 'seconds', ...Object.fromEntries(variables.map((v) => [v, unit(v)])) },
      current: { time: local.toISOString().slice(0, 16), interval: 900, ...Object.fromEntries(variables.map((v) => [v, values[v]])) },
    },
  ];
}

function offsetSeconds(timeZone: string): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
}

function abbreviation(timeZone: string): string {
  return (
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName')
      ?.value ?? 'GMT'
  );
}
