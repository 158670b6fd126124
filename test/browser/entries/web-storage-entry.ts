/**
 * Browser storage for fine-tuning, across a page reload. `?phase=1`: fine-tune the seed CNN one step on
 * WebGPU (parameters resident on the GPU), save its checkpoint to OPFS and IndexedDB and the exported model
 * to OPFS. `?phase=2` (after a reload): restore the checkpoint into a fresh WASM trainer and run the stored model.
 */
import {
  buildSeedCnn,
  configureWeb,
  createSession,
  exportModelBytes,
  fit,
  generateArtifacts,
  indexedDbStore,
  LABELS_KEY,
  openBrowserStore,
  opfsStore,
  restoreTrainerCheckpoint,
  saveTrainerCheckpoint,
  Trainer,
  type ByteStore,
} from '@onnxkit/web';
import { report, served } from '../page-api.js';
import { checksum, mnistDigits } from './web-digits.js';

const phase = new URLSearchParams(location.search).get('phase') ?? '1';

/** set/get/overwrite/keys/delete on one store, with an awkward key and 1 MB of bytes. */
async function basicOps(store: ByteStore) {
  for (const k of await store.keys()) await store.delete(k);
  const big = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 255);
  await store.set('dir/a b%.onnx', big);
  await store.set('z', Uint8Array.of(1));
  await store.set('z', Uint8Array.of(2, 3));
  const back = await store.get('dir/a b%.onnx');
  const result = {
    kind: store.kind,
    persistent: store.persistent,
    bigIntact: back !== undefined && back.length === big.length && back.every((v, i) => v === big[i]),
    overwritten: Array.from((await store.get('z')) ?? []),
    missing: (await store.get('nope')) === undefined,
    keys: await store.keys(),
    deleted: [await store.delete('z'), await store.delete('z')],
    keysAfter: await store.keys(),
  };
  await store.delete('dir/a b%.onnx');
  return result;
}

async function outputsOf(bytes: Uint8Array, images: Float32Array, count: number): Promise<number[]> {
  const session = await createSession(bytes, { device: 'wasm' });
  const out = await session.run({ input: { data: images, dims: [count, 1, 28, 28] } });
  await session.release();
  return Array.from((await out.probabilities.getData()) as Float32Array);
}

report(async () => {
  configureWeb({ wasmPaths: served.ort });
  const opfs = await opfsStore({ directory: 'onnxkit-test' });
  const idb = await indexedDbStore({ database: 'onnxkit-test' });
  // Generated in the page; the same seed gives the same artifacts (and fingerprint) in both phases.
  const artifacts = generateArtifacts(buildSeedCnn({ seed: 3 }), { optimizer: 'momentum', momentum: 0.9 });
  const data = await mnistDigits(1);
  const sample = data.images.subarray(0, 3 * 784);
  if (phase === '1') {
    const basic = [await basicOps(opfs), await basicOps(idb)];
    const auto = await openBrowserStore({ name: 'onnxkit-test-auto' });
    const trainer = await Trainer.create(artifacts, { device: 'webgpu' });
    await fit(trainer, data, { epochs: 1, batchSize: 10, learningRate: 0.05, seed: 1 });
    const location = trainer.parametersLocation;
    const params = checksum(await trainer.getContiguousParameters());
    const sizes = [
      await saveTrainerCheckpoint(opfs, 'seed-cnn.ckpt', trainer, { note: 'phase 1' }),
      await saveTrainerCheckpoint(idb, 'seed-cnn.ckpt', trainer, { note: 'phase 1' }),
    ];
    const model = await exportModelBytes(trainer, { [LABELS_KEY]: JSON.stringify([...'0123456789']) });
    await opfs.set('fine-tuned.onnx', model);
    const { outputs } = await trainer.evalStep({ input: { data: sample, dims: [3, 1, 28, 28] } }, { data: new Float32Array(30), dims: [3, 10] });
    await trainer.release();
    return {
      basic,
      auto: { kind: auto.store.kind, skipped: auto.skipped },
      device: trainer.device,
      location,
      step: trainer.step,
      params,
      sizes,
      evalOutputs: Array.from(outputs.probabilities.data as Float32Array),
      exportedOutputs: await outputsOf(model, sample, 3),
    };
  }
  const restored = [];
  for (const store of [opfs, idb]) {
    const trainer = await Trainer.create(artifacts, { device: 'wasm' });
    const before = checksum(await trainer.getContiguousParameters());
    const metadata = await restoreTrainerCheckpoint(store, 'seed-cnn.ckpt', trainer);
    restored.push({ kind: store.kind, metadata, step: trainer.step, before, params: checksum(await trainer.getContiguousParameters()) });
    await trainer.release();
  }
  const model = await opfs.get('fine-tuned.onnx');
  const other = await Trainer.create(generateArtifacts(buildSeedCnn({ seed: 3 }), { optimizer: 'momentum', trainable: ['fc2.weight', 'fc2.bias'] }), { device: 'wasm' });
  const wrongArtifacts = await restoreTrainerCheckpoint(idb, 'seed-cnn.ckpt', other).then(
    () => 'restored',
    (e: Error) => `${e.name}: ${e.message}`,
  );
  await other.release();
  return {
    restored,
    missing: await restoreTrainerCheckpoint(opfs, 'no-such.ckpt', undefined as never),
    storedOutputs: model ? await outputsOf(model, sample, 3) : [],
    wrongArtifacts,
  };
});
