// Runs in a worker thread of `createImagePool`: decodes one image and preprocesses it into its row.
import { ImageError, preprocessInto, valuesPerImage, type PreprocessingSpec, type RawImage } from '@onnxkit/core';
import { Piscina } from 'piscina';
import { decodeWithSharp } from '../image/sharp-decoder.js';

/** One task: the image (a path, bytes or raw pixels), its description, the spec and the pixel limit. */
export interface ImagePoolTask {
  image: string | Uint8Array | RawImage;
  source: string;
  spec: PreprocessingSpec;
  maxPixels: number;
}

/** The row (transferred, not copied), or the image's error as plain data (a cloned ImageError loses its class and code). */
export type ImagePoolReply = Float32Array | { code: ImageError['code']; message: string };

/** Decodes and preprocesses one image; never throws for a bad image (its error is returned). `'ping'` (from `ready()`) is answered as is. */
export default async function preprocessTask(task: ImagePoolTask | 'ping'): Promise<ImagePoolReply | 'ping'> {
  if (task === 'ping') return task;
  try {
    const raw = typeof task.image === 'string' || task.image instanceof Uint8Array ? await decodeWithSharp(task.image, { maxPixels: task.maxPixels }) : task.image;
    const row = new Float32Array(valuesPerImage(task.spec));
    preprocessInto(raw, task.spec, row, 0, task.source, task.maxPixels);
    return Piscina.move(row) as Float32Array;
  } catch (e) {
    if (e instanceof ImageError) return { code: e.code, message: e.message.slice(`${e.source}: `.length) };
    return { code: 'not-an-image', message: e instanceof Error ? e.message : String(e) };
  }
}
