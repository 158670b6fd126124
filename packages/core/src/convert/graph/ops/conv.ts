import { ConvertError } from '../../errors.js';
import type { KTensor } from '../../emit/tensor.js';
import { permuteData } from '../../layers/permute-data.js';
import { planWindow, windowAttributes, type Window, type WindowPlan } from '../../layers/window.js';
import type { AttrReader } from '../attrs.js';
import { param, tensorValue, type OpArgs, type OpConverter } from '../values.js';
import { activate, batchNorm, fusedOps } from './fused.js';

/** A rank-4 NHWC input, or a ConvertError naming the node. */
export function image(a: OpArgs, t: KTensor): KTensor {
  if (t.shape.length !== 4) throw new ConvertError('unsupported-op', `${a.node.where}: expects a 4-D NHWC input, got rank ${t.shape.length}`);
  return t;
}

/** Throws unless the node works on NHWC (TF.js converts with NHWC; NCHW graphs come from GPU-only exports). */
export function checkNhwc(attrs: AttrReader): void {
  const format = attrs.string('data_format', 'NHWC');
  if (format !== 'NHWC') throw attrs.unsupported(`data_format '${format}' (only NHWC)`);
}

/** An `[1, h, w, 1]` attribute (strides, ksize, dilations) as `[h, w]`. */
export function spatial(attrs: AttrReader, key: string): [number, number] {
  const v = attrs.ints(key, [1, 1, 1, 1]);
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1) throw attrs.unsupported(`${key} [${v.join(', ')}] (batch and channel entries must be 1)`);
  return [v[1], v[2]];
}

/** TF's window over an NHWC input: SAME/VALID planned as TF does, or EXPLICIT pads. */
export function tfWindow(a: OpArgs, t: KTensor, kernel: [number, number], strides: [number, number], dilations: [number, number]): { w: Window; plan: WindowPlan } {
  const attrs = a.node.attrs;
  const padding = attrs.string('padding', 'VALID');
  const size: [number | null, number | null] = [t.shape[1], t.shape[2]];
  if (padding === 'SAME' || padding === 'VALID') {
    const w: Window = { kernel, strides, dilations, padding: padding === 'SAME' ? 'same' : 'valid' };
    return { w, plan: planWindow(w, size) };
  }
  if (padding !== 'EXPLICIT') throw attrs.unsupported(`padding '${padding}'`);
  const p = attrs.ints('explicit_paddings');
  if (p.length !== 8 || p[0] || p[1] || p[6] || p[7]) throw attrs.unsupported(`explicit_paddings [${p.join(', ')}]`);
  const w: Window = { kernel, strides, dilations, padding: 'valid' };
  const out = [0, 1].map((i) => {
    const n = size[i];
    const eff = (kernel[i] - 1) * dilations[i] + 1;
    return n === null ? null : Math.floor((n + p[2 + 2 * i] + p[3 + 2 * i] - eff) / strides[i]) + 1;
  }) as [number | null, number | null];
  return { w, plan: { pads: [p[2], p[4], p[3], p[5]], out } };
}

/**
 * Conv2D / DepthwiseConv2dNative and their fused forms (`_FusedConv2D`, `FusedDepthwiseConv2dNative`:
 * BiasAdd or FusedBatchNorm, then an activation). The filter must be a constant: HWIO → OIHW, or a
 * depthwise [kh, kw, C, m] → [C·m, 1, kh, kw] with group = C.
 */
function conv(depthwise: boolean, fused: boolean): OpConverter {
  return (a) => {
    const attrs = a.node.attrs;
    checkNhwc(attrs);
    const x = image(a, a.tensor(0));
    const k = a.constant(1, 'filter');
    if (k.shape.length !== 4) throw new ConvertError('invalid-config', `${a.node.where}: the filter must be 4-D, got shape [${k.shape.join(', ')}]`);
    const [kh, kw, kin, kout] = k.shape;
    const inC = x.shape[3];
    if (inC === null) throw attrs.unsupported('an input with an unknown channel count');
    if (depthwise ? kin !== inC : inC % kin !== 0) throw new ConvertError('weight-mismatch', `${a.node.where}: filter [${k.shape.join(', ')}] does not fit ${inC} input channels`);
    const outC = depthwise ? kin * kout : kout;
    const { w, plan } = tfWindow(a, x, [kh, kw], spatial(attrs, 'strides'), spatial(attrs, 'dilations'));
    const filter = a.node.inputs[1];
    const weight = depthwise
      ? param(a.ctx, filter, '', [outC, 1, kh, kw], permuteData(k.data, k.shape, [2, 3, 0, 1]))
      : param(a.ctx, filter, '', [kout, kin, kh, kw], permuteData(k.data, k.shape, [3, 2, 0, 1]));
    const { extra, activation } = fused ? fusedOps(a) : {};
    const inputs = [a.ctx.nchw(x, a.node.where), weight];
    if (extra === 'BiasAdd') {
      const b = a.constant(2, 'bias');
      if (b.data.length !== outC) throw new ConvertError('weight-mismatch', `${a.node.where}: bias has ${b.data.length} values for ${outC} channels`);
      inputs.push(param(a.ctx, a.node.inputs[2], '', [outC], b.data));
    }
    const y = a.ctx.op('Conv', inputs, { ...windowAttributes(w, plan, true), group: depthwise ? inC : inC / kin });
    let t: KTensor = { name: y, shape: [x.shape[0], plan.out[0], plan.out[1], outC], layout: 'nchw' };
    if (extra === 'FusedBatchNorm') t = batchNorm(a, t, 2, attrs.number('epsilon', 1e-3));
    if (activation) t = activate(a, activation, t, 3);
    return tensorValue(t);
  };
}

/** FusedBatchNorm / V2 / V3 in inference mode (is_training false). */
const fusedBatchNorm: OpConverter = (a) => {
  if (a.node.attrs.bool('is_training', false)) throw a.node.attrs.unsupported('is_training = true');
  checkNhwc(a.node.attrs);
  return tensorValue(batchNorm(a, a.tensor(0), 1, a.node.attrs.number('epsilon', 1e-3)));
};

/** Convolution and normalization ops by TensorFlow op name. */
export const CONV_OPS: Readonly<Record<string, OpConverter>> = {
  Conv2D: conv(false, false),
  _FusedConv2D: conv(false, true),
  DepthwiseConv2dNative: conv(true, false),
  FusedDepthwiseConv2dNative: conv(true, true),
  FusedBatchNorm: fusedBatchNorm,
  FusedBatchNormV2: fusedBatchNorm,
  FusedBatchNormV3: fusedBatchNorm,
};
