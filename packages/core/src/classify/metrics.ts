/** Precision, recall and F1 of one class. */
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Examples of this class in the data. */
  support: number;
}

/** Classification quality of predictions against true labels. */
export interface ClassificationReport {
  accuracy: number;
  /** Examples scored. */
  count: number;
  perClass: ClassMetrics[];
  /** `confusion[true][predicted]` counts. */
  confusion: number[][];
  labels: string[];
}

/** Index of the largest of `classes` scores starting at `offset` (first one wins ties). */
export function argmax(scores: ArrayLike<number>, offset = 0, classes = scores.length - offset): number {
  let best = 0;
  for (let j = 1; j < classes; j++) if (scores[offset + j] > scores[offset + best]) best = j;
  return best;
}

/**
 * Accuracy, per-class precision/recall/F1 and the confusion matrix. A class never predicted has
 * precision 0 (not NaN), so reports stay JSON-friendly.
 */
export function classificationReport(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>, labels: readonly string[]): ClassificationReport {
  if (trueLabels.length !== predicted.length) {
    throw new RangeError(`classificationReport: ${trueLabels.length} true labels but ${predicted.length} predictions`);
  }
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < trueLabels.length; i++) {
    const t = trueLabels[i];
    const p = predicted[i];
    if (!(t >= 0 && t < k && p >= 0 && p < k)) throw new RangeError(`classificationReport: label ${t} or prediction ${p} at ${i} is outside 0..${k - 1}`);
    confusion[t][p]++;
    if (t === p) correct++;
  }
  const perClass = labels.map((label, c) => {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predictedC = confusion.reduce((a, row) => a + row[c], 0);
    const precision = predictedC ? tp / predictedC : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  return { accuracy: trueLabels.length ? correct / trueLabels.length : 0, count: trueLabels.length, perClass, confusion, labels: [...labels] };
}

/** The report as a fixed-width text table with the confusion matrix. */
export function formatReport(report: ClassificationReport): string {
  const w = Math.max(5, ...report.labels.map((l) => l.length));
  const lines = [`accuracy ${(report.accuracy * 100).toFixed(2)}% on ${report.count} examples`, ''];
  lines.push(`${'class'.padEnd(w)}  precision  recall     f1  support`);
  for (const c of report.perClass) {
    lines.push(`${c.label.padEnd(w)}  ${c.precision.toFixed(4).padStart(9)}  ${c.recall.toFixed(4).padStart(6)}  ${c.f1.toFixed(4)}  ${String(c.support).padStart(7)}`);
  }
  lines.push('', 'confusion matrix (rows: true, columns: predicted)');
  const cw = Math.max(4, ...report.confusion.flat().map((v) => String(v).length + 1));
  lines.push(`${''.padEnd(w)} ${report.labels.map((l) => l.slice(0, cw - 1).padStart(cw)).join('')}`);
  report.confusion.forEach((row, i) => lines.push(`${report.labels[i].padEnd(w)} ${row.map((v) => String(v).padStart(cw)).join('')}`));
  return lines.join('\n');
}
