/**
 * The browser half of classify.browser.test.ts: decodes the same PNGs the test decoded in Node, through
 * every browser image kind, preprocesses them with core's code and classifies them on WASM.
 * `__CLASSIFY_PNGS__` (base64 PNGs) is defined by the test when bundling.
 */
import {
  Classifier,
  configureWeb,
  hasImageDecoder,
  registerImageDecoder,
  type ImageInput,
} from '@onnxkit/web';
import { webImageDecoder } from '../../../packages/web/src/image/index.js';
import { report, served } from '../page-api.js';

declare const __CLASSIFY_PNGS__: string[];

const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** Each browser image kind made from one PNG, named. */
async function kinds(png: Uint8Array<ArrayBuffer>): Promise<[string, ImageInput][]> {
  const blob = new Blob([png], { type: 'image/png' });
  const url = URL.createObjectURL(blob);
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const img = new Image();
  img.src = url;
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  const offscreen = new OffscreenCanvas(bitmap.width, bitmap.height);
  offscreen.getContext('2d')!.drawImage(bitmap, 0, 0);
  const imageData = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
  return [
    ['Blob', blob],
    ['Uint8Array', png],
    ['URL', url],
    ['ImageBitmap', bitmap],
    ['HTMLImageElement', img],
    ['HTMLCanvasElement', canvas],
    ['OffscreenCanvas', offscreen],
    ['ImageData', imageData],
  ];
}

report(async () => {
  configureWeb({ wasmPaths: served.ort });
  // @onnxkit/web registers the canvas decoder on import; register it here too until it does.
  if (!hasImageDecoder()) registerImageDecoder(webImageDecoder);
  const clf = await Classifier.load(`${served.repo}models/onnx/mnist-cnn.onnx`, { device: 'wasm' });
  const pngs = __CLASSIFY_PNGS__.map(bytesOf);

  const tensors: Record<string, number[]>[] = [];
  for (const png of pngs) {
    const byKind: Record<string, number[]> = {};
    for (const [kind, input] of await kinds(png)) byKind[kind] = Array.from(await clf.preprocess(input));
    tensors.push(byKind);
  }
  const results = await clf.classify(
    pngs.map((p) => new Blob([p])),
    { topK: 10 },
  );
  const probabilities = results.map((r) => (r.ok ? r.top.map((t) => [t.index, t.probability]) : r.error.message));

  const big = document.createElement('canvas');
  big.width = 300;
  big.height = 200;
  const limited = await Classifier.load(`${served.repo}models/onnx/mnist-cnn.onnx`, { device: 'wasm', maxPixels: 50_000 });
  const mixed = await limited.classify([
    new Blob([pngs[0]]),
    new Blob(['this is not an image']),
    new Blob([]),
    big,
    `${served.repo}no-such-image.png`,
    42 as unknown as ImageInput, // deliberately not an image
    new Blob([pngs[1]]),
  ]);
  await limited.dispose();
  const errors = mixed.map((r) => (r.ok ? `ok ${r.label}` : `${r.error.code}: ${r.error.message}`));
  await clf.dispose();
  return { device: clf.device, decoder: webImageDecoder.name, tensors, probabilities, errors };
});
