import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError, type RawImage } from '@onnxkit/core';
import { encodeImage, listImageFiles, nodeImageDecoder, type ImageFormat } from '../../src/image/index.js';

const LIMIT = { maxPixels: 50_000_000 };
let dir: string;

/** A 24x16 RGB gradient with a dark square: enough structure to tell formats apart from garbage. */
const picture: RawImage = (() => {
  const w = 24;
  const h = 16;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dark = x > 8 && x < 16 && y > 4 && y < 12;
      data.set(dark ? [20, 30, 40] : [x * 10, y * 15, 200], (y * w + x) * 3);
    }
  }
  return { width: w, height: h, channels: 3, data };
})();

/** Mean absolute difference of the RGB values (lossy formats blur this tiny picture's sharp edges). */
function meanDiff(a: RawImage, b: RawImage): number {
  let sum = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i * a.channels + c] - b.data[i * b.channels + c]);
  }
  return sum / (a.width * a.height * 3);
}

async function decodeError(input: unknown, limit = LIMIT): Promise<ImageError> {
  const e = await nodeImageDecoder.decode(input as string, limit).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ImageError);
  return e as ImageError;
}

/** A valid 1x1 PNG whose header claims `w`x`h` (CRC fixed), so only the header says it is huge. */
async function pngClaiming(w: number, h: number): Promise<Uint8Array> {
  const png = Buffer.from(await encodeImage({ width: 1, height: 1, channels: 1, data: new Uint8Array([0]) }, 'png'));
  png.writeUInt32BE(w, 16);
  png.writeUInt32BE(h, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-image-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sharp image decoder', () => {
  const formats: [ImageFormat, number][] = [
    ['png', 0],
    ['gif', 6], // a 256-colour palette
    ['tiff', 6], // sharp writes JPEG-compressed TIFF by default
    ['webp', 10],
    ['jpeg', 10],
    ['avif', 10],
  ];
  it.each(formats)('decodes %s from a path, a file: URL, a Buffer and a stream alike', async (format, tolerance) => {
    const bytes = await encodeImage(picture, format, format === 'png' || format === 'gif' ? {} : { quality: 95 });
    const file = path.join(dir, `picture.${format}`);
    await writeFile(file, bytes);
    const fromPath = await nodeImageDecoder.decode(file, LIMIT);
    expect([fromPath.width, fromPath.height]).toEqual([24, 16]);
    expect(fromPath.channels).toBeGreaterThanOrEqual(3);
    expect(meanDiff(fromPath, picture)).toBeLessThanOrEqual(tolerance);
    for (const other of [pathToFileURL(file), Buffer.from(bytes), bytes.slice().buffer, createReadStream(file), Readable.from([bytes.subarray(0, 10), bytes.subarray(10)])]) {
      const d = await nodeImageDecoder.decode(other, LIMIT);
      expect(d.data).toEqual(fromPath.data);
    }
  });

  it('keeps the alpha of gray+alpha images decoded by sharp', async () => {
    const ga = await (await import('sharp')).default(Buffer.from([10, 128, 200, 255]), { raw: { width: 2, height: 1, channels: 2 } })
      .toColourspace('b-w')
      .png({ palette: false, progressive: true }) // interlaced: not the built-in PNG path
      .toBuffer();
    const d = await nodeImageDecoder.decode(ga, LIMIT);
    expect(d.channels).toBe(4);
    expect(Array.from(d.data)).toEqual([10, 10, 10, 128, 200, 200, 200, 255]);
  });

  it('keeps gray images gray and honours EXIF orientation', async () => {
    const gray: RawImage = { width: 3, height: 2, channels: 1, data: new Uint8Array([0, 50, 100, 150, 200, 250]) };
    const g = await nodeImageDecoder.decode(await encodeImage(gray, 'png'), LIMIT);
    expect(g).toMatchObject({ width: 3, height: 2, channels: 1 });
    expect(Array.from(g.data)).toEqual([0, 50, 100, 150, 200, 250]);
    const sharp = (await import('sharp')).default;
    const rotated = await sharp(Buffer.from(gray.data), { raw: { width: 3, height: 2, channels: 1 } }).withMetadata({ orientation: 6 }).jpeg({ quality: 100 }).toBuffer();
    const r = await nodeImageDecoder.decode(rotated, LIMIT);
    expect([r.width, r.height]).toEqual([2, 3]); // orientation 6: shown rotated by 90°
  });

  it('reports unreadable, non-image, empty, corrupt, huge and unsupported inputs as ImageErrors', async () => {
    const missing = await decodeError(path.join(dir, 'nope.png'));
    expect(missing.code).toBe('unreadable');
    expect(missing.message).toBe(`${path.join(dir, 'nope.png')}: cannot read the file: no such file`);
    expect((await decodeError(dir)).message).toMatch(/is a directory/);

    const text = path.join(dir, 'notes.png');
    await writeFile(text, 'this is not an image\n');
    const notImage = await decodeError(text);
    expect(notImage.code).toBe('not-an-image');
    expect(notImage.message).toMatch(/notes\.png: not an image \(png, jpeg, webp, gif, tiff, avif/);

    const empty = path.join(dir, 'empty.jpg');
    await writeFile(empty, '');
    expect((await decodeError(empty)).code).toBe('empty');

    const png = await encodeImage(picture, 'png');
    const torn = await decodeError(png.subarray(0, 60));
    expect(torn.code).toBe('not-an-image');

    const huge = await decodeError(await pngClaiming(60_000, 60_000));
    expect(huge.code).toBe('too-large');
    expect(huge.message).toContain('60000x60000 = 3,600,000,000 pixels, over the limit of 50,000,000');
    expect((await decodeError(png, { maxPixels: 100 })).code).toBe('too-large');

    const odd = await decodeError(42);
    expect(odd.code).toBe('unsupported-input');
    expect(odd.message).toMatch(/^number: not an image input Node can decode/);
    expect((await decodeError({ x: 1 })).code).toBe('unsupported-input');
  });

  it('lists the images of a folder in natural order and keeps named files', async () => {
    const sub = path.join(dir, 'list');
    await rm(sub, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    for (const n of ['10.png', '2.JPG', 'readme.txt', '1.webp']) await writeFile(path.join(sub, n), '');
    expect(await listImageFiles([sub, 'x.bmp'])).toEqual([path.join(sub, '1.webp'), path.join(sub, '2.JPG'), path.join(sub, '10.png'), 'x.bmp']);
  });
});
