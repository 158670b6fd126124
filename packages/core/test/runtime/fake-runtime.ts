import { Tensor } from 'onnxruntime-common';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { encodeModel } from '../../src/onnx/codec/model-codec.js';
import type { AdapterProbe, Device, OrtSession, OrtSessionOptions, Runtime } from '../../src/runtime/index.js';

/** A valid model (y = Identity(x), x float32 [batch, 2]): createSession checks the bytes before any device. */
export function identityModelBytes(): Uint8Array {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', 'float32', ['batch', 2]);
  b.op('Identity', ['x'], {}, { output: 'y' });
  b.output('y', 'float32', ['batch', 2]);
  return encodeModel(b.build());
}

/** One recorded `createSession` call of {@link fakeRuntime}. */
export interface FakeCall {
  provider: unknown;
  options: OrtSessionOptions;
}

/**
 * A runtime without ORT: devices in `failing` throw `error(device)`, the rest return a session whose
 * metadata is `inputs`/`outputs` and whose run echoes its feeds (renamed to the first output).
 */
export function fakeRuntime(
  platform: 'node' | 'web',
  failing: Partial<Record<Device, string>> = {},
  explain?: (device: Device) => string | undefined,
  probe?: (device: Device) => AdapterProbe | undefined,
): Runtime & { calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  return {
    platform,
    name: 'fake',
    env: {} as Runtime['env'],
    calls,
    async createSession(_model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession> {
      const provider = options.executionProviders?.[0];
      calls.push({ provider, options });
      const name = (typeof provider === 'string' ? provider : (provider as { name: string }).name) as Device;
      const msg = failing[name];
      if (msg !== undefined) throw new Error(msg);
      return {
        inputNames: ['x'],
        outputNames: ['y'],
        inputMetadata: [{ name: 'x', isTensor: true, type: 'float32', shape: ['batch', 2] }],
        outputMetadata: [{ name: 'y', isTensor: true, type: 'float32', shape: ['batch', 2] }],
        async run(feeds: Record<string, Tensor>) {
          return { y: feeds.x };
        },
        async release() {},
      } as unknown as OrtSession;
    },
    createTensor: (dtype, data, dims) => new Tensor(dtype, data as Tensor.DataType, dims),
    loadModel: async () => identityModelBytes(),
    explainFailure: explain,
    ...(probe ? { probeAdapter: async (device: Device) => probe(device) } : {}),
  };
}
