export { appendBackward } from './walker.js';
export type { GradientOptions, GradientContext, GradientRule } from './types.js';
export { MissingGradientRuleError, GradientRuleError } from './errors.js';
export { GRADIENT_RULES } from './rules/index.js';
export { NO_GRADIENT } from './no-gradient.js';
export { Emitter } from './emitter.js';
