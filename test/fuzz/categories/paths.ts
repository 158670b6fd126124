import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../../packages/cli/src/cli/program.js';
import { convertModelFile } from '../../../packages/cli/src/cli/commands/convert.js';
import { nodeImageDecoder } from '../../../packages/node/src/image/sharp-decoder.js';
import {
  Classifier,
  createSession,
  encodeNpy,
  loadIdxFolder,
  openModelFile,
  readTensorFile,
  readUntrustedFile,
} from '../../../packages/node/src/index.js';
import type { Category } from '../category.js';
import { judgeCli } from '../outcome.js';
import { fixtures, makeSpecial, repoRoot, SPECIAL_KINDS, type SpecialKind } from './shared.js';

const mnistCnn = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');

/** Runs `onnxkit <args>` in this process; a failure must be one clean line (else it throws an untyped error). */
async function cli(args: string[]): Promise<void> {
  let stderr = '';
  let stdout = '';
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {} });
  // classify reports a bad image in its report and exits 1 with nothing on stderr.
  if (code !== 0 && args[0] === 'classify' && stderr === '') {
    const report = JSON.parse(stdout) as { results: { ok: boolean; code?: string; error?: string }[] };
    const bad = report.results.find((r) => !r.ok)!;
    throw Object.assign(new Error(bad.error), { name: 'ImageError', code: bad.code });
  }
  const { outcome, detail } = judgeCli({ code, stderr });
  if (outcome === 'accepted') return;
  throw outcome === 'typed' ? Object.assign(new Error(detail), { name: 'CliError', code: 'cli' }) : new Error(`CLI failed uncleanly: ${detail}`);
}

/** Every path argument of the library and the CLI, and what it takes when it is the special file `p`. */
const TARGETS: Record<string, (p: string, dir: string) => Promise<unknown>> = {
  openModelFile: (p) => openModelFile(p),
  'createSession(path)': (p) => createSession(p, { device: 'cpu' }),
  'Classifier.load(path)': (p) => Classifier.load(p, { device: 'cpu' }),
  'readTensorFile(.npy)': (p) => readTensorFile(p),
  convertModelFile: (p) => convertModelFile(p),
  'convertModelFile(weights)': (p) => convertModelFile(path.join(fixtures, 'keras/tensorspace/docs/keras/rawModel/separated/topology.json'), { weights: p }),
  'image decoder(path)': (p) => nodeImageDecoder.decode(p, { maxPixels: 1e6 }),
  readUntrustedFile: (p) => readUntrustedFile(p, { kind: 'model' }),
  'loadIdxFolder(file)': async (p, dir) => {
    // The special file stands in for the images file of an otherwise valid folder.
    const folder = path.join(dir, 'idx');
    await mkdir(folder, { recursive: true });
    await copyFile(path.join(fixtures, 'data/notmnist/t10k-labels-idx1-ubyte.gz'), path.join(folder, 't10k-labels-idx1-ubyte.gz'));
    const target = path.join(folder, 't10k-images-idx3-ubyte');
    const { symlink } = await import('node:fs/promises');
    await symlink(p, target);
    return loadIdxFolder(folder, 'test');
  },
  'onnxkit inspect <model>': (p) => cli(['inspect', p]),
  'onnxkit run <model>': (p, dir) => cli(['run', p, '-i', path.join(dir, 'input.npy')]),
  'onnxkit run -i <file>': (p) => cli(['run', mnistCnn, '-i', p]),
  'onnxkit classify <model>': (p, dir) => cli(['classify', p, path.join(dir, 'digit.png'), '--json']),
  'onnxkit classify <image>': (p) => cli(['classify', mnistCnn, p, '--json']),
  'onnxkit convert <model>': (p, dir) => cli(['convert', p, '-o', path.join(dir, 'out.onnx')]),
  'onnxkit convert --weights': (p, dir) => cli(['convert', path.join(fixtures, 'keras/tensorspace/docs/keras/rawModel/separated/topology.json'), '--weights', p, '-o', path.join(dir, 'out.onnx')]),
  'onnxkit optimize <model>': (p, dir) => cli(['optimize', p, '-o', path.join(dir, 'out.onnx')]),
  'onnxkit quantize <model>': (p, dir) => cli(['quantize', p, '-o', path.join(dir, 'out.onnx')]),
  'onnxkit artifacts <model>': (p, dir) => cli(['artifacts', p, '-o', path.join(dir, 'artifacts')]),
  'onnxkit eval --data <dir>': (p) => cli(['eval', mnistCnn, '--data', p, '--device', 'cpu']),
  'onnxkit train --resume <file>': (p, dir) => cli(['train', '--arch', 'seed-cnn', '--data', path.join(fixtures, 'data/notmnist'), '--epochs', '1', '--resume', p, '-o', path.join(dir, 'out.onnx')]),
};

const NAMES = Object.keys(TARGETS);

/** Each path argument given each special file: a FIFO, /dev/zero (and a link to it), a folder, an empty file, a missing file, a link out. */
export const pathsCategory: Category = {
  name: 'special-paths',
  count: NAMES.length * SPECIAL_KINDS.length,
  async setup(dir) {
    const outside = path.join(dir, 'outside.txt');
    await writeFile(outside, 'a file outside the folder: not a model, an image or a tensor\n');
    return { outside };
  },
  async make(index, _rng, dir, context) {
    const { outside } = context as { outside: string };
    const name = NAMES[index % NAMES.length];
    const kind: SpecialKind = SPECIAL_KINDS[Math.floor(index / NAMES.length)];
    const { encodeImage } = await import('../../../packages/node/src/image/index.js');
    await writeFile(path.join(dir, 'digit.png'), await encodeImage({ width: 28, height: 28, channels: 1, data: new Uint8Array(784).fill(40) }, 'png'));
    await writeFile(path.join(dir, 'input.npy'), encodeNpy({ dtype: 'float32', dims: [1, 1, 28, 28], data: new Float32Array(784) }));
    const ext = name.includes('.npy') || name.includes('-i <file>') ? '.npy' : name.includes('image') ? '.png' : name.includes('--data') ? '' : '.onnx';
    const p = await makeSpecial(kind, path.join(dir, `special${ext}`), outside);
    return { label: `${name} <- ${kind}`, run: () => TARGETS[name](p, dir) };
  },
};
