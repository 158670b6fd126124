import { DEFAULT_MAX_IDX_INFLATED_BYTES } from '@onnxkit/core';

/**
 * Size limits on files read from disk, each with a default and an environment variable that overrides it
 * (a positive integer of bytes). They are read when a file is read, so a process can change them at any
 * time. docs/SECURITY.md lists them.
 */
export const FILE_LIMITS = Object.freeze({
  /** An ONNX model file, a checkpoint, a Keras/TF.js source file: protobuf's own 2 GiB ceiling. */
  model: { env: 'ONNXKIT_MAX_MODEL_BYTES', defaultBytes: 2 ** 31 - 1 },
  /** One external-data file or TF.js weight shard (Node reads at most 2 GiB into one buffer). */
  weights: { env: 'ONNXKIT_MAX_WEIGHTS_BYTES', defaultBytes: 2 ** 31 - 1 },
  /** An encoded image file or stream. */
  image: { env: 'ONNXKIT_MAX_IMAGE_BYTES', defaultBytes: 256 * 2 ** 20 },
  /** A `.npy`, `.json` or `.pb` tensor file. */
  tensor: { env: 'ONNXKIT_MAX_TENSOR_BYTES', defaultBytes: 2 ** 31 - 1 },
  /** An IDX file (before inflating; see `ONNXKIT_MAX_IDX_INFLATED_BYTES` for after). */
  idx: { env: 'ONNXKIT_MAX_IDX_BYTES', defaultBytes: 2 ** 30 },
  /** An IDX `.gz` file once inflated. */
  idxInflated: { env: 'ONNXKIT_MAX_IDX_INFLATED_BYTES', defaultBytes: DEFAULT_MAX_IDX_INFLATED_BYTES },
});

/** The kinds of file {@link FILE_LIMITS} caps. */
export type FileKind = keyof typeof FILE_LIMITS;

/** The byte limit for `kind`: its environment variable when set to a positive integer, else its default. */
export function fileLimit(kind: FileKind): number {
  const { env, defaultBytes } = FILE_LIMITS[kind];
  const raw = process.env[env];
  if (raw === undefined || raw === '') return defaultBytes;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${env}='${raw}': expected a positive integer of bytes`);
  return n;
}
