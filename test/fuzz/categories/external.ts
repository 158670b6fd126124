import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createSession, encodeModel, GraphBuilder } from '../../../packages/node/src/index.js';
import type { Category } from '../category.js';
import { mutateBytes } from '../mutate.js';
import { makeSpecial, pick, SPECIAL_KINDS } from './shared.js';

const W = Float32Array.of(1, 2, 3, 4);

/** y = x + W, W [4] at `offset`/`length` of the external file `location`. */
function model(location: string, offset = 0, length: number | undefined = W.byteLength): Uint8Array {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', 'float32', [4]);
  b.initializer('W', 'float32', [4], W);
  b.op('Add', ['x', 'W'], {}, { output: 'y' });
  b.output('y', 'float32', [4]);
  const m = b.build();
  Object.assign(m.graph.initializers[0], { data: new Float32Array(0), external: { location, offset, ...(length === undefined ? {} : { length }) } });
  return encodeModel(m);
}

/**
 * External data: locations out of the folder (`..`, absolute, a symlink) to a planted file that would fit,
 * special files, bad offsets and lengths, damaged weight files and damaged models; each through
 * `createSession(path)`, which must read the weights from the model's folder only.
 */
export const externalCategory: Category = {
  name: 'external-data',
  count: 300,
  async setup(dir) {
    // A file outside every case folder with exactly the bytes W needs: reading it would succeed.
    const outside = path.join(dir, 'outside.bin');
    await writeFile(outside, new Uint8Array(W.buffer));
    return { outside };
  },
  async make(index, rng, dir, context) {
    const { outside } = context as { outside: string };
    const folder = path.join(dir, 'model');
    await mkdir(folder);
    const file = path.join(folder, 'model.onnx');
    const weights = path.join(folder, 'w.bin');
    const run = () => createSession(file, { device: 'cpu' }).then((s) => s.release());
    const kind = index % 6;
    if (kind === 0) {
      // A location that leads outside the folder.
      const how = pick(['dotdot', 'absolute', 'link', 'link-dir', 'backslash'], rng);
      const locations: Record<string, string> = {
        dotdot: path.relative(folder, outside),
        absolute: outside,
        link: 'w.bin',
        'link-dir': 'sub/outside.bin',
        backslash: path.relative(folder, outside).replace(/\//g, '\\'),
      };
      const location = locations[how]!;
      if (how === 'link') await symlink(outside, weights);
      if (how === 'link-dir') await symlink(path.dirname(outside), path.join(folder, 'sub'));
      await writeFile(file, model(location));
      return { label: `location out of the folder (${how})`, mustRefuse: true, run };
    }
    if (kind === 1) {
      const special = pick(SPECIAL_KINDS, rng);
      const location = (await makeSpecial(special, weights, outside)) === '/dev/zero' ? '/dev/zero' : 'w.bin';
      await writeFile(file, model(location));
      return { label: `weights file is ${special}`, mustRefuse: special === 'link-out', run };
    }
    await writeFile(weights, new Uint8Array(W.buffer));
    if (kind === 2) {
      const [offset, length] = pick(
        [
          [0, 15],
          [0, 17],
          [4, 16],
          [2 ** 40, 16],
          [0, 2 ** 40],
          [8, undefined],
          [0, 0],
          [1, 16],
        ] as const,
        rng,
      );
      await writeFile(file, model('w.bin', offset, length));
      return { label: `offset ${offset} length ${String(length)}`, run };
    }
    if (kind === 3) {
      await writeFile(weights, mutateBytes(new Uint8Array(W.buffer), rng));
      await writeFile(file, model('w.bin'));
      return { label: 'damaged weights file', run };
    }
    await writeFile(file, mutateBytes(model('w.bin'), rng));
    return { label: 'damaged model with external data', run };
  },
};
