import { inflateSync } from 'node:zlib';
import { checkPixelCount, type RawImage } from '@onnxkit/core';

/**
 * Largest image the built-in PNG path decodes: it runs synchronously on the calling thread, so bigger
 * images go to sharp, which decodes on its own threads.
 */
export const PLAIN_PNG_MAX_PIXELS = 512 * 512;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Colour type → channels, for the types this path takes (8-bit gray, RGB, gray+alpha, RGBA). */
const CHANNELS: Readonly<Record<number, 1 | 2 | 3 | 4>> = { 0: 1, 2: 3, 4: 2, 6: 4 };
/** Chunks that change how pixels should look (gamma, colour profile, transparency key, orientation): sharp's job. */
const DEFER_TO_SHARP = new Set(['iCCP', 'gAMA', 'cHRM', 'sBIT', 'tRNS', 'eXIf']);

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * Decodes a small, plain PNG (8-bit gray, gray+alpha, RGB or RGBA, not interlaced, no colour profile,
 * gamma, transparency key or EXIF) with Node's zlib, giving exactly the pixels sharp gives but without
 * libvips' per-image set-up, which costs about 1 ms of CPU for a 28x28 digit. Returns undefined for
 * anything else, or anything odd (a bad checksum, truncated data), so that sharp decodes or reports it.
 * Throws an ImageError only for a size over `maxPixels`.
 */
export function decodePlainPng(bytes: Uint8Array, source: string, maxPixels: number): RawImage | undefined {
  if (bytes.length < 8 + 25 + 12 || SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels: 1 | 2 | 3 | 4 | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos + 12 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    const data = pos + 8;
    if (data + length + 4 > bytes.length) return undefined;
    if (crc32(bytes, pos + 4, data + length) !== view.getUint32(data + length)) return undefined;
    if (pos === 8) {
      // IHDR: width, height, bit depth, colour type, compression, filter method, interlace.
      if (type !== 'IHDR' || length !== 13) return undefined;
      width = view.getUint32(data);
      height = view.getUint32(data + 4);
      channels = CHANNELS[bytes[data + 9]];
      if (bytes[data + 8] !== 8 || !channels || bytes[data + 10] !== 0 || bytes[data + 11] !== 0 || bytes[data + 12] !== 0) return undefined;
      checkPixelCount(width, height, source, maxPixels);
      if (width * height > PLAIN_PNG_MAX_PIXELS) return undefined;
    } else if (type === 'IDAT') {
      idat.push(bytes.subarray(data, data + length));
    } else if (type === 'IEND') {
      ended = true;
      break;
    } else if (DEFER_TO_SHARP.has(type)) {
      return undefined;
    }
    pos = data + length + 4;
  }
  if (!ended || !channels || idat.length === 0) return undefined;
  const stride = width * channels;
  let filtered: Uint8Array;
  try {
    filtered = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat));
  } catch {
    return undefined;
  }
  if (filtered.length !== height * (stride + 1)) return undefined;
  const out = new Uint8Array(height * stride);
  return unfilter(filtered, out, height, stride, channels) ? { width, height, channels, data: out } : undefined;
}

/** Undoes PNG's per-row filters (none, sub, up, average, Paeth); false on an unknown filter type. */
function unfilter(src: Uint8Array, out: Uint8Array, height: number, stride: number, bpp: number): boolean {
  for (let y = 0; y < height; y++) {
    const filter = src[y * (stride + 1)];
    const s = y * (stride + 1) + 1;
    const o = y * stride;
    const up = o - stride; // the previous output row; rows above the image read as 0
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[o + x - bpp] : 0;
      const b = y > 0 ? out[up + x] : 0;
      let v = src[s + x];
      switch (filter) {
        case 0:
          break;
        case 1:
          v += a;
          break;
        case 2:
          v += b;
          break;
        case 3:
          v += (a + b) >> 1;
          break;
        case 4: {
          const c = x >= bpp && y > 0 ? out[up + x - bpp] : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          return false;
      }
      out[o + x] = v & 0xff;
    }
  }
  return true;
}
