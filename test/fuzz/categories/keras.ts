import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { convertKeras, encodeModel } from '../../../packages/node/src/index.js';
import { convertModelFile } from '../../../packages/cli/src/cli/commands/convert.js';
import type { Category } from '../category.js';
import { mutateBytes, mutateJson } from '../mutate.js';
import { fixtures } from './shared.js';

const rawModels = path.join(fixtures, 'keras/tensorspace/docs/keras/rawModel');

/** Damaged Keras files: a full-model `.h5`, a `.keras` archive, and a topology JSON with its weights `.h5`. */
export const kerasCategory: Category = {
  name: 'keras',
  count: 250,
  async setup() {
    const read = async (p: string) => new Uint8Array(await readFile(p));
    return {
      h5: await read(path.join(rawModels, 'combined/mnist.h5')),
      keras: await read(path.join(fixtures, 'keras/Arunkumar7812+Digit-recognizer-CNN/mnist_model.keras')),
      topology: JSON.parse(await readFile(path.join(rawModels, 'separated/topology.json'), 'utf8')) as unknown,
      weights: await read(path.join(rawModels, 'separated/weights.h5')),
    };
  },
  async make(index, rng, dir, context) {
    const seeds = context as { h5: Uint8Array; keras: Uint8Array; topology: unknown; weights: Uint8Array };
    const convert = async (model: Uint8Array, weights?: Uint8Array) => {
      encodeModel((await convertKeras({ model, ...(weights ? { weights } : {}) })).model);
    };
    switch (index % 5) {
      case 0:
        return { label: '.h5 full model, damaged', run: () => convert(mutateBytes(seeds.h5, rng)) };
      case 1: {
        // Through the file reader too: the CLI's path.
        const file = path.join(dir, 'model.keras');
        await writeFile(file, mutateBytes(seeds.keras, rng));
        return { label: '.keras archive, damaged', run: () => convertModelFile(file) };
      }
      case 2: {
        const json = new TextEncoder().encode(JSON.stringify(mutateJson(seeds.topology, rng)));
        return { label: 'topology JSON, structure mutated', run: () => convert(json, seeds.weights) };
      }
      case 3: {
        const json = mutateBytes(new TextEncoder().encode(JSON.stringify(seeds.topology)), rng);
        return { label: 'topology JSON, bytes damaged', run: () => convert(json, seeds.weights) };
      }
      default: {
        const json = new TextEncoder().encode(JSON.stringify(seeds.topology));
        return { label: 'weights .h5 damaged', run: () => convert(json, mutateBytes(seeds.weights, rng)) };
      }
    }
  },
};
