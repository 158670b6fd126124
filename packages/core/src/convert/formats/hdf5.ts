import { Dataset, File, Group } from 'jsfive';
import { ConvertError } from '../errors.js';

/** The 8-byte signature every HDF5 file starts with (onnxkit reads files without a user block). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `bytes` start with the HDF5 signature. */
export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** A group of an HDF5 file: named children and attributes. */
export class H5Group {
  /** Full path inside the file, e.g. `/model_weights/dense`. */
  readonly path: string;
  readonly #group: Group;
  readonly #what: string;

  constructor(group: Group, path: string, what: string) {
    this.#group = group;
    this.path = path;
    this.#what = what;
  }

  /** Names of the children. */
  keys(): string[] {
    return guard(this.#what, () => [...this.#group.keys]);
  }

  /** True when the group has a direct or nested child at `path` (`a/b`). */
  has(path: string): boolean {
    return this.child(path) !== undefined;
  }

  /** The child group or dataset at `path` (relative, `/`-separated), or undefined. */
  child(path: string): H5Group | H5Dataset | undefined {
    let node: Group | Dataset = this.#group;
    for (const part of path.split('/').filter((p) => p.length > 0)) {
      if (!(node instanceof Group)) return undefined;
      const g: Group = node;
      if (!guard(this.#what, () => g.keys.includes(part))) return undefined;
      node = guard(this.#what, () => g.get(part));
    }
    const full = joinPath(this.path, path);
    return node instanceof Dataset ? new H5Dataset(node, full, this.#what) : new H5Group(node, full, this.#what);
  }

  /** The child group at `path`, or undefined (also when it is a dataset). */
  group(path: string): H5Group | undefined {
    const c = this.child(path);
    return c instanceof H5Group ? c : undefined;
  }

  /**
   * An attribute as Keras writes it: a string (fixed-length padding removed), a list of strings, or a
   * number. Attributes over HDF5's 64 KiB header limit are split by Keras into `name0`, `name1`, …; they
   * are joined back here.
   */
  attr(name: string): unknown {
    const attrs = guard(this.#what, () => this.#group.attrs);
    if (name in attrs) return clean(attrs[name]);
    const chunks: unknown[] = [];
    for (let i = 0; `${name}${i}` in attrs; i++) chunks.push(clean(attrs[`${name}${i}`]));
    if (chunks.length === 0) return undefined;
    return chunks.every(Array.isArray) ? (chunks as unknown[][]).flat() : chunks.join('');
  }

  /** A string attribute, or undefined when absent or not a string. */
  stringAttr(name: string): string | undefined {
    const v = this.attr(name);
    return typeof v === 'string' ? v : undefined;
  }

  /** A list-of-strings attribute (a single string counts as a list of one), or undefined. */
  stringsAttr(name: string): string[] | undefined {
    const v = this.attr(name);
    if (typeof v === 'string') return [v];
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;
  }
}

/** A dataset of an HDF5 file. */
export class H5Dataset {
  readonly path: string;
  readonly #dataset: Dataset;
  readonly #what: string;

  constructor(dataset: Dataset, path: string, what: string) {
    this.#dataset = dataset;
    this.path = path;
    this.#what = what;
  }

  /** The dataset's dimensions. */
  get shape(): number[] {
    return guard(this.#what, () => [...this.#dataset.shape]);
  }

  /** The values as float32, checked against the shape (a cut-off file yields fewer values: an error). */
  readFloat32(): Float32Array {
    const shape = this.shape;
    const dtype = guard(this.#what, () => this.#dataset.dtype);
    if (typeof dtype !== 'string' || !/^[<>|]?[fiu][1248]$/.test(dtype)) {
      throw new ConvertError('corrupt', `${this.#what}: dataset '${this.path}' has dtype ${JSON.stringify(dtype)}; expected numbers`);
    }
    const values = guard(this.#what, () => this.#dataset.value);
    const count = shape.reduce((a, b) => a * b, 1);
    if (values.length !== count) {
      throw new ConvertError(
        'truncated',
        `${this.#what}: dataset '${this.path}' of shape [${shape.join(', ')}] holds ${values.length} of its ${count} values (the file is truncated or corrupt)`,
      );
    }
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = Number(values[i]);
    return out;
  }
}

/**
 * Opens an HDF5 file held in memory (jsfive: pure JS, the same code in Node and browsers). A file shorter
 * than the end-of-file address its superblock records is a {@link ConvertError} `'truncated'`; unreadable
 * structure is `'corrupt'`. `what` names the file in errors.
 */
export function openHdf5(bytes: Uint8Array, what: string): H5Group {
  if (!isHdf5(bytes)) throw new ConvertError('corrupt', `${what} is not an HDF5 file (no HDF5 signature)`);
  const eof = endOfFile(bytes);
  if (eof === undefined || eof > bytes.length) {
    throw new ConvertError(
      'truncated',
      `${what} is truncated: ${bytes.length} bytes, but its HDF5 superblock ${eof === undefined ? 'is cut off' : `says the file has ${eof}`}`,
    );
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const file = guard(what, () => new File(buffer, what));
  return new H5Group(file, '/', what);
}

/** The superblock's end-of-file address (versions 0–3, 8-byte offsets as Keras/h5py write them). */
function endOfFile(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[8];
  const sizeOfOffsets = version <= 1 ? bytes[13] : bytes[9];
  if (sizeOfOffsets !== 8) return undefined;
  // Offsets of the base and end-of-file addresses in each superblock layout.
  const at = version === 0 ? { base: 24, eof: 40 } : version === 1 ? { base: 28, eof: 44 } : { base: 12, eof: 28 };
  if (bytes.length < at.eof + 8) return undefined;
  const base = Number(view.getBigUint64(at.base, true));
  return base + Number(view.getBigUint64(at.eof, true));
}

/** Runs a jsfive call, turning what it throws (strings, RangeErrors from DataView) into ConvertErrors. */
function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConvertError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    const cut = err instanceof RangeError || /outside the bounds|out of range/i.test(reason);
    throw new ConvertError(cut ? 'truncated' : 'corrupt', `${what} is ${cut ? 'truncated or corrupt' : 'a damaged HDF5 file'} (${reason})`, {
      cause: err,
    });
  }
}

/** Strips the NUL padding of fixed-length HDF5 strings, element-wise for lists. */
function clean(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\0+$/, '');
  if (Array.isArray(v)) return v.map(clean);
  if (typeof v === 'bigint') return Number(v);
  return v;
}

function joinPath(base: string, path: string): string {
  return `${base.replace(/\/$/, '')}/${path.replace(/^\//, '')}`;
}
