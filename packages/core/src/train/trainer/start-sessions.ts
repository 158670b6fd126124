import type { Model } from '../../onnx/ir.js';
import { DEVICES, type Device } from '../../runtime/device.js';
import { createSession, type Session } from '../../runtime/session.js';
import type { SessionOptions } from '../../runtime/session-options.js';
import { ARTIFACT_METADATA } from '../artifacts/artifact-metadata.js';
import { decodeCheckpoint, type Checkpoint } from '../artifacts/checkpoint.js';
import { ARTIFACT_FILES } from '../artifacts/encode-artifacts.js';
import { generateArtifacts, LOSS, type TrainingArtifacts } from '../artifacts/generate.js';
import type { ArtifactOptions } from '../artifacts/options.js';
import { ARTIFACT_TARGETS, isArtifactTarget, targetForDevice, type ArtifactTarget } from '../artifacts/targets.js';
import { gradientName, updatedName } from '../optimizers/names.js';
import { artifactModel, isGeneratedArtifacts, type ArtifactModel, type ArtifactSet } from './artifact-set.js';
import { statisticOutputNames } from './batch-statistics.js'; // batch statistics: batch-statistics.ts
import { planReplicas, TrainingReplicas } from './data-parallel.js';
import { FlatUpdate, flatOptimizerModel, PerParameterUpdate, type OptimizerUpdate } from './optimizer-update.js';
import { withTrainerDefaults } from './session-defaults.js';

/**
 * Options of `Trainer.create`: session options for all three graphs, plus how the artifacts are
 * chosen. Unless `extra` says otherwise, ORT's intra-op threads do not spin-wait between steps; unless
 * `enableMemPattern` is given, the sessions run without ORT's memory pattern (it made the CPU arena hold
 * two layouts of a step's tensors at once: docs/BENCHMARKS.md, "Training a real architecture").
 */
export interface TrainerOptions extends Omit<SessionOptions, 'preferredOutputLocation'> {
  /**
   * Keep parameters, gradients and optimizer state on the device between steps (`gpu-buffer` outputs
   * fed back as inputs). Only devices whose table entry has `outputsOnDevice` support it (webgpu, in
   * Node and browsers).
   * @defaultValue true on such devices, false elsewhere
   */
  keepOnDevice?: boolean;
  /**
   * The artifact target to run: `'auto'` runs the fastest formulation for the device the sessions
   * land on (`targetForDevice`), regenerating the graphs when the artifacts came from
   * `generateArtifacts` in this process or a model was given; artifacts read from files run as they
   * are. A named target is required to match (or be generated). @defaultValue 'auto'
   */
  target?: ArtifactTarget | 'auto';
  /** Generator options when `Trainer.create` is given an inference model. @defaultValue {} */
  artifacts?: Omit<ArtifactOptions, 'target'>;
  /**
   * Training-graph replicas that run slices of each batch at the same time, each on a thread of its
   * own with `intraOpNumThreads / n` ORT threads; the slices' losses and gradients, weighted by size,
   * are the whole batch's. `'auto'` uses one replica per intra-op thread (`intraOpNumThreads`, else
   * every core) where that is possible: Node's CPU device, artifacts that record independent samples
   * (`generateArtifacts` does for graphs that never mix samples), batches of at least 16. `1` turns
   * them off; a number above 1 that is not possible here throws a RangeError that says why.
   * @defaultValue 'auto'
   */
  dataParallel?: 'auto' | number;
}

/** What the Trainer is built from. */
export interface StartedSessions {
  training: Session;
  eval: Session;
  /** The optimizer update: the artifacts' graph, or the same update over flat buffers on CPU tensors. */
  optimizer: OptimizerUpdate;
  evalModel: ArtifactModel;
  checkpoint: Checkpoint;
  keepOnDevice: boolean;
  /** Devices that failed before the one the sessions run on (from the first start). */
  fallbacks: Session['fallbacks'];
  /** The artifact target the sessions run. */
  target: ArtifactTarget;
  /** The session options with the device pinned, for sessions started later. */
  options: SessionOptions;
  /** Replicas of the training graph for large batches (not started until a batch needs them). */
  replicas: TrainingReplicas | undefined;
}

/** The artifacts for each target, generated on demand when a recipe is at hand. */
interface ArtifactSource {
  /** The artifacts as given (or generated first). */
  initial: TrainingArtifacts | ArtifactSet;
  /** The artifacts for `target`, or undefined when they cannot be regenerated. */
  forTarget(target: ArtifactTarget): TrainingArtifacts | ArtifactSet | undefined;
  /** The target of a set of artifacts. */
  targetOf(artifacts: TrainingArtifacts | ArtifactSet): ArtifactTarget;
}

const isModel = (v: unknown): v is Model => !!v && typeof v === 'object' && 'graph' in v && 'opsetImports' in v;

function artifactSource(given: TrainingArtifacts | ArtifactSet | Model, options: TrainerOptions, firstTarget: ArtifactTarget): ArtifactSource {
  const targetOf = (a: TrainingArtifacts | ArtifactSet): ArtifactTarget => {
    if (isGeneratedArtifacts(a) && isArtifactTarget(a.target)) return a.target;
    const recorded = a.trainingModel instanceof Uint8Array ? undefined : a.trainingModel.metadata[ARTIFACT_METADATA.target];
    return isArtifactTarget(recorded) ? recorded : 'portable';
  };
  if (isModel(given)) {
    const initial = generateArtifacts(given, { ...options.artifacts, target: firstTarget });
    return { initial, targetOf, forTarget: (t) => initial.forTarget(t) };
  }
  // Generated in this process and unchanged since: the recipe can make the other targets, and the
  // caller's checkpoint (possibly a later one) goes with them.
  const regenerable =
    isGeneratedArtifacts(given) &&
    typeof given.forTarget === 'function' &&
    !(given.trainingModel instanceof Uint8Array) &&
    given.trainingModel.metadata[ARTIFACT_METADATA.target] === given.target;
  return {
    initial: given,
    targetOf,
    forTarget: (t) => {
      if (t === targetOf(given)) return given;
      if (!regenerable) return undefined;
      return { ...(given as TrainingArtifacts).forTarget(t), checkpoint: given.checkpoint };
    },
  };
}

/**
 * Starts the three sessions (one after another: browsers cannot create two at once) on the first
 * device that works, with the artifacts formulated for that device, and decodes the checkpoint.
 */
export async function startSessions(given: TrainingArtifacts | ArtifactSet | Model, options: TrainerOptions): Promise<StartedSessions> {
  if (!given || typeof given !== 'object') throw new TypeError('Trainer.create: artifacts must be an object (training artifacts or an inference model)');
  if (typeof options !== 'object' || options === null) throw new TypeError('Trainer.create: options must be an object');
  const { keepOnDevice: keepOption, target: targetOption = 'auto', artifacts: _artifactOptions, dataParallel = 'auto', ...given_ } = options;
  if (dataParallel !== 'auto' && !(Number.isInteger(dataParallel) && dataParallel >= 1)) {
    throw new RangeError(`Trainer.create: 'dataParallel' must be 'auto' or an integer >= 1, got ${String(dataParallel)}`);
  }
  if (targetOption !== 'auto' && !isArtifactTarget(targetOption)) {
    throw new RangeError(`Trainer.create: 'target' must be 'auto' or one of ${Object.keys(ARTIFACT_TARGETS).map((t) => `'${t}'`).join(', ')}, got '${String(targetOption)}'`);
  }
  const sessionOptions = withTrainerDefaults(given_);
  // With one named device the target and residency are known before the first session; otherwise
  // the training session is started first to learn the device, and restarted once if that device
  // wants other artifacts or keeps tensors resident.
  const known = typeof sessionOptions.device === 'string' && sessionOptions.device !== 'auto' ? sessionOptions.device : undefined;
  const targetFor = (device: Device): ArtifactTarget => (targetOption === 'auto' ? targetForDevice(device) : targetOption);
  const source = artifactSource(given, options, known ? targetFor(known) : targetOption === 'auto' ? 'portable' : targetOption);
  const resident = (device: Device) => DEVICES[device].outputsOnDevice;
  const keepFor = (device: Device) => keepOption ?? resident(device);
  if (known && keepFor(known) && !resident(known)) {
    throw new RangeError(`Trainer.create: keepOnDevice needs a device that keeps outputs on it (${onDeviceNames()}), not ${known}`);
  }

  const pick = (device: Device | undefined) => {
    const wanted = device ? targetFor(device) : source.targetOf(source.initial);
    const artifacts = source.forTarget(wanted) ?? (targetOption === 'auto' ? source.initial : undefined);
    if (!artifacts) {
      throw new RangeError(
        `Trainer.create: these artifacts are formulated for target '${source.targetOf(source.initial)}' and cannot be regenerated ` +
          `for '${wanted}' (they were not made by generateArtifacts in this process); generate them with { target: '${wanted}' }`,
      );
    }
    return { artifacts, target: source.targetOf(artifacts) };
  };
  let chosen = pick(known);
  let training = artifactModel(chosen.artifacts.trainingModel, ARTIFACT_FILES.trainingModel);
  const checkpoint = decodeCheckpoint(chosen.artifacts.checkpoint);
  const expected = training.model.metadata[ARTIFACT_METADATA.fingerprint];
  if (expected && expected !== checkpoint.fingerprint) {
    throw new RangeError(
      `Trainer.create: the checkpoint belongs to other artifacts (checkpoint fingerprint ${checkpoint.fingerprint}, training model ${expected})`,
    );
  }
  const params = checkpoint.parameters.map((p) => p.name);
  const onDevice = (names: readonly string[], cpu: readonly string[] = []) => ({
    preferredOutputLocation: Object.fromEntries([...names.map((n) => [n, 'gpu-buffer']), ...cpu.map((n) => [n, 'cpu'])]),
  });
  const trainingOnDevice = onDevice([...params.map(gradientName), ...statisticOutputNames(checkpoint)], [LOSS]); // batch statistics: batch-statistics.ts

  let trainingSession = await createSession(training.bytes, known && keepFor(known) ? { ...sessionOptions, ...trainingOnDevice } : sessionOptions);
  const device = trainingSession.device;
  const fallbacks = trainingSession.fallbacks;
  const pinned = { ...sessionOptions, device };
  const keepOnDevice = keepFor(device);
  if (keepOnDevice && !resident(device)) {
    await trainingSession.release();
    throw new RangeError(`Trainer.create: keepOnDevice needs a device that keeps outputs on it (${onDeviceNames()}); this session runs on ${device}`);
  }
  if (!known) {
    const better = pick(device);
    const retarget = better.target !== chosen.target;
    if (retarget || keepOnDevice) {
      await trainingSession.release();
      chosen = better;
      training = artifactModel(chosen.artifacts.trainingModel, ARTIFACT_FILES.trainingModel);
      trainingSession = await createSession(training.bytes, keepOnDevice ? { ...pinned, ...trainingOnDevice } : pinned);
    }
  }
  const evalModel = artifactModel(chosen.artifacts.evalModel, ARTIFACT_FILES.evalModel);
  const optimizer = artifactModel(chosen.artifacts.optimizerModel, ARTIFACT_FILES.optimizerModel);
  const evalSession = await createSession(evalModel.bytes, pinned);
  const paramSet = new Set(params);
  const batchAxisFree = trainingSession.inputs.filter((s) => !paramSet.has(s.name)).every((s) => s.shape && s.shape.length > 0 && typeof s.shape[0] !== 'number');
  const plan = planReplicas(dataParallel, trainingSession.runtime, keepOnDevice ? 'gpu-buffer' : device, training.model.metadata, batchAxisFree, sessionOptions.intraOpNumThreads);
  if (typeof dataParallel === 'number' && dataParallel > 1 && plan.count === 1) {
    for (const s of [trainingSession, evalSession]) await s.release();
    throw new RangeError(`Trainer.create: dataParallel ${dataParallel} is not possible here: ${plan.reason}`);
  }
  const replicas = plan.count > 1 ? new TrainingReplicas(trainingSession.runtime, training.model, pinned, plan, checkpoint.parameters) : undefined;
  const updated = [...params, ...checkpoint.optimizerState.map((s) => s.name)].map(updatedName);
  // With replicas the flat update sums their gradients (one part each) inside its graph.
  const parts = replicas?.count ?? 1;
  const flat = keepOnDevice ? undefined : flatOptimizerModel(optimizer, checkpoint, parts);
  const optimizerSession = await createSession(flat?.bytes ?? optimizer.bytes, keepOnDevice ? { ...pinned, ...onDevice(updated) } : pinned);
  const update = flat
    ? new FlatUpdate(optimizerSession, checkpoint.parameters, flat.slots, parts)
    : new PerParameterUpdate(optimizerSession, params, checkpoint.optimizerState.map((s) => s.name));
  return {
    replicas,
    training: trainingSession,
    eval: evalSession,
    optimizer: update,
    evalModel,
    checkpoint,
    keepOnDevice,
    target: chosen.target,
    fallbacks,
    options: pinned,
  };
}

const onDeviceNames = () => (Object.keys(DEVICES) as Device[]).filter((d) => DEVICES[d].outputsOnDevice).join(', ');
