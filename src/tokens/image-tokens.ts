// What an image in a chat message costs in prompt tokens, by OpenAI's documented tile rule.

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** Tokens an image costs: `base` for every image, plus `tile` per 512px tile at high detail. */
interface TileRate {
  readonly base: number;
  readonly tile: number;
}

// OpenAI's vision pricing page: gpt-4o-mini bills images at these token counts; other tile-rule models at 85 + 170 per tile.
const MINI: TileRate = { base: 2833, tile: 5667 };
const STANDARD: TileRate = { base: 85, tile: 170 };

/** The size the high-detail rule assumes when the image's size is unknown: the most 512px tiles it can come to (4 × 2). */
export const WORST_CASE_SIZE: ImageSize = { width: 2048, height: 768 };

/** Prompt tokens of one image: `low` detail is the base alone; `high` and `auto` follow the tile rule (auto may pick high). */
export function imageTokens(model: string, detail: string | undefined, size: ImageSize): number {
  const rate = /(^|\/)gpt-4o-mini/.test(model) ? MINI : STANDARD;
  if (detail === 'low') return rate.base;
  const { width, height } = fitHighDetail(size);
  return rate.base + rate.tile * Math.ceil(width / 512) * Math.ceil(height / 512);
}

/** Scaled to fit a 2048px square, then down so the shorter side is at most 768px. */
function fitHighDetail({ width, height }: ImageSize): ImageSize {
  let w = width;
  let h = height;
  if (Math.max(w, h) > 2048) {
    const scale = 2048 / Math.max(w, h);
    w *= scale;
    h *= scale;
  }
  if (Math.min(w, h) > 768) {
    const scale = 768 / Math.min(w, h);
    w *= scale;
    h *= scale;
  }
  return { width: Math.floor(w), height: Math.floor(h) };
}

// Enough of a JPEG to reach its frame header past typical EXIF and colour-profile segments.
const HEADER_BYTES = 65_536;

/** The pixel size of a PNG or JPEG given as a base64 data URL, read from its header; undefined for anything else. */
export function dataUrlImageSize(url: string): ImageSize | undefined {
  const match = /^data:image\/(png|jpe?g);base64,/i.exec(url);
  if (!match) return undefined;
  const start = match[0].length;
  const chars = Math.min(url.length - start, Math.ceil(HEADER_BYTES / 3) * 4);
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(url.slice(start, start + chars - (chars % 4))), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  return match[1]?.toLowerCase() === 'png' ? pngSize(bytes) : jpegSize(bytes);
}

function pngSize(b: Uint8Array): ImageSize | undefined {
  // Signature (8 bytes), IHDR length and type (8), then width and height as 32-bit big-endian.
  if (b.length < 24 || b[0] !== 0x89 || b[1] !== 0x50 || b[12] !== 0x49 || b[13] !== 0x48) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return positive(view.getUint32(16), view.getUint32(20));
}

function jpegSize(b: Uint8Array): ImageSize | undefined {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    // Start-of-frame markers C0–CF, except DHT (C4), JPG (C8) and DAC (CC), carry height then width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return positive(view.getUint16(i + 7), view.getUint16(i + 5));
    i += 2 + view.getUint16(i + 2);
  }
  return undefined;
}

const positive = (width: number, height: number): ImageSize | undefined => (width > 0 && height > 0 ? { width, height } : undefined);
