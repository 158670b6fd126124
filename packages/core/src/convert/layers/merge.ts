import { ConvertError } from '../errors.js';
import { formatShape } from '../emit/context.js';
import { NCHW_AXIS, normAxis, type KTensor } from '../emit/tensor.js';
import type { LayerArgs, LayerConverter } from './types.js';

function atLeastTwo(inputs: KTensor[], a: LayerArgs): void {
  if (inputs.length < 2) throw new ConvertError('invalid-config', `${a.where}: a merge layer needs at least 2 inputs, got ${inputs.length}`);
}

/** Shapes of equal rank, unknown sizes matched by the known ones (Keras merges equal shapes). */
function mergedShape(inputs: KTensor[], a: LayerArgs): (number | null)[] {
  const rank = inputs[0].shape.length;
  if (inputs.some((t) => t.shape.length !== rank)) {
    throw a.cfg.unsupported(`merging shapes of different ranks (${inputs.map((t) => formatShape(t.shape)).join(', ')})`);
  }
  return inputs[0].shape.map((_, i) => {
    const sizes = inputs.map((t) => t.shape[i]).filter((d): d is number => d !== null);
    const max = sizes.length ? Math.max(...sizes) : null;
    if (sizes.some((d) => d !== max && d !== 1)) throw a.cfg.unsupported(`merging shapes ${inputs.map((t) => formatShape(t.shape)).join(', ')}`);
    return max;
  });
}

/** An elementwise merge as a chain of binary ops (no n-ary Sum: it is not portable to WebGPU). */
function elementwise(opType: 'Add' | 'Mul' | 'Sub', average = false): LayerConverter {
  return (inputs, a) => {
    atLeastTwo(inputs, a);
    if (opType === 'Sub' && inputs.length !== 2) throw new ConvertError('invalid-config', `${a.where}: Subtract takes exactly 2 inputs`);
    const shape = mergedShape(inputs, a);
    const { names, layout } = a.ctx.common(inputs);
    let y = names.reduce((acc, x) => a.ctx.op(opType, [acc, x]));
    if (average) y = a.ctx.op('Mul', [y, a.ctx.floats('inv_count', [1 / inputs.length], [])]);
    return { name: y, shape, layout };
  };
}

/** `Concatenate(axis)`: the Keras axis mapped to the layout the inputs are held in. */
const concatenate: LayerConverter = (inputs, a) => {
  atLeastTwo(inputs, a);
  const rank = inputs[0].shape.length;
  if (inputs.some((t) => t.shape.length !== rank)) throw a.cfg.unsupported('concatenating tensors of different ranks');
  const axis = normAxis(a.cfg.int('axis', -1), rank, a.where);
  const shape = inputs[0].shape.map((d, i) => {
    if (i !== axis) return d;
    const sizes = inputs.map((t) => t.shape[i]);
    return sizes.every((s) => s !== null) ? (sizes as number[]).reduce((p, s) => p + s, 0) : null;
  });
  const { names, layout } = a.ctx.common(inputs);
  const y = a.ctx.op('Concat', names, { axis: layout === 'nchw' ? NCHW_AXIS[axis] : axis });
  return { name: y, shape, layout };
};

/** Merge layers by Keras class name. */
export const MERGE_LAYERS: Readonly<Record<string, LayerConverter>> = {
  Add: elementwise('Add'),
  Multiply: elementwise('Mul'),
  Subtract: elementwise('Sub'),
  Average: elementwise('Add', true),
  Concatenate: concatenate,
};
