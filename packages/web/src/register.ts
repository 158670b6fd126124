import { registerImageDecoder, registerRuntime, type Runtime } from '@onnxkit/core';
import { webImageDecoder } from './image/index.js';

/**
 * What importing a build of @onnxkit/web does: registers its runtime and the browser image decoder
 * (ImageData, canvas, Blob, … for classifiers), so both entry points set up the same platform.
 */
export function registerWebPlatform(runtime: Runtime): void {
  registerRuntime(runtime);
  registerImageDecoder(webImageDecoder);
}
