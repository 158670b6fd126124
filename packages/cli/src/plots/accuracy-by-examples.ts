import type { TopLevelSpec } from 'vega-lite';

/** One point of {@link accuracyByExamplesSpec}: a method's accuracy with so many examples per class. */
export interface AccuracyPoint {
  method: string;
  examplesPerClass: number;
  /** The accuracy drawn (e.g. the mean over repeats). */
  accuracy: number;
  /** The range over repeats, drawn as a bar when given. */
  min?: number;
  max?: number;
}

/** Options of {@link accuracyByExamplesSpec}. */
export interface AccuracyByExamplesOptions {
  /** Title above the chart. @defaultValue 'Test accuracy by training examples per class' */
  title?: string;
}

/**
 * Test accuracy against training examples per class (log scale), one line per method, with the
 * range over repeats as bars: a learning-curve comparison.
 */
export function accuracyByExamplesSpec(points: readonly AccuracyPoint[], options: AccuracyByExamplesOptions = {}): TopLevelSpec {
  if (!Array.isArray(points)) throw new TypeError('accuracyByExamplesSpec: points must be an array');
  const x = {
    field: 'examplesPerClass',
    type: 'quantitative' as const,
    title: 'training examples per class',
    scale: { type: 'log' as const },
    axis: { values: [...new Set(points.map((p) => p.examplesPerClass))] },
  };
  const color = { field: 'method', type: 'nominal' as const, title: null, legend: { orient: 'bottom' as const } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'Test accuracy by training examples per class',
    background: 'white',
    width: 420,
    height: 280,
    data: { values: points.map((p) => ({ ...p, min: p.min ?? p.accuracy, max: p.max ?? p.accuracy })) },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false }, axis: { format: '.0%' } },
          color,
        },
      },
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color } },
    ],
  };
}
