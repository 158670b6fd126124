import type { InferenceSession as OrtInferenceSession } from 'onnxruntime-common';
import { ModelFormatError } from '../errors.js';
import { decodeModelOutline } from '../onnx/codec/decode-outline.js';
import { externalTensors } from '../onnx/external-data.js';
import { validateModel } from '../onnx/validate.js';
import { formatAdapter, type AdapterInfo, type AdapterProbe } from './adapter.js';
import { AUTO_DEVICES, DEVICES, type Device } from './device.js';
import { DeviceUnavailableError, type DeviceFailure } from './device-error.js';
import type { ModelLoadOptions } from './model-load-options.js';
import { ortErrorText, RunError } from './ort-error.js';
import { prepareFeeds, type Feeds } from './feeds.js';
import { OutputTensor } from './output-tensor.js';
import { getRuntime } from './registry.js';
import { resolveDevices } from './resolve-devices.js';
import type { OrtSession, Runtime } from './runtime.js';
import { checkSessionOptions, toOrtOptions, type SessionOptions } from './session-options.js';
import { formatSpecs, specsFromMetadata, type TensorSpec } from './tensor-spec.js';

/** A model: its bytes, or a string the runtime loads (a file path in Node, a URL in browsers). */
export type ModelSource = Uint8Array | ArrayBuffer | string;

/** Options of {@link Session.run}: ORT run options plus which outputs to fetch. */
export interface RunOptions extends OrtInferenceSession.RunOptions {
  /** Output names to compute. @defaultValue all outputs */
  outputs?: readonly string[];
}

/** Outputs of {@link Session.run}, by name. */
export type SessionOutputs = Record<string, OutputTensor>;

/** A model loaded on one device. Create it with {@link createSession}. */
export class Session {
  /** The device that really runs the model. */
  readonly device: Device;
  /** Devices tried before {@link Session.device}, each with the error that made it fall back. */
  readonly fallbacks: readonly DeviceFailure[];
  /** The adapter {@link Session.device} runs on, when the runtime identified it (WebGPU in Node). */
  readonly adapter: AdapterInfo | undefined;
  /** Model inputs, as ORT reports them. */
  readonly inputs: readonly TensorSpec[];
  /** Model outputs, as ORT reports them. */
  readonly outputs: readonly TensorSpec[];
  /** The runtime that created the session. */
  readonly runtime: Runtime;
  /** The raw ORT session, for what onnxkit does not wrap. */
  readonly ort: OrtSession;
  #released = false;

  /** Wraps an ORT session; prefer {@link createSession}, which resolves the device. */
  constructor(
    ort: OrtSession,
    runtime: Runtime,
    device: Device,
    fallbacks: readonly DeviceFailure[] = [],
    adapter?: AdapterInfo,
  ) {
    this.ort = ort;
    this.runtime = runtime;
    this.device = device;
    this.fallbacks = Object.freeze([...fallbacks]);
    this.adapter = adapter;
    this.inputs = specsFromMetadata(ort.inputMetadata);
    this.outputs = specsFromMetadata(ort.outputMetadata);
  }

  /** True after {@link Session.release}. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Runs the model. Feeds are checked against the model's inputs first: a missing or unknown name or a
   * wrong dtype throws a TypeError, a wrong shape or element count a RangeError, each listing the inputs.
   * A failure inside ONNX Runtime throws a {@link RunError}.
   */
  async run(feeds: Feeds, options: RunOptions = {}): Promise<SessionOutputs> {
    if (this.#released) throw new Error('run: the session has been released');
    const tensors = prepareFeeds(feeds, this.inputs, this.runtime);
    const { outputs: wanted, ...runOptions } = options;
    const names = wanted === undefined ? undefined : this.#checkOutputNames(wanted);
    let result;
    try {
      result = names ? await this.ort.run(tensors, names, runOptions) : await this.ort.run(tensors, runOptions);
    } catch (e) {
      throw new RunError(`run: ${ortErrorText(e)}`, { cause: e });
    }
    const out: SessionOutputs = {};
    for (const [name, value] of Object.entries(result)) out[name] = new OutputTensor(name, value);
    return out;
  }

  /** Frees the session's native memory; the session cannot run afterwards. Safe to call twice. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.ort.release();
  }

  /** Same as {@link Session.release}. */
  dispose(): Promise<void> {
    return this.release();
  }

  #checkOutputNames(wanted: readonly string[]): string[] {
    if (!Array.isArray(wanted)) throw new TypeError('run: options.outputs must be an array of output names');
    const known = new Set(this.outputs.map((o) => o.name));
    for (const n of wanted) {
      if (!known.has(n)) {
        throw new TypeError(`run: unknown output '${String(n)}'.\nModel outputs:\n${formatSpecs(this.outputs)}`);
      }
    }
    return [...wanted];
  }
}

/**
 * Loads a model on the first device that starts. The bytes are decoded and validated first, so a corrupt
 * model throws a {@link ModelFormatError} naming the file (or "the model bytes") before any device is
 * tried; so do bytes that still reference external data (ORT would look for it relative to the working
 * directory: pass the model's path, or load it with `openModelFile` / `resolveExternalData`). With
 * `device: 'auto'` or a list, a device that fails falls back to the next and the session reports `device`
 * and `fallbacks`; a single device is strict and its failure throws a {@link DeviceUnavailableError}
 * saying how to install what is missing. When the platform's last-resort device (`cpu`, `wasm`) fails too,
 * ORT has refused the model itself: a ModelFormatError (code `'invalid'`) naming it, with the
 * DeviceUnavailableError as its `cause`. `'auto'` also passes over a device whose adapter is a software
 * renderer; naming the device runs it there anyway.
 *
 * @example
 * ```ts
 * import { createSession } from '@onnxkit/node'; // or '@onnxkit/web'
 * const session = await createSession('mnist-cnn', { device: 'auto' }); // a shipped name, a path or a URL
 * console.log(session.device, session.fallbacks);
 * const out = await session.run({ input: { data: new Float32Array(784), dims: [1, 1, 28, 28] } });
 * await session.release();
 * ```
 */
export async function createSession(model: ModelSource, options?: SessionOptions): Promise<Session> {
  const runtime = getRuntime();
  // Bad options fail before the model is read.
  resolveDevices(checkSessionOptions(options).device, runtime.platform);
  const bytes = await modelBytes(model, runtime, options?.load);
  return startSession(bytes, options, typeof model === 'string' ? model : 'the model bytes');
}

/**
 * Checks model bytes and starts them on the first device that works (see {@link createSession}); `name`
 * names the model in errors. For loaders that have already read the bytes, e.g. `Classifier.load`.
 */
export async function startSession(bytes: Uint8Array, options: SessionOptions | undefined, name = 'the model bytes'): Promise<Session> {
  const runtime = getRuntime();
  const opts = checkSessionOptions(options);
  const devices = resolveDevices(opts.device, runtime.platform);
  checkModelBytes(bytes, name);
  const auto = opts.device === undefined || opts.device === 'auto';
  const fallbacks: DeviceFailure[] = [];
  let last: unknown;
  for (const device of devices) {
    // Asked alongside the session start: 'auto' needs the answer first, a named device only reports it.
    const asking = DEVICES[device].maybeSoftware ? runtime.probeAdapter?.(device).catch(() => undefined) : undefined;
    const skip = auto ? autoSkip(device, await asking) : undefined;
    if (skip) {
      fallbacks.push(skip);
      continue;
    }
    try {
      const ort = await runtime.createSession(bytes, toOrtOptions(opts, device));
      const probe = await asking;
      return new Session(ort, runtime, device, fallbacks, probe && 'adapter' in probe ? probe.adapter : undefined);
    } catch (e) {
      last = e;
      const extra = runtime.explainFailure?.(device, e);
      const text = ortErrorText(e).trimEnd();
      fallbacks.push(Object.freeze({ device, error: extra ? `${text} (${extra})` : text }));
    }
  }
  const failure = noDeviceError(opts.device, devices, fallbacks, last);
  // The platform's last-resort device (cpu, wasm) needs no installation: when it fails, the model is at fault.
  const baseline = fallbacks.find((f) => f.device === AUTO_DEVICES[runtime.platform].at(-1));
  if (baseline) throw new ModelFormatError('invalid', `${name}: ONNX Runtime cannot load the model: ${baseline.error}`, { cause: failure });
  throw failure;
}

function checkModelBytes(bytes: Uint8Array, name: string): void {
  const named = (e: ModelFormatError) =>
    new ModelFormatError(e.code, e.message.startsWith(`${name}: `) ? e.message : `${name}: ${e.message}`, { cause: e });
  // The outline holds what these checks read and no weights, so a page that only runs models bundles
  // neither the full decoder nor the IR codec; decodeModel would throw the same errors.
  let outline;
  try {
    outline = decodeModelOutline(bytes);
    validateModel(outline);
  } catch (e) {
    throw e instanceof ModelFormatError ? named(e) : e;
  }
  const external = externalTensors(outline)[0];
  if (external) {
    throw named(
      new ModelFormatError(
        'external-data',
        `tensor '${external.name}' keeps its data in the external file '${external.external!.location}', which ONNX Runtime would look for ` +
          "relative to the working directory, not the model's folder: pass the model's path, or load it with openModelFile / resolveExternalData first",
      ),
    );
  }
}

/** Why `'auto'` passes over `device` without starting it: no adapter here, or only a software one. */
function autoSkip(device: Device, probe: AdapterProbe | undefined): DeviceFailure | undefined {
  if (probe === undefined) return undefined;
  if ('unavailable' in probe) return Object.freeze({ device, error: probe.unavailable });
  if (!probe.adapter.software) return undefined;
  const error =
    `its adapter ${formatAdapter(probe.adapter)} is a software renderer, which 'auto' never picks; ` +
    `ask for device '${device}' to use it`;
  return Object.freeze({ device, error, adapter: probe.adapter });
}

function noDeviceError(
  option: SessionOptions['device'],
  devices: readonly Device[],
  fallbacks: readonly DeviceFailure[],
  cause: unknown,
): DeviceUnavailableError {
  const strict = typeof option === 'string' && option !== 'auto';
  if (strict) {
    const { device, error } = fallbacks[0];
    const hint = DEVICES[device].installHint;
    // Only blame the provider's installation when ORT's words point at it, not e.g. at a corrupt model.
    const aboutProvider = /shared library|execution ?provider|backend|adapter|webgpu|cuda/i.test(error);
    const message = `device '${device}' failed to start: ${error}${hint && aboutProvider ? `\n${hint}` : ''}`;
    return new DeviceUnavailableError(message, devices, fallbacks, cause);
  }
  const lines = fallbacks.map((f) => `  ${f.device}: ${f.error}`).join('\n');
  return new DeviceUnavailableError(
    `no device could start the session (tried ${devices.join(', ')}):\n${lines}`,
    devices,
    fallbacks,
    cause,
  );
}

async function modelBytes(model: ModelSource, runtime: Runtime, load: ModelLoadOptions | undefined): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (typeof model === 'string') {
    if (model.length === 0) throw new RangeError('createSession: model path/URL is empty');
    bytes = await runtime.loadModel(model, load);
  } else if (model instanceof Uint8Array) {
    bytes = model;
  } else if (model instanceof ArrayBuffer) {
    bytes = new Uint8Array(model);
  } else {
    throw new TypeError(
      `createSession: model must be a Uint8Array, an ArrayBuffer or a path/URL string, got ${
        model === null ? 'null' : typeof model
      }`,
    );
  }
  if (bytes.byteLength === 0) throw new RangeError('createSession: model is empty (0 bytes)');
  return bytes;
}
