import type { GradientRule } from '../types.js';
import { ACTIVATION_RULES } from './activations.js';
import { ARITHMETIC_RULES } from './arithmetic.js';
import { BATCH_NORMALIZATION_RULES } from './batch-normalization.js';
import { CONV_RULES } from './conv.js';
import { LAYOUT_RULES } from './layout.js';
import { LINEAR_RULES } from './linear.js';
import { NORMALIZATION_RULES } from './normalization.js';
import { POOL_RULES } from './pool.js';
import { SLICING_RULES } from './slicing.js';
import { UNARY_MATH_RULES } from './unary-math.js';

/** The gradient rules, one per ai.onnx op_type. Every rule emits standard ONNX ops only. */
export const GRADIENT_RULES: Readonly<Record<string, GradientRule>> = Object.freeze({
  ...ACTIVATION_RULES,
  ...UNARY_MATH_RULES,
  ...ARITHMETIC_RULES,
  ...LINEAR_RULES,
  ...CONV_RULES,
  ...POOL_RULES,
  ...LAYOUT_RULES,
  ...SLICING_RULES,
  ...NORMALIZATION_RULES,
  ...BATCH_NORMALIZATION_RULES,
});
