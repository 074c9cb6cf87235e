// Values the global setup (test/setup/mock-upstream.ts) provides to every test, typed for `inject()`.
declare module 'vitest' {
  export interface ProvidedContext {
    /** The mock upstream's base URL, e.g. http://127.0.0.1:40123 */
    mockUrl: string;
    /** Whether ../shared/openai (spec + recorded responses) is there; tests that need it skip otherwise. */
    hasSharedOpenAI: boolean;
  }
}
export {};
