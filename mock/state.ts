// Everything one mock server instance keeps between requests.
import { CallRegistry } from './calls.ts';
import { FixtureStore } from './fixtures.ts';
import { OpenApiDocument } from './openapi.ts';

export class MockState {
  readonly calls = new CallRegistry();
  readonly fixtures: FixtureStore;
  readonly openapi: OpenApiDocument;
  /** Directives registered by model name, for routes whose bodies cannot carry a `mock` field. */
  readonly scenarios = new Map<string, unknown>();
  #responses = 0;

  constructor(fixturesDir: string | undefined, openapiPath: string | undefined) {
    this.fixtures = new FixtureStore(fixturesDir);
    this.openapi = new OpenApiDocument(openapiPath);
  }

  /** Numbers responses so ids (`chatcmpl-mock-<n>`) are unique per server. */
  nextResponseNumber(): number {
    return ++this.#responses;
  }
}
