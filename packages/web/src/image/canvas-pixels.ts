import { checkPixelCount, type RawImage } from '@onnxkit/core';

type Canvas2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** A 2D canvas of `width` x `height`: an OffscreenCanvas where there is one (workers too), else a DOM canvas. */
function scratchContext(width: number, height: number): Canvas2D {
  if (typeof OffscreenCanvas !== 'undefined') {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  if (typeof document !== 'undefined') {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  throw new Error('no 2D canvas is available here (neither OffscreenCanvas nor document)');
}

/** Pixels of anything a 2D canvas can draw, at its natural size, after checking the pixel limit. */
export function drawnPixels(
  drawable: CanvasImageSource,
  width: number,
  height: number,
  source: string,
  maxPixels: number,
): RawImage {
  checkPixelCount(width, height, source, maxPixels);
  const ctx = scratchContext(width, height);
  ctx.drawImage(drawable, 0, 0, width, height);
  return imageDataPixels(ctx.getImageData(0, 0, width, height));
}

/** An ImageData as a 4-channel raw image (its buffer is shared, not copied). */
export function imageDataPixels(data: ImageData): RawImage {
  return { width: data.width, height: data.height, channels: 4, data: data.data };
}

/** Reads a canvas's own pixels when it has a 2D context, else (WebGL/bitmap canvases) draws it. */
export function canvasPixels(canvas: HTMLCanvasElement | OffscreenCanvas, source: string, maxPixels: number): RawImage {
  checkPixelCount(canvas.width, canvas.height, source, maxPixels);
  let ctx: Canvas2D | null = null;
  try {
    // getContext('2d') returns null on a canvas that already has another context type.
    ctx = canvas.getContext('2d', { willReadFrequently: true }) as Canvas2D | null;
  } catch {
    ctx = null;
  }
  if (ctx) return imageDataPixels(ctx.getImageData(0, 0, canvas.width, canvas.height));
  return drawnPixels(canvas, canvas.width, canvas.height, source, maxPixels);
}
