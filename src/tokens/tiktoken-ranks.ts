// An encoding's merge ranks from OpenAI's own `.tiktoken` file (one "base64-token rank" per line, shipped in
// gpt-tokenizer's data/ folder), in the form gpt-tokenizer builds an encoding from: a token as a string when its
// bytes are UTF-8, as its bytes otherwise, and '' for an unused rank. The same conversion as gpt-tokenizer's own
// generator (src/codegen/generateJsBpe.ts); parsing the file at first use keeps the ranks out of the Worker's
// main module, where gpt-tokenizer's JavaScript copy of them was three quarters of its code.

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
// Only ever given ASCII bytes, which every single-byte decoder maps to themselves.
const latin1 = new TextDecoder('latin1');

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SIXBITS = new Uint8Array(128);
for (const [i, c] of [...BASE64].entries()) SIXBITS[c.charCodeAt(0)] = i;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const PAD = 0x3d;

/**
 * A token from its bytes: decoded when valid UTF-8 that decodes to the same bytes (not when it starts with a BOM,
 * which decoding drops); its bytes otherwise.
 */
function nonAsciiToken(bytes: Uint8Array): string | number[] {
  if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    try {
      return utf8.decode(bytes);
    } catch {
      // not UTF-8: kept as bytes
    }
  }
  return [...bytes];
}

/**
 * The rank table of a `.tiktoken` file, for `GptEncoding.getEncodingApi(name, () => ranks)`. One pass over the
 * file's characters, with a base64 decoder of its own (atob and a string per line cost more in Node); an ASCII
 * token, most of them, needs no UTF-8 check. About 0.2 s of CPU for o200k_base, once per isolate.
 * @example parseTiktokenRanks('IQ== 0\nIg== 1\n') // ['!', '"']
 */
export function parseTiktokenRanks(file: string): (string | number[])[] {
  const ranks: (string | number[])[] = [];
  let bytes = new Uint8Array(256);
  for (let i = 0; i < file.length; ) {
    let length = 0;
    let bits = 0;
    let buffer = 0;
    let ascii = true;
    for (let c = file.charCodeAt(i++); c !== SPACE; c = file.charCodeAt(i++)) {
      if (Number.isNaN(c) || c === NEWLINE) throw new Error(`Invalid .tiktoken line ending at offset ${i - 1}.`);
      if (c === PAD) continue;
      buffer = ((buffer << 6) | (SIXBITS[c] ?? 0)) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        if (length === bytes.length) bytes = Uint8Array.from({ length: length * 2 }, (_, k) => bytes[k] ?? 0);
        const byte = (buffer >> bits) & 0xff;
        bytes[length++] = byte;
        if (byte > 0x7f) ascii = false;
      }
    }
    let rank = 0;
    for (let c = file.charCodeAt(i++); c !== NEWLINE && !Number.isNaN(c); c = file.charCodeAt(i++)) rank = rank * 10 + (c - 0x30);
    while (ranks.length < rank) ranks.push('');
    const token = bytes.subarray(0, length);
    ranks.push(ascii ? latin1.decode(token) : nonAsciiToken(token.slice()));
  }
  return ranks;
}
