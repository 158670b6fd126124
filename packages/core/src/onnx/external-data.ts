import { ModelFormatError } from '../errors.js';
import { byteSize, storageLength, storageOf, type TensorValues } from './dtype.js';
import type { Model, TensorData } from './ir.js';
import type { AttributeOutline, GraphOutline, ModelOutline, NodeOutline, TensorOutline } from './outline.js';
import { elementCount } from './codec/tensor-codec.js';

/**
 * Reads the whole file named by an external-data `location` (already checked by
 * {@link checkExternalLocation}); the platform decides what "relative to the model's folder" means.
 */
export type ReadLocation = (location: string) => Promise<Uint8Array> | Uint8Array;

/**
 * Throws a {@link ModelFormatError} (code `'external-data'`) unless `location` is a plain relative path
 * that stays inside the model's folder: not empty, not absolute (POSIX `/x`, Windows `C:\x`, `C:x`, `\x`,
 * UNC `\\host\share`), no NUL byte, and no `..` that climbs above the folder. Both `/` and `\` count as
 * separators, so a model made on either platform is judged the same way. `tensor` names the tensor in
 * the message.
 */
export function checkExternalLocation(location: string, tensor = ''): void {
  const refuse = (why: string): never => {
    const who = tensor ? `tensor '${tensor}': ` : '';
    throw new ModelFormatError('external-data', `${who}external data location '${location}' ${why}`);
  };
  if (typeof location !== 'string' || location.length === 0) refuse('is empty');
  if (location.includes('\0')) refuse('contains a NUL byte');
  if (/^[\\/]/.test(location) || /^[A-Za-z]:/.test(location)) {
    refuse("is absolute; it must be a path relative to the model's folder");
  }
  let depth = 0;
  for (const part of location.split(/[\\/]/)) {
    if (part === '..') depth -= 1;
    else if (part !== '' && part !== '.') depth += 1;
    if (depth < 0) refuse("escapes the model's folder (via '..')");
  }
}

/** Calls `visit` on every tensor of a graph, its nodes' tensor attributes and their subgraphs. */
function forEachGraphTensor<T extends TensorOutline>(graph: GraphOutline<T>, visit: (t: T) => void): void {
  graph.initializers.forEach(visit);
  for (const s of graph.sparseInitializers) {
    visit(s.values);
    visit(s.indices);
  }
  forEachNodeTensor(graph.nodes, visit);
}

function forEachNodeTensor<T extends TensorOutline>(nodes: readonly NodeOutline<T>[], visit: (t: T) => void): void {
  for (const node of nodes) {
    for (const a of Object.values(node.attributes)) forEachAttributeTensor(a, visit);
  }
}

function forEachAttributeTensor<T extends TensorOutline>(a: AttributeOutline<T>, visit: (t: T) => void): void {
  switch (a.type) {
    case 'tensor':
      return visit(a.value);
    case 'tensors':
      return a.value.forEach(visit);
    case 'sparse_tensor':
      visit(a.value.values);
      return visit(a.value.indices);
    case 'sparse_tensors':
      for (const s of a.value) {
        visit(s.values);
        visit(s.indices);
      }
      return;
    case 'graph':
      return forEachGraphTensor(a.value, visit);
    case 'graphs':
      return a.value.forEach((g) => forEachGraphTensor(g, visit));
    default:
      return;
  }
}

/**
 * Every tensor of the model (graph, subgraphs, functions, training info) that still lives in an external
 * file. Takes a decoded `Model` (and returns its `TensorData`), or the outline `createSession` decodes.
 */
export function externalTensors<T extends TensorOutline>(model: ModelOutline<T>): T[] {
  const found: T[] = [];
  const visit = (t: T) => {
    if (t.external) found.push(t);
  };
  forEachGraphTensor(model.graph, visit);
  for (const f of model.functions) {
    forEachNodeTensor(f.nodes, visit);
    for (const a of Object.values(f.attributeDefaults)) forEachAttributeTensor(a, visit);
  }
  for (const t of model.trainingInfo) {
    if (t.initialization) forEachGraphTensor(t.initialization, visit);
    if (t.algorithm) forEachGraphTensor(t.algorithm, visit);
  }
  return found;
}

function checkedInteger(value: number | undefined, what: string, t: TensorData): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ModelFormatError(
      'external-data',
      `tensor '${t.name}': external data ${what} must be a non-negative integer, got ${String(value)}`,
    );
  }
  return value;
}

function sliceTensor(t: TensorData, file: Uint8Array): TensorValues {
  const ref = t.external!;
  const ctor = storageOf(t.dtype);
  if (!ctor) {
    throw new ModelFormatError('external-data', `tensor '${t.name}': ${t.dtype} tensors cannot be stored externally`);
  }
  const offset = checkedInteger(ref.offset, 'offset', t) ?? 0;
  const elements = elementCount(t.dims);
  const expected = byteSize(t.dtype, elements);
  // ONNX reads to the end of the file when no length is given.
  const length = checkedInteger(ref.length, 'length', t) ?? file.byteLength - offset;
  if (offset + length > file.byteLength || length < 0) {
    throw new ModelFormatError(
      'external-data',
      `tensor '${t.name}': external data '${ref.location}' has ${file.byteLength} bytes, too few for ` +
        `offset ${offset} + length ${ref.length ?? expected}`,
    );
  }
  if (length !== expected) {
    throw new ModelFormatError(
      'external-data',
      `tensor '${t.name}': external data '${ref.location}' gives ${length} bytes at offset ${offset}, but ` +
        `${elements} ${t.dtype} elements need ${expected}`,
    );
  }
  // Copy so the typed array is aligned and does not pin the whole file.
  const copy = new Uint8Array(length);
  copy.set(file.subarray(offset, offset + length));
  return new ctor(copy.buffer, 0, storageLength(t.dtype, elements));
}

/**
 * Loads every external tensor of `model` in place: checks each `location` with
 * {@link checkExternalLocation}, reads each distinct file once through `readLocation`, copies the bytes
 * at `offset`/`length` into `data` and drops `external`, so `encodeModel` then writes a self-contained
 * model. Throws a {@link ModelFormatError} with code `'external-data'` naming the tensor and the file for a
 * refused location, a failed read, or a byte range that does not fit the file or the tensor.
 * Returns the same model, and does nothing when no tensor is external.
 */
export async function resolveExternalData(model: Model, readLocation: ReadLocation): Promise<Model> {
  if (typeof readLocation !== 'function') {
    throw new TypeError('resolveExternalData: readLocation must be a function (location) => bytes');
  }
  const tensors = externalTensors(model);
  for (const t of tensors) checkExternalLocation(t.external!.location, t.name);
  const files = new Map<string, Promise<Uint8Array>>();
  const read = (t: TensorData): Promise<Uint8Array> => {
    const location = t.external!.location;
    let file = files.get(location);
    if (!file) {
      file = (async () => {
        try {
          const bytes = await readLocation(location);
          if (!(bytes instanceof Uint8Array)) throw new TypeError(`readLocation returned ${typeof bytes}, not a Uint8Array`);
          return bytes;
        } catch (err) {
          if (err instanceof ModelFormatError) throw err;
          const why = err instanceof Error ? err.message : String(err);
          throw new ModelFormatError(
            'external-data',
            `tensor '${t.name}': cannot read external data '${location}': ${why}`,
            { cause: err },
          );
        }
      })();
      files.set(location, file);
    }
    return file;
  };
  for (const t of tensors) {
    t.data = sliceTensor(t, await read(t));
    delete t.external;
  }
  return model;
}
