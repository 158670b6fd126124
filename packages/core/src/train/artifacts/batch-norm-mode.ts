import type { GraphBuilder } from '../../onnx/builder.js';
import type { Graph, Node, TensorData } from '../../onnx/ir.js';
import { updatedName } from '../optimizers/names.js';

/**
 * How the training graph runs BatchNormalization (docs/ARTIFACTS.md, "BatchNormalization"):
 * `'frozen'` normalizes with the running statistics, which stay constants (PyTorch `eval()` for the
 * BN layers); `'train'` normalizes with the batch's statistics and updates the running ones
 * (PyTorch `train()`), which become inputs and outputs of the training graph and live in the checkpoint.
 */
export type BatchNormMode = 'frozen' | 'train';

/** The BatchNormalization modes, for checks and help texts. */
export const BATCH_NORM_MODES: readonly BatchNormMode[] = Object.freeze(['frozen', 'train']);

/** A BatchNormalization node trained with batch statistics, by its running-statistic inputs. */
export interface BatchNormNode {
  /** Initializer names of its running mean and running variance. */
  mean: string;
  variance: string;
}

/** What `'train'` mode changes: the nodes, and their running statistics in initializer order. */
export interface BatchStatisticsPlan {
  nodes: BatchNormNode[];
  statistics: TensorData[];
}

const isBatchNorm = (n: Node) => n.opType === 'BatchNormalization' && (n.domain === '' || n.domain === 'ai.onnx');

/**
 * The BatchNormalization nodes `prediction` depends on and their running statistics. Each statistic
 * must be a float32 initializer of one BatchNormalization node only (its value is that node's to
 * update), not a trainable parameter, and a node's extra (training-mode) outputs must be unused.
 */
export function planBatchStatistics(graph: Graph, prediction: string, trainable: ReadonlySet<string>): BatchStatisticsPlan {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const reached = new Set<Node>();
  const stack = [prediction];
  while (stack.length) {
    const node = producer.get(stack.pop()!);
    if (!node || reached.has(node)) continue;
    reached.add(node);
    stack.push(...node.inputs.filter(Boolean));
  }
  const initializers = new Map(graph.initializers.map((t) => [t.name, t]));
  const read = new Set<string>(graph.outputs.map((v) => v.name));
  for (const n of graph.nodes) for (const i of n.inputs) read.add(i);
  const owner = new Map<string, string>();
  const nodes: BatchNormNode[] = [];
  for (const n of graph.nodes) {
    if (!isBatchNorm(n) || !reached.has(n)) continue;
    const where = `BatchNormalization '${n.name || n.outputs[0]}'`;
    if (n.outputs.slice(1).some((o) => o && read.has(o))) {
      throw new RangeError(`generateArtifacts: batchNorm 'train': ${where} has training-mode outputs the model uses; only Y can be kept`);
    }
    const [mean, variance] = [n.inputs[3], n.inputs[4]];
    for (const name of [mean, variance]) {
      const t = initializers.get(name);
      if (!t || t.dtype !== 'float32') {
        throw new RangeError(`generateArtifacts: batchNorm 'train': the running statistic '${name}' of ${where} is not a float32 initializer`);
      }
      if (trainable.has(name)) throw new RangeError(`generateArtifacts: batchNorm 'train': '${name}' is both a trainable parameter and a running statistic of ${where}`);
      const other = owner.get(name);
      if (other) throw new RangeError(`generateArtifacts: batchNorm 'train': the running statistic '${name}' is shared by ${other} and ${where}; each node needs its own`);
      owner.set(name, where);
    }
    nodes.push({ mean, variance });
  }
  return { nodes, statistics: graph.initializers.filter((t) => owner.has(t.name)) };
}

/** The names the training graph outputs the updated statistics under (`<statistic>.new`). */
export function statisticOutputs(plan: BatchStatisticsPlan): string[] {
  return plan.statistics.map((t) => updatedName(t.name));
}

/**
 * Turns the running statistics from initializers into graph inputs (after those already there): the
 * training, eval and exported models read their current values.
 */
export function statisticsAsInputs(b: GraphBuilder, plan: BatchStatisticsPlan): void {
  const names = new Set(plan.statistics.map((t) => t.name));
  b.graph.initializers = b.graph.initializers.filter((t) => !names.has(t.name));
  for (const t of plan.statistics) b.graph.inputs.push({ name: t.name, type: { kind: 'tensor', dtype: t.dtype, shape: [...t.dims] } });
}

/**
 * Switches the plan's nodes to training mode, with five outputs: Y, the updated running mean and
 * variance (`<statistic>.new`), and X minus the batch mean and the inverse standard deviation the
 * backward rule reuses (autodiff/rules/batch-normalization.ts). Five outputs are not valid ONNX at opset ≥ 14:
 * `lowerBatchStatistics` replaces the nodes by standard ops after the backward pass. Returns the
 * nodes' Y names.
 */
export function useBatchStatistics(b: GraphBuilder, plan: BatchStatisticsPlan): Set<string> {
  const byMean = new Map(plan.nodes.map((n) => [n.mean, n]));
  const marked = new Set<string>();
  b.graph.nodes = b.graph.nodes.map((n) => {
    const entry = isBatchNorm(n) ? byMean.get(n.inputs[3]) : undefined;
    if (!entry) return n;
    const y = n.outputs[0];
    const claim = (name: string) => {
      if (b.uniqueName(name) !== name) throw new RangeError(`generateArtifacts: the name '${name}' is already used`);
      return name;
    };
    const outputs = [y, claim(updatedName(entry.mean)), claim(updatedName(entry.variance)), b.uniqueName(`${y}_centered`), b.uniqueName(`${y}_batch_inv_std`)];
    marked.add(y);
    return { ...n, outputs, attributes: { ...n.attributes, training_mode: { type: 'int', value: 1 } } };
  });
  return marked;
}

/** The momentum a node updates its running statistics with (ONNX: running·m + batch·(1 − m)). */
export function batchNormMomentum(node: Node, override: number | undefined): number {
  if (override !== undefined) return override;
  const a = node.attributes.momentum;
  return a && (a.type === 'float' || a.type === 'int') ? a.value : 0.9;
}

/** Checks the `batchNorm` and `batchNormMomentum` options. */
export function checkBatchNormOptions(mode: unknown, momentum: unknown): void {
  if (mode !== undefined && !BATCH_NORM_MODES.includes(mode as BatchNormMode)) {
    throw new RangeError(`generateArtifacts: 'batchNorm' must be ${BATCH_NORM_MODES.map((m) => `'${m}'`).join(' or ')}, got '${String(mode)}'`);
  }
  if (momentum === undefined) return;
  if (typeof momentum !== 'number') throw new TypeError(`generateArtifacts: 'batchNormMomentum' must be a number, got ${typeof momentum}`);
  if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`generateArtifacts: 'batchNormMomentum' must be in [0, 1], got ${momentum}`);
  if (mode !== 'train') throw new RangeError(`generateArtifacts: 'batchNormMomentum' applies to batchNorm 'train' only`);
}
