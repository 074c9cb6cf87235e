// Token counting in time linear in the text, whatever its shape. gpt-tokenizer's byte-pair merge is quadratic in
// the length of one piece (what the encoding's split pattern cuts the text into): 160 KB of one letter is one
// piece and took 15 s of CPU. So no piece longer than MAX_PIECE_CHARS reaches it; text without such a piece, which
// is all ordinary text, is counted in one call, exactly as OpenAI counts it.

/** What bounded counting needs of an encoding: its exact count, and the pattern that cuts text into pieces. */
export interface PieceEncoder {
  /** Tokens of a text, exactly (gpt-tokenizer's countTokens). */
  readonly countExact: (text: string) => number;
  /** The encoding's pre-tokenizer pattern (global, unicode), as gpt-tokenizer applies it. */
  readonly splitPattern: RegExp;
}

export interface BoundedCount {
  readonly tokens: number;
  /** True when a piece was too long and was counted in slices: a close estimate, a token or so over per slice. */
  readonly sliced: boolean;
}

/**
 * The longest piece given to the byte-pair merge. Up to about 512 characters a merge costs 1 to 3 µs a character
 * whatever the text (random letters, Thai, CJK, emoji; the cost then grows with the length); words, numbers and
 * sentences of scripts written without spaces are shorter than this, so it cuts only runs no language makes.
 */
export const MAX_PIECE_CHARS = 256;

/**
 * Tokens of `text`, never merging a piece longer than MAX_PIECE_CHARS. A space that follows a non-space
 * character starts a piece in both OpenAI encodings, so the text between two such spaces ("a word") can be
 * counted on its own with the same result; only a word longer than MAX_PIECE_CHARS is split into its pieces,
 * and only a piece longer than that is cut into slices of MAX_PIECE_CHARS (`sliced`).
 * @example countBounded('a'.repeat(160_000), o200k) // { tokens: ~20_000, sliced: true } in milliseconds
 */
export function countBounded(text: string, encoder: PieceEncoder): BoundedCount {
  if (text.length <= MAX_PIECE_CHARS) return { tokens: encoder.countExact(text), sliced: false };
  let tokens = 0;
  let sliced = false;
  let counted = 0; // text before this index is counted
  let wordStart = 0;
  for (let space = text.indexOf(' ', 1); ; space = text.indexOf(' ', space + 1)) {
    const wordEnd = space === -1 ? text.length : space;
    if (space !== -1 && !startsPiece(text, space)) continue;
    if (wordEnd - wordStart > MAX_PIECE_CHARS) {
      if (counted < wordStart) tokens += encoder.countExact(text.slice(counted, wordStart));
      const word = countLongWord(text.slice(wordStart, wordEnd), encoder);
      tokens += word.tokens;
      sliced ||= word.sliced;
      counted = wordEnd;
    }
    if (space === -1) break;
    wordStart = space;
  }
  if (counted < text.length) tokens += encoder.countExact(counted === 0 ? text : text.slice(counted));
  return { tokens, sliced };
}

/**
 * A space at `i` starts a piece when the character before it is not white space (the split patterns put a space
 * only at the start of a piece, or inside a run of white space). Only plainly non-space characters are taken:
 * a missed boundary costs a little time, never a wrong count.
 */
function startsPiece(text: string, i: number): boolean {
  const c = text.charCodeAt(i - 1);
  return (c > 0x20 && c < 0xa0) || (c > 0xa0 && c < 0x1680) || (c > 0x3000 && c < 0xfeff);
}

/** A word longer than MAX_PIECE_CHARS: its pieces found by the encoding's own pattern; runs of short pieces counted in one call. */
function countLongWord(word: string, encoder: PieceEncoder): BoundedCount {
  const pattern = new RegExp(encoder.splitPattern.source, encoder.splitPattern.flags);
  let tokens = 0;
  let sliced = false;
  let counted = 0;
  for (const match of word.matchAll(pattern)) {
    const piece = match[0];
    if (piece.length <= MAX_PIECE_CHARS) continue;
    if (counted < match.index) tokens += encoder.countExact(word.slice(counted, match.index));
    for (let start = 0; start < piece.length; ) {
      const end = sliceEnd(piece, start);
      tokens += encoder.countExact(piece.slice(start, end));
      start = end;
    }
    sliced = true;
    counted = match.index + piece.length;
  }
  if (counted < word.length) tokens += encoder.countExact(counted === 0 ? word : word.slice(counted));
  return { tokens, sliced };
}

/** The end of the slice starting at `start`: MAX_PIECE_CHARS on, moved back one so as not to split a surrogate pair. */
function sliceEnd(piece: string, start: number): number {
  const end = Math.min(piece.length, start + MAX_PIECE_CHARS);
  const last = piece.charCodeAt(end - 1);
  return end < piece.length && last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}

/**
 * An upper bound on the tokens of `text` in any byte-level BPE encoding, in one cheap pass: its length in UTF-8
 * bytes (no token is shorter than one byte). About 4× an English count; for text past TOKENS_EXACT_MAX_CHARS.
 */
export function tokenUpperBound(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is 4 bytes: 2 for each half.
    bytes += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}
