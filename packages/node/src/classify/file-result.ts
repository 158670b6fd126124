import type { ClassifyResult, Prediction } from '@onnxkit/core';

/** One image's result named by its file, as `onnxkit classify` reports it and each JSON line holds it. */
export type ClassifyFileResult =
  | { file: string; ok: true; label: string; index: number; probability: number; top: Prediction[] }
  | { file: string; ok: false; code: string; error: string };

/** One result as the report (and each JSON line) gives it, named by `file`. */
export function toFileResult(r: ClassifyResult, file: string): ClassifyFileResult {
  return r.ok
    ? { file, ok: true, label: r.label, index: r.index, probability: r.probability, top: [...r.top] }
    : { file, ok: false, code: r.error.code, error: withoutSource(r.error.message, r.error.source) };
}

/** The file is printed next to its error already. */
function withoutSource(message: string, source: string): string {
  return message.startsWith(`${source}: `) ? message.slice(source.length + 2) : message;
}
