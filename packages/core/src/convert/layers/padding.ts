import { ConvertError } from '../errors.js';
import type { KTensor } from '../emit/tensor.js';
import { imageShape, single, type LayerArgs, type LayerConverter } from './types.js';
import { checkChannelsLast } from './window.js';

/** `n`, `[h, w]` or `[[top, bottom], [left, right]]` → [top, bottom, left, right]. */
function fourSides(a: LayerArgs, key: string): [number, number, number, number] {
  const v = a.layer.config[key];
  const int = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  if (int(v)) return [v as number, v as number, v as number, v as number];
  if (Array.isArray(v) && v.length === 2) {
    if (v.every(int)) return [v[0], v[0], v[1], v[1]];
    if (v.every((p) => Array.isArray(p) && p.length === 2 && p.every(int))) return [v[0][0], v[0][1], v[1][0], v[1][1]];
  }
  throw new ConvertError('invalid-config', `${a.where}: config '${key}' must be n, [h, w] or [[top, bottom], [left, right]], got ${JSON.stringify(v)}`);
}

/** A constant Pad on whichever layout `t` is held in; negative sides crop (ONNX Pad allows it). */
function pad(a: LayerArgs, t: KTensor, [top, bottom, left, right]: number[], sign: 1 | -1): KTensor {
  const shape = imageShape(t, a);
  const s = (n: number) => n * sign;
  const pads = t.layout === 'nchw' ? [0, 0, s(top), s(left), 0, 0, s(bottom), s(right)] : [0, s(top), s(left), 0, 0, s(bottom), s(right), 0];
  const y = a.ctx.op('Pad', [t.name, a.ctx.ints('pads', pads)], { mode: 'constant' });
  const size = (n: number | null, before: number, after: number) => (n === null ? null : n + s(before) + s(after));
  const h = size(shape[1], top, bottom);
  const w = size(shape[2], left, right);
  if ((h !== null && h <= 0) || (w !== null && w <= 0)) throw new ConvertError('invalid-config', `${a.where}: cropping leaves nothing of a ${shape[1]}×${shape[2]} input`);
  return { name: y, shape: [shape[0], h, w, shape[3]], layout: t.layout };
}

/** `ZeroPadding2D`. */
const zeroPadding2d: LayerConverter = (inputs, a) => {
  checkChannelsLast(a.cfg);
  return pad(a, single(inputs, a), fourSides(a, 'padding'), 1);
};

/** `Cropping2D`: a Pad with negative pads, which has a gradient rule (Slice has none). */
const cropping2d: LayerConverter = (inputs, a) => {
  checkChannelsLast(a.cfg);
  return pad(a, single(inputs, a), fourSides(a, 'cropping'), -1);
};

/** Padding layers by Keras class name. */
export const PADDING_LAYERS: Readonly<Record<string, LayerConverter>> = {
  ZeroPadding2D: zeroPadding2d,
  Cropping2D: cropping2d,
};
