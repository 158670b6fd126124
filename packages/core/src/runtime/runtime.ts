import type { Env, InferenceSession as OrtInferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { TensorValues } from '../onnx/dtype.js';
import type { AdapterProbe } from './adapter.js';
import type { Device, Platform } from './device.js';
import type { ModelLoadOptions } from './model-load-options.js';

/** An onnxruntime-common tensor, created by (and belonging to) the registered runtime's ORT copy. */
export type OrtTensorLike = OrtTensor;

/** A raw ONNX Runtime session, as onnxruntime-node or onnxruntime-web returns it. */
export type OrtSession = OrtInferenceSession;

/** A session on a thread of its own, made by {@link Runtime.createWorkerSession}. */
export interface WorkerOrtSession extends OrtSession {
  /**
   * Runs with the feeds' buffers moved to the session's thread instead of copied: until the promise
   * settles, every view of those buffers here is detached (length 0). They come back, as the same
   * views, in `feeds`; if the run fails they are lost. Feeds must be CPU tensors over plain ArrayBuffers.
   */
  runMoving(feeds: Readonly<Record<string, OrtTensorLike>>): Promise<MovedRun>;
}

/** What {@link WorkerOrtSession.runMoving} returns. */
export interface MovedRun {
  /** The session's outputs, by name. */
  outputs: Record<string, OrtTensorLike>;
  /** The feeds, by name, over the buffers that went to the worker and back. */
  feeds: Record<string, OrtTensorLike>;
}

/** ONNX Runtime session options, as onnxruntime-common types them. */
export type OrtSessionOptions = OrtInferenceSession.SessionOptions;

/** ONNX Runtime's global settings object (`ort.env`) of the registered runtime. */
export type OrtEnv = Env;

/** Element types ONNX Runtime tensors can hold. */
export type OrtDataType = OrtTensor.Type;

/** Element storage accepted and returned by sessions. */
export type TensorArray = Exclude<TensorValues, string[]> | readonly string[];

/**
 * What a platform package implements and registers with {@link registerRuntime}. Core never imports an
 * ORT package itself: onnxruntime-web bundles its own onnxruntime-common, so tensors must come from the
 * runtime that will consume them.
 */
export interface Runtime {
  /** The platform this runtime serves; decides which devices exist and the `'auto'` order. */
  readonly platform: Platform;
  /** Human-readable name and version, e.g. `'onnxruntime-node 1.30.0'`. */
  readonly name: string;
  /** The runtime's `ort.env` (log level, wasm paths, ...). */
  readonly env: OrtEnv;
  /**
   * Creates a raw ORT session from model bytes. `options.executionProviders` holds exactly one provider;
   * the caller does device fallback, so this must throw when that provider cannot start.
   */
  createSession(model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession>;
  /** Creates a CPU tensor with this runtime's own `Tensor` class. */
  createTensor(dtype: OrtDataType, data: TensorArray, dims: readonly number[]): OrtTensorLike;
  /**
   * Reads a model given as a string: a file path, a shipped model's name or an http(s) URL in Node, a
   * URL in browsers; `options` as the caller gave them (already checked).
   */
  loadModel(source: string, options?: ModelLoadOptions): Promise<Uint8Array>;
  /**
   * Optional: extra words for an ORT error from starting `device`, e.g. which shared library is missing
   * (ORT's own message only says "Failed to load shared library"). Returned text is appended to it.
   */
  explainFailure?(device: Device, error: unknown): string | undefined;
  /**
   * Optional: which adapter `device` would run on, or why it has none, for devices that can be a software
   * renderer (`DEVICES[device].maybeSoftware`); undefined when the runtime cannot tell. `'auto'` passes
   * over a device that has no adapter or a software one; a device named by the caller is started anyway.
   */
  probeAdapter?(device: Device): Promise<AdapterProbe | undefined>;
  /**
   * Optional: creates a CPU session that runs on a thread of its own, so that runs of several such
   * sessions proceed at the same time; the Trainer's data-parallel replicas use it (docs/ARTIFACTS.md,
   * "Data-parallel replicas"). Outputs come back as CPU tensors of this runtime.
   */
  createWorkerSession?(model: Uint8Array, options: OrtSessionOptions): Promise<WorkerOrtSession>;
  /** Optional: how many threads the machine runs at once (Node: `os.availableParallelism()`). */
  readonly hardwareConcurrency?: number;
}
