import { intAttr, tensorAttr } from '../../attributes.js';
import { dataTypeFromCode, type DataType } from '../../dtype.js';
import type { Dim, TensorData } from '../../ir.js';
import { constantNodeValue } from '../../graph-edit.js';
import { tensorToNumbers } from '../../tensor.js';
import type { InferredTensor, ShapeContext, ShapeRule } from '../context.js';

function dtypeAttr(ctx: ShapeContext, name: string): DataType | undefined {
  const code = intAttr(ctx.node, name);
  if (code === undefined || code === 0) return undefined;
  try {
    return dataTypeFromCode(code);
  } catch {
    return ctx.fail(`attribute '${name}' is not a known data type code: ${code}`);
  }
}

/** Integer element types whose small tensors inference reads as shape data. */
const INTEGER_TYPES: ReadonlySet<DataType> = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64']);

/** Up to how many elements a constant integer tensor is kept as shape data. */
const MAX_DATA_ELEMENTS = 64;

/** What inference knows of a constant tensor: its type and, for small int vectors, its values. */
export function constantInfo(t: TensorData): InferredTensor {
  const info: InferredTensor = { dtype: t.dtype, shape: [...t.dims] };
  if (INTEGER_TYPES.has(t.dtype) && t.dims.length <= 1 && !t.external && t.data.length <= MAX_DATA_ELEMENTS) {
    info.data = tensorToNumbers(t);
  }
  return info;
}

/** Cast: input's shape (and shape data), dtype from `to`. */
export const cast: ShapeRule = (ctx: ShapeContext) => {
  const to = dtypeAttr(ctx, 'to');
  if (!to) ctx.fail(`the 'to' attribute is required`);
  const x = ctx.input(0);
  return [{ dtype: to, shape: x?.shape, data: INTEGER_TYPES.has(to) ? x?.data : undefined }];
};

/** CastLike: input 0's shape, input 1's dtype. */
export const castLike: ShapeRule = (ctx: ShapeContext) => {
  const to = ctx.dtype(1);
  return [to && { dtype: to, shape: ctx.shape(0) }];
};

/** QuantizeLinear: x's shape; dtype of the zero point, else `output_dtype`, else uint8. */
export const quantizeLinear: ShapeRule = (ctx: ShapeContext) => {
  const dtype = (ctx.has(2) ? ctx.dtype(2) : undefined) ?? dtypeAttr(ctx, 'output_dtype') ?? 'uint8';
  return [{ dtype, shape: ctx.shape(0) }];
};

/** DequantizeLinear: x's shape; dtype from `output_dtype` (opset 23), else the scale's (float32). */
export const dequantizeLinear: ShapeRule = (ctx: ShapeContext) => {
  const dtype = dtypeAttr(ctx, 'output_dtype') ?? ctx.dtype(1) ?? 'float32';
  return [{ dtype, shape: ctx.shape(0) }];
};

/** Constant: the type of whichever value attribute it carries. */
export const constant: ShapeRule = (ctx: ShapeContext) => {
  const a = ctx.node.attributes;
  const t = tensorAttr(ctx.node, 'value');
  if (t) return [constantInfo(t)];
  const sparse = a.sparse_value;
  if (sparse?.type === 'sparse_tensor') return [{ dtype: sparse.value.values.dtype, shape: [...sparse.value.dims] }];
  const v = constantNodeValue(ctx.node);
  return v ? [constantInfo(v)] : ctx.fail(`it carries no value attribute`);
};

/** Shape: int64 [rank] whose contents are the input's dims (from `start` to `end`, opset 15). */
export const shape: ShapeRule = (ctx: ShapeContext) => {
  const x = ctx.shape(0);
  if (!x) return [{ dtype: 'int64', shape: [null] }];
  const r = x.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clamp(intAttr(ctx.node, 'start', 0));
  const end = clamp(intAttr(ctx.node, 'end', r));
  const data: Dim[] = x.slice(start, Math.max(start, end));
  return [{ dtype: 'int64', shape: [data.length], data }];
};

/** Size: an int64 scalar. */
export const size: ShapeRule = () => [{ dtype: 'int64', shape: [] }];

/** ConstantOfShape: shape from the input's contents, dtype of `value` (float32 by default). */
export const constantOfShape: ShapeRule = (ctx: ShapeContext) => {
  const dtype = tensorAttr(ctx.node, 'value')?.dtype ?? 'float32';
  const dims = ctx.data(0);
  const len = ctx.shape(0)?.[0];
  return [{ dtype, shape: dims ?? (typeof len === 'number' ? Array<Dim>(len).fill(null) : undefined) }];
};
