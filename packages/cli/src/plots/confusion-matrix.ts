import type { ClassificationReport } from '@onnxkit/core';
import type { TopLevelSpec } from 'vega-lite';

/** Options of {@link confusionMatrixSpec}. */
export interface ConfusionMatrixOptions {
  /** Title above the matrix. @defaultValue 'Confusion matrix (accuracy …)' */
  title?: string;
}

/**
 * A confusion matrix as a Vega-Lite heat map: rows are true classes, columns predicted ones, each
 * cell shows its count; colour is the share of the row (the class's recall on the diagonal).
 */
export function confusionMatrixSpec(report: ClassificationReport, options: ConfusionMatrixOptions = {}): TopLevelSpec {
  if (!report || !Array.isArray(report.confusion)) throw new TypeError('confusionMatrixSpec: report must be a classification report');
  const labels = report.labels;
  const cells = report.confusion.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({ actual: labels[t], predicted: labels[p], count, share: total ? count / total : 0 }));
  });
  const size = Math.max(200, Math.min(600, labels.length * 36));
  const axis = (title: string, field: 'actual' | 'predicted') => ({ field, type: 'ordinal' as const, sort: labels, title });
  // Long class names would overlap across the top: slant them.
  const slant = Math.max(...labels.map((l) => l.length)) > 3;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? `Confusion matrix (accuracy ${(report.accuracy * 100).toFixed(2)}% on ${report.count} examples)`,
    background: 'white',
    width: size,
    height: size,
    data: { values: cells },
    encoding: { x: { ...axis('predicted', 'predicted'), axis: slant ? { orient: 'top', labelAngle: -40, labelAlign: 'left' } : { orient: 'top', labelAngle: 0 } }, y: axis('true', 'actual') },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: { field: 'share', type: 'quantitative', title: 'share of row', scale: { domain: [0, 1], range: ['#ffffff', '#08519c'], interpolate: 'rgb' }, legend: { format: '.0%' } },
        },
      },
      {
        mark: { type: 'text', fontSize: labels.length > 15 ? 8 : 11 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}
