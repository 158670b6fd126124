import type { PreprocessingSpec } from '../metadata/preprocessing-spec.js';
import { formatSpecs, type SpecDim, type TensorSpec } from '../../runtime/tensor-spec.js';

/** The image input or the scores output: the one named, else the only (or first output) tensor. */
export function pick(specs: readonly TensorSpec[], name: string | undefined, kind: 'input' | 'output'): TensorSpec {
  const tensors = specs.filter((s) => s.isTensor);
  if (name !== undefined) {
    const found = tensors.find((s) => s.name === name);
    if (!found) throw new RangeError(`Classifier.load: the model has no ${kind} '${name}'; its ${kind}s:\n${formatSpecs(specs)}`);
    return found;
  }
  if (kind === 'output' || tensors.length === 1) {
    if (tensors.length === 0) throw new TypeError(`Classifier.load: the model has no tensor ${kind}`);
    return tensors[0];
  }
  throw new RangeError(`Classifier.load: the model has ${tensors.length} inputs; name the image input with { input }:\n${formatSpecs(specs)}`);
}

/** Classes per image when the output's dims after the batch are static. */
export function staticClasses(shape: readonly SpecDim[] | undefined): number | undefined {
  if (!shape || shape.length < 2) return undefined;
  const rest = shape.slice(1);
  return rest.every((d) => typeof d === 'number') ? (rest as number[]).reduce((a, b) => a * b, 1) : undefined;
}

/** The input's dims after the batch: as declared when static, else from the spec's layout, else one flat row. */
export function inputDims(shape: readonly SpecDim[] | undefined, per: number, spec: PreprocessingSpec | undefined): number[] {
  const rest = (shape ?? []).slice(1);
  if (rest.length > 0 && rest.every((d) => typeof d === 'number')) return rest as number[];
  if (spec && rest.length === 3) return spec.layout === 'NCHW' ? [spec.channels, spec.height, spec.width] : [spec.height, spec.width, spec.channels];
  if (spec && rest.length === 2) return [spec.height, spec.width];
  return [per];
}
