import type { PartialPreprocessingSpec } from '../classify/metadata/preprocessing-spec.js';

/** Options of {@link convertKeras}. */
export interface ConvertOptions {
  /**
   * Layout of image inputs. `NHWC` keeps Keras's contract ([N, H, W, C], or [N, H, W] when the model
   * takes that); `NCHW` exposes [N, C, H, W] (a [N, H, W] input becomes [N, 1, H, W]).
   * @defaultValue 'NHWC'
   */
  layout?: 'NHWC' | 'NCHW';
  /** ONNX opset of the default domain, 13 to 21. @defaultValue 17 */
  opset?: number;
  /**
   * Which Keras outputs become ONNX outputs: all of them, only the last (the prediction of the
   * multi-output TF.js models that expose intermediate layers), or these output names.
   * @defaultValue 'all'
   */
  outputs?: 'all' | 'last' | readonly string[];
  /**
   * Overrides of the preprocessing spec (`onnxkit.preprocessing`) inferred from the image input: 28×28×1
   * → the MNIST preset, else a plain resize; scale [0, 1], or [0, 255] when the model starts with
   * Rescaling(1/255). Null writes none.
   * @defaultValue inferred
   */
  preprocessing?: PartialPreprocessingSpec | null;
  /** Class names, stored as metadata_props `onnxkit.labels`. @defaultValue none */
  labels?: readonly string[];
  /** The model's name in its card. @defaultValue the Keras model's name */
  name?: string;
}

/** Lowest and highest opset the converter emits. */
export const CONVERT_OPSETS = { min: 13, max: 21 } as const;

/** Checks option kinds and ranges. */
export function checkConvertOptions(options: ConvertOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('convertKeras: options must be an object');
  const { layout, opset, outputs, labels, name, preprocessing } = options;
  if (layout !== undefined && layout !== 'NHWC' && layout !== 'NCHW') throw new RangeError(`convertKeras: 'layout' must be 'NHWC' or 'NCHW', got ${JSON.stringify(layout)}`);
  if (opset !== undefined) {
    if (typeof opset !== 'number') throw new TypeError(`convertKeras: 'opset' must be a number`);
    if (!Number.isInteger(opset) || opset < CONVERT_OPSETS.min || opset > CONVERT_OPSETS.max) {
      throw new RangeError(`convertKeras: 'opset' must be an integer from ${CONVERT_OPSETS.min} to ${CONVERT_OPSETS.max}, got ${opset}`);
    }
  }
  if (outputs !== undefined && outputs !== 'all' && outputs !== 'last' && !(Array.isArray(outputs) && outputs.every((o) => typeof o === 'string'))) {
    throw new TypeError(`convertKeras: 'outputs' must be 'all', 'last' or an array of output names`);
  }
  if (labels !== undefined && !(Array.isArray(labels) && labels.every((l) => typeof l === 'string'))) throw new TypeError(`convertKeras: 'labels' must be an array of strings`);
  if (name !== undefined && typeof name !== 'string') throw new TypeError(`convertKeras: 'name' must be a string`);
  if (preprocessing !== undefined && preprocessing !== null && typeof preprocessing !== 'object') throw new TypeError(`convertKeras: 'preprocessing' must be an object or null`);
}
