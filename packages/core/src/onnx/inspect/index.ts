export { inspect } from './inspect.js';
export { formatSummary, type FormatSummaryOptions } from './format.js';
export type { ModelSummary, ValueSummary, ParameterSummary, ParameterTotals } from './summary.js';
