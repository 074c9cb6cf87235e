// Recorded provider responses, read from the fixtures directory at run time
// (never copied into the project) and cached after the first use.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isObject } from './json.ts';

export type Replay =
  /** `.chunks.jsonl`: one `data:` payload per line. */
  | { kind: 'payloads'; payloads: string[] }
  /** `.sse`: the raw body, cut after each blank line so chunk delays and faults can apply. */
  | { kind: 'sse'; segments: string[] }
  /** `.json` / `.http.json`: a whole body. `status` undefined means "200, or 400 if it is an error". */
  | { kind: 'body'; status: number | undefined; hasError: boolean; headers: Record<string, string | string[]>; body: string };

const DROPPED_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding']);

/** The file's path, or undefined for names that could leave the directory. */
export function fixturePath(dir: string | undefined, name: string): string | undefined {
  if (dir === undefined || name === '' || name.startsWith('.') || basename(name) !== name || name.includes('\\') || name.includes('\0')) {
    return undefined;
  }
  return join(dir, name);
}

export async function readFixtureBytes(dir: string | undefined, name: string): Promise<Buffer | undefined> {
  const path = fixturePath(dir, name);
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

export class FixtureStore {
  readonly dir: string | undefined;
  #cache = new Map<string, Promise<Replay | undefined>>();

  constructor(dir: string | undefined) {
    this.dir = dir;
  }

  load(name: string): Promise<Replay | undefined> {
    let replay = this.#cache.get(name);
    if (replay === undefined) {
      replay = readFixtureBytes(this.dir, name).then((bytes) =>
        bytes === undefined ? undefined : parseReplay(name, bytes.toString('utf8')),
      );
      this.#cache.set(name, replay);
    }
    return replay;
  }
}

function parseReplay(name: string, text: string): Replay | undefined {
  if (name.endsWith('.sse')) return { kind: 'sse', segments: text.split(/(?<=\r?\n\r?\n)/) };
  if (name.endsWith('.chunks.jsonl')) return { kind: 'payloads', payloads: text.split(/\r?\n/).filter((line) => line.trim() !== '') };
  if (name.endsWith('.http.json')) return parseExchange(text);
  if (name.endsWith('.json')) {
    const parsed: unknown = JSON.parse(text);
    return {
      kind: 'body',
      status: undefined,
      hasError: isObject(parsed) && 'error' in parsed,
      headers: { 'content-type': 'application/json' },
      body: text,
    };
  }
  return undefined;
}

/** A recorded VCR exchange: status, headers (minus framing ones) and body. */
function parseExchange(text: string): Replay | undefined {
  const parsed: unknown = JSON.parse(text);
  const response = isObject(parsed) ? parsed['response'] : undefined;
  if (!isObject(response)) return undefined;
  const status = isObject(response['status']) && typeof response['status']['code'] === 'number' ? response['status']['code'] : 200;
  const headers: Record<string, string | string[]> = {};
  let recordedLength: number | undefined;
  if (isObject(response['headers'])) {
    for (const [name, value] of Object.entries(response['headers'])) {
      const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
      if (name.toLowerCase() === 'content-length') recordedLength = Number(values[0]);
      if (!DROPPED_HEADERS.has(name.toLowerCase()) && values.length > 0)
        headers[name] = values.length === 1 && values[0] !== undefined ? values[0] : values;
    }
  }
  const raw = response['parsed_body'] ?? response['body'];
  return { kind: 'body', status, hasError: false, headers, body: serializeBody(raw, recordedLength) };
}

/** Cassettes lose the body's original spacing; the recorded length tells compact from 2-space JSON. */
function serializeBody(raw: unknown, recordedLength: number | undefined): string {
  if (typeof raw === 'string') return raw;
  if (raw === undefined) return '';
  const pretty = JSON.stringify(raw, null, 2);
  return recordedLength === Buffer.byteLength(pretty) ? pretty : JSON.stringify(raw);
}
