import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeImage } from '../../../packages/node/src/image/index.js';
import { nodeImageDecoder } from '../../../packages/node/src/image/sharp-decoder.js';
import { checkRawImage, DEFAULT_MAX_PIXELS, preprocessInto, resolvePreprocessingSpec } from '../../../packages/node/src/index.js';
import type { Category } from '../category.js';
import { mutateBytes } from '../mutate.js';
import { pick } from './shared.js';

/** A PNG header claiming `width` x `height` (its pixel data is junk): the size must be refused before decoding. */
function claimedPng(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = png.slice();
  const v = new DataView(out.buffer);
  v.setUint32(16, width, false);
  v.setUint32(20, height, false);
  return out;
}

/** PNG, JPEG, WebP, GIF and TIFF files, damaged, or claiming huge sizes; decoded and preprocessed as `classify` does. */
export const imagesCategory: Category = {
  name: 'images',
  count: 450,
  async setup() {
    const data = Uint8Array.from({ length: 48 * 40 * 3 }, (_, i) => (i * 37 + (i >> 7)) % 256);
    const raw = { width: 48, height: 40, channels: 3 as const, data };
    const seeds: Record<string, Uint8Array> = {};
    for (const format of ['png', 'jpeg', 'webp', 'gif', 'tiff'] as const) seeds[format] = await encodeImage(raw, format);
    const spec = resolvePreprocessingSpec('mnist', [1, 1, 28, 28]);
    return { seeds, spec };
  },
  async make(index, rng, dir, context) {
    const { seeds, spec } = context as { seeds: Record<string, Uint8Array>; spec: ReturnType<typeof resolvePreprocessingSpec> };
    const format = pick(Object.keys(seeds), rng);
    let bytes: Uint8Array;
    let label: string;
    if (index % 10 === 9) {
      const [w, h] = pick([[100_000, 100_000], [7000, 7000], [0, 10], [2 ** 31, 1]] as const, rng);
      bytes = claimedPng(seeds.png, w, h);
      label = `png claiming ${w}x${h}`;
    } else {
      bytes = mutateBytes(seeds[format], rng, 16);
      if (rng.int(3) === 0) bytes = mutateBytes(bytes, rng, 16);
      label = `${format} damaged`;
    }
    const file = path.join(dir, `image.${format}`);
    await writeFile(file, bytes);
    return {
      label,
      async run() {
        const image = await nodeImageDecoder.decode(index % 2 ? file : bytes, { maxPixels: DEFAULT_MAX_PIXELS });
        checkRawImage(image, file);
        preprocessInto(image, spec!, new Float32Array(784), 0, file);
      },
    };
  },
};
