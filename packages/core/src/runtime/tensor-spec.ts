import type { DataType } from '../onnx/dtype.js';
import type { OrtSession } from './runtime.js';

/** A dimension: a fixed size, or a symbolic name (any size; `''` when the model leaves it unnamed). */
export type SpecDim = number | string;

/** A model input or output as the session sees it. */
export interface TensorSpec {
  /** Input or output name. */
  readonly name: string;
  /** False for sequences, maps and optionals, which are passed through unchecked. */
  readonly isTensor: boolean;
  /** Element type; undefined when `isTensor` is false. */
  readonly dtype?: DataType;
  /** Shape with symbolic dims as strings; undefined when `isTensor` is false. */
  readonly shape?: readonly SpecDim[];
}

type ValueMetadata = OrtSession['inputMetadata'][number];

/** Converts ORT's `inputMetadata`/`outputMetadata` entries to frozen {@link TensorSpec}s. */
export function specsFromMetadata(metadata: readonly ValueMetadata[]): readonly TensorSpec[] {
  return Object.freeze(
    metadata.map((m) =>
      Object.freeze(
        m.isTensor
          ? { name: m.name, isTensor: true, dtype: m.type, shape: Object.freeze([...m.shape]) }
          : { name: m.name, isTensor: false },
      ),
    ),
  );
}

/** True when every dimension of `shape` is a fixed number. */
export function isStaticShape(shape: readonly SpecDim[]): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

/** `'Input3: float32[1,1,28,28]'`; symbolic dims print by name, unnamed ones as `?`. */
export function formatSpec(spec: TensorSpec): string {
  if (!spec.isTensor) return `${spec.name}: (non-tensor)`;
  return `${spec.name}: ${spec.dtype}${formatShape(spec.shape ?? [])}`;
}

/** `[1,1,28,28]`, `[batch,10]`, `[?,3]`. */
export function formatShape(shape: readonly SpecDim[]): string {
  return `[${shape.map((d) => (d === '' ? '?' : String(d))).join(',')}]`;
}

/** One line per spec, for error messages that list what the model expects. */
export function formatSpecs(specs: readonly TensorSpec[]): string {
  return specs.map((s) => `  ${formatSpec(s)}`).join('\n');
}
