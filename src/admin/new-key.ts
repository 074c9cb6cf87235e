import { toHex } from '../core/sha256.ts';
import { MANAGED_KEY_PREFIX } from '../limits/lookup-key.ts';

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

/** A new secret key: `gk_` and 256 random bits, shown once to its creator and stored only as its SHA-256. */
export const newSecretKey = (): string => `${MANAGED_KEY_PREFIX}${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;

/** A new key id (public: it names the key in the admin API and says nothing about the secret). */
export const newKeyId = (): string => `key_${toHex(crypto.getRandomValues(new Uint8Array(12)).buffer)}`;

/** What a key id looks like; anything else in an /admin/keys/:id path is unknown. */
export const KEY_ID = /^key_[0-9a-f]{24}$/;
