import { float } from '../../../onnx/attributes.js';
import type { KTensor } from '../../emit/tensor.js';
import { applyActivation, prelu } from '../../layers/activations.js';
import { materialize, param, type OpArgs } from '../values.js';

/** TensorFlow activation op → onnxkit's Keras activation name (see `applyActivation`). */
const ACTIVATION_NAMES: Record<string, string> = { Relu: 'relu', Relu6: 'relu6', Elu: 'elu', Selu: 'selu', Sigmoid: 'sigmoid', Tanh: 'tanh' };

/** Activations a fused Conv/MatMul (or a standalone node) may carry. */
export const GRAPH_ACTIVATIONS = [...Object.keys(ACTIVATION_NAMES), 'LeakyRelu', 'Prelu'] as const;

/**
 * Applies activation `op` to `t`. LeakyRelu's slope is the `alpha` (standalone) or `leakyrelu_alpha`
 * (fused) attribute, TF.js's default 0.2; Prelu's α is the constant input `alphaInput`.
 */
export function activate(a: OpArgs, op: string, t: KTensor, alphaInput: number): KTensor {
  const mapped = ACTIVATION_NAMES[op];
  if (mapped) return applyActivation(mapped, t, a.ctx, a.node.where);
  if (op === 'LeakyRelu') {
    const alpha = a.node.attrs.has('leakyrelu_alpha') ? a.node.attrs.number('leakyrelu_alpha', 0.2) : a.node.attrs.number('alpha', 0.2);
    return { ...t, name: a.ctx.op('LeakyRelu', [t.name], { alpha: float(alpha) }) };
  }
  if (op === 'Prelu') {
    const alpha = materialize(a.ctx, a.constant(alphaInput, 'PReLU alpha'), a.node.inputs[alphaInput], t.layout === 'nchw');
    return { ...t, name: prelu(a.ctx, t.name, alpha.name) };
  }
  throw a.node.attrs.unsupported(`activation '${op}' (supported: ${GRAPH_ACTIVATIONS.join(', ')})`);
}

/** Inference-mode batch normalization over the channel (last) axis with constant scale, offset, mean and variance at inputs `first`…`first + 3`. */
export function batchNorm(a: OpArgs, t: KTensor, first: number, epsilon: number): KTensor {
  const names = ['scale', 'offset', 'mean', 'variance'].map((role, k) => {
    const c = a.constant(first + k, role);
    return param(a.ctx, a.node.inputs[first + k], '', [c.data.length], c.data);
  });
  const x = t.shape.length === 4 ? a.ctx.nchw(t, a.node.where) : a.ctx.keras(t);
  const y = a.ctx.op('BatchNormalization', [x, ...names], { epsilon: float(epsilon) });
  return { name: y, shape: t.shape, layout: t.shape.length === 4 ? 'nchw' : 'keras' };
}

/** The `fused_ops` of a `_Fused*` node: `[extra, activation?]`, extra being BiasAdd or FusedBatchNorm. */
export function fusedOps(a: OpArgs): { extra?: 'BiasAdd' | 'FusedBatchNorm'; activation?: string } {
  const ops = a.node.attrs.strings('fused_ops');
  const [first, second, ...rest] = ops;
  if (rest.length) throw a.node.attrs.unsupported(`fused_ops [${ops.join(', ')}]`);
  if (first === undefined) return {};
  if (first === 'BiasAdd' || first === 'FusedBatchNorm') return second === undefined ? { extra: first } : { extra: first, activation: second };
  if (second !== undefined) throw a.node.attrs.unsupported(`fused_ops [${ops.join(', ')}]`);
  return { activation: first };
}
