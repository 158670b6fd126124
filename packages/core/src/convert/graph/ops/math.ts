import { broadcastShapes as broadcastDims } from '../../../onnx/shape-inference/dims.js';
import { ConvertError } from '../../errors.js';
import { physicalAxis, type KTensor } from '../../emit/tensor.js';
import { permuteData } from '../../layers/permute-data.js';
import { materialize, param, tensorValue, type Operand, type OpConverter } from '../values.js';
import { activate, fusedOps, GRAPH_ACTIVATIONS } from './fused.js';

/** NumPy broadcasting of two shapes (unknown sizes stay unknown unless the other side pins them). */
export function broadcastShapes(x: readonly (number | null)[], y: readonly (number | null)[], where: string): (number | null)[] {
  const out = broadcastDims([x, y]) as (number | null)[] | undefined;
  if (!out) throw new ConvertError('invalid-config', `${where}: shapes [${x.join(', ')}] and [${y.join(', ')}] do not broadcast`);
  return out;
}

/**
 * A broadcasting binary op. A constant operand is laid out to match a channels-first tensor; two tensors
 * meet in one layout (channels-first when both are rank 4 and one already is).
 */
function binary(opType: 'Add' | 'Sub' | 'Mul' | 'Div'): OpConverter {
  return (a) => {
    const x = a.operand(0);
    const y = a.operand(1);
    const where = a.node.where;
    if (x.kind === 'const' && y.kind === 'const') throw new ConvertError('unsupported-op', `${where}: arithmetic on two constants (fold it when exporting)`);
    const shape = broadcastShapes(shapeOf(x), shapeOf(y), where);
    const anchor = x.kind === 'tensor' ? x.tensor : (y as Extract<Operand, { kind: 'tensor' }>).tensor;
    const nchw = anchor.layout === 'nchw' && shape.length === 4;
    const operand = (v: Operand): string => {
      if (v.kind === 'const') return materialize(a.ctx, v.value, v.node, nchw).name;
      if (nchw) {
        if (v.tensor.shape.length !== 4) throw new ConvertError('unsupported-op', `${where}: broadcasting a rank-${v.tensor.shape.length} value against a 4-D one`);
        return a.ctx.nchw(v.tensor, where);
      }
      return a.ctx.keras(v.tensor);
    };
    return tensorValue({ name: a.ctx.op(opType, [operand(x), operand(y)]), shape, layout: nchw ? 'nchw' : 'keras' });
  };
}

function shapeOf(v: Operand): (number | null)[] {
  return v.kind === 'tensor' ? v.tensor.shape : v.value.shape;
}

/** BiasAdd: a trainable per-channel bias over the last axis. */
const biasAdd: OpConverter = (a) => {
  const t = a.tensor(0);
  const b = a.constant(1, 'bias');
  const c = t.shape[t.shape.length - 1];
  if (b.shape.length !== 1 || (c !== null && b.data.length !== c)) throw new ConvertError('weight-mismatch', `${a.node.where}: bias of shape [${b.shape.join(', ')}] for ${c} channels`);
  const nchw = t.layout === 'nchw';
  const bias = param(a.ctx, a.node.inputs[1], nchw ? ':nchw' : '', nchw ? [b.data.length, 1, 1] : [b.data.length], b.data);
  return tensorValue({ name: a.ctx.op('Add', [t.name, bias]), shape: t.shape, layout: t.layout });
};

/**
 * MatMul / `_FusedMatMul` (BiasAdd, then an activation) on a 2-D input: Gemm with a constant weight
 * (transposed at conversion for `transpose_b`), MatMul otherwise.
 */
function matmul(fused: boolean): OpConverter {
  return (a) => {
    const attrs = a.node.attrs;
    const x = a.tensor(0);
    if (x.shape.length !== 2) throw attrs.unsupported(`a rank-${x.shape.length} input (2-D only)`);
    if (attrs.bool('transpose_a', false)) throw attrs.unsupported('transpose_a');
    const tb = attrs.bool('transpose_b', false);
    const { extra, activation } = fused ? fusedOps(a) : {};
    if (extra === 'FusedBatchNorm') throw attrs.unsupported('a MatMul fused with FusedBatchNorm');
    const w = a.operand(1);
    let y: string;
    let units: number | null;
    if (w.kind === 'const') {
      const k = w.value;
      if (k.shape.length !== 2) throw new ConvertError('invalid-config', `${a.node.where}: weight must be 2-D, got [${k.shape.join(', ')}]`);
      const dims = tb ? [k.shape[1], k.shape[0]] : k.shape;
      units = dims[1];
      const kernel = param(a.ctx, a.node.inputs[1], '', dims, tb ? permuteData(k.data, k.shape, [1, 0]) : k.data);
      const bias = extra === 'BiasAdd' ? param(a.ctx, a.node.inputs[2], '', [units], a.constant(2, 'bias').data) : undefined;
      y = a.ctx.op('Gemm', bias ? [a.ctx.keras(x), kernel, bias] : [a.ctx.keras(x), kernel]);
    } else {
      const b = a.ctx.keras(w.tensor);
      units = w.tensor.shape[tb ? 0 : 1];
      y = a.ctx.op('MatMul', [a.ctx.keras(x), tb ? a.ctx.op('Transpose', [b], { perm: [1, 0] }) : b]);
      if (extra === 'BiasAdd') y = a.ctx.op('Add', [y, materialize(a.ctx, a.constant(2, 'bias'), a.node.inputs[2]).name]);
    }
    let t: KTensor = { name: y, shape: [x.shape[0], units], layout: 'keras' };
    if (activation) t = activate(a, activation, t, 3);
    return tensorValue(t);
  };
}

/** Softmax over the last axis. */
const softmax: OpConverter = (a) => {
  const t = a.tensor(0);
  return tensorValue({ ...t, name: a.ctx.op('Softmax', [t.name], { axis: physicalAxis(t, -1, a.node.where) }) });
};

const standalone = (op: string): OpConverter => (a) => tensorValue(activate(a, op, a.tensor(0), 1));

/** Arithmetic, MatMul and activation ops by TensorFlow op name. */
export const MATH_OPS: Readonly<Record<string, OpConverter>> = {
  Add: binary('Add'),
  AddV2: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  RealDiv: binary('Div'),
  BiasAdd: biasAdd,
  MatMul: matmul(false),
  _FusedMatMul: matmul(true),
  Softmax: softmax,
  ...Object.fromEntries(GRAPH_ACTIVATIONS.map((op) => [op, standalone(op)])),
};
