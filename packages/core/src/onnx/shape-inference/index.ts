export { inferShapes, inferGraphShapes, defaultOpsetVersion, type InferShapesOptions } from './infer-shapes.js';
export { annotateShapes } from './annotate.js';
export { ShapeInferenceError } from './errors.js';
export { hasShapeRule } from './rule-table.js';
export type { ShapeRule, ShapeContext, InferredTensor } from './context.js';
