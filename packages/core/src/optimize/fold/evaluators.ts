import { intAttr, intsAttr } from '../../onnx/attributes.js';
import { dataTypeFromCode, isFloatType } from '../../onnx/dtype.js';
import type { Node } from '../../onnx/ir.js';
import { elementCount } from '../../onnx/tensor.js';
import { broadcastDims, broadcastIndex, castValue, isFoldable, normAxis, strides, type NumTensor } from './num-tensor.js';

/**
 * Computes a node's outputs from constant inputs, or returns undefined when it cannot (an attribute
 * it does not understand, a shape it cannot handle). Missing optional inputs are `undefined`.
 */
export type Evaluator = (node: Node, inputs: (NumTensor | undefined)[], opset: number) => NumTensor[] | undefined;

const binary =
  (f: (a: number, b: number) => number, intF?: (a: number, b: number) => number): Evaluator =>
  (_node, [a, b]) => {
    if (!a || !b || a.dtype !== b.dtype) return undefined;
    const dims = broadcastDims(a.dims, b.dims);
    if (!dims) return undefined;
    const ia = broadcastIndex(a.dims, dims);
    const ib = broadcastIndex(b.dims, dims);
    const op = !isFloatType(a.dtype) && intF ? intF : f;
    const values = Array.from({ length: elementCount(dims) }, (_, i) => castValue(op(a.values[ia(i)], b.values[ib(i)]), a.dtype));
    return [{ dtype: a.dtype, dims, values }];
  };

const unary =
  (f: (x: number) => number, floatOnly = true): Evaluator =>
  (_node, [x]) => {
    if (!x || (floatOnly && !isFloatType(x.dtype))) return undefined;
    return [{ dtype: x.dtype, dims: [...x.dims], values: Array.from(x.values, (v) => castValue(f(v), x.dtype)) }];
  };

/** Shape after Reshape's 0 (copy, unless allowzero) and -1 (infer) rules. */
function reshapeDims(input: readonly number[], target: readonly number[], allowZero: boolean): number[] | undefined {
  const dims = target.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  if (dims.some((d) => d === undefined || d < -1)) return undefined;
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = elementCount(input);
  const inferred = dims.indexOf(-1);
  if (inferred >= 0) {
    if (dims.lastIndexOf(-1) !== inferred || known === 0 || total % known !== 0) return undefined;
    dims[inferred] = total / known;
  }
  return elementCount(dims) === total ? dims : undefined;
}

/** Axes from the attribute (older opsets) or the second input (newer ones). */
function axesOf(node: Node, inputs: (NumTensor | undefined)[], inputSince: number, opset: number): number[] | undefined {
  if (opset >= inputSince) return inputs[1] ? Array.from(inputs[1].values) : undefined;
  return intsAttr(node, 'axes');
}

function transpose(x: NumTensor, perm: readonly number[]): NumTensor {
  const dims = perm.map((p) => x.dims[p]);
  const src = strides(x.dims);
  const dst = strides(dims);
  const values = new Array<number>(x.values.length);
  for (let i = 0; i < values.length; i++) {
    let from = 0;
    for (let d = 0; d < dims.length; d++) from += (Math.floor(i / dst[d]) % dims[d]) * src[perm[d]];
    values[i] = x.values[from];
  }
  return { dtype: x.dtype, dims, values };
}

/** Ops constant folding can compute, by op type (ai.onnx domain). */
export const EVALUATORS: Readonly<Record<string, Evaluator>> = {
  Identity: (_n, [x]) => (x ? [x] : undefined),
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary(
    (a, b) => a / b,
    (a, b) => (b === 0 ? NaN : Math.trunc(a / b)),
  ),
  Pow: (node, inputs) => (inputs[0] && inputs[1] && isFloatType(inputs[0].dtype) && inputs[1].dtype === inputs[0].dtype ? binary(Math.pow)(node, inputs, 0) : undefined),
  Neg: unary((x) => -x, false),
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((x) => 1 / x),
  Exp: unary(Math.exp),
  Cast: (node, [x]) => {
    const to = intAttr(node, 'to');
    if (!x || to === undefined) return undefined;
    const dtype = dataTypeFromCode(to);
    if (!isFoldable(dtype)) return undefined;
    // Float → integer casts truncate toward zero in ORT; NaN/Inf have no defined result, so leave them.
    if (isFloatType(x.dtype) && !isFloatType(dtype) && dtype !== 'bool' && Array.from(x.values).some((v) => !Number.isFinite(v))) return undefined;
    return [{ dtype, dims: [...x.dims], values: Array.from(x.values, (v) => castValue(v, dtype)) }];
  },
  Reshape: (node, [x, shape]) => {
    if (!x || !shape) return undefined;
    const dims = reshapeDims(x.dims, Array.from(shape.values), intAttr(node, 'allowzero', 0) === 1);
    return dims ? [{ ...x, dims }] : undefined;
  },
  Flatten: (node, [x]) => {
    if (!x) return undefined;
    const axis = intAttr(node, 'axis', 1);
    const a = axis < 0 ? axis + x.dims.length : axis;
    if (a < 0 || a > x.dims.length) return undefined;
    return [{ ...x, dims: [elementCount(x.dims.slice(0, a)), elementCount(x.dims.slice(a))] }];
  },
  Transpose: (node, [x]) => {
    if (!x) return undefined;
    const perm = intsAttr(node, 'perm') ?? x.dims.map((_, i) => x.dims.length - 1 - i);
    if (perm.length !== x.dims.length) return undefined;
    return [transpose(x, perm)];
  },
  Unsqueeze: (node, inputs, opset) => {
    const x = inputs[0];
    const axes = axesOf(node, inputs, 13, opset);
    if (!x || !axes) return undefined;
    const rank = x.dims.length + axes.length;
    const norm = axes.map((a) => normAxis(a, rank));
    if (norm.some((a) => a === undefined)) return undefined;
    const dims: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) dims.push(norm.includes(i) ? 1 : x.dims[k++]);
    return [{ ...x, dims }];
  },
  Squeeze: (node, inputs, opset) => {
    const x = inputs[0];
    if (!x) return undefined;
    const axes = axesOf(node, inputs, 13, opset);
    const drop = axes ? axes.map((a) => normAxis(a, x.dims.length)) : x.dims.flatMap((d, i) => (d === 1 ? [i] : []));
    if (drop.some((a) => a === undefined || x.dims[a] !== 1)) return undefined;
    return [{ ...x, dims: x.dims.filter((_, i) => !drop.includes(i)) }];
  },
  Concat: (node, inputs) => {
    const xs = inputs.filter((t): t is NumTensor => t !== undefined);
    if (xs.length !== inputs.length || xs.length === 0) return undefined;
    const axis = normAxis(intAttr(node, 'axis', 0), xs[0].dims.length);
    if (axis === undefined || xs.some((t) => t.dtype !== xs[0].dtype || t.dims.length !== xs[0].dims.length)) return undefined;
    const outer = elementCount(xs[0].dims.slice(0, axis));
    const dims = [...xs[0].dims];
    dims[axis] = xs.reduce((s, t) => s + t.dims[axis], 0);
    const values: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const t of xs) {
        const block = elementCount(t.dims.slice(axis));
        for (let i = 0; i < block; i++) values.push(t.values[o * block + i]);
      }
    }
    return [{ dtype: xs[0].dtype, dims, values }];
  },
  Gather: (node, [x, indices]) => {
    if (!x || !indices) return undefined;
    const axis = normAxis(intAttr(node, 'axis', 0), x.dims.length);
    if (axis === undefined) return undefined;
    const size = x.dims[axis];
    const outer = elementCount(x.dims.slice(0, axis));
    const inner = elementCount(x.dims.slice(axis + 1));
    const idx = Array.from(indices.values, (i) => (i < 0 ? i + size : i));
    if (idx.some((i) => i < 0 || i >= size)) return undefined;
    const values: number[] = [];
    for (let o = 0; o < outer; o++) for (const i of idx) for (let k = 0; k < inner; k++) values.push(x.values[(o * size + i) * inner + k]);
    return [{ dtype: x.dtype, dims: [...x.dims.slice(0, axis), ...indices.dims, ...x.dims.slice(axis + 1)], values }];
  },
  Shape: (node, [x]) => {
    if (!x) return undefined;
    const rank = x.dims.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
    const dims = x.dims.slice(clamp(intAttr(node, 'start', 0)), clamp(intAttr(node, 'end', rank)));
    return [{ dtype: 'int64', dims: [dims.length], values: dims }];
  },
};
