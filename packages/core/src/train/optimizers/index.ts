export {
  buildOptimizerModel,
  OPTIMIZER_OPSET,
  type ParameterSpec,
  type OptimizerStateSpec,
  type OptimizerGraph,
} from './build-optimizer.js';
export {
  resolveOptimizerOptions,
  stateSlots,
  type OptimizerKind,
  type OptimizerOptions,
  type ResolvedOptimizerOptions,
} from './options.js';
export { gradientName, updatedName, stateName, LEARNING_RATE, STEP } from './names.js';
