export { appendBackward } from './walker.js';
export type { GradientOptions, GradientContext, GradientRule, GradientFeatures } from './types.js';
export { PORTABLE_FEATURES } from './types.js';
export { MissingGradientRuleError, GradientRuleError } from './errors.js';
export { GRADIENT_RULES } from './rules/index.js';
export { NO_GRADIENT } from './no-gradient.js';
