import { float } from '../../onnx/attributes.js';
import { ConvertError } from '../errors.js';
import { asRecord } from '../topology/config-values.js';
import type { EmitContext } from '../emit/context.js';
import { physicalAxis, type KTensor } from '../emit/tensor.js';
import { permuteData } from './permute-data.js';
import { single, type LayerConverter } from './types.js';

// SELU's constants, as Keras and TF define them.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/** float32's most negative finite value: Clip's "no lower bound". */
const LOWEST = -3.4028234663852886e38;

/** Activation names onnxkit converts (Keras spelling; TF.js camelCase and `_` variants are accepted). */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'hard_sigmoid',
  'tanh',
  'softmax',
  'elu',
  'selu',
  'swish',
  'silu',
  'hard_swish',
  'gelu',
  'exponential',
  'softplus',
  'softsign',
  'mish',
] as const;

/**
 * An activation's name from a config value: a string (`'relu'`), Keras 3's serialized function
 * `{ class_name: 'function', config: 'relu' }`, or null (linear). Lower-cased, `_` removed.
 */
export function activationName(v: unknown): string {
  if (v === null || v === undefined) return 'linear';
  if (typeof v === 'string') return v.toLowerCase().replace(/_/g, '');
  const rec = asRecord(v);
  const inner = rec?.config;
  if (typeof inner === 'string') return activationName(inner);
  const name = asRecord(inner)?.name ?? rec?.class_name;
  return typeof name === 'string' ? activationName(name) : JSON.stringify(v);
}

/**
 * Applies a Keras activation to `t`, keeping its layout. Ops are chosen so converted models train with
 * onnxkit's gradient rules: relu6 is Clip, swish is x·Sigmoid(x), elu/selu are built from Relu and Exp.
 */
export function applyActivation(name: string, t: KTensor, ctx: EmitContext, where: string): KTensor {
  const x = t.name;
  const out = (value: string): KTensor => ({ ...t, name: value });
  switch (name) {
    case 'linear':
    case 'none':
      return t;
    case 'relu':
      return out(ctx.op('Relu', [x]));
    case 'relu6':
      return out(clip(ctx, x, 0, 6));
    case 'sigmoid':
      return out(ctx.op('Sigmoid', [x]));
    case 'tanh':
      return out(ctx.op('Tanh', [x]));
    case 'softmax':
      return out(ctx.op('Softmax', [x], { axis: physicalAxis(t, -1, where) }));
    case 'elu':
      return out(elu(ctx, x, 1));
    case 'selu':
      return out(ctx.op('Mul', [elu(ctx, x, SELU_ALPHA), ctx.floats('selu_scale', [SELU_SCALE], [])]));
    case 'swish':
    case 'silu':
      return out(ctx.op('Mul', [x, ctx.op('Sigmoid', [x])]));
    case 'gelu':
      return out(gelu(ctx, x));
    case 'exponential':
      return out(ctx.op('Exp', [x]));
    case 'hardsigmoid':
      return out(hardSigmoid(ctx, x));
    case 'hardswish':
    case 'hardsilu':
      return out(ctx.op('Mul', [x, hardSigmoid(ctx, x, true)]));
    case 'softplus':
      return out(softplus(ctx, x));
    case 'softsign': {
      const abs = ctx.op('Add', [ctx.op('Relu', [x]), ctx.op('Relu', [ctx.op('Neg', [x])])]);
      return out(ctx.op('Div', [x, ctx.op('Add', [abs, ctx.floats('one', [1], [])])]));
    }
    case 'mish':
      return out(ctx.op('Mul', [x, ctx.op('Tanh', [softplus(ctx, x)])]));
    default:
      throw new ConvertError('unsupported-layer', `${where}: activation '${name}' is not supported (supported: ${ACTIVATIONS.join(', ')})`);
  }
}

/** Clip(x, lo, hi) with scalar bounds (opset 11+ takes them as inputs). */
export function clip(ctx: EmitContext, x: string, lo: number | null, hi: number | null): string {
  return ctx.op('Clip', [x, ctx.floats('clip_min', [lo ?? LOWEST], []), ctx.floats('clip_max', [hi ?? -LOWEST], [])]);
}

/**
 * ELU as Relu(x) + α·(Exp(−Relu(−x)) − 1): Exp only ever sees x ≤ 0, so neither the value nor its
 * gradient overflows for large x (as Where(x > 0, x, α(eˣ − 1)) would: 0·∞ in the untaken branch).
 */
function elu(ctx: EmitContext, x: string, alpha: number): string {
  const negPart = ctx.op('Exp', [ctx.op('Neg', [ctx.op('Relu', [ctx.op('Neg', [x])])])]);
  const scaled = ctx.op('Mul', [ctx.op('Sub', [negPart, ctx.floats('one', [1], [])]), ctx.floats('elu_alpha', [alpha], [])]);
  return ctx.op('Add', [ctx.op('Relu', [x]), scaled]);
}

/**
 * PReLU as Relu(x) − α·Relu(−x) (α broadcast against x): ops that all have gradient rules, so a PReLU
 * model fine-tunes (ONNX PRelu has none).
 */
export function prelu(ctx: EmitContext, x: string, alpha: string): string {
  return ctx.op('Sub', [ctx.op('Relu', [x]), ctx.op('Mul', [alpha, ctx.op('Relu', [ctx.op('Neg', [x])])])]);
}

/**
 * hard_sigmoid: clip(0.2·x + 0.5, 0, 1) in Keras 2 and TF.js; Keras 3 redefined it as relu6(x + 3) / 6,
 * i.e. clip(x/6 + 0.5, 0, 1) (and hard_swish always uses that one).
 */
function hardSigmoid(ctx: EmitContext, x: string, sixth = ctx.keras3): string {
  const scaled = ctx.op('Add', [ctx.op('Mul', [x, ctx.floats('hard_slope', [sixth ? 1 / 6 : 0.2], [])]), ctx.floats('half', [0.5], [])]);
  return clip(ctx, scaled, 0, 1);
}

/**
 * softplus log(1 + eˣ) as Relu(x) + Log(1 + Exp(−|x|)), |x| = Relu(x) + Relu(−x): Exp never sees a
 * positive input, so it cannot overflow, and every op has a gradient rule.
 */
function softplus(ctx: EmitContext, x: string): string {
  const abs = ctx.op('Add', [ctx.op('Relu', [x]), ctx.op('Relu', [ctx.op('Neg', [x])])]);
  const log1p = ctx.op('Log', [ctx.op('Add', [ctx.op('Exp', [ctx.op('Neg', [abs])]), ctx.floats('one', [1], [])])]);
  return ctx.op('Add', [ctx.op('Relu', [x]), log1p]);
}

/** Exact GELU (Keras's default, approximate=False): x·½·(1 + erf(x/√2)). */
function gelu(ctx: EmitContext, x: string): string {
  const erf = ctx.op('Erf', [ctx.op('Mul', [x, ctx.floats('inv_sqrt2', [Math.SQRT1_2], [])])]);
  const half = ctx.op('Mul', [ctx.op('Add', [erf, ctx.floats('one', [1], [])]), ctx.floats('half', [0.5], [])]);
  return ctx.op('Mul', [x, half]);
}

/** `Activation(name)`. */
const activation: LayerConverter = (inputs, a) => applyActivation(activationName(a.layer.config.activation), single(inputs, a), a.ctx, a.where);

/** `ReLU(max_value, negative_slope, threshold)`: f(x) = min(x, max) for x ≥ threshold, else slope·(x − threshold). */
const reluLayer: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const max = a.cfg.optionalNumber('max_value') ?? a.cfg.optionalNumber('maxValue') ?? null;
  const slope = a.cfg.number('negative_slope', 0);
  const threshold = a.cfg.number('threshold', 0);
  const { ctx } = a;
  let y: string;
  if (threshold === 0 && slope === 0) return { ...t, name: max === null ? ctx.op('Relu', [t.name]) : clip(ctx, t.name, 0, max) };
  if (threshold === 0) y = ctx.op('LeakyRelu', [t.name], { alpha: float(slope) });
  else {
    const th = ctx.floats('relu_threshold', [threshold], []);
    const below = ctx.op('Mul', [ctx.op('Sub', [t.name, th]), ctx.floats('relu_slope', [slope], [])]);
    y = ctx.op('Where', [ctx.op('Less', [t.name, th]), below, t.name]);
  }
  return { ...t, name: max === null ? y : clip(ctx, y, null, max) };
};

/** `LeakyReLU(alpha)` (Keras 3: `negative_slope`), default slope 0.3. */
const leakyRelu: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const alpha = a.cfg.optionalNumber('negative_slope') ?? a.cfg.number('alpha', 0.3);
  return { ...t, name: a.ctx.op('LeakyRelu', [t.name], { alpha: float(alpha) }) };
};

/** `Softmax(axis)`. */
const softmaxLayer: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const axis = a.cfg.has('axis') ? a.cfg.ints('axis') : [-1];
  if (axis.length !== 1) throw a.cfg.unsupported(`softmax over several axes (${axis.join(', ')})`);
  return { ...t, name: a.ctx.op('Softmax', [t.name], { axis: physicalAxis(t, axis[0], a.where) }) };
};

/** `ELU(alpha)`. */
const eluLayer: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  return { ...t, name: elu(a.ctx, t.name, a.cfg.number('alpha', 1)) };
};

/**
 * `PReLU`: a learned slope α of the input's shape less the batch, of size 1 along `shared_axes`,
 * laid out to broadcast against the value as it is held (channels-first for images).
 */
const preluLayer: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const rank = t.shape.length;
  const shared = new Set((a.cfg.has('shared_axes') ? a.cfg.ints('shared_axes') : []).map((x) => (x < 0 ? x + rank : x)));
  const expected = t.shape.slice(1).map((d, i) => (shared.has(i + 1) ? 1 : d));
  const [alpha] = a.ctx.weights(a.layer, [{ name: 'alpha', shape: expected }]);
  const nchw = t.layout === 'nchw';
  const dims = nchw ? [alpha.shape[2], alpha.shape[0], alpha.shape[1]] : alpha.shape;
  const data = nchw ? permuteData(alpha.data, alpha.shape, [2, 0, 1]) : alpha.data;
  return { ...t, name: prelu(a.ctx, t.name, a.ctx.param(a.layer.name, 'alpha', dims, data)) };
};

/** Activation layers by Keras class name. */
export const ACTIVATION_LAYERS: Readonly<Record<string, LayerConverter>> = {
  Activation: activation,
  ReLU: reluLayer,
  LeakyReLU: leakyRelu,
  Softmax: softmaxLayer,
  ELU: eluLayer,
  PReLU: preluLayer,
};

