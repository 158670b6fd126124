import type { Trainer } from '@onnxkit/core';
import { checkKey, type ByteStore } from './byte-store.js';

/**
 * Saves the trainer's parameters, optimizer state and step (`trainer.saveCheckpoint`) under `key`;
 * `metadata` is stored with them (e.g. `fitPositionMetadata(result.position)` to resume a run).
 * Resolves to the checkpoint's size in bytes.
 */
export async function saveTrainerCheckpoint(
  store: ByteStore,
  key: string,
  trainer: Trainer,
  metadata: Record<string, string> = {},
): Promise<number> {
  checkKey('saveTrainerCheckpoint', key);
  const bytes = await trainer.saveCheckpoint(metadata);
  await store.set(key, bytes);
  return bytes.byteLength;
}

/**
 * Restores a checkpoint saved under `key` into `trainer` and returns its metadata, or undefined when the
 * store has none. A checkpoint of other artifacts is refused with the Trainer's RangeError.
 */
export async function restoreTrainerCheckpoint(
  store: ByteStore,
  key: string,
  trainer: Trainer,
): Promise<Record<string, string> | undefined> {
  const bytes = await store.get(checkKey('restoreTrainerCheckpoint', key));
  if (!bytes) return undefined;
  return trainer.loadCheckpoint(bytes);
}
