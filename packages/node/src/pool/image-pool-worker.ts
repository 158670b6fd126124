// Runs in a worker thread of `createImagePool`: decodes one image and preprocesses it into its row.
import { threadId } from 'node:worker_threads';
import { ImageError, preprocessInto, valuesPerImage, type PreprocessingSpec, type RawImage } from '@onnxkit/core';
import { Piscina } from 'piscina';
import { imageByteLimit, readImageFileSync } from '../image/read-input.js';
import { decodeWithSharp } from '../image/sharp-decoder.js';
import { warmUpSamples, type WarmUpSample } from './warm-up-samples.js';

/** One task: the image (a path, bytes or raw pixels), its description, the spec and the pixel limit. */
export interface ImagePoolTask {
  image: string | Uint8Array | RawImage;
  source: string;
  spec: PreprocessingSpec;
  maxPixels: number;
}

/** Runs the built-in sample photos `rounds` times with `spec` (from `warmUp()`). */
export interface WarmUpTask {
  warmUp: PreprocessingSpec;
  rounds: number;
}

/** The row (transferred, not copied), or the image's error as plain data (a cloned ImageError loses its class and code). */
export type ImagePoolReply = Float32Array | { code: ImageError['code']; message: string };

/** What a warm-up task answers: the worker's thread id (each worker should get one task). */
export interface WarmUpReply {
  warmed: number;
}

/** The sample photos, made on the first warm-up task. */
let samples: Promise<WarmUpSample[]> | undefined;

/**
 * Decodes and preprocesses one image; never throws for a bad image (its error is returned). `'ping'`
 * (from `ready()`) is answered as is; a warm-up task runs the samples and answers the thread id.
 */
export default async function preprocessTask(task: ImagePoolTask | WarmUpTask | 'ping'): Promise<ImagePoolReply | WarmUpReply | 'ping'> {
  if (task === 'ping') return task;
  if ('warmUp' in task) return warmUp(task);
  try {
    const { image, maxPixels } = task;
    // A path is read here, synchronously (see readImageFileSync), with the limit decodeWithSharp applies.
    const bytes = typeof image === 'string' ? readImageFileSync(image, imageByteLimit(maxPixels)) : image;
    const raw = bytes instanceof Uint8Array ? await decodeWithSharp(bytes, { maxPixels }) : bytes;
    const row = new Float32Array(valuesPerImage(task.spec));
    preprocessInto(raw, task.spec, row, 0, task.source, task.maxPixels);
    return Piscina.move(row) as Float32Array;
  } catch (e) {
    if (e instanceof ImageError) return { code: e.code, message: e.message.slice(`${e.source}: `.length) };
    return { code: 'not-an-image', message: e instanceof Error ? e.message : String(e) };
  }
}

/** The same decode and preprocessing code as real images, so that V8 has optimised it before they come. */
async function warmUp(task: WarmUpTask): Promise<WarmUpReply> {
  samples ??= warmUpSamples();
  const list = await samples;
  const row = new Float32Array(valuesPerImage(task.warmUp));
  for (let round = 0; round < task.rounds; round++) {
    for (const s of list) {
      const raw = await decodeWithSharp(s.bytes, { maxPixels: 1 << 20 });
      preprocessInto(raw, task.warmUp, row, 0, s.source, 1 << 20);
    }
  }
  return { warmed: threadId };
}
