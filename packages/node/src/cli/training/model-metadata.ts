import type { Model } from '@onnxkit/core';

/** Metadata keys onnxkit's shipped models carry (see models/onnx/*.md). */
export const LABELS_KEY = 'onnxkit.labels';
export const PREPROCESSING_KEY = 'onnxkit.preprocessing';
export const CARD_KEY = 'onnxkit.card';

/** The model's class names from `onnxkit.labels`, when present and well-formed. */
export function modelLabels(model: Model): string[] | undefined {
  const raw = model.metadata[LABELS_KEY];
  if (!raw) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Class names for `classes` outputs: the first candidate of the right length, else `0`, `1`, …. */
export function pickLabels(classes: number, ...candidates: (readonly string[] | undefined)[]): string[] {
  for (const c of candidates) if (c && c.length === classes) return [...c];
  return Array.from({ length: classes }, (_, i) => String(i));
}
