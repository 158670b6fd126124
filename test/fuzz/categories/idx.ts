import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { loadIdxFolder } from '../../../packages/node/src/index.js';
import type { Category } from '../category.js';
import { mutateBytes } from '../mutate.js';
import { fixtures, makeSpecial, pick, SPECIAL_KINDS } from './shared.js';

const IMAGES = 't10k-images-idx3-ubyte';
const LABELS = 't10k-labels-idx1-ubyte';

/** The first `n` examples of an IDX array (header dims edited to match). */
function firstExamples(raw: Uint8Array, n: number, per: number): Uint8Array {
  const rank = raw[3];
  const header = 4 + 4 * rank;
  const out = raw.slice(0, header + n * per);
  new DataView(out.buffer).setUint32(4, n, false);
  return out;
}

/**
 * IDX folders (MNIST layout): damaged plain and gzip files, headers that claim huge dims, a gzip bomb
 * past the inflate cap, and special files under the IDX names; through `loadIdxFolder`.
 */
export const idxCategory: Category = {
  name: 'idx',
  count: 180,
  async setup() {
    const notmnist = path.join(fixtures, 'data/notmnist');
    const images = firstExamples(gunzipSync(await readFile(path.join(notmnist, `${IMAGES}.gz`))), 64, 784);
    const labels = firstExamples(gunzipSync(await readFile(path.join(notmnist, `${LABELS}.gz`))), 64, 1);
    // The inflate cap lowered to 256 MiB (its default is 1 GiB) keeps this process small on CI; the bomb,
    // 300 MiB of zeros in a few hundred KiB, goes past it.
    process.env.ONNXKIT_MAX_IDX_INFLATED_BYTES = String(256 * 2 ** 20);
    const bomb = gzipSync(Buffer.alloc(300 * 2 ** 20), { level: 1 });
    return { images, labels, bomb };
  },
  async make(index, rng, dir, context) {
    const { images, labels, bomb } = context as { images: Uint8Array; labels: Uint8Array; bomb: Uint8Array };
    const folder = path.join(dir, 'idx');
    await mkdir(folder);
    const run = () => Promise.resolve().then(() => loadIdxFolder(folder, 'test'));
    const which = rng.int(2) === 0 ? 'images' : 'labels';
    const seed = which === 'images' ? images : labels;
    const other = which === 'images' ? labels : images;
    const name = (w: string) => (w === 'images' ? IMAGES : LABELS);
    const kind = index % 6;
    if (kind === 5) {
      const special = pick(SPECIAL_KINDS.filter((k) => k !== 'dev-zero' && k !== 'missing'), rng);
      await writeFile(path.join(folder, `${name(which === 'images' ? 'labels' : 'images')}.gz`), gzipSync(other));
      await makeSpecial(special, path.join(folder, `${name(which)}.gz`), '/etc/hostname');
      return { label: `${which} file is ${special}`, run };
    }
    await writeFile(path.join(folder, `${name(which === 'images' ? 'labels' : 'images')}.gz`), gzipSync(other));
    const target = path.join(folder, name(which));
    if (index % 60 === 0) {
      await writeFile(`${target}.gz`, bomb);
      return { label: `${which}: gzip bomb (300 MiB of zeros, cap 256 MiB)`, run };
    }
    if (kind === 1) {
      const huge = seed.slice();
      new DataView(huge.buffer).setUint32(4 + 4 * rng.int(huge[3]), 0xffffffff, false);
      await writeFile(target, huge);
      return { label: `${which}: header claims 4 billion`, run };
    }
    if (kind === 2) {
      await writeFile(`${target}.gz`, mutateBytes(gzipSync(seed), rng));
      return { label: `${which}: damaged gzip`, run };
    }
    await writeFile(target, mutateBytes(seed, rng));
    return { label: `${which}: damaged plain IDX`, run };
  },
};
