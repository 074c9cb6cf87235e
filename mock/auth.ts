// Key check shared by the model endpoints. The key `bad-key` is the agreed way
// for tests to provoke a 401 with a key present.
import type { IncomingHttpHeaders } from 'node:http';

export type AuthResult = { ok: true } | { ok: false; key: string | undefined };

/** The caller's key: `Authorization: Bearer …` first, then Azure's `api-key`. */
export function findKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const key = auth.slice(7).trim();
    if (key !== '') return key;
  }
  const apiKey = headers['api-key'];
  const value = Array.isArray(apiKey) ? apiKey[0] : apiKey;
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

export function checkAuth(headers: IncomingHttpHeaders): AuthResult {
  const key = findKey(headers);
  return key === undefined || key === 'bad-key' ? { ok: false, key } : { ok: true };
}
