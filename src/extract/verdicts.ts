import { sha256, toHex } from '../core/sha256.ts';

/** How many verdicts an isolate keeps (the oldest goes first). */
const KEPT = 512;

/**
 * What validating an answer against a schema found, kept per isolate by the SHA-256 of both: an answer
 * served again (a cache hit, a repeated request) is not validated again.
 */
export class Verdicts {
  readonly #found = new Map<string, readonly string[]>();

  /** The problems found before for this schema and answer text, or what `validate` finds now (then kept). */
  async of(
    schemaJson: string,
    answer: string,
    validate: () => readonly string[],
  ): Promise<{ problems: readonly string[]; fresh: boolean }> {
    const key = toHex(await sha256(`${schemaJson}\u0000${answer}`));
    const kept = this.#found.get(key);
    if (kept) return { problems: kept, fresh: false };
    const problems = validate();
    this.#found.set(key, problems);
    const oldest = this.#found.keys().next();
    if (this.#found.size > KEPT && !oldest.done) this.#found.delete(oldest.value);
    return { problems, fresh: true };
  }
}
