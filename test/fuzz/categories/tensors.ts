import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeNpy, encodeTensorProto, readTensorFile } from '../../../packages/node/src/index.js';
import type { Category } from '../category.js';
import { mutateBytes, mutateJson } from '../mutate.js';
import { pick } from './shared.js';

/** `.npy`, `.json` and `.pb` tensor files, damaged or mutated; through `readTensorFile` (what `onnxkit run -i` reads). */
export const tensorsCategory: Category = {
  name: 'tensors',
  count: 400,
  async setup() {
    const t = { name: 't', dtype: 'float32' as const, dims: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) };
    const i64 = { name: 'i', dtype: 'int64' as const, dims: [3], data: BigInt64Array.of(1n, -2n, 3n) };
    return {
      npy: [encodeNpy(t), encodeNpy(i64)],
      pb: [encodeTensorProto(t), encodeTensorProto(i64)],
      json: [{ dims: [2, 3], dtype: 'float32', data: [1, 2, 3, 4, 5, 6] }, [[1, 2], [3, 4]], { dtype: 'int64', data: ['9007199254740993', 1] }],
    };
  },
  async make(index, rng, dir, context) {
    const seeds = context as { npy: Uint8Array[]; pb: Uint8Array[]; json: unknown[] };
    const ext = (['.npy', '.json', '.pb'] as const)[index % 3];
    const file = path.join(dir, `tensor${ext}`);
    let label: string;
    if (ext === '.json') {
      const structural = rng.int(2) === 0;
      const seed = pick(seeds.json, rng);
      await writeFile(file, structural ? JSON.stringify(mutateJson(seed, rng)) : mutateBytes(new TextEncoder().encode(JSON.stringify(seed)), rng));
      label = `.json ${structural ? 'structure mutated' : 'bytes damaged'}`;
    } else {
      await writeFile(file, mutateBytes(pick(ext === '.npy' ? seeds.npy : seeds.pb, rng), rng));
      label = `${ext} bytes damaged`;
    }
    return { label, run: () => readTensorFile(file) };
  },
};
