// How answer text is cut into stream pieces. Both functions keep every
// character, so joining the pieces gives back the text exactly.

/** Words with their leading whitespace: "Hello from\nme " → ["Hello", " from", "\nme "]. */
export function splitWords(text: string): string[] {
  const pieces: string[] = text.match(/\s*\S+/g) ?? [];
  const used = pieces.reduce((n, p) => n + p.length, 0);
  if (used < text.length) {
    // Trailing whitespace joins the last word (or is the only piece).
    const tail = text.slice(used);
    if (pieces.length === 0) pieces.push(tail);
    else pieces[pieces.length - 1] += tail;
  }
  return pieces;
}

/** Exactly `count` pieces of near-equal length (some empty if the text is shorter). */
export function splitExact(text: string, count: number): string[] {
  const chars = Array.from(text); // by code point, so no surrogate pair is split
  const n = Math.max(1, Math.floor(count));
  const pieces: string[] = [];
  for (let i = 0; i < n; i++) {
    pieces.push(chars.slice(Math.floor((i * chars.length) / n), Math.floor(((i + 1) * chars.length) / n)).join(''));
  }
  return pieces;
}

/** Fixed-size fragments, the way OpenAI streams tool call arguments. */
export function splitFixed(text: string, size: number): string[] {
  const step = Math.max(1, Math.floor(size));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += step) out.push(text.slice(i, i + step));
  return out;
}
