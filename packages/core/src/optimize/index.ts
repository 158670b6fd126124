export { optimizeModel, DEFAULT_PASSES, PASSES, type OptimizeOptions, type OptimizeResult, type PassReport } from './optimize-model.js';
export type { GraphPass, PassResult } from './pass.js';
export { dropInitializerInputs } from './passes/drop-initializer-inputs.js';
export { foldConstants } from './passes/fold-constants.js';
export { fuseConvBatchNorm } from './passes/fuse-conv-bn.js';
export { removeIdentity } from './passes/remove-identity.js';
export { eliminateDeadCode } from './passes/eliminate-dead.js';
export { stripSoftmax, type StripSoftmaxOptions } from './passes/strip-softmax.js';
export { cloneModel } from '../onnx/graph-edit.js';
