import type { Model } from '../onnx/ir.js';
import { cloneModel } from '../onnx/graph-edit.js';
import type { GraphPass } from './pass.js';
import { dropInitializerInputs } from './passes/drop-initializer-inputs.js';
import { eliminateDeadCode } from './passes/eliminate-dead.js';
import { foldConstants } from './passes/fold-constants.js';
import { fuseConvBatchNorm } from './passes/fuse-conv-bn.js';
import { removeIdentity } from './passes/remove-identity.js';
import { stripSoftmax } from './passes/strip-softmax.js';

/** The passes {@link optimizeModel} runs by default, in order. */
export const DEFAULT_PASSES: readonly string[] = Object.freeze(['drop-initializer-inputs', 'fold-constants', 'remove-identity', 'fuse-conv-bn', 'eliminate-dead']);

/** Every pass by name (`strip-softmax` runs only when asked for logits). */
export const PASSES: Readonly<Record<string, GraphPass>> = Object.freeze({
  'drop-initializer-inputs': dropInitializerInputs,
  'fold-constants': foldConstants,
  'remove-identity': removeIdentity,
  'fuse-conv-bn': fuseConvBatchNorm,
  'eliminate-dead': eliminateDeadCode,
  'strip-softmax': stripSoftmax(),
});

/** Options of {@link optimizeModel}. */
export interface OptimizeOptions {
  /** Pass names, run in this order until nothing changes. @defaultValue {@link DEFAULT_PASSES} */
  passes?: readonly string[];
  /**
   * Remove a final Softmax so the model outputs logits; a string names the new output.
   * Changes the outputs' meaning (not the predicted class), so it is never on by default.
   * @defaultValue false
   */
  logits?: boolean | string;
  /** Most rounds over the pass list. @defaultValue 4 */
  maxRounds?: number;
}

/** What one pass did over all rounds. */
export interface PassReport {
  pass: string;
  changed: number;
  notes: string[];
}

/** The optimized model and what each pass changed. */
export interface OptimizeResult {
  model: Model;
  passes: PassReport[];
  nodesBefore: number;
  nodesAfter: number;
  initializersBefore: number;
  initializersAfter: number;
}

/**
 * Runs graph passes over a copy of `model` (the input is not changed). By default: initializers stop
 * being graph inputs (old IR 3 exports), constant folding, Identity and inference-Dropout removal,
 * Conv+BatchNormalization fusion and dead-code removal; the final Softmax goes when `logits` is set. Every pass keeps the outputs equal up to float rounding.
 * Throws RangeError for an unknown pass name, listing the known ones.
 */
export function optimizeModel(model: Model, options: OptimizeOptions = {}): OptimizeResult {
  if (!model || typeof model !== 'object' || !model.graph) throw new TypeError('optimizeModel: model must be a decoded onnxkit Model');
  const names = options.passes ?? DEFAULT_PASSES;
  if (!Array.isArray(names)) throw new TypeError('optimizeModel: passes must be an array of pass names');
  const passes: GraphPass[] = names.map((name) => {
    const pass = PASSES[name];
    if (!pass) throw new RangeError(`optimizeModel: unknown pass '${String(name)}'; known passes: ${Object.keys(PASSES).join(', ')}`);
    return pass;
  });
  const logits = options.logits ?? false;
  if (typeof logits !== 'boolean' && (typeof logits !== 'string' || logits.length === 0)) {
    throw new TypeError(`optimizeModel: logits must be a boolean or an output name, got ${JSON.stringify(logits)}`);
  }
  if (logits !== false) passes.push(stripSoftmax(typeof logits === 'string' ? { outputName: logits } : {}));
  const maxRounds = options.maxRounds ?? 4;
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new RangeError(`optimizeModel: maxRounds must be a positive integer, got ${maxRounds}`);

  const out = cloneModel(model);
  const reports = new Map<string, PassReport>(passes.map((p) => [p.name, { pass: p.name, changed: 0, notes: [] }]));
  for (let round = 0; round < maxRounds; round++) {
    let changed = 0;
    for (const pass of passes) {
      const r = pass.run(out);
      const report = reports.get(pass.name)!;
      report.changed += r.changed;
      report.notes.push(...r.notes);
      changed += r.changed;
    }
    if (changed === 0) break;
  }
  return {
    model: out,
    passes: [...reports.values()],
    nodesBefore: model.graph.nodes.length,
    nodesAfter: out.graph.nodes.length,
    initializersBefore: model.graph.initializers.length,
    initializersAfter: out.graph.initializers.length,
  };
}
