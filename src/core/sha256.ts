const encoder = new TextEncoder();

/** SHA-256 of a string's UTF-8 bytes (Web Crypto). */
export function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

/** A digest as lowercase hex. */
export const toHex = (digest: ArrayBuffer): string => [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
