import { ConvertError } from '../../errors.js';
import { normAxis } from '../../emit/tensor.js';
import { windowAttributes } from '../../layers/window.js';
import { tensorValue, type OpConverter } from '../values.js';
import { checkNhwc, image, spatial, tfWindow } from './conv.js';

/** MaxPool / AvgPool (TF's SAME padding excluded from averages, as ONNX's default). */
function pool(opType: 'MaxPool' | 'AveragePool'): OpConverter {
  return (a) => {
    checkNhwc(a.node.attrs);
    const x = image(a, a.tensor(0));
    const { w, plan } = tfWindow(a, x, spatial(a.node.attrs, 'ksize'), spatial(a.node.attrs, 'strides'), [1, 1]);
    if (plan.pads && plan.pads.some((p) => p !== 0) && a.node.attrs.string('padding', 'VALID') === 'EXPLICIT') throw a.node.attrs.unsupported('explicit padding on a pool');
    const y = a.ctx.op(opType, [a.ctx.nchw(x, a.node.where)], windowAttributes(w, plan, false));
    return tensorValue({ name: y, shape: [x.shape[0], plan.out[0], plan.out[1], x.shape[3]], layout: 'nchw' });
  };
}

/**
 * Mean over constant axes. The spatial mean of an image (axes 1, 2) is GlobalAveragePool; other axes
 * are ReduceMean (axes an input from opset 18, an attribute before).
 */
const mean: OpConverter = (a) => {
  const t = a.tensor(0);
  const rank = t.shape.length;
  const keep = a.node.attrs.bool('keep_dims', false);
  const axes = [...new Set(a.ints(1, 'axes').map((x) => normAxis(x, rank, a.node.where)))].sort();
  if (axes.length === 0) throw new ConvertError('unsupported-op', `${a.node.where}: a Mean over no axes`);
  if (rank === 4 && axes.join() === '1,2') {
    const y = a.ctx.op('GlobalAveragePool', [a.ctx.nchw(t, a.node.where)]);
    if (keep) return tensorValue({ name: y, shape: [t.shape[0], 1, 1, t.shape[3]], layout: 'nchw' });
    return tensorValue({ name: a.ctx.op('Flatten', [y], { axis: 1 }), shape: [t.shape[0], t.shape[3]], layout: 'keras' });
  }
  const x = a.ctx.keras(t);
  const y = a.ctx.reduceMean(x, axes, keep);
  const shape = keep ? t.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : t.shape.filter((_, i) => !axes.includes(i));
  return tensorValue({ name: y, shape, layout: 'keras' });
};

/** Pooling and reduction ops by TensorFlow op name. */
export const POOL_OPS: Readonly<Record<string, OpConverter>> = {
  MaxPool: pool('MaxPool'),
  AvgPool: pool('AveragePool'),
  Mean: mean,
};
