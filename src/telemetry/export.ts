import type { TelemetrySettings } from '../config/telemetry-settings.ts';
import { scrubText } from '../core/scrub.ts';

// An export runs after the answer (waitUntil); a collector that hangs must not hold the isolate for long.
const EXPORT_TIMEOUT_MS = 10_000;

/**
 * POSTs one request's spans (an OTLP/HTTP JSON body) to the collector, scrubbed of every secret like the log
 * line. Never throws: a failed export is one log line naming the status, never the collector's headers.
 */
export async function exportSpans(
  settings: TelemetrySettings,
  body: unknown,
  secrets: readonly string[],
  fetchImpl: typeof fetch,
): Promise<void> {
  try {
    const response = await fetchImpl(settings.tracesUrl, {
      method: 'POST',
      headers: { ...settings.headers, 'content-type': 'application/json' },
      body: scrubText(JSON.stringify(body), secrets),
      signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) console.error(JSON.stringify({ event: 'otlp_export_failed', status: response.status }));
  } catch (error) {
    console.error(JSON.stringify({ event: 'otlp_export_failed', error: scrubText(String(error), secrets) }));
  }
}
