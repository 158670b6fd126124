/**
 * The onnxkit runtime a `onnxkit pack --target browser-wasm|browser-webgpu` folder ships, bundled into
 * one ESM file with onnxruntime-web (its .wasm sits next to it).
 *
 *   import { loadClassifier, rawFromImageData } from './onnxkit.mjs';
 *   const clf = await loadClassifier();
 *   const { label } = await clf.classify(rawFromImageData(ctx.getImageData(0, 0, w, h)));
 */
import { Classifier, configureWeb, type ClassifierOptions, type DeviceOption, type RawImage } from '@onnxkit/web';

/** Replaced at bundle time: 'wasm' for browser-wasm, 'auto' (WebGPU, then WASM) for browser-webgpu. */
declare const __ONNXKIT_PACK_DEVICE__: DeviceOption;

export { Classifier, createSession } from '@onnxkit/web';

/** Where this file (and so the model and ORT's .wasm) is served from. */
const HERE = new URL('./', import.meta.url).href;
let configured = false;

/** Loads the packed model as a classifier (labels and preprocessing from its metadata). */
export function loadClassifier(options: ClassifierOptions = {}): Promise<Classifier> {
  if (!configured) {
    // ORT finds its .wasm next to this bundle, wherever the folder is served.
    configureWeb({ wasmPaths: HERE });
    configured = true;
  }
  return Classifier.load(new URL('model.onnx', HERE).href, { device: __ONNXKIT_PACK_DEVICE__, ...options });
}

/** A canvas ImageData as raw RGBA pixels the classifier takes. */
export function rawFromImageData(image: ImageData): RawImage {
  return { width: image.width, height: image.height, channels: 4, data: image.data };
}
