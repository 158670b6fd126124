import { ConvertError } from '../errors.js';
import { asRecord } from '../topology/config-values.js';
import type { WeightSource } from '../topology/types.js';
import { AttrReader, decodeBase64 } from './attrs.js';

/** One node of a GraphDef: its data inputs (control inputs `^x` dropped) and attributes. */
export interface GraphNode {
  name: string;
  op: string;
  /** Data inputs as `node` or `node:index`. */
  inputs: string[];
  attrs: AttrReader;
  /** `node 'name' (Op)`, for error messages. */
  where: string;
}

/** A reference to output `index` of node `node`. */
export interface NodeOutput {
  node: string;
  index: number;
}

/** A constant tensor, as float32 (integer constants — shapes, axes — are exact in float32 at these sizes). */
export interface ConstTensor {
  shape: number[];
  data: Float32Array;
}

/** `conv1`, `conv1:0` → output 0 of `conv1`; `split:2` → output 2. */
export function parseOutputRef(ref: string): NodeOutput {
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1], index: Number(m[2]) } : { node: ref, index: 0 };
}

/** The nodes of a graph model's `modelTopology` (a GraphDef as JSON), by name. */
export function parseGraphDef(topology: Record<string, unknown>, what: string): Map<string, GraphNode> {
  const raw = topology.node;
  if (!Array.isArray(raw) || raw.length === 0) throw new ConvertError('invalid-config', `${what}: the graph model's 'modelTopology' has no nodes`);
  const nodes = new Map<string, GraphNode>();
  raw.forEach((n, i) => {
    const rec = asRecord(n);
    if (typeof rec?.name !== 'string' || typeof rec.op !== 'string') throw new ConvertError('invalid-config', `${what}: graph node #${i} needs a 'name' and an 'op'`);
    const inputs = rec.input ?? [];
    if (!Array.isArray(inputs) || !inputs.every((x) => typeof x === 'string')) throw new ConvertError('invalid-config', `${what}: node '${rec.name}' has malformed inputs`);
    if (nodes.has(rec.name)) throw new ConvertError('invalid-config', `${what}: two graph nodes are named '${rec.name}'`);
    const where = `node '${rec.name}' (${rec.op})`;
    nodes.set(rec.name, { name: rec.name, op: rec.op, inputs: (inputs as string[]).filter((x) => !x.startsWith('^')), attrs: new AttrReader(asRecord(rec.attr) ?? {}, where), where });
  });
  return nodes;
}

/** Cap on an inline constant's element count (they hold shapes and scalars; weights live in the shards). */
const MAX_INLINE = 1 << 24;

/**
 * A Const node's value: from the weight shards (TF.js moves every weight there, named after the node),
 * or inline in its `value` attribute (`floatVal` / `intVal` lists, or raw little-endian `tensorContent`).
 */
export function readConst(node: GraphNode, weights: WeightSource): ConstTensor {
  const stored = weights.layer(node.name);
  if (stored?.length === 1) return { shape: stored[0].shape, data: stored[0].data };
  const tensor = asRecord(asRecord(node.attrs.attr.value)?.tensor);
  if (!tensor) throw new ConvertError('missing-weights', `${node.where}: the weights manifest has no entry for this constant, and it holds no inline value`);
  const dims = asRecord(tensor.tensorShape)?.dim ?? [];
  const shape = (Array.isArray(dims) ? dims : []).map((d) => Number(asRecord(d)?.size ?? NaN));
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ConvertError('invalid-config', `${node.where}: constant shape ${JSON.stringify(dims)} is not static`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_INLINE) throw new ConvertError('invalid-config', `${node.where}: inline constant of ${count} elements exceeds the ${MAX_INLINE} cap`);
  const dtype = typeof tensor.dtype === 'string' ? tensor.dtype : 'DT_FLOAT';
  const data = new Float32Array(count);
  if (typeof tensor.tensorContent === 'string') {
    const bytes = decodeBase64(tensor.tensorContent, `${node.where}: tensorContent`);
    const size = dtype === 'DT_FLOAT' || dtype === 'DT_INT32' ? 4 : 0;
    if (size === 0) throw new ConvertError('unsupported-op', `${node.where}: constant dtype ${dtype} is not supported (DT_FLOAT, DT_INT32)`);
    if (bytes.length !== count * size) throw new ConvertError('corrupt', `${node.where}: tensorContent holds ${bytes.length} bytes, its shape needs ${count * size}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) data[i] = dtype === 'DT_FLOAT' ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
    return { shape, data };
  }
  const list = tensor.floatVal ?? tensor.intVal ?? tensor.int64Val ?? tensor.boolVal;
  const values = (Array.isArray(list) ? list : []).map((v) => (typeof v === 'boolean' ? Number(v) : Number(v)));
  if (values.length === 0 && count > 0) throw new ConvertError('missing-weights', `${node.where}: the constant holds no values`);
  if (values.some((v) => !Number.isFinite(v)) || values.length > count) throw new ConvertError('corrupt', `${node.where}: malformed constant values`);
  // TF repeats the last listed value to fill the shape.
  for (let i = 0; i < count; i++) data[i] = values[Math.min(i, values.length - 1)];
  return { shape, data };
}
