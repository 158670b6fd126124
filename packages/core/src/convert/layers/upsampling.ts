import { permuteData } from './permute-data.js';
import { activationName, applyActivation } from './activations.js';
import { imageShape, single, type LayerConverter } from './types.js';
import { checkChannelsLast, readPadding } from './window.js';

/**
 * `Conv2DTranspose` → ConvTranspose. Keras's kernel [kh, kw, filters, in] becomes ONNX's
 * [in, filters, kh, kw]. The output size follows Keras (`valid`: in·s + max(k − s, 0); `same`: in·s),
 * cropped as TensorFlow crops the full transpose (the smaller half of the padding first), with
 * `output_padding` where the full result is shorter than that.
 */
const conv2dTranspose: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const shape = imageShape(t, a);
  const padding = readPadding(a.cfg);
  const kernel = a.cfg.pair('kernel_size');
  const strides = a.cfg.pair('strides', [1, 1]);
  const dilations = a.cfg.pair('dilation_rate', [1, 1]);
  if (a.cfg.has('output_padding')) throw a.cfg.unsupported('output_padding');
  if (dilations.some((d) => d !== 1)) throw a.cfg.unsupported('dilation_rate > 1');
  const filters = a.cfg.int('filters');
  const useBias = a.cfg.bool('use_bias', true);
  const inC = shape[3];
  const values = a.ctx.weights(a.layer, [{ name: 'kernel', shape: [kernel[0], kernel[1], filters, inC] }, ...(useBias ? [{ name: 'bias', shape: [filters] }] : [])]);
  const k = values[0];
  const weight = a.ctx.param(a.layer.name, 'kernel', [k.shape[3], k.shape[2], k.shape[0], k.shape[1]], permuteData(k.data, k.shape, [3, 2, 0, 1]));
  const bias = useBias ? a.ctx.param(a.layer.name, 'bias', [filters], values[1].data) : undefined;
  const begin: number[] = [];
  const end: number[] = [];
  const extra: number[] = [];
  const out = [0, 1].map((i) => {
    const n = shape[1 + i];
    if (n === null) throw a.cfg.unsupported('an input of unknown height or width');
    const full = (n - 1) * strides[i] + kernel[i];
    const size = padding === 'valid' ? n * strides[i] + Math.max(kernel[i] - strides[i], 0) : n * strides[i];
    const crop = Math.max(full - size, 0);
    begin.push(Math.floor(crop / 2));
    end.push(crop - Math.floor(crop / 2));
    extra.push(Math.max(size - full, 0));
    return size;
  });
  const y = a.ctx.op('ConvTranspose', [a.ctx.nchw(t, a.where), weight, ...(bias ? [bias] : [])], {
    kernel_shape: kernel,
    strides,
    pads: [...begin, ...end],
    ...(extra.some((e) => e) ? { output_padding: extra } : {}),
  });
  const result = { name: y, shape: [shape[0], out[0], out[1], filters], layout: 'nchw' as const };
  return applyActivation(activationName(a.layer.config.activation), result, a.ctx, a.where);
};

/** `UpSampling2D(size, interpolation)` → Resize: nearest repeats each pixel; bilinear samples at half-pixel centres as tf.image.resize does. */
const upSampling2d: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const shape = imageShape(t, a);
  checkChannelsLast(a.cfg);
  const [sh, sw] = a.cfg.pair('size', [2, 2]);
  const interpolation = a.cfg.string('interpolation', 'nearest');
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') throw a.cfg.unsupported(`interpolation '${interpolation}'`);
  const attrs =
    interpolation === 'nearest'
      ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
      : { mode: 'linear', coordinate_transformation_mode: 'half_pixel' };
  const y = a.ctx.op('Resize', [a.ctx.nchw(t, a.where), '', a.ctx.floats('scales', [1, 1, sh, sw])], attrs);
  const times = (n: number | null, s: number) => (n === null ? null : n * s);
  return { name: y, shape: [shape[0], times(shape[1], sh), times(shape[2], sw), shape[3]], layout: 'nchw' };
};

/** Transposed convolution and upsampling layers by Keras class name. */
export const UPSAMPLING_LAYERS: Readonly<Record<string, LayerConverter>> = {
  Conv2DTranspose: conv2dTranspose,
  Convolution2DTranspose: conv2dTranspose,
  UpSampling2D: upSampling2d,
};
