import { float, floatAttr } from '../../onnx/attributes.js';
import type { GraphBuilder } from '../../onnx/builder.js';
import type { Dim, Node } from '../../onnx/ir.js';
import { Emitter } from '../autodiff/emitter.js';
import { batchNormAxes, perChannelCount } from '../autodiff/rules/batch-normalization.js';
import { batchNormMomentum } from './batch-norm-mode.js';

/**
 * Replaces each training-mode BatchNormalization node `useBatchStatistics` marked (Y names in
 * `marked`) by standard ops, in place (so every reader still follows its producer):
 *
 *     μ = mean(X), σ² = mean((X − μ)²) over N and the spatial axes (population variance, as ONNX and
 *     PyTorch normalize), Y = BatchNormalization(X, scale, B, μ, σ²) in inference mode
 *     running_mean.new = m·running_mean + (1 − m)·μ
 *     running_var.new  = m·running_var  + (1 − m)·σ²·M/(M − 1)
 *
 * with M = N·spatial values per channel and m the node's `momentum` (ONNX's convention; PyTorch's
 * momentum is 1 − m). The running variance takes the unbiased batch variance, as PyTorch's
 * `batch_norm` and TensorFlow's fused kernel do (ONNX's reference takes the population variance; a
 * model exported from either framework trains as it would there). X − μ and 1/√(σ² + ε) also define
 * the node's outputs 3 and 4, which the backward pass reads.
 *
 * ORT's CPU kernel runs training-mode BatchNormalization, WebGPU's does not; standard ops run anywhere.
 */
export function lowerBatchStatistics(b: GraphBuilder, marked: ReadonlySet<string>, shapeOf: (name: string) => readonly Dim[] | undefined, momentumOverride?: number): void {
  const emit = new Emitter(b);
  const bessel = new Map<string, string>();
  for (const node of b.graph.nodes.filter((n) => n.opType === 'BatchNormalization' && marked.has(n.outputs[0]))) {
    const start = b.graph.nodes.length;
    lowerOne(b, emit, bessel, node, shapeOf, batchNormMomentum(node, momentumOverride));
    const lowered = b.graph.nodes.splice(start);
    b.graph.nodes.splice(b.graph.nodes.indexOf(node), 1, ...lowered);
  }
}

function lowerOne(b: GraphBuilder, emit: Emitter, besselOf: Map<string, string>, node: Node, shapeOf: (name: string) => readonly Dim[] | undefined, momentum: number): void {
  const [x, scale, bias, runningMean, runningVar] = node.inputs;
  const [y, meanOut, varOut, centeredOut, invStdOut] = node.outputs;
  const where = `BatchNormalization '${node.name || y}'`;
  const shape = shapeOf(x) ?? shapeOf(y);
  if (!shape) throw new RangeError(`generateArtifacts: batchNorm 'train': the rank of the input of ${where} is not known`);
  const rank = shape.length;
  const axes = batchNormAxes(rank);
  // The lowered values take the node's output names (the node goes, so the names are free).
  const named = (value: string, name: string) => {
    const producer = b.graph.nodes[b.graph.nodes.length - 1];
    if (producer.outputs[0] !== value) throw new Error(`lowerBatchStatistics: '${value}' is not the newest node's output`);
    producer.outputs[0] = name;
    return name;
  };

  const epsilon = floatAttr(node, 'epsilon', 1e-5);
  const meanKept = emit.reduceMean(x, axes, true);
  const centered = named(emit.sub(x, meanKept), centeredOut);
  const mean = emit.squeeze(meanKept, axes);
  const variance = emit.squeeze(emit.reduceMean(emit.mul(centered, centered), axes, true), axes);
  // The normalization itself is the inference-mode node every runtime has a fast kernel for.
  named(emit.op('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: float(epsilon) }), y);
  named(emit.op('Reciprocal', [emit.op('Sqrt', [emit.add(variance, emit.scalar(epsilon, 'float32'))])]), invStdOut);

  const count = perChannelCount(emit, x, shape, rank, 'float32');
  let bessel: string | undefined;
  if (count.static !== undefined) {
    if (count.static < 2) throw new RangeError(`generateArtifacts: batchNorm 'train': ${where} normalizes over ${count.static} value per channel; batch statistics need at least 2`);
    bessel = emit.scalar(count.static / (count.static - 1), 'float32');
  } else {
    bessel = besselOf.get(count.value);
    // M = 1 at run time (batch 1 after global pooling) would divide by zero; PyTorch refuses it.
    if (!bessel) besselOf.set(count.value, (bessel = emit.div(count.value, emit.op('Max', [emit.sub(count.value, emit.scalar(1, 'float32')), emit.scalar(1, 'float32')]))));
  }
  const keep = emit.scalar(momentum, 'float32');
  const take = emit.scalar(1 - momentum, 'float32');
  const update = (running: string, batch: string, name: string) => named(emit.add(emit.mul(running, keep), emit.mul(batch, take)), name);
  update(runningMean, mean, meanOut);
  update(runningVar, emit.mul(variance, bessel), varOut);
}
