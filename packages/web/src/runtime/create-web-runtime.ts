import type { OrtDataType, OrtSession, OrtSessionOptions, Runtime, TensorArray } from '@onnxkit/core';
import { markWebRuntimeStarted } from '../configure-web.js';
import { fetchModel } from '../load/fetch-model.js';
import type { LoadOptions } from '../load/progress.js';
import type { OrtWebModule, WebBuild } from './ort-web-module.js';
import { SerialQueue } from './serial-queue.js';

/**
 * Every web session creation goes through this one queue. onnxruntime-web 1.30 refuses overlapping
 * creations ("multiple calls to 'initWasm()' detected", "another WebGPU EP inference session is being
 * created"), e.g. a classifier loading while a trainer starts.
 */
export const sessionQueue = new SerialQueue();

/**
 * Every run of the WebGPU build goes through this one queue. In onnxruntime-web 1.30's WebGPU build two
 * overlapping `run()` calls never settle — on one session or two, also a wasm session next to a webgpu
 * one (measured in Chromium) — e.g. a live prediction while a trainer steps. The WASM-only build does not
 * need it.
 */
export const runQueue = new SerialQueue();

/** The session with its `run` queued on {@link runQueue}; everything else passes through. */
function serializeRuns(session: OrtSession): OrtSession {
  const run = (...args: Parameters<OrtSession['run']>) => runQueue.run(() => (session.run as (...a: unknown[]) => ReturnType<OrtSession['run']>)(...args));
  return new Proxy(session, {
    get(target, key) {
      if (key === 'run') return run;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Wraps one onnxruntime-web build as an onnxkit runtime (devices `webgpu` and `wasm`, models from URLs). */
export function createWebRuntime(ort: OrtWebModule, build: WebBuild): Runtime {
  return Object.freeze({
    platform: 'web',
    name: `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common}${build === 'wasm' ? ' (WASM-only build)' : ''}`,
    env: ort.env,
    createSession: (model: Uint8Array, options: OrtSessionOptions) => {
      const provider = options.executionProviders?.[0];
      const name = typeof provider === 'string' ? provider : provider?.name;
      if (build === 'wasm' && name === 'webgpu') {
        // Fail at once with the reason; ORT itself would only say "backend not found".
        return Promise.reject(new Error("WebGPU is not in the WASM-only build '@onnxkit/web/wasm'; import '@onnxkit/web' for WebGPU"));
      }
      return sessionQueue.run(async () => {
        markWebRuntimeStarted();
        const session = await ort.InferenceSession.create(model, options);
        return build === 'webgpu' ? serializeRuns(session) : session;
      });
    },
    createTensor: (dtype: OrtDataType, data: TensorArray, dims: readonly number[]) =>
      // The overloads of the Tensor constructor cannot be picked from a union type; the runtime checks pairs.
      new ort.Tensor(dtype, data as never, dims),
    loadModel: (url: string, options?: LoadOptions) => fetchModel(url, options),
    explainFailure: (device) =>
      device === 'webgpu' && build === 'webgpu' && typeof navigator !== 'undefined' && !('gpu' in navigator)
        ? 'this browser exposes no navigator.gpu'
        : undefined,
  } satisfies Runtime);
}
