import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { ImageError, type ImageDecoder, type ImageInput, type RawImage } from '@onnxkit/core';

/**
 * A small PNG decoder for the packed Node runtime, where sharp (a native library) is not shipped:
 * 8- and 16-bit gray, gray+alpha, RGB, RGBA and palette images, not interlaced. Enough for digits
 * saved from a canvas or a scanner; other formats are refused with an ImageError.
 */
export function decodePng(bytes: Uint8Array, source: string, maxPixels = Infinity): RawImage {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (bytes.length < 8 || sig.some((b, i) => bytes[i] !== b)) throw new ImageError('not-an-image', source, 'not a PNG file (the packed runtime decodes PNG only)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let depth = 0;
  let colour = 0;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (let p = 8; p + 8 <= bytes.length; ) {
    const length = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    const data = bytes.subarray(p + 8, p + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(p + 8);
      height = view.getUint32(p + 12);
      depth = data[8];
      colour = data[9];
      if (data[12] !== 0) throw new ImageError('not-an-image', source, 'interlaced PNGs are not supported by the packed runtime');
      if (width * height > maxPixels) throw new ImageError('too-large', source, `${width}x${height} is more than ${maxPixels} pixels`);
    } else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    p += 12 + length;
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colour];
  if (!width || !height || !channels || (depth !== 8 && depth !== 16) || (colour === 3 && (!palette || depth !== 8))) {
    throw new ImageError('not-an-image', source, `unsupported PNG (colour type ${colour}, bit depth ${depth})`);
  }
  const joined = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  idat.reduce((o, c) => (joined.set(c, o), o + c.length), 0);
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(inflateSync(joined));
  } catch (cause) {
    throw new ImageError('not-an-image', source, 'corrupt PNG data', { cause });
  }
  const bpp = (channels * depth) / 8;
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new ImageError('not-an-image', source, 'truncated PNG data');
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = rows.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? rows.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[x - bpp] : 0;
      const b = prev[x];
      const c = x >= bpp ? prev[x - bpp] : 0;
      const v = line[x];
      if (filter === 0) out[x] = v;
      else if (filter === 1) out[x] = v + a;
      else if (filter === 2) out[x] = v + b;
      else if (filter === 3) out[x] = v + ((a + b) >> 1);
      else if (filter === 4) {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        out[x] = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      } else throw new ImageError('not-an-image', source, `corrupt PNG (filter ${filter})`);
    }
  }
  // 16-bit samples keep their high byte; palette images become RGB.
  const samples = depth === 16 ? rows.filter((_, i) => i % 2 === 0) : rows;
  if (colour === 3) {
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) rgb.set(palette!.subarray(samples[i] * 3, samples[i] * 3 + 3), i * 3);
    return { width, height, channels: 3, data: rgb };
  }
  return { width, height, channels: channels as RawImage['channels'], data: samples };
}

/** The packed runtime's image decoder: PNG files by path, or PNG bytes. */
export const pngDecoder: ImageDecoder = {
  name: 'onnxkit pack PNG decoder',
  async decode(input: ImageInput, options): Promise<RawImage> {
    if (typeof input === 'string') {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(input));
      } catch (cause) {
        throw new ImageError('unreadable', input, (cause as Error).message, { cause });
      }
      return decodePng(bytes, input, options.maxPixels);
    }
    if (input instanceof Uint8Array) return decodePng(input, `Uint8Array(${input.byteLength} bytes)`, options.maxPixels);
    throw new ImageError('unsupported-input', typeof input, 'the packed Node runtime takes PNG paths, PNG bytes or raw pixels');
  },
};
