import { intAttr, intsAttr } from '../../onnx/attributes.js';
import type { Dim, Node, TensorData } from '../../onnx/ir.js';
import { tensorToNumbers } from '../../onnx/tensor.js';
import { windowGeometry, windowOutputSize } from './geometry.js';

/** What local shape propagation reads. */
export interface ShapeLookup {
  shapeOf(name: string): Dim[] | undefined;
  constantOf(name: string): TensorData | undefined;
  /** The node producing a value, if any. */
  producerOf(name: string): Node | undefined;
}

/** Ops whose first output has the shape of their first input. */
const SAME_SHAPE = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Identity', 'Dropout', 'BatchNormalization',
  'Neg', 'Exp', 'Log', 'Sqrt', 'Abs', 'Reciprocal', 'Cast', 'Clip', 'Elu', 'Selu', 'Softplus', 'Softsign',
  'HardSigmoid', 'HardSwish', 'Erf', 'Gelu', 'LRN', 'InstanceNormalization', 'LayerNormalization', 'Floor',
  'Ceil', 'Round', 'Sign', 'PRelu', 'Hardmax', 'CastLike', 'Sin', 'Cos',
]);

/** Ops with numpy broadcasting over all their inputs. */
const BROADCASTING = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Where', 'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual',
  'And', 'Or', 'Xor', 'Max', 'Min', 'Sum', 'Mean', 'Mod', 'BitShift',
]);

/** Broadcasts two dims; null when it cannot be told statically. */
function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === 1) return b;
  if (b === 1 || a === b) return a;
  if (typeof a === 'number' && b === null) return a;
  if (typeof b === 'number' && a === null) return b;
  if (typeof a === 'number' && typeof b === 'string') return a;
  if (typeof b === 'number' && typeof a === 'string') return b;
  return null;
}

/** Numpy broadcast of several shapes. */
export function broadcastShapes(shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = new Array<Dim>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) out[rank - s.length + i] = broadcastDim(out[rank - s.length + i], s[i]);
  }
  return out;
}

/** Integer values of a constant input, or undefined when it is not a constant. */
export function constantInts(lookup: Pick<ShapeLookup, 'constantOf'>, name: string | undefined): number[] | undefined {
  if (!name) return undefined;
  const t = lookup.constantOf(name);
  return t ? tensorToNumbers(t) : undefined;
}

/** Axes of Squeeze/Unsqueeze/Reduce*: the attribute (old opsets) or the constant second input. */
export function axesOf(lookup: Pick<ShapeLookup, 'constantOf'>, node: Node): number[] | undefined {
  return intsAttr(node, 'axes') ?? constantInts(lookup, node.inputs[1]);
}

/** Integer ops folded by {@link staticInts}, elementwise with numpy broadcasting of one-element operands. */
const INT_ARITHMETIC: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  // ONNX integer Div truncates toward zero.
  Div: (a, b) => Math.trunc(a / b),
};

/**
 * The elements of a small 0-D/1-D integer value that are known before run time (a symbolic dim where it
 * is one, null where nothing is known): a constant, or shape arithmetic over static dims (Shape, Gather, Add/Sub/Mul/Div, Unsqueeze, Squeeze,
 * Concat, Cast, Identity), as PyTorch exports build Slice bounds from `x.shape`. Undefined when the value
 * is none of these.
 */
export function staticIntElements(lookup: ShapeLookup, name: string, depth = 0): Dim[] | undefined {
  const c = constantInts(lookup, name);
  if (c) return c;
  const node = lookup.producerOf(name);
  if (!node || depth > 32) return undefined;
  const arg = (i: number) => (node.inputs[i] ? staticIntElements(lookup, node.inputs[i], depth + 1) : undefined);
  switch (node.opType) {
    case 'Shape': {
      const dims = lookup.shapeOf(node.inputs[0]);
      if (!dims) return undefined;
      const start = intAttr(node, 'start', 0);
      const end = node.attributes.end ? intAttr(node, 'end', dims.length) : dims.length;
      return dims.slice(start, end);
    }
    case 'Gather': {
      const data = arg(0);
      const indices = constantInts(lookup, node.inputs[1]);
      if (!data || !indices || intAttr(node, 'axis', 0) !== 0) return undefined;
      return indices.map((i) => data[i < 0 ? i + data.length : i] ?? null);
    }
    case 'Unsqueeze':
    case 'Squeeze':
    case 'Cast':
    case 'Identity':
      return arg(0);
    case 'Concat': {
      const parts = node.inputs.map((_, i) => arg(i));
      return parts.every((p) => p !== undefined) ? (parts as Dim[][]).flat() : undefined;
    }
    default: {
      const f = Object.hasOwn(INT_ARITHMETIC, node.opType) ? INT_ARITHMETIC[node.opType] : undefined;
      if (!f) return undefined;
      const a = arg(0);
      const b = arg(1);
      if (!a || !b || (a.length !== b.length && a.length !== 1 && b.length !== 1)) return undefined;
      return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => {
        const x = a[a.length === 1 ? 0 : i];
        const y = b[b.length === 1 ? 0 : i];
        return typeof x === 'number' && typeof y === 'number' ? f(x, y) : null;
      });
    }
  }
}

function product(dims: readonly Dim[]): Dim {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return dims.length === 1 ? d : null;
    p *= d;
  }
  return p;
}

const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

function reshapeTarget(input: Dim[] | undefined, target: readonly Dim[], allowZero: boolean): Dim[] {
  const out: Dim[] = target.map((t, i) => (t === 0 && !allowZero ? (input?.[i] ?? null) : t === -1 ? null : t));
  const minus = target.indexOf(-1);
  if (minus >= 0 && input) {
    // -1 = (input elements) / (other output elements): static parts divide, equal symbols cancel.
    const syms = input.filter((d) => typeof d !== 'number');
    let outStatic = 1;
    for (const [i, d] of out.entries()) {
      if (i === minus) continue;
      if (typeof d === 'number') outStatic *= d;
      else {
        const k = d === null ? -1 : syms.indexOf(d);
        if (k < 0) return out;
        syms.splice(k, 1);
      }
    }
    const inStatic = input.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
    if (syms.length === 0) out[minus] = inStatic / outStatic;
    else if (syms.length === 1 && inStatic === outStatic) out[minus] = syms[0];
  }
  return out;
}

/** Static shape of output `index` of `node`, from its inputs' shapes; undefined when not derivable. */
export function inferOutputShape(node: Node, index: number, lookup: ShapeLookup): Dim[] | undefined {
  const op = node.opType;
  const inShape = (i: number) => (node.inputs[i] ? lookup.shapeOf(node.inputs[i]) : undefined);
  if (index === 0 && SAME_SHAPE.has(op)) return inShape(0);
  if (BROADCASTING.has(op)) {
    const shapes = node.inputs.filter(Boolean).map((n) => lookup.shapeOf(n));
    return shapes.every((s) => s !== undefined) ? broadcastShapes(shapes as Dim[][]) : undefined;
  }
  const x = inShape(0);
  switch (op) {
    case 'Conv':
    case 'MaxPool':
    case 'AveragePool': {
      if (index !== 0 || !x) return undefined;
      const w = op === 'Conv' ? inShape(1) : undefined;
      const kernel = intsAttr(node, 'kernel_shape') ?? w?.slice(2);
      if (!kernel || kernel.some((k) => typeof k !== 'number')) return undefined;
      const g = windowGeometry(node, kernel as number[], x.slice(2), op === 'Conv' ? 'conv' : 'pool');
      return [x[0], op === 'Conv' ? (w?.[0] ?? null) : x[1], ...x.slice(2).map((d, i) => windowOutputSize(g, i, d))];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      return x ? [x[0], x[1], ...x.slice(2).map(() => 1)] : undefined;
    case 'MatMul': {
      const b = inShape(1);
      if (!x || !b) return undefined;
      const a2 = x.length === 1 ? [1, x[0]] : x;
      const b2 = b.length === 1 ? [b[0], 1] : b;
      const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
      return [...batch, ...(x.length === 1 ? [] : [a2[a2.length - 2]]), ...(b.length === 1 ? [] : [b2[b2.length - 1]])];
    }
    case 'Gemm': {
      const b = inShape(1);
      if (!x || !b) return undefined;
      return [intAttr(node, 'transA', 0) ? x[1] : x[0], intAttr(node, 'transB', 0) ? b[0] : b[1]];
    }
    case 'Flatten': {
      if (!x) return undefined;
      const axis = norm(intAttr(node, 'axis', 1), x.length);
      return [product(x.slice(0, axis)), product(x.slice(axis))];
    }
    case 'Reshape': {
      const src = lookup.producerOf(node.inputs[1]);
      if (src?.opType === 'Shape' && !src.attributes.start && !src.attributes.end) return lookup.shapeOf(src.inputs[0]);
      // Targets PyTorch builds from Shape (channel shuffle: [N, groups, C/groups, H, W]) fold too.
      const target = intsAttr(node, 'shape') ?? (node.inputs[1] ? staticIntElements(lookup, node.inputs[1]) : undefined);
      return target ? reshapeTarget(x, target, intAttr(node, 'allowzero', 0) === 1) : undefined;
    }
    case 'Transpose': {
      if (!x) return undefined;
      const perm = intsAttr(node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
      return perm.map((p) => x[p]);
    }
    case 'Squeeze': {
      if (!x) return undefined;
      const axes = axesOf(lookup, node);
      if (!axes) return x.every((d) => typeof d === 'number') ? x.filter((d) => d !== 1) : undefined;
      const drop = new Set(axes.map((a) => norm(a, x.length)));
      return x.filter((_, i) => !drop.has(i));
    }
    case 'Unsqueeze': {
      const axes = axesOf(lookup, node);
      if (!x || !axes) return undefined;
      const rank = x.length + axes.length;
      const ins = new Set(axes.map((a) => norm(a, rank)));
      const out: Dim[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) out.push(ins.has(i) ? 1 : x[k++]);
      return out;
    }
    case 'Concat': {
      const shapes = node.inputs.map((n) => lookup.shapeOf(n));
      if (shapes.some((s) => !s)) return undefined;
      const first = shapes[0] as Dim[];
      const axis = norm(intAttr(node, 'axis', 0), first.length);
      const out = [...first];
      out[axis] = (shapes as Dim[][]).reduce<Dim>((acc, sh) => (typeof acc === 'number' && typeof sh[axis] === 'number' ? acc + sh[axis] : null), 0);
      return out;
    }
    case 'Pad': {
      const pads = intsAttr(node, 'pads') ?? constantInts(lookup, node.inputs[1]);
      const axes = node.inputs[3] ? constantInts(lookup, node.inputs[3]) : x?.map((_, i) => i);
      if (!x || !pads || !axes) return undefined;
      const out = [...x];
      axes.forEach((a, i) => {
        const ax = norm(a, x.length);
        const d = x[ax];
        const grow = pads[i] + pads[i + axes.length];
        out[ax] = typeof d === 'number' ? d + grow : grow === 0 ? d : null;
      });
      return out;
    }
    case 'Expand': {
      const target = constantInts(lookup, node.inputs[1]);
      return x && target ? broadcastShapes([x, target]) : undefined;
    }
    case 'Shape':
      return x ? [x.length] : undefined;
    case 'Slice': {
      if (!x) return undefined;
      const bound = (i: number, attr: string) => intsAttr(node, attr) ?? (node.inputs[i] ? staticIntElements(lookup, node.inputs[i]) : undefined);
      const starts = bound(1, 'starts');
      const ends = bound(2, 'ends');
      const axes = intsAttr(node, 'axes') ?? (node.inputs[3] ? constantInts(lookup, node.inputs[3]) : starts?.map((_, i) => i));
      const steps = node.inputs[4] ? constantInts(lookup, node.inputs[4]) : undefined;
      if (!starts || !ends || !axes) return undefined;
      const out = [...x];
      axes.forEach((a, i) => {
        const ax = norm(a, x.length);
        const d = x[ax];
        const [b, e, step] = [starts[i], ends[i], steps?.[i] ?? 1];
        const clamp = (v: number, dim: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
        out[ax] =
          typeof d === 'number' && typeof b === 'number' && typeof e === 'number' && step > 0
            ? Math.max(0, Math.ceil((clamp(e, d) - clamp(b, d)) / step))
            : null;
      });
      return out;
    }
    case 'Gather': {
      const indices = inShape(1);
      if (!x || !indices) return undefined;
      const axis = norm(intAttr(node, 'axis', 0), x.length);
      return [...x.slice(0, axis), ...indices, ...x.slice(axis + 1)];
    }
    case 'ArgMax':
    case 'ArgMin': {
      if (!x) return undefined;
      const axis = norm(intAttr(node, 'axis', 0), x.length);
      return intAttr(node, 'keepdims', 1) === 1 ? x.map((dim, i) => (i === axis ? 1 : dim)) : x.filter((_, i) => i !== axis);
    }
    case 'Constant':
      return undefined;
    case 'ReduceSum':
    case 'ReduceMean':
    case 'ReduceMax':
    case 'ReduceMin':
    case 'ReduceProd': {
      if (!x) return undefined;
      const axes = axesOf(lookup, node);
      if (!axes && node.inputs[1]) return undefined;
      const all = !axes || axes.length === 0;
      if (all && intAttr(node, 'noop_with_empty_axes', 0) === 1) return x;
      const red = new Set(all ? x.map((_, i) => i) : axes.map((a) => norm(a, x.length)));
      const keep = intAttr(node, 'keepdims', 1) === 1;
      return keep ? x.map((d, i) => (red.has(i) ? 1 : d)) : x.filter((_, i) => !red.has(i));
    }
    default:
      return undefined;
  }
}
