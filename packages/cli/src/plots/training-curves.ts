import type { EpochEndInfo } from '@onnxkit/core';
import type { TopLevelSpec } from 'vega-lite';

/** Options of {@link trainingCurvesSpec}. */
export interface TrainingCurvesOptions {
  /** Title above the charts. @defaultValue 'Training' */
  title?: string;
}

/**
 * Training curves as a Vega-Lite spec: training and validation loss per epoch on the left and
 * validation accuracy on the right (when the run had validation data).
 */
export function trainingCurvesSpec(history: readonly EpochEndInfo[], options: TrainingCurvesOptions = {}): TopLevelSpec {
  if (!Array.isArray(history)) throw new TypeError('trainingCurvesSpec: history must be an array of epochs');
  const losses = history.flatMap((e) => [
    { epoch: e.epoch + 1, series: 'training loss', value: e.loss },
    ...(e.valLoss !== undefined ? [{ epoch: e.epoch + 1, series: 'validation loss', value: e.valLoss }] : []),
  ]);
  const accuracy = history.filter((e) => e.valAccuracy !== undefined).map((e) => ({ epoch: e.epoch + 1, accuracy: e.valAccuracy }));
  const epochAxis = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1, format: 'd' }, scale: { zero: false } };
  const lossChart = {
    title: 'loss',
    width: 320,
    height: 220,
    data: { values: losses },
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: epochAxis,
      y: { field: 'value', type: 'quantitative' as const, title: 'cross-entropy', scale: { zero: true } },
      color: { field: 'series', type: 'nominal' as const, title: null, legend: { orient: 'top' as const } },
    },
  };
  const accuracyChart = {
    title: 'validation accuracy',
    width: 320,
    height: 220,
    data: { values: accuracy },
    mark: { type: 'line' as const, color: '#f58518', point: { color: '#f58518' } },
    encoding: {
      x: epochAxis,
      y: { field: 'accuracy', type: 'quantitative' as const, title: 'accuracy', scale: { zero: false }, axis: { format: '.1%' } },
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'Training',
    background: 'white',
    hconcat: accuracy.length > 0 ? [lossChart, accuracyChart] : [lossChart],
  };
}
