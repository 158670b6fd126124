/**
 * The preprocessing contract a classifier model carries in its `metadata_props` under
 * {@link PREPROCESSING_KEY}: how raw pixels become the model's input tensor.
 */

import { PREPROCESSING_KEY } from '../../metadata-keys.js';

export { CARD_KEY, LABELS_KEY, PREPROCESSING_KEY } from '../../metadata-keys.js';

/** Pixel value mapping: a linear range for 0..255 pixels (e.g. `[0, 1]`, `[0, 255]`, `[-1, 1]`), or per-channel mean/std on 0..1 pixels. */
export type PixelScale = readonly [number, number] | { readonly mean: readonly number[]; readonly std: readonly number[] };

/**
 * How a model wants its images:
 * - `procedure: 'mnist'`: grayscale → polarity → crop to the ink → fit into 20/28 of the frame keeping the
 *   aspect ratio → centre of mass at the frame's centre (how MNIST itself was made);
 * - `procedure: 'resize'`: resize to `height`x`width` (`fit`), convert to `channels`, normalise.
 */
export interface PreprocessingSpec {
  /** Tensor layout: `'NCHW'` (PyTorch, ONNX) or `'NHWC'` (Keras, TF.js). */
  readonly layout: 'NCHW' | 'NHWC';
  /** Input height in pixels. */
  readonly height: number;
  /** Input width in pixels. */
  readonly width: number;
  /** 1 (grayscale) or 3 (colour). */
  readonly channels: 1 | 3;
  /** Value mapping. @defaultValue `[0, 1]` */
  readonly scale: PixelScale;
  /**
   * Ink/background polarity the model was trained on. Images of the other polarity (decided from the
   * border's median brightness) are inverted; `'any'` never inverts.
   * @defaultValue `'light-on-dark'` for `'mnist'` (its preset), `'any'` otherwise
   */
  readonly polarity: 'light-on-dark' | 'dark-on-light' | 'any';
  /** `'mnist'` (digit-style centring) or `'resize'` (generic). */
  readonly procedure: 'mnist' | 'resize';
  /**
   * `'resize'` only: `'stretch'` to the size, `'contain'` (letterbox on the background) or `'cover'`
   * (fill, then crop the centre). @defaultValue `'stretch'`
   */
  readonly fit?: 'stretch' | 'contain' | 'cover';
  /** Channel order of 3-channel input. @defaultValue `'rgb'` */
  readonly colorOrder?: 'rgb' | 'bgr';
  /** `'mnist'` only: side of the box the ink is fitted into. @defaultValue `20` for 28x28 (height·20/28) */
  readonly box?: number;
}

/** A spec with only some fields; the rest come from the model's input shape and the defaults. */
export type PartialPreprocessingSpec = Partial<PreprocessingSpec>;

/** Named starting points for {@link resolvePreprocessingSpec} and the CLI's `--preprocess`. */
export const PREPROCESSING_PRESETS: Readonly<Record<'mnist' | 'resize', PartialPreprocessingSpec>> = Object.freeze({
  /** MNIST-style digits: white ink on black, 0..1, centred by mass. */
  mnist: Object.freeze({ channels: 1, scale: [0, 1], polarity: 'light-on-dark', procedure: 'mnist' } as const),
  /** Plain resize to the model's input size, 0..1. */
  resize: Object.freeze({ scale: [0, 1], polarity: 'any', procedure: 'resize', fit: 'stretch' } as const),
});

const KEYS = new Set(['layout', 'height', 'width', 'channels', 'scale', 'polarity', 'procedure', 'fit', 'colorOrder', 'box']);

function oneOf<T extends string>(where: string, key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string') throw new TypeError(`${where}: '${key}' must be a string (${allowed.join(' | ')}), got ${typeof value}`);
  if (!allowed.includes(value as T)) throw new RangeError(`${where}: '${key}' must be ${allowed.join(', ')}; got '${value}'`);
  return value as T;
}

function size(where: string, key: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${where}: '${key}' must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < 1 || value > 4096) throw new RangeError(`${where}: '${key}' must be an integer in 1..4096, got ${value}`);
  return value;
}

function checkScale(where: string, value: unknown, channels: number): PixelScale {
  if (Array.isArray(value)) {
    if (value.length !== 2 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new TypeError(`${where}: 'scale' as a range must be two finite numbers such as [0, 1] or [0, 255], got ${JSON.stringify(value)}`);
    }
    if (value[0] === value[1]) throw new RangeError(`${where}: 'scale' range must not be empty, got ${JSON.stringify(value)}`);
    return Object.freeze([value[0], value[1]] as const);
  }
  if (value !== null && typeof value === 'object' && 'mean' in value && 'std' in value) {
    const { mean, std } = value as { mean: unknown; std: unknown };
    for (const [k, arr] of [['mean', mean], ['std', std]] as const) {
      if (!Array.isArray(arr) || !arr.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new TypeError(`${where}: 'scale.${k}' must be an array of numbers`);
      }
      if (arr.length !== 1 && arr.length !== channels) {
        throw new RangeError(`${where}: 'scale.${k}' needs 1 or ${channels} values (one per channel), got ${arr.length}`);
      }
    }
    if ((std as number[]).some((s) => s === 0)) throw new RangeError(`${where}: 'scale.std' must not contain 0`);
    return Object.freeze({ mean: Object.freeze([...(mean as number[])]), std: Object.freeze([...(std as number[])]) });
  }
  throw new TypeError(`${where}: 'scale' must be a range [min, max] or { mean, std }, got ${JSON.stringify(value)}`);
}

/**
 * Checks a complete spec (e.g. parsed from metadata or written by hand) and returns a frozen, normalised
 * copy. Unknown keys, missing keys and bad values throw a TypeError/RangeError naming the key.
 */
export function checkPreprocessingSpec(spec: unknown, where = 'preprocessing'): PreprocessingSpec {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new TypeError(`${where}: must be an object such as ${JSON.stringify(exampleSpec())}`);
  }
  const o = spec as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KEYS.has(k)) throw new TypeError(`${where}: unknown key '${k}' (known: ${[...KEYS].join(', ')})`);
  }
  for (const k of ['layout', 'height', 'width', 'channels', 'procedure'] as const) {
    if (o[k] === undefined) throw new TypeError(`${where}: '${k}' is missing`);
  }
  const channels = o.channels;
  if (channels !== 1 && channels !== 3) throw new RangeError(`${where}: 'channels' must be 1 or 3, got ${String(channels)}`);
  const procedure = oneOf(where, 'procedure', o.procedure, ['mnist', 'resize'] as const);
  const height = size(where, 'height', o.height);
  const out: PreprocessingSpec = {
    layout: oneOf(where, 'layout', o.layout, ['NCHW', 'NHWC'] as const),
    height,
    width: size(where, 'width', o.width),
    channels,
    scale: checkScale(where, o.scale ?? [0, 1], channels),
    polarity: oneOf(where, 'polarity', o.polarity ?? 'any', ['light-on-dark', 'dark-on-light', 'any'] as const),
    procedure,
    ...(o.fit !== undefined ? { fit: oneOf(where, 'fit', o.fit, ['stretch', 'contain', 'cover'] as const) } : {}),
    ...(o.colorOrder !== undefined ? { colorOrder: oneOf(where, 'colorOrder', o.colorOrder, ['rgb', 'bgr'] as const) } : {}),
    ...(o.box !== undefined ? { box: size(where, 'box', o.box) } : {}),
  };
  if (out.box !== undefined && out.box > Math.min(out.height, out.width)) {
    throw new RangeError(`${where}: 'box' (${out.box}) must fit in ${out.height}x${out.width}`);
  }
  return Object.freeze(out);
}

/** Parses the JSON text stored under {@link PREPROCESSING_KEY}; bad JSON or values throw naming the key. */
export function parsePreprocessingSpec(json: string, where = `metadata '${PREPROCESSING_KEY}'`): PreprocessingSpec {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new TypeError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  return checkPreprocessingSpec(value, where);
}

/** The spec as the compact JSON stored in metadata (keys in a fixed order). */
export function stringifyPreprocessingSpec(spec: PreprocessingSpec): string {
  const s = checkPreprocessingSpec(spec);
  const ordered: Record<string, unknown> = {};
  for (const k of ['layout', 'height', 'width', 'channels', 'scale', 'polarity', 'procedure', 'fit', 'colorOrder', 'box'] as const) {
    if (s[k] !== undefined) ordered[k] = s[k];
  }
  return JSON.stringify(ordered);
}

function exampleSpec(): PreprocessingSpec {
  return { layout: 'NCHW', height: 28, width: 28, channels: 1, scale: [0, 1], polarity: 'light-on-dark', procedure: 'mnist' };
}
