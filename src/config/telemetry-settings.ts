import { configError } from '../errors.ts';
import { readVariable } from './variables.ts';

/** OpenTelemetry export (docs: "Observability"): where spans go, and how many requests are traced. */
export interface TelemetrySettings {
  /** The collector's traces URL: OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces` (OTLP/HTTP JSON). */
  readonly tracesUrl: string;
  /** OTEL_EXPORTER_OTLP_HEADERS, parsed (e.g. the collector's auth). */
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  /** OTEL_TRACES_SAMPLE_RATIO: the share of requests without a caller's `traceparent` that are traced. */
  readonly sampleRatio: number;
}

/** `key=value,key2=value2`, values percent-encoded, as the OpenTelemetry SDKs read OTEL_EXPORTER_OTLP_HEADERS. */
function parseHeaders(raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq).trim() : '';
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      value = '';
    }
    // The value is a secret: the error names the header, never its value.
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || value === '' || /[\r\n]/.test(value))
      throw configError(
        'OTEL_EXPORTER_OTLP_HEADERS',
        `expected name=value pairs separated by commas; "${name || '(no name)'}" is not one.`,
      );
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** The export settings; undefined when OTEL_EXPORTER_OTLP_ENDPOINT is empty (no export). A bad value is a config_error naming it. */
export function readTelemetrySettings(env: object): TelemetrySettings | undefined {
  // Every variable is read (and checked) even with the export off, so a bad value shows before it is turned on.
  const endpoint = readVariable(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const headers = parseHeaders(readVariable(env, 'OTEL_EXPORTER_OTLP_HEADERS'));
  const serviceName = readVariable(env, 'OTEL_SERVICE_NAME');
  const raw = readVariable(env, 'OTEL_TRACES_SAMPLE_RATIO');
  const sampleRatio = Number(raw);
  if (!Number.isFinite(sampleRatio) || sampleRatio < 0 || sampleRatio > 1)
    throw configError('OTEL_TRACES_SAMPLE_RATIO', `expected a number from 0 to 1, got "${raw}".`);
  if (endpoint === '') return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw configError(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'expected the http(s) base URL of an OTLP collector, like https://otel.example.com:4318.',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw configError('OTEL_EXPORTER_OTLP_ENDPOINT', `expected an http(s) URL, got a ${url.protocol} one.`);
  return { tracesUrl: `${endpoint.replace(/\/+$/, '')}/v1/traces`, headers, serviceName, sampleRatio };
}
