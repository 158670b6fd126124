export { renderSvg } from './render-svg.js';
export { trainingCurvesSpec, type TrainingCurvesOptions } from './training-curves.js';
export { confusionMatrixSpec, type ConfusionMatrixOptions } from './confusion-matrix.js';
export { accuracyByExamplesSpec, type AccuracyPoint, type AccuracyByExamplesOptions } from './accuracy-by-examples.js';
export { federatedAccuracySpec, type FederatedPoint, type FederatedAccuracyOptions } from './federated-accuracy.js';
