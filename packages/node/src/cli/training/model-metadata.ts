/** Metadata keys and the labels reader come from core's one metadata-keys module and `getLabels`. */
export { CARD_KEY, LABELS_KEY, PREPROCESSING_KEY, getLabels as modelLabels } from '@onnxkit/core';

/** Class names for `classes` outputs: the first candidate of the right length, else `0`, `1`, …. */
export function pickLabels(classes: number, ...candidates: (readonly string[] | undefined)[]): string[] {
  for (const c of candidates) if (c && c.length === classes) return [...c];
  return Array.from({ length: classes }, (_, i) => String(i));
}
