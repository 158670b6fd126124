import { storageLength, type DataType } from '../onnx/dtype.js';
import type { OrtDataType, OrtTensorLike, Runtime, TensorArray } from './runtime.js';
import { describeData, dtypesFor, elementCount, isOrtTensor, isTensorArray } from './tensor-data.js';
import { formatShape, formatSpecs, isStaticShape, type TensorSpec } from './tensor-spec.js';

/** A tensor given as data plus dims; `dtype` is only needed where storage is shared (bool vs uint8). */
export interface TensorInit {
  /** Elements in row-major order. */
  readonly data: TensorArray;
  /** Dimensions; their product must equal the element count. */
  readonly dims: readonly number[];
  /** Element type. @defaultValue inferred from `data` and the model's expected type */
  readonly dtype?: DataType;
}

/**
 * One input value: `{ data, dims }`, an ORT tensor (e.g. a `gpu-buffer` output fed back), or a bare typed
 * array when the model's input shape is fully static.
 */
export type FeedValue = TensorInit | OrtTensorLike | TensorArray;

/** Inputs by name. */
export type Feeds = Readonly<Record<string, FeedValue>>;

/**
 * Checks `feeds` against the model's inputs (names, dtypes, shapes, element counts) and converts them to
 * tensors of `runtime`. Every error names the input and lists what the model expects, before ORT sees them.
 */
export function prepareFeeds(
  feeds: unknown,
  inputs: readonly TensorSpec[],
  runtime: Runtime,
): Record<string, OrtTensorLike> {
  if (feeds === null || typeof feeds !== 'object' || Array.isArray(feeds) || isTensorArray(feeds)) {
    throw new TypeError(`run(feeds): feeds must be an object mapping input names to tensors.${expects(inputs)}`);
  }
  const byName = specsByName(inputs);
  const given = feeds as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) throw new TypeError(`run(feeds): unknown input '${name}'.${expects(inputs)}`);
  }
  const out: Record<string, OrtTensorLike> = {};
  for (const spec of inputs) {
    const value = given[spec.name];
    if (value === undefined) throw new TypeError(`run(feeds): missing input '${spec.name}'.${expects(inputs)}`);
    out[spec.name] = spec.isTensor ? toTensor(spec, value, runtime, inputs) : (value as OrtTensorLike);
  }
  return out;
}

/** The model's inputs for an error message; built only when an error needs it (it costs more than the checks). */
function expects(inputs: readonly TensorSpec[]): string {
  return `\nModel inputs:\n${formatSpecs(inputs)}`;
}

const byNameCache = new WeakMap<readonly TensorSpec[], ReadonlyMap<string, TensorSpec>>();

/** Inputs by name, built once per (frozen) spec list. */
function specsByName(inputs: readonly TensorSpec[]): ReadonlyMap<string, TensorSpec> {
  let map = byNameCache.get(inputs);
  if (!map) {
    map = new Map(inputs.map((s) => [s.name, s]));
    byNameCache.set(inputs, map);
  }
  return map;
}

function toTensor(spec: TensorSpec, value: unknown, runtime: Runtime, inputs: readonly TensorSpec[]): OrtTensorLike {
  const where = `run(feeds): input '${spec.name}'`;
  const expected = spec.dtype as DataType;
  const shape = spec.shape ?? [];

  if (isOrtTensor(value)) {
    // Tensors may live on the GPU, so only their type and dims are checked, never their data.
    if (value.type !== expected) {
      throw new TypeError(`${where} is a tensor of ${value.type}, but the model expects ${expected}.${expects(inputs)}`);
    }
    checkShape(where, value.dims, shape, inputs);
    return value;
  }

  let data: unknown;
  let dims: readonly number[];
  let dtype: DataType | undefined;
  // One storage lookup per value: it is most of what these checks cost on a small model's hot path.
  let storable = dtypesFor(value);
  if (storable.length > 0) {
    if (!isStaticShape(shape)) {
      throw new TypeError(
        `${where} is a bare ${describeData(value)}, but the model's shape ${formatShape(shape)} is not fully ` +
          `static; pass { data, dims } instead.${expects(inputs)}`,
      );
    }
    data = value;
    dims = shape;
  } else if (value !== null && typeof value === 'object' && 'data' in value && 'dims' in value) {
    const init = value as TensorInit;
    data = init.data;
    dims = checkDims(where, init.dims);
    dtype = init.dtype;
    storable = dtypesFor(data);
    if (storable.length === 0) {
      throw new TypeError(`${where}: data must be a typed array (or string[]), got ${describeData(data)}.${expects(inputs)}`);
    }
  } else {
    throw new TypeError(
      `${where} must be { data, dims }, an ONNX Runtime tensor or a typed array; got ${describeData(value)}.${expects(inputs)}`,
    );
  }

  if (dtype !== undefined && !storable.includes(dtype)) {
    throw new TypeError(`${where}: dtype '${dtype}' cannot be stored in a ${describeData(data)}.${expects(inputs)}`);
  }
  const actual = dtype ?? (storable.includes(expected) ? expected : storable[0]);
  if (actual !== expected) {
    throw new TypeError(
      `${where} has dtype ${actual} (${describeData(data)}), but the model expects ${expected}.${expects(inputs)}`,
    );
  }
  checkShape(where, dims, shape, inputs);
  const length = (data as TensorArray).length;
  const needed = storageLength(expected, elementCount(dims));
  if (length !== needed) {
    throw new RangeError(
      `${where}: data has ${length} elements, but dims ${formatShape(dims)} need ${needed}.${expects(inputs)}`,
    );
  }
  return runtime.createTensor(expected as OrtDataType, data as TensorArray, dims);
}

function checkDims(where: string, dims: unknown): readonly number[] {
  if (!Array.isArray(dims)) throw new TypeError(`${where}: dims must be an array of integers, got ${typeof dims}`);
  for (const d of dims) {
    if (typeof d !== 'number') throw new TypeError(`${where}: dims must hold numbers, got ${typeof d}`);
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`${where}: dims must be non-negative integers, got ${formatShape(dims as number[])}`);
    }
  }
  return dims as number[];
}

function checkShape(
  where: string,
  dims: readonly number[],
  shape: readonly (number | string)[],
  inputs: readonly TensorSpec[],
): void {
  // ORT reports [] both for scalars and for inputs with no declared shape, so [] cannot be checked.
  if (shape.length === 0) return;
  // Symbolic (string) dims accept any size; fixed ones must match exactly.
  let fits = dims.length === shape.length;
  for (let i = 0; fits && i < shape.length; i++) fits = typeof shape[i] === 'string' || shape[i] === dims[i];
  if (!fits) {
    const i = shape.findIndex((d, k) => typeof d === 'number' && d !== dims[k]);
    const why =
      dims.length !== shape.length
        ? `rank ${dims.length}, expected ${shape.length}`
        : `dim ${i} is ${dims[i]}, expected ${shape[i]}`;
    throw new RangeError(
      `${where} has shape ${formatShape(dims)}, but the model expects ${formatShape(shape)} (${why}).${expects(inputs)}`,
    );
  }
}
