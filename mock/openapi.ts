// Serves OpenAI's official spec as JSON. Parsing the 3 MB YAML takes a while,
// so it happens once, on first request, and the JSON text is kept.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export class OpenApiDocument {
  readonly path: string | undefined;
  #json: Promise<string | undefined> | undefined;

  constructor(path: string | undefined) {
    this.path = path;
  }

  /** The spec as JSON text, or undefined when there is no spec file. */
  json(): Promise<string | undefined> {
    this.#json ??= this.#load();
    return this.#json;
  }

  async #load(): Promise<string | undefined> {
    if (this.path === undefined) return undefined;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return undefined;
    }
    const doc: unknown = parse(text, { maxAliasCount: -1 });
    return JSON.stringify(doc);
  }
}
