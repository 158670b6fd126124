import type { ConfigReader } from '../topology/config-values.js';

/** A 2-D sliding window (convolution or pooling) as Keras configures it. */
export interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  padding: 'valid' | 'same';
}

/** ONNX attributes and output size of a window over a known or unknown input size. */
export interface WindowPlan {
  /** `pads` (begin h, begin w, end h, end w), or undefined when `autoPad` is used. */
  pads?: number[];
  /** `SAME_UPPER` when an input size is unknown and padding is `same` (TF's rule, decided at run time). */
  autoPad?: 'SAME_UPPER';
  out: [number | null, number | null];
}

/** Throws unless the layer's `data_format` is channels-last (the Keras default). */
export function checkChannelsLast(cfg: ConfigReader): void {
  const dataFormat = cfg.config.data_format;
  if (dataFormat !== undefined && dataFormat !== null && dataFormat !== 'channels_last') {
    throw cfg.unsupported(`data_format '${String(dataFormat)}' (only channels_last)`);
  }
}

/** Reads `padding` and checks `data_format` (channels-last only). */
export function readPadding(cfg: ConfigReader): 'valid' | 'same' {
  checkChannelsLast(cfg);
  const padding = cfg.string('padding', 'valid').toLowerCase();
  if (padding !== 'valid' && padding !== 'same') throw cfg.unsupported(`padding '${padding}'`);
  return padding;
}

/**
 * Plans a window the way TensorFlow does. `same`: output ⌈in/stride⌉, total padding
 * max((out − 1)·stride + (k − 1)·dilation + 1 − in, 0), the odd pixel at the end (bottom/right) — the
 * asymmetric padding ONNX's symmetric Conv needs spelled out as explicit begin/end pads.
 */
export function planWindow(w: Window, size: [number | null, number | null]): WindowPlan {
  const eff = [0, 1].map((i) => (w.kernel[i] - 1) * w.dilations[i] + 1);
  if (w.padding === 'valid') {
    const out = size.map((n, i) => (n === null ? null : Math.floor((n - eff[i]) / w.strides[i]) + 1)) as [number | null, number | null];
    return { pads: [0, 0, 0, 0], out };
  }
  const out = size.map((n, i) => (n === null ? null : Math.ceil(n / w.strides[i]))) as [number | null, number | null];
  if (size[0] === null || size[1] === null) return { autoPad: 'SAME_UPPER', out };
  const total = [0, 1].map((i) => Math.max((out[i]! - 1) * w.strides[i] + eff[i] - size[i]!, 0));
  const begin = total.map((t) => Math.floor(t / 2));
  return { pads: [begin[0], begin[1], total[0] - begin[0], total[1] - begin[1]], out };
}

/** ONNX window attributes from a plan. */
export function windowAttributes(w: Window, plan: WindowPlan, withDilations: boolean): Record<string, number[] | string> {
  const attrs: Record<string, number[] | string> = { kernel_shape: [...w.kernel], strides: [...w.strides] };
  if (withDilations) attrs.dilations = [...w.dilations];
  if (plan.pads) attrs.pads = plan.pads;
  else if (plan.autoPad) attrs.auto_pad = plan.autoPad;
  return attrs;
}
