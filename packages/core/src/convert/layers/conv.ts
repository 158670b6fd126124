import type { ConfigReader } from '../topology/config-values.js';
import type { KTensor } from '../emit/tensor.js';
import { activationName, applyActivation } from './activations.js';
import { permuteData } from './permute-data.js';
import { imageShape, single, type LayerArgs, type LayerConverter } from './types.js';
import { planWindow, readPadding, windowAttributes, type Window } from './window.js';

/** Keras kernel [kh, kw, in, out] → ONNX Conv weight [out, in, kh, kw]. */
const HWIO_TO_OIHW = [3, 2, 0, 1];

function convWindow(cfg: ConfigReader): Window {
  return {
    kernel: cfg.pair('kernel_size'),
    strides: cfg.pair('strides', [1, 1]),
    dilations: cfg.pair('dilation_rate', [1, 1]),
    padding: readPadding(cfg),
  };
}

/** Emits an ONNX Conv over `x` (channels-first) and returns the Keras-shaped channels-first result. */
function emitConv(a: LayerArgs, t: KTensor, w: Window, weight: string, bias: string | undefined, outChannels: number, group: number): KTensor {
  const plan = planWindow(w, [t.shape[1], t.shape[2]]);
  if (w.strides.some((s) => s !== 1) && w.dilations.some((d) => d !== 1)) throw a.cfg.unsupported('strides > 1 together with dilation_rate > 1');
  const inputs = [a.ctx.nchw(t, a.where), weight, ...(bias ? [bias] : [])];
  const y = a.ctx.op('Conv', inputs, { ...windowAttributes(w, plan, true), group });
  return { name: y, shape: [t.shape[0], plan.out[0], plan.out[1], outChannels], layout: 'nchw' };
}

/** `Conv2D`: kernel [kh, kw, in/groups, filters], optional bias, fused activation. */
const conv2d: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const w = convWindow(a.cfg);
  const filters = a.cfg.int('filters');
  const groups = a.cfg.int('groups', 1);
  const useBias = a.cfg.bool('use_bias', true);
  const inC = imageShape(t, a)[3];
  const kshape = [w.kernel[0], w.kernel[1], inC === null ? null : inC / groups, filters];
  const values = a.ctx.weights(a.layer, [{ name: 'kernel', shape: kshape }, ...(useBias ? [{ name: 'bias', shape: [filters] }] : [])]);
  const k = values[0];
  const weight = a.ctx.param(a.layer.name, 'kernel', HWIO_TO_OIHW.map((p) => k.shape[p]), permuteData(k.data, k.shape, HWIO_TO_OIHW));
  const bias = useBias ? a.ctx.param(a.layer.name, 'bias', [filters], values[1].data) : undefined;
  const y = emitConv(a, t, w, weight, bias, filters, groups);
  return applyActivation(activationName(a.layer.config.activation), y, a.ctx, a.where);
};

/**
 * Depthwise kernel [kh, kw, in, mult] → grouped-Conv weight [in·mult, 1, kh, kw]: Keras's output channel
 * c·mult + m is ONNX group c's m-th output, so the layout is a plain transpose.
 */
function depthwiseWeight(a: LayerArgs, param: string, k: { shape: number[]; data: Float32Array }): string {
  const [kh, kw, inC, mult] = k.shape;
  return a.ctx.param(a.layer.name, param, [inC * mult, 1, kh, kw], permuteData(k.data, k.shape, [2, 3, 0, 1]));
}

/** `DepthwiseConv2D`: a Conv with group = input channels. */
const depthwiseConv2d: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const w = convWindow(a.cfg);
  const mult = a.cfg.int('depth_multiplier', 1);
  const useBias = a.cfg.bool('use_bias', true);
  const inC = imageShape(t, a)[3];
  if (inC === null) throw a.cfg.unsupported('an input with an unknown channel count');
  const values = a.ctx.weights(a.layer, [
    { name: 'depthwise_kernel', shape: [w.kernel[0], w.kernel[1], inC, mult] },
    ...(useBias ? [{ name: 'bias', shape: [inC * mult] }] : []),
  ]);
  const weight = depthwiseWeight(a, 'depthwise_kernel', values[0]);
  const bias = useBias ? a.ctx.param(a.layer.name, 'bias', [inC * mult], values[1].data) : undefined;
  const y = emitConv(a, t, w, weight, bias, inC * mult, inC);
  return applyActivation(activationName(a.layer.config.activation), y, a.ctx, a.where);
};

/** `SeparableConv2D`: a depthwise Conv (the window) then a 1×1 pointwise Conv with the bias. */
const separableConv2d: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const w = convWindow(a.cfg);
  const mult = a.cfg.int('depth_multiplier', 1);
  const filters = a.cfg.int('filters');
  const useBias = a.cfg.bool('use_bias', true);
  const inC = imageShape(t, a)[3];
  if (inC === null) throw a.cfg.unsupported('an input with an unknown channel count');
  const values = a.ctx.weights(a.layer, [
    { name: 'depthwise_kernel', shape: [w.kernel[0], w.kernel[1], inC, mult] },
    { name: 'pointwise_kernel', shape: [1, 1, inC * mult, filters] },
    ...(useBias ? [{ name: 'bias', shape: [filters] }] : []),
  ]);
  const depthwise = emitConv(a, t, w, depthwiseWeight(a, 'depthwise_kernel', values[0]), undefined, inC * mult, inC);
  const p = values[1];
  const pointwise = a.ctx.param(a.layer.name, 'pointwise_kernel', [filters, inC * mult, 1, 1], permuteData(p.data, p.shape, HWIO_TO_OIHW));
  const bias = useBias ? a.ctx.param(a.layer.name, 'bias', [filters], values[2].data) : undefined;
  const one: Window = { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' };
  const y = emitConv(a, depthwise, one, pointwise, bias, filters, 1);
  return applyActivation(activationName(a.layer.config.activation), y, a.ctx, a.where);
};

/** Convolution layers by Keras class name. */
export const CONV_LAYERS: Readonly<Record<string, LayerConverter>> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
};
