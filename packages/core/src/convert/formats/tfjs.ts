import { ConvertError } from '../errors.js';
import { asRecord } from '../topology/config-values.js';
import type { KerasModel, WeightValue } from '../topology/types.js';
import { readTfjsGraph } from '../graph/read-graph-model.js';
import { checkRelativePath } from './safe-path.js';

/** Reads a file next to the model (a TF.js weight shard) by its path relative to `model.json`. */
export type ReadFile = (path: string) => Uint8Array | ArrayBuffer | Promise<Uint8Array | ArrayBuffer>;

/** One entry of a TF.js weights manifest. */
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** True when a parsed JSON document is a TF.js model (`model.json`: `modelTopology` + `weightsManifest`). */
export function isTfjsModel(json: Record<string, unknown>): boolean {
  return 'weightsManifest' in json || 'modelTopology' in json || json.format === 'layers-model' || json.format === 'graph-model';
}

/**
 * A TF.js Layers model: `modelTopology` (a Keras config, wrapped in `model_config` by the Python
 * converter, bare in pre-1.0 TF.js saves) and weights from the shards its `weightsManifest` lists,
 * dequantised (uint8/uint16: q·scale + min; float16) exactly as TF.js does. A graph model is read by
 * {@link readTfjsGraph}.
 */
export async function readTfjs(json: Record<string, unknown>, readFile: ReadFile | undefined, what: string): Promise<KerasModel> {
  const topology = asRecord(json.modelTopology);
  if (json.format === 'graph-model' || (topology && ('node' in topology || 'library' in topology))) return readTfjsGraph(json, readFile, what);
  if (!topology) throw new ConvertError('invalid-config', `${what} has no 'modelTopology'`);
  const config = asRecord(topology.model_config) ?? (typeof topology.class_name === 'string' ? topology : undefined);
  if (!config) throw new ConvertError('invalid-config', `${what}: 'modelTopology' holds no Keras model config`);
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new ConvertError('missing-weights', `${what} has no 'weightsManifest'`);
  if (!readFile) throw new TypeError(`convertKeras: a TF.js model needs 'readFile' to read its weight shards (${what})`);

  const { byName, order } = await readWeightsManifest(manifest, readFile, what);
  const model: KerasModel = {
    format: 'tfjs-layers',
    config,
    weights: {
      layer(name) {
        // Weights are named `<layer>/<weight>`; older converters prefix a scope, so match the parent segment too.
        const mine = order.filter((n) => n.startsWith(`${name}/`));
        const found = mine.length ? mine : order.filter((n) => n.split('/').slice(-2, -1)[0] === name);
        return found.length ? found.map((n) => byName.get(n)!) : undefined;
      },
    },
  };
  if (typeof topology.keras_version === 'string') model.kerasVersion = topology.keras_version;
  if (typeof topology.backend === 'string') model.backend = topology.backend;
  return model;
}

/**
 * Reads every weight a TF.js `weightsManifest` lists (groups of weights laid back to back over their
 * shards), dequantised to float32. Returns them by manifest name, and the names in manifest order.
 */
export async function readWeightsManifest(manifest: unknown[], readFile: ReadFile, what: string): Promise<{ byName: Map<string, WeightValue>; order: string[] }> {
  const byName = new Map<string, WeightValue>();
  const order: string[] = [];
  for (const [g, group] of manifest.entries()) {
    const rec = asRecord(group);
    const paths = rec?.paths;
    const specs = rec?.weights;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string') || !Array.isArray(specs)) {
      throw new ConvertError('invalid-config', `${what}: weightsManifest group ${g} needs 'paths' and 'weights'`);
    }
    const shards = await Promise.all(paths.map((p: string) => readShard(readFile, p, what)));
    const bytes = concat(shards);
    let offset = 0;
    for (const raw of specs) {
      const spec = weightSpec(raw, what);
      const value = decodeWeight(spec, bytes, offset, `${what}: weight '${spec.name}' (shards ${paths.join(', ')})`);
      offset += value.bytes;
      byName.set(spec.name, { name: spec.name.split('/').pop() ?? spec.name, shape: spec.shape, data: value.data });
      order.push(spec.name);
    }
  }
  return { byName, order };
}

async function readShard(readFile: ReadFile, path: string, what: string): Promise<Uint8Array> {
  const safe = checkRelativePath(path, `${what}: weight shard`);
  try {
    const data = await readFile(safe);
    return data instanceof Uint8Array ? data : new Uint8Array(data);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConvertError('missing-weights', `${what}: weight shard '${safe}' could not be read (${reason})`, { cause: err });
  }
}

function weightSpec(raw: unknown, what: string): WeightSpec {
  const rec = asRecord(raw);
  const shape = rec?.shape;
  if (typeof rec?.name !== 'string' || !Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ConvertError('invalid-config', `${what}: a weightsManifest entry needs a name and a shape, got ${JSON.stringify(raw)}`);
  }
  const spec: WeightSpec = { name: rec.name, shape: shape as number[], dtype: typeof rec.dtype === 'string' ? rec.dtype : 'float32' };
  const q = asRecord(rec.quantization);
  if (q) {
    if (typeof q.dtype !== 'string' || !['uint8', 'uint16', 'float16'].includes(q.dtype)) {
      throw new ConvertError('unsupported-format', `${what}: weight '${spec.name}' is quantized as ${JSON.stringify(q.dtype)} (supported: uint8, uint16, float16)`);
    }
    spec.quantization = { dtype: q.dtype };
    if (q.dtype !== 'float16') {
      if (typeof q.min !== 'number' || typeof q.scale !== 'number') {
        throw new ConvertError('invalid-config', `${what}: weight '${spec.name}' is quantized as ${q.dtype} but its manifest entry lacks 'min' and 'scale'`);
      }
      spec.quantization.min = q.min;
      spec.quantization.scale = q.scale;
    }
  }
  return spec;
}

/** Decodes one weight at `offset` of its group's bytes, as float32. */
function decodeWeight(spec: WeightSpec, bytes: Uint8Array, offset: number, where: string): { data: Float32Array; bytes: number } {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const size = BYTES[stored];
  if (size === undefined || spec.dtype === 'string' || spec.dtype === 'complex64') {
    throw new ConvertError('unsupported-format', `${where}: dtype '${spec.dtype}' is not a numeric weight type onnxkit reads`);
  }
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const length = count * size;
  if (offset + length > bytes.length) {
    throw new ConvertError('truncated', `${where}: needs bytes ${offset}..${offset + length}, but the shards hold ${bytes.length} (a shard is truncated or missing)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
  const data = new Float32Array(count);
  const q = spec.quantization;
  for (let i = 0; i < count; i++) {
    switch (stored) {
      case 'float32':
        data[i] = view.getFloat32(i * 4, true);
        break;
      case 'int32':
        data[i] = view.getInt32(i * 4, true);
        break;
      case 'bool':
        data[i] = view.getUint8(i);
        break;
      case 'uint8':
        data[i] = view.getUint8(i) * q!.scale! + q!.min!;
        break;
      case 'uint16':
        data[i] = view.getUint16(i * 2, true) * q!.scale! + q!.min!;
        break;
      default:
        data[i] = halfToFloat(view.getUint16(i * 2, true));
    }
  }
  return { data, bytes: length };
}

/** IEEE 754 half-precision bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
