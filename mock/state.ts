// Everything one mock server instance keeps between requests.
import { CallRegistry } from './calls.ts';
import { FixtureStore } from './fixtures.ts';
import { OpenApiDocument } from './openapi.ts';
import { TraceStore } from './traces.ts';

export class MockState {
  readonly calls = new CallRegistry();
  /** Spans received as an OpenTelemetry collector (`POST …/v1/traces`). */
  readonly traces = new TraceStore();
  readonly fixtures: FixtureStore;
  readonly openapi: OpenApiDocument;
  /** Directives registered by model name, for routes whose bodies cannot carry a `mock` field. */
  readonly scenarios = new Map<string, unknown>();
  /** Pause between stream frames when a directive sets no `stream.chunk_delay_ms` (0 for tests, a human pace for `npm start`). */
  readonly chunkDelayMs: number;
  #responses = 0;

  constructor(fixturesDir: string | undefined, openapiPath: string | undefined, chunkDelayMs = 0) {
    this.fixtures = new FixtureStore(fixturesDir);
    this.openapi = new OpenApiDocument(openapiPath);
    this.chunkDelayMs = chunkDelayMs;
  }

  /** Numbers responses so ids (`chatcmpl-mock-<n>`) are unique per server. */
  nextResponseNumber(): number {
    return ++this.#responses;
  }
}
