import type { Device } from '@onnxkit/web';
import type { FineTuneSettings } from './fine-tune.js';

/** Everything the page can be told through its URL, e.g. `?device=wasm&epochs=3`. */
export interface DemoOptions extends FineTuneSettings {
  /** Shipped digits mixed into fine-tuning, per class, so the model keeps what it knew. */
  replay: number;
  /** Shipped digits per class for the "keeps the old digits" accuracy curve (0: none). */
  check: number;
  /** Browser storage backend; `'memory'` forgets on reload. */
  store: 'auto' | 'opfs' | 'indexeddb' | 'memory';
}

const DEFAULTS: DemoOptions = {
  device: 'auto',
  epochs: 8,
  batchSize: 8,
  learningRate: 0.005,
  optimizer: 'momentum',
  train: 'dense',
  augment: true,
  seed: 1,
  verbose: false,
  replay: 3,
  check: 5,
  store: 'auto',
};

/** Reads the options from a query string; unknown values fall back to the defaults (and are reported). */
export function readOptions(search: string): { options: DemoOptions; ignored: string[] } {
  const q = new URLSearchParams(search);
  const ignored: string[] = [];
  const int = (key: string, fallback: number, min: number, max: number) => {
    const raw = q.get(key);
    if (raw === null) return fallback;
    const v = Number(raw);
    if (Number.isInteger(v) && v >= min && v <= max) return v;
    ignored.push(`${key}=${raw}`);
    return fallback;
  };
  const pick = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const raw = q.get(key);
    if (raw === null) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    ignored.push(`${key}=${raw}`);
    return fallback;
  };
  const lrRaw = q.get('lr');
  const lr = lrRaw === null ? DEFAULTS.learningRate : Number(lrRaw);
  if (lrRaw !== null && !(lr > 0 && lr < 10)) ignored.push(`lr=${lrRaw}`);
  const options: DemoOptions = {
    device: pick<Device | 'auto'>('device', ['auto', 'webgpu', 'wasm'], DEFAULTS.device),
    epochs: int('epochs', DEFAULTS.epochs, 1, 100),
    batchSize: int('batch', DEFAULTS.batchSize, 1, 256),
    learningRate: lr > 0 && lr < 10 ? lr : DEFAULTS.learningRate,
    optimizer: pick('optimizer', ['momentum', 'adam'], DEFAULTS.optimizer),
    train: pick('train', ['dense', 'all'], DEFAULTS.train),
    augment: int('augment', 1, 0, 1) === 1,
    seed: int('seed', DEFAULTS.seed, 0, 2 ** 31 - 1),
    verbose: int('verbose', 0, 0, 1) === 1,
    replay: int('replay', DEFAULTS.replay, 0, 10),
    check: int('check', DEFAULTS.check, 0, 10),
    store: pick('store', ['auto', 'opfs', 'indexeddb', 'memory'], DEFAULTS.store),
  };
  return { options, ignored };
}
