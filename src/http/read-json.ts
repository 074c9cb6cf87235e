import { GatewayError } from '../errors.ts';
import { assertDepthWithin } from './json-depth.ts';

/**
 * Reads a JSON object body: 415 unless it is `application/json`, 413 past `maxBytes` (checked on
 * the declared length and again while reading), 400 when it does not parse or is not an object.
 */
export async function readJsonObject(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new GatewayError(415, `Content-Type must be application/json (got ${type ? `"${type}"` : 'none'}).`, {
      code: 'unsupported_media_type',
    });
  }
  const tooLarge = () =>
    new GatewayError(413, `Request body is larger than ${maxBytes} bytes (MAX_BODY_BYTES).`, { code: 'request_too_large' });
  const declared = request.headers.get('content-length');
  if (Number(declared ?? 0) > maxBytes) throw tooLarge();
  // A declared length is enforced by the runtime, so the body is read in one go; without one, counted as it streams.
  const bytes = declared !== null ? new Uint8Array(await request.arrayBuffer()) : await readLimited(request, maxBytes, tooLarge);
  const text = new TextDecoder().decode(bytes);
  // Before anything recurses over it: a body nested thousands deep would overflow the serialisers downstream.
  assertDepthWithin(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new GatewayError(400, `Request body is not valid JSON: ${error instanceof Error ? error.message : 'parse error'}.`, {
      code: 'invalid_json',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError(400, 'Request body must be a JSON object.', { code: 'invalid_json' });
  }
  return parsed as Record<string, unknown>;
}

async function readLimited(request: Request, maxBytes: number, tooLarge: () => GatewayError): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
