import {
  buildSeedCnn,
  decodeCheckpoint,
  fitPositionFromMetadata,
  fitPositionMetadata,
  generateArtifacts,
  Trainer,
} from '../../../packages/node/src/index.js';
import { crc32 } from '../../../packages/core/src/train/artifacts/crc32.js';
import type { Category } from '../category.js';
import { mutateBytes, mutateJson } from '../mutate.js';

/** Re-seals a version 2 checkpoint after editing its header, as someone tampering with it would. */
function tamper(bytes: Uint8Array, edit: (header: unknown) => unknown): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(12, true);
  const dataStart = (20 + length + 7) & ~7;
  const json = new TextEncoder().encode(JSON.stringify(edit(JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + length))))));
  const start = (20 + json.length + 7) & ~7;
  const out = new Uint8Array(start + bytes.length - dataStart);
  out.set(bytes.subarray(0, 20));
  const v = new DataView(out.buffer);
  v.setUint32(12, json.length, true);
  out.set(json, 20);
  out.set(bytes.subarray(dataStart), start);
  v.setUint32(16, crc32(out.subarray(20)), true);
  return out;
}

/** Damaged checkpoints (any byte), and tampered ones with a valid CRC: decode, read the fit position, load into a trainer. */
export const checkpointCategory: Category = {
  name: 'checkpoint',
  count: 400,
  async setup() {
    const artifacts = generateArtifacts(buildSeedCnn({ seed: 1 }), { trainable: ['fc2.weight', 'fc2.bias'] });
    const trainer = await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 1 });
    const position = { seed: 1, epoch: 1, batch: 2, history: [{ epoch: 0, loss: 2.1, seconds: 1 }], badEpochs: 0, lossSum: 4, lossCount: 2 };
    const bytes = await trainer.saveCheckpoint(fitPositionMetadata(position));
    return { trainer, bytes };
  },
  async make(index, rng, _dir, context) {
    const { trainer, bytes } = context as { trainer: Trainer; bytes: Uint8Array };
    const sealed = index % 2 === 1;
    const input = sealed ? tamper(bytes, (h) => mutateJson(h, rng)) : mutateBytes(bytes, rng);
    return {
      label: sealed ? 'tampered header, CRC recomputed' : 'damaged bytes',
      async run() {
        const ckpt = decodeCheckpoint(input);
        fitPositionFromMetadata(ckpt.metadata ?? {});
        await trainer.loadCheckpoint(input);
      },
    };
  },
};
