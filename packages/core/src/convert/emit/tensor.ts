import { normAxis as resolveAxis } from '../../onnx/shape-inference/dims.js';
/**
 * How a value is held in the ONNX graph. Keras image tensors are channels-last; ONNX Conv and pooling
 * want channels-first. `nchw` marks a rank-4 value held as the transpose `[N, C, H, W]` of its Keras
 * shape; `keras` a value held exactly as Keras holds it. Transposes are inserted only where a layer needs
 * the other layout, so a run of convolutions stays channels-first.
 */
export type Layout = 'keras' | 'nchw';

/** A Keras tensor during conversion: its ONNX value, its Keras shape and how the value is laid out. */
export interface KTensor {
  /** The ONNX value name. */
  name: string;
  /** Keras shape, batch first, channels last for images (`null` = unknown size). */
  shape: (number | null)[];
  layout: Layout;
}

/** Keras axis → position in an `nchw` value (N, H, W, C → 0, 2, 3, 1). */
export const NCHW_AXIS = [0, 2, 3, 1] as const;

/** Normalises a possibly negative axis of a rank-`rank` tensor, or throws a RangeError naming `where`. */
export function normAxis(axis: number, rank: number, where: string): number {
  const a = resolveAxis(axis, rank);
  if (a === undefined) throw new RangeError(`${where}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The position of Keras axis `axis` in the value as `t` holds it. */
export function physicalAxis(t: KTensor, axis: number, where: string): number {
  const a = normAxis(axis, t.shape.length, where);
  return t.layout === 'nchw' ? NCHW_AXIS[a] : a;
}

/** Element count of a shape, or undefined when a non-batch dimension is unknown. */
export function staticSize(shape: readonly (number | null)[]): number | undefined {
  let n = 1;
  for (const d of shape.slice(1)) {
    if (d === null) return undefined;
    n *= d;
  }
  return n;
}
