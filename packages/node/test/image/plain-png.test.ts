import sharp, { type PngOptions } from 'sharp';
import { describe, expect, it } from 'vitest';
import { Random, type RawImage } from '@onnxkit/core';
import { decodePlainPng, PLAIN_PNG_MAX_PIXELS } from '../../src/image/plain-png.js';
import { nodeImageDecoder } from '../../src/image/sharp-decoder.js';

/** Pixels that make libpng pick every filter type: noise, gradients and flat runs. */
function pixels(width: number, height: number, channels: 1 | 2 | 3 | 4, seed: number): RawImage {
  const rng = new Random(seed);
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const region = (x + y) % 3;
        data[(y * width + x) * channels + c] = region === 0 ? rng.int(256) : region === 1 ? (x * 9 + y * 5 + c * 40) & 255 : 200;
      }
    }
  }
  return { width, height, channels, data };
}

/** sharp's own decoding (the reference the fast path must match); gray+alpha comes back as RGBA. */
async function bySharp(png: Buffer, channels: number): Promise<Uint8Array> {
  const s = sharp(png);
  const { data } = await (channels === 1 ? s.toColourspace('b-w') : s).raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/** Gray+alpha as sharp gives it: RGBA with r = g = b. */
function asSharpGives(img: RawImage): Uint8Array {
  if (img.channels !== 2) return img.data as Uint8Array;
  const out = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) out.set([img.data[2 * i], img.data[2 * i], img.data[2 * i], img.data[2 * i + 1]], 4 * i);
  return out;
}

async function encode(img: RawImage, options: PngOptions = {}): Promise<Buffer> {
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
  if (img.channels <= 2) s = s.toColourspace('b-w');
  return s.png(options).toBuffer();
}

describe('built-in decoder of plain PNGs', () => {
  const cases: [number, number, 1 | 2 | 3 | 4][] = [
    [1, 1, 1],
    [28, 28, 1],
    [17, 5, 2],
    [33, 19, 3],
    [64, 40, 4],
    [3, 200, 3],
  ];
  it.each(cases)('gives the pixels sharp gives for %ix%i with %i channel(s), every compression level', async (w, h, c) => {
    for (const compressionLevel of [0, 6, 9]) {
      const img = pixels(w, h, c, w * 31 + c);
      const png = await encode(img, { compressionLevel, adaptiveFiltering: true });
      const fast = decodePlainPng(png, 'test.png', 1e9);
      expect(fast).toBeDefined();
      expect(fast).toMatchObject({ width: w, height: h, channels: c });
      expect(fast!.data).toEqual(img.data);
      expect(asSharpGives(fast!)).toEqual(await bySharp(png, c));
    }
  });

  it('leaves palette, 16-bit, interlaced, large and corrupt PNGs to sharp', async () => {
    const img = pixels(20, 10, 3, 1);
    expect(decodePlainPng(await encode(img, { palette: true }), 'p.png', 1e9)).toBeUndefined();
    expect(decodePlainPng(await encode(img, { progressive: true }), 'i.png', 1e9)).toBeUndefined();
    const deep = await sharp(Buffer.from(new Uint16Array(200).fill(30000).buffer), { raw: { width: 20, height: 10, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    expect(decodePlainPng(deep, 'd.png', 1e9)).toBeUndefined();
    const side = Math.sqrt(PLAIN_PNG_MAX_PIXELS) + 1;
    expect(decodePlainPng(await encode(pixels(side, side, 1, 2)), 'big.png', 1e9)).toBeUndefined();

    const png = await encode(img);
    const flipped = Buffer.from(png);
    flipped[50] ^= 0xff; // inside IDAT: the checksum no longer matches
    expect(decodePlainPng(flipped, 'x.png', 1e9)).toBeUndefined();
    expect(decodePlainPng(png.subarray(0, png.length - 20), 'x.png', 1e9)).toBeUndefined();
    // Through the decoder, palette and interlaced PNGs still decode (by sharp) to the same pixels.
    for (const options of [{ palette: true, colours: 256, dither: 0 }, { progressive: true }]) {
      const d = await nodeImageDecoder.decode(await encode(img, options), { maxPixels: 1e9 });
      expect([d.width, d.height]).toEqual([20, 10]);
    }
  });

  it('refuses an image over the pixel limit from its header', async () => {
    const png = await encode(pixels(30, 30, 1, 3));
    expect(() => decodePlainPng(png, 'a.png', 100)).toThrow('a.png: the image is 30x30 = 900 pixels, over the limit of 100');
  });
});
