import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createSession, decodeModel, encodeModel, formatSummary, GraphBuilder, inspect, type Session } from '../../../packages/node/src/index.js';
import type { Category } from '../category.js';
import { mutateBytes } from '../mutate.js';
import { pick, repoRoot } from './shared.js';

/** A small model with the common structure (Conv, Relu, pooling, Reshape, Gemm, Softmax) and few weights. */
function smallModel(): Uint8Array {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', 'float32', ['N', 1, 8, 8]);
  b.initializer('w', 'float32', [2, 1, 3, 3], Float32Array.from({ length: 18 }, (_, i) => i / 18 - 0.5));
  b.initializer('bias', 'float32', [2], Float32Array.of(0.1, -0.1));
  b.initializer('fc', 'float32', [18, 3], Float32Array.from({ length: 54 }, (_, i) => Math.sin(i)));
  b.initializer('shape', 'int64', [2], BigInt64Array.of(-1n, 18n));
  b.op('Conv', ['x', 'w', 'bias'], { pads: [0, 0, 0, 0] }, { output: 'c' });
  b.op('Relu', ['c'], {}, { output: 'r' });
  b.op('MaxPool', ['r'], { kernel_shape: [2, 2], strides: [2, 2] }, { output: 'p' });
  b.op('Reshape', ['p', 'shape'], {}, { output: 'flat' });
  b.op('Gemm', ['flat', 'fc'], {}, { output: 'logits' });
  b.op('Softmax', ['logits'], { axis: 1 }, { output: 'y' });
  b.output('y', 'float32', ['N', 3]);
  return encodeModel(b.build());
}

/** Zeros for every input, symbolic dims as 1; undefined when an input is too big or not numeric. */
function zeroFeeds(session: Session): Record<string, { data: Float32Array | BigInt64Array | Int32Array; dims: number[]; dtype: 'float32' | 'int64' | 'int32' }> | undefined {
  const feeds: Record<string, { data: Float32Array | BigInt64Array | Int32Array; dims: number[]; dtype: 'float32' | 'int64' | 'int32' }> = {};
  for (const input of session.inputs) {
    const dims = (input.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    if (n > 1 << 20) return undefined;
    if (input.dtype === 'float32') feeds[input.name] = { data: new Float32Array(n), dims, dtype: 'float32' };
    else if (input.dtype === 'int64') feeds[input.name] = { data: new BigInt64Array(n), dims, dtype: 'int64' };
    else if (input.dtype === 'int32') feeds[input.name] = { data: new Int32Array(n), dims, dtype: 'int32' };
    else return undefined;
  }
  return feeds;
}

/** Mutated ONNX models: decode, inspect, start a CPU session and run zeros through it. */
export const onnxCategory: Category = {
  name: 'onnx',
  count: 500,
  async setup() {
    return { seeds: [smallModel(), new Uint8Array(await readFile(path.join(repoRoot, 'models/onnx/mnist-cnn.onnx')))] };
  },
  async make(index, rng, dir, context) {
    const { seeds } = context as { seeds: Uint8Array[] };
    const seed = index % 4 === 3 ? seeds[1] : seeds[0];
    let bytes = mutateBytes(seed, rng);
    if (rng.int(3) === 0) bytes = mutateBytes(bytes, rng);
    const file = path.join(dir, 'model.onnx');
    await writeFile(file, bytes);
    const how = pick(['decode', 'session'], rng);
    return {
      label: `${seed === seeds[1] ? 'mnist-cnn' : 'small'} mutation via ${how}`,
      async run() {
        if (how === 'decode') {
          formatSummary(inspect(decodeModel(bytes)));
          return;
        }
        const session = await createSession(file, { device: 'cpu', intraOpNumThreads: 1 });
        try {
          const feeds = zeroFeeds(session);
          if (feeds) await session.run(feeds);
        } finally {
          await session.release();
        }
      },
    };
  },
};
