import { encodeModel } from '../onnx/codec/model-codec.js';
import type { Model } from '../onnx/ir.js';
import { createSession } from '../runtime/session.js';
import type { DeviceOption } from '../runtime/device.js';
import { calibrationFeeds, type CalibrationSource } from './calibration-data.js';
import { entropyThreshold, Histogram, percentileRange } from './histogram.js';

/** How activation ranges are chosen from the calibration data. */
export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy';

/** Options of {@link calibrate}. */
export interface CalibrateOptions {
  /** @defaultValue 'minmax' */
  method?: CalibrationMethod;
  /** Share of values kept by `percentile`. @defaultValue 99.999 */
  percentile?: number;
  /** Images per run. @defaultValue 64 */
  batchSize?: number;
  /** Most images used from an image dataset. @defaultValue 512 */
  limit?: number;
  /** Device the float model runs on while calibrating. @defaultValue 'cpu' */
  device?: DeviceOption;
}

/** The calibrated range of each tensor, by name: [min, max]. */
export type TensorRanges = Record<string, [number, number]>;

/**
 * Runs the float model on the calibration data with `tensors` exposed as extra outputs and returns a
 * range for each: the observed min/max (`minmax`), the range keeping `percentile` % of the values, or
 * the KL-optimal clipping threshold (`entropy`). The two histogram methods take a second pass.
 */
export async function calibrate(model: Model, tensors: readonly string[], source: CalibrationSource, options: CalibrateOptions = {}): Promise<TensorRanges> {
  const method = options.method ?? 'minmax';
  const batchSize = options.batchSize ?? 64;
  const limit = options.limit ?? 512;
  const percentile = options.percentile ?? 99.999;
  if (!['minmax', 'percentile', 'entropy'].includes(method)) throw new RangeError(`calibrate: method must be minmax, percentile or entropy, got '${String(method)}'`);
  if (!(percentile > 50 && percentile <= 100)) throw new RangeError(`calibrate: percentile must be in (50, 100], got ${percentile}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`calibrate: batchSize must be a positive integer, got ${batchSize}`);

  // Graph inputs are read from the feeds: ORT cannot return an input as an output.
  const inputs = new Set(model.graph.inputs.map((v) => v.name));
  const fetched = tensors.filter((t) => !inputs.has(t));
  const probe: Model = {
    ...model,
    graph: {
      ...model.graph,
      outputs: [
        ...model.graph.outputs,
        ...tensors
          .filter((t) => !model.graph.outputs.some((o) => o.name === t) && !inputs.has(t))
          .map((name) => ({ name, type: { kind: 'tensor' as const, dtype: 'float32' as const } })),
      ],
    },
  };
  const session = await createSession(encodeModel(probe), { device: options.device ?? 'cpu' });
  try {
    const pass = async (visit: (name: string, data: Float32Array) => void) => {
      let runs = 0;
      for (const feeds of calibrationFeeds(model, source, batchSize, limit)) {
        const out = fetched.length > 0 ? await session.run(feeds, { outputs: fetched }) : {};
        for (const name of tensors) {
          const data = inputs.has(name) ? feeds[name]?.data : await out[name].getData();
          if (!(data instanceof Float32Array)) throw new TypeError(`calibrate: '${name}' is not a float32 tensor`);
          visit(name, data);
        }
        runs++;
      }
      if (runs === 0) throw new RangeError('calibrate: the calibration data is empty');
    };
    const ranges: TensorRanges = {};
    await pass((name, data) => {
      let [lo, hi] = ranges[name] ?? [Infinity, -Infinity];
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      ranges[name] = [lo, hi];
    });
    if (method === 'minmax') return ranges;

    const histograms = new Map<string, Histogram>();
    for (const name of tensors) {
      const [lo, hi] = ranges[name];
      // Entropy works on |x| (a symmetric threshold); percentile on the values themselves.
      histograms.set(name, method === 'entropy' ? new Histogram(0, Math.max(Math.abs(lo), Math.abs(hi))) : new Histogram(lo, hi));
    }
    await pass((name, data) => {
      const h = histograms.get(name)!;
      // Exact zeros (most of a ReLU output) quantize exactly whatever the threshold: they must not pull it down.
      h.add(data, method === 'entropy', method === 'entropy');
    });
    const out: TensorRanges = {};
    for (const name of tensors) {
      const [lo, hi] = ranges[name];
      const h = histograms.get(name)!;
      if (method === 'percentile') {
        const [a, b] = percentileRange(h, percentile);
        out[name] = [Math.max(lo, a), Math.min(hi, b)];
      } else {
        const t = entropyThreshold(h, lo >= 0 ? 256 : 128);
        out[name] = [Math.max(lo, -t), Math.min(hi, t)];
      }
    }
    return out;
  } finally {
    await session.release();
  }
}
