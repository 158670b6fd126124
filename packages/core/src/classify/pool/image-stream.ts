/**
 * Whether `images` is a stream of images for `Classifier.classify`: an async iterable that is not itself
 * one image given as a byte stream (a Node readable stream has `pipe`, a web ReadableStream `getReader`).
 */
export function isImageStream(images: unknown): images is AsyncIterable<unknown> {
  if (images === null || typeof images !== 'object') return false;
  const o = images as Record<string | symbol, unknown>;
  if (typeof o[Symbol.asyncIterator] !== 'function') return false;
  return typeof o.pipe !== 'function' && typeof o.getReader !== 'function';
}
