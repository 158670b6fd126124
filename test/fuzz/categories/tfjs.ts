import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { convertModelFile } from '../../../packages/cli/src/cli/commands/convert.js';
import type { Category } from '../category.js';
import { mutateBytes, mutateJson } from '../mutate.js';
import { fixtures, makeSpecial, pick, SPECIAL_KINDS } from './shared.js';

const tfjsDir = path.join(fixtures, 'tfjs/tensorspace/docs/keras/convertedModel');
const SHARD = 'group1-shard1of1';

interface Manifest {
  weightsManifest: { paths: string[] }[];
}

/**
 * TF.js Layers models: `model.json` mutated (structure and bytes; shard paths pointing out of the
 * folder), shards damaged or replaced by special files and links out of the folder to a planted copy that
 * would convert; all through `convertModelFile`, as `onnxkit convert` reads them.
 */
export const tfjsCategory: Category = {
  name: 'tfjs',
  count: 300,
  async setup(dir) {
    const json = JSON.parse(await readFile(path.join(tfjsDir, 'model.json'), 'utf8')) as Manifest;
    const shard = new Uint8Array(await readFile(path.join(tfjsDir, SHARD)));
    // A valid shard outside every case folder: following a path there would convert it.
    const outside = path.join(dir, 'outside-shard.bin');
    await writeFile(outside, shard);
    return { json, shard, outside };
  },
  async make(index, rng, dir, context) {
    const { json, shard, outside } = context as { json: Manifest; shard: Uint8Array; outside: string };
    const model = path.join(dir, 'model.json');
    const shardPath = path.join(dir, SHARD);
    const run = () => convertModelFile(model);
    const kind = index % 5;
    if (kind === 0) {
      const special = pick(SPECIAL_KINDS, rng);
      await writeFile(model, JSON.stringify(json));
      await makeSpecial(special === 'dev-zero' ? 'dev-zero-link' : special, shardPath, outside);
      return { label: `shard is ${special === 'dev-zero' ? 'dev-zero-link' : special}`, mustRefuse: special === 'link-out', run };
    }
    if (kind === 1) {
      const how = pick(['dotdot', 'absolute', 'url', 'nul'], rng);
      const targets: Record<string, string> = { dotdot: path.relative(dir, outside), absolute: outside, url: `file://${outside}`, nul: `${SHARD}\0../x` };
      const to = targets[how]!;
      const edited = JSON.parse(JSON.stringify(json)) as Manifest;
      edited.weightsManifest[0].paths = [to];
      await writeFile(model, JSON.stringify(edited));
      await writeFile(shardPath, shard);
      return { label: `shard path out of the folder (${how})`, mustRefuse: true, run };
    }
    await copyFile(path.join(tfjsDir, SHARD), shardPath);
    if (kind === 2) {
      const mutated = mutateJson(json, rng) as Partial<Manifest>;
      await writeFile(model, JSON.stringify(mutated));
      // The mutation may have put a path out of the folder into the manifest: accepting that is an escape.
      const paths = Array.isArray(mutated?.weightsManifest) ? mutated.weightsManifest.flatMap((g) => (Array.isArray(g?.paths) ? g.paths : [])) : [];
      const out = paths.some((p) => typeof p === 'string' && p !== '' && (path.isAbsolute(p) || path.relative(dir, path.resolve(dir, p)).startsWith('..')));
      return { label: 'model.json structure mutated', mustRefuse: out, run };
    }
    if (kind === 3) {
      await writeFile(model, mutateBytes(new TextEncoder().encode(JSON.stringify(json)), rng));
      return { label: 'model.json bytes damaged', run };
    }
    await writeFile(model, JSON.stringify(json));
    await writeFile(shardPath, mutateBytes(shard, rng));
    return { label: 'shard damaged', run };
  },
};
