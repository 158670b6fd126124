import type { GraphBuilder } from '../../onnx/builder.js';
import type { Dim, Graph, Model, TensorData, ValueType } from '../../onnx/ir.js';
import { elementCount } from '../../onnx/tensor.js';
import { inferGraphShapes } from '../../onnx/shape-inference/index.js';
import { appendBackward } from '../autodiff/index.js';
import { appendLoss, type LossKind } from '../losses/index.js';
import {
  buildOptimizerModel,
  gradientName,
  resolveOptimizerOptions,
  type ResolvedOptimizerOptions,
} from '../optimizers/index.js';
import { nameValue } from '../../onnx/name-value.js';
import { updatedName } from '../optimizers/names.js';
import { ARTIFACT_GENERATOR_VERSION, ARTIFACT_METADATA } from './artifact-metadata.js';
import { encodeCheckpoint } from './checkpoint.js';
import { parameterFingerprint } from './fingerprint.js';
import { forwardGraph, pruneGraph } from './forward-graph.js';
import { lossTarget, type LossTarget } from './loss-target.js';
import { checkArtifactOptions, type ArtifactOptions } from './options.js';
import { ARTIFACT_TARGETS, type ArtifactTarget } from './targets.js';
import { commuteReluMaxPool } from './commute-relu-pool.js';
import { cropConvolutionsToPool } from './crop-conv-to-pool.js';
import { convAsBatchGemm } from './conv-batch-gemm.js';
import { convPoolAsPhaseGemms } from './pool-phases.js';
import { isBatchSeparable } from './batch-separable.js';
import { planBatchStatistics, statisticOutputs, statisticsAsInputs, useBatchStatistics, type BatchNormMode, type BatchStatisticsPlan } from './batch-norm-mode.js';
import { lowerBatchStatistics } from './lower-batch-norm.js';
import { learnableInitializers, selectTrainable } from './select-trainable.js';

/** The opset artifacts are written in, unless the model's is newer. */
export const ARTIFACT_OPSET = 17;
/** The IR version artifacts are written in, unless the model's is newer. */
export const ARTIFACT_IR_VERSION = 8;
/** Name of the training and eval models' target input. */
export const LABELS = 'labels';
/** Name of the training and eval models' loss output. */
export const LOSS = 'loss';

/** What `generateArtifacts` reports about the artifacts it made. */
export interface ArtifactSummary {
  loss: LossKind;
  /** The model output the loss is on. */
  output: string;
  /** The value the loss reads (the Softmax's input when one was trained around). */
  prediction: string;
  /** Name of the Softmax/LogSoftmax node trained around, if any. */
  bypassedSoftmax?: string;
  /** The model's ai.onnx opset and the artifacts'. */
  modelOpset: number;
  opset: number;
  trainable: { name: string; dims: number[]; elements: number }[];
  /** Learnable float32 initializers left constant. */
  frozen: string[];
  /** Total trainable elements. */
  trainableElements: number;
  optimizer: ResolvedOptimizerOptions;
  /** Optimizer state tensor names, parameter-major. */
  optimizerState: string[];
  /** Data inputs that get `<input>_grad` outputs. */
  inputGradients: string[];
  /** Node counts of the three graphs. */
  nodes: { training: number; eval: number; optimizer: number };
  /** `parameterFingerprint` of the trainable parameters (also in each model's metadata). */
  fingerprint: string;
  /** The target the graphs are formulated for. */
  target: ArtifactTarget;
  /** How the training graph runs BatchNormalization. */
  batchNorm: BatchNormMode;
  /** The running statistics the training graph updates (`batchNorm: 'train'`), in initializer order. */
  runningStatistics: { name: string; dims: number[] }[];
}

/** The four training artifacts (docs/ARTIFACTS.md). */
export interface TrainingArtifacts {
  trainingModel: Model;
  evalModel: Model;
  optimizerModel: Model;
  /** `encodeCheckpoint` bytes: initial parameters, zero optimizer state, step 0. */
  checkpoint: Uint8Array;
  summary: ArtifactSummary;
  /** The target the graphs are formulated for. */
  target: ArtifactTarget;
  /**
   * The same artifacts formulated for another target: same names, same initial checkpoint (so any
   * checkpoint of these artifacts loads into them). `Trainer.create` uses it to run the fastest
   * formulation for the device it gets.
   */
  forTarget(target: ArtifactTarget): TrainingArtifacts;
}

/**
 * Generates training artifacts for an inference model, in standard ONNX operators only: a training
 * model (loss and parameter gradients), an eval model (loss and the model's outputs), an optimizer
 * model and an initial checkpoint. Names, dtypes and shapes are documented in docs/ARTIFACTS.md.
 *
 * @example
 * ```ts
 * import { generateArtifacts, loadModelFile, shippedModelPath, Trainer } from '@onnxkit/node';
 * const artifacts = generateArtifacts(await loadModelFile(shippedModelPath('mnist-cnn')), { optimizer: 'adamw' });
 * const trainer = await Trainer.create(artifacts, { device: 'cpu' });
 * ```
 */
export function generateArtifacts(model: Model, options: ArtifactOptions = {}): TrainingArtifacts {
  checkArtifactOptions(options);
  const optimizer = resolveOptimizerOptions(options);
  const loss = options.loss ?? 'cross-entropy';
  const artifactTarget = options.target ?? 'portable';
  const from = modelOpset(model);
  const to = Math.max(ARTIFACT_OPSET, from);

  const original = shapesOf(model.graph, from);
  const rankOf = (name: string) => original(name)?.length;
  const target = lossTarget(model.graph, from, loss, options.output, rankOf);
  const initializerNames = new Set(model.graph.initializers.map((t) => t.name));
  const learnable = learnableInitializers(model.graph, target.prediction, initializerNames);
  const { trainable, frozen } = selectTrainable(model.graph, learnable, options.trainable, options.frozen);
  if (trainable.length === 0) {
    const quantized = model.graph.nodes.some((n) => n.opType === 'DequantizeLinear' || n.opType === 'QuantizeLinear');
    throw new RangeError(
      'generateArtifacts: no trainable parameters (the loss depends on no learnable float32 initializer, or all are frozen)' +
        (quantized ? '; this model is quantized: recover float weights with dequantizeForTraining(model) first, and requantize after training' : ''),
    );
  }
  for (const t of trainable) {
    if (t.external && t.data.length === 0) throw new RangeError(`generateArtifacts: parameter '${t.name}' lives in external data; call resolveExternalData first`);
  }
  const inputGradients = options.inputGradients
    ? model.graph.inputs.filter((v) => !initializerNames.has(v.name) && v.type?.kind === 'tensor' && v.type.dtype === 'float32').map((v) => v.name)
    : [];
  const fingerprint = parameterFingerprint(trainable);
  const batchNorm = options.batchNorm ?? 'frozen';
  const bn = batchNorm === 'train' ? planBatchStatistics(model.graph, target.prediction, new Set(trainable.map((t) => t.name))) : undefined;
  const reserved = new Set([LABELS, LOSS, ...[...trainable.map((t) => t.name), ...inputGradients].map(gradientName), ...(bn ? statisticOutputs(bn) : [])]);
  const labelsShape = original(target.prediction) ?? declaredShape(model.graph, target.output);
  const common = { model, from, to, target, trainable, inputGradients, reserved, labelsShape, rankOf, shapeOf: original, loss, options, artifactTarget, bn };

  const training = lossGraph(common, true);
  const grads = appendBackward(training.b, {
    loss: training.prediction,
    seed: training.gradient!,
    wrt: [...trainable.map((t) => t.name), ...inputGradients],
    features: ARTIFACT_TARGETS[artifactTarget].features,
  });
  const renamed = new Map<string, string>();
  const gradOutput = (wrt: string, dtype: 'float32', shape: Dim[] | undefined) => {
    const g = grads.get(wrt);
    if (!g) throw new Error(`generateArtifacts: the backward pass returned no gradient for '${wrt}'`);
    // A value already renamed for another output keeps its name; this output gets an Identity.
    const source = renamed.get(g) ?? g;
    const name = nameValue(training.b, source, gradientName(wrt));
    if (!renamed.has(g)) renamed.set(g, name);
    training.b.output(name, dtype, shape);
  };
  for (const t of trainable) gradOutput(t.name, 'float32', [...t.dims]);
  for (const input of inputGradients) gradOutput(input, 'float32', declaredShape(model.graph, input));
  if (bn) {
    for (const t of bn.statistics) training.b.output(updatedName(t.name), 'float32', [...t.dims]);
    // The forward graph computes the source model's values (renamed, opset upgraded): same shapes.
    const sourceName = new Map([...training.renames].map(([from, to]) => [to, from]));
    lowerBatchStatistics(training.b, training.marked, (name) => original(sourceName.get(name) ?? name), options.batchNormMomentum);
  }

  const evaluation = lossGraph(common, false);
  for (const o of model.graph.outputs) evaluation.b.graph.outputs.push({ ...o });

  const metadata = (artifact: string) => ({
    [ARTIFACT_METADATA.artifact]: artifact,
    [ARTIFACT_METADATA.fingerprint]: fingerprint,
    [ARTIFACT_METADATA.loss]: loss,
    [ARTIFACT_METADATA.target]: artifactTarget,
    [ARTIFACT_METADATA.generator]: ARTIFACT_GENERATOR_VERSION,
  });
  const irVersion = Math.max(ARTIFACT_IR_VERSION, model.irVersion);
  const finish = (b: GraphBuilder, name: string, artifact: string): Model => {
    pruneGraph(b.graph);
    b.graph.name = name;
    // The eval model carries the source model's metadata (labels, preprocessing spec, card) so that an
    // inference model exported after training keeps them.
    const carried = artifact === 'eval' ? model.metadata : {};
    const m = b.build({ irVersion, metadata: { ...carried, ...metadata(artifact) } });
    m.functions = model.functions;
    return m;
  };
  const trainingModel = finish(training.b, 'training', 'training');
  // Input gradients are per sample, so slices of a batch would have to be stitched, not averaged; batch
  // statistics couple the samples of a batch.
  const separable = inputGradients.length === 0 && !bn?.nodes.length && isBatchSeparable(model.graph, rankOf);
  if (separable) trainingModel.metadata[ARTIFACT_METADATA.samples] = 'independent';
  const evalModel = finish(evaluation.b, 'eval', 'eval');

  const opt = buildOptimizerModel(trainable, optimizer);
  Object.assign(opt.model.metadata, {
    [ARTIFACT_METADATA.fingerprint]: fingerprint,
    [ARTIFACT_METADATA.target]: artifactTarget,
    [ARTIFACT_METADATA.generator]: ARTIFACT_GENERATOR_VERSION,
  });
  const checkpoint = encodeCheckpoint({
    fingerprint,
    step: 0,
    parameters: trainable.map((t) => ({ name: t.name, dtype: t.dtype, dims: [...t.dims], data: t.data.slice() as TensorData['data'] })),
    optimizerState: opt.state.map((s) => ({ name: s.name, dtype: s.dtype, dims: s.dims, data: new Float32Array(elementCount(s.dims)) })),
    optimizer: { ...optimizer },
    ...(bn ? { buffers: bn.statistics.map((t) => ({ name: t.name, dtype: t.dtype, dims: [...t.dims], data: t.data.slice() as TensorData['data'] })) } : {}),
  });

  const summary: ArtifactSummary = {
    loss,
    output: target.output,
    prediction: target.prediction,
    ...(target.bypassed ? { bypassedSoftmax: target.bypassed } : {}),
    modelOpset: from,
    opset: to,
    trainable: trainable.map((t) => ({ name: t.name, dims: [...t.dims], elements: elementCount(t.dims) })),
    frozen,
    trainableElements: trainable.reduce((n, t) => n + elementCount(t.dims), 0),
    optimizer: opt.options,
    optimizerState: opt.state.map((s) => s.name),
    inputGradients,
    nodes: { training: trainingModel.graph.nodes.length, eval: evalModel.graph.nodes.length, optimizer: opt.model.graph.nodes.length },
    fingerprint,
    target: artifactTarget,
    batchNorm,
    runningStatistics: (bn?.statistics ?? []).map((t) => ({ name: t.name, dims: [...t.dims] })),
  };
  const artifacts: TrainingArtifacts = {
    trainingModel,
    evalModel,
    optimizerModel: opt.model,
    checkpoint,
    summary,
    target: artifactTarget,
    forTarget: (other) => (other === artifactTarget ? artifacts : generateArtifacts(model, { ...options, target: other })),
  };
  return artifacts;
}

interface Common {
  model: Model;
  from: number;
  to: number;
  target: LossTarget;
  trainable: TensorData[];
  /** Graph inputs whose gradients the training graph outputs. */
  inputGradients: readonly string[];
  reserved: ReadonlySet<string>;
  labelsShape: Dim[] | undefined;
  rankOf: (name: string) => number | undefined;
  /** Static shapes of the source model's values. */
  shapeOf: (name: string) => Dim[] | undefined;
  loss: LossKind;
  options: ArtifactOptions;
  artifactTarget: ArtifactTarget;
  bn: BatchStatisticsPlan | undefined;
}

/** The forward graph with `labels` and the loss appended (and d loss / d prediction when `gradient`). */
function lossGraph(c: Common, gradient: boolean) {
  const { b, renames } = forwardGraph(c.model, c.from, c.to, {
    reserved: c.reserved,
    trainable: c.trainable,
    extraInputs: [{ name: LABELS, dtype: 'float32', shape: c.labelsShape }],
    rankOf: c.rankOf,
  });
  if (c.bn) statisticsAsInputs(b, c.bn);
  const marked = c.bn && gradient ? useBatchStatistics(b, c.bn) : new Set<string>();
  const formulation = ARTIFACT_TARGETS[c.artifactTarget];
  if (gradient && formulation.poolBeforeRelu) commuteReluMaxPool(b.graph);
  const sourceName = new Map([...renames].map(([from, to]) => [to, from]));
  const sourceShape = (name: string) => c.shapeOf(sourceName.get(name) ?? name);
  if (gradient && formulation.cropConvToPool) cropConvolutionsToPool(b.graph, sourceShape);
  // After the crop: it takes over the crops around the convolutions it rewrites.
  if (gradient && formulation.poolPhaseGemms) {
    const differentiated = new Set([...c.trainable.map((t) => t.name), ...c.inputGradients].map((n) => renames.get(n) ?? n));
    convPoolAsPhaseGemms(b.graph, sourceShape, differentiated);
  }
  // After the phase GEMMs, which take the convolutions they can; the rest of the small ones go batch-wide.
  if (gradient && formulation.convBatchGemm) convAsBatchGemm(b.graph, sourceShape);
  let prediction = renames.get(c.target.prediction) ?? c.target.prediction;
  let labels = LABELS;
  let axis = c.target.axis;
  // The forward graph computes the source model's values (renamed, opset upgraded): same shapes.
  let shape = c.labelsShape;
  if (c.target.flatten) {
    prediction = b.op('Flatten', [prediction], { axis });
    labels = b.op('Flatten', [labels], { axis });
    shape = shape && [flatSize(shape.slice(0, axis)), flatSize(shape.slice(axis))];
    axis = 1;
  }
  const result = appendLoss(b, c.loss, {
    prediction,
    labels,
    shape,
    axis,
    labelSmoothing: c.options.labelSmoothing,
    gradient,
    output: LOSS,
  });
  b.output(result.loss, 'float32', []);
  return { b, prediction, gradient: result.gradient, marked, renames };
}

function flatSize(dims: readonly Dim[]): Dim {
  return dims.every((d) => typeof d === 'number') ? (dims as number[]).reduce((a, d) => a * d, 1) : null;
}

/**
 * Static shapes of a graph's values (inferred, falling back to declared types). A ShapeInferenceError
 * (inconsistent shapes in the model) propagates: artifacts of such a model would not run.
 */
function shapesOf(graph: Graph, opset: number): (name: string) => Dim[] | undefined {
  const inferred = inferGraphShapes(graph, opset);
  const declared = new Map<string, ValueType | undefined>();
  for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) declared.set(v.name, v.type);
  for (const t of graph.initializers) declared.set(t.name, { kind: 'tensor', dtype: t.dtype, shape: t.dims });
  return (name) => {
    const t = inferred.get(name) ?? declared.get(name);
    return t && t.kind === 'tensor' && t.shape ? [...t.shape] : undefined;
  };
}

function declaredShape(graph: Graph, name: string): Dim[] | undefined {
  const v = [...graph.inputs, ...graph.outputs].find((x) => x.name === name);
  return v?.type?.kind === 'tensor' && v.type.shape ? [...v.type.shape] : undefined;
}

function modelOpset(model: Model): number {
  const o = model.opsetImports.find((i) => i.domain === '' || i.domain === 'ai.onnx');
  if (!o) throw new RangeError('generateArtifacts: the model imports no ai.onnx opset');
  return o.version;
}
