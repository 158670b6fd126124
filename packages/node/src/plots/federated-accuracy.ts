import type { TopLevelSpec } from 'vega-lite';

/** One point of a curve: the global model's accuracy after `round` rounds (or epochs) of `series`. */
export interface FederatedPoint {
  series: string;
  round: number;
  accuracy: number;
}

/** Options of {@link federatedAccuracySpec}. */
export interface FederatedAccuracyOptions {
  /** Title above the chart. @defaultValue 'Federated training' */
  title?: string;
  /** Mean accuracy of clients trained alone, drawn as a dashed rule. @defaultValue none */
  alone?: number;
}

/** Validation accuracy per round, one line per series (FedAvg variants, centralized), as a Vega-Lite spec. */
export function federatedAccuracySpec(points: readonly FederatedPoint[], options: FederatedAccuracyOptions = {}): TopLevelSpec {
  if (!Array.isArray(points)) throw new TypeError('federatedAccuracySpec: points must be an array');
  const x = { field: 'round', type: 'quantitative' as const, title: 'round (centralized: epoch)', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'accuracy', type: 'quantitative' as const, title: 'validation accuracy', axis: { format: '%' }, scale: { domain: [0, 1] } };
  const layers: unknown[] = [
    {
      data: { values: points },
      mark: { type: 'line', point: true },
      encoding: { x, y, color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom-right' } } },
    },
  ];
  if (options.alone !== undefined) {
    layers.push(
      { data: { values: [{ accuracy: options.alone }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { y } },
      {
        data: { values: [{ accuracy: options.alone, label: 'each client alone (mean)' }] },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: 'gray' },
        encoding: { y, x: { value: 0 }, text: { field: 'label' } },
      },
    );
  }
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: options.title ?? 'Federated training', width: 520, height: 300, layer: layers } as TopLevelSpec;
}
