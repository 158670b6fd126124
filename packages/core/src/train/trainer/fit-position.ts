import { FIT_POSITION_KEY } from '../../metadata-keys.js';
import { CheckpointFormatError } from '../artifacts/checkpoint-error.js';
import type { EpochEndInfo, FitPosition } from './fit-options.js';

/** Re-exported where it was defined before the keys moved to metadata-keys.ts. */
export { FIT_POSITION_KEY };

/** Checkpoint metadata that lets a later `fit` resume exactly (see `Trainer.saveCheckpoint`). */
export function fitPositionMetadata(position: FitPosition): Record<string, string> {
  return { [FIT_POSITION_KEY]: JSON.stringify(position) };
}

/**
 * The {@link FitPosition} stored by {@link fitPositionMetadata}, if any. Throws a CheckpointFormatError
 * (code `'corrupt'`) naming the field when the stored value is not valid JSON or not a well-formed
 * position (a damaged or edited checkpoint).
 */
export function fitPositionFromMetadata(metadata: Record<string, string>): FitPosition | undefined {
  const raw = metadata[FIT_POSITION_KEY];
  if (!raw) return undefined;
  const corrupt = (message: string, cause?: unknown) => new CheckpointFormatError('corrupt', message, cause === undefined ? undefined : { cause });
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (cause) {
    throw corrupt(`fit position '${FIT_POSITION_KEY}' is not valid JSON`, cause);
  }
  return checkFitPosition(value, `fit position '${FIT_POSITION_KEY}'`, corrupt);
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
// JSON writes a NaN/Inf validation loss as null; read it back as NaN rather than refuse the checkpoint.
const orNaN = (v: unknown): number | undefined => (v === null ? Number.NaN : isNumber(v) ? v : undefined);

/**
 * Checks the shape of a {@link FitPosition} from outside (a checkpoint, a caller) and returns a copy;
 * a bad one throws `error(message)` (a RangeError by default).
 */
export function checkFitPosition(value: unknown, where: string, error: (message: string) => Error = (m) => new RangeError(m)): FitPosition {
  const bad = (what: string): never => {
    throw error(`${where}: ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('not an object');
  const p = value as Record<string, unknown>;
  if (!Number.isSafeInteger(p.seed)) bad("'seed' is not an integer");
  for (const key of ['epoch', 'batch', 'badEpochs', 'lossCount'] as const) if (!isCount(p[key])) bad(`'${key}' is not a non-negative integer`);
  if (!isNumber(p.lossSum)) bad("'lossSum' is not a number");
  if (p.best !== undefined && orNaN(p.best) === undefined) bad("'best' is not a number");
  if (!Array.isArray(p.history)) bad("'history' is not an array");
  const history = (p.history as unknown[]).map((e, i): EpochEndInfo => {
    const r = e as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || r.epoch !== i || !isNumber(r.loss) || !isNumber(r.seconds)) bad(`history entry ${i} is not { epoch: ${i}, loss, seconds }`);
    const out: EpochEndInfo = { epoch: i, loss: r!.loss as number, seconds: r!.seconds as number };
    if (r!.valLoss !== undefined) out.valLoss = orNaN(r!.valLoss) ?? bad(`history entry ${i} has a bad 'valLoss'`);
    if (r!.valAccuracy !== undefined) out.valAccuracy = orNaN(r!.valAccuracy) ?? bad(`history entry ${i} has a bad 'valAccuracy'`);
    return out;
  });
  if (history.length !== p.epoch) bad(`'history' has ${history.length} epochs, but 'epoch' is ${String(p.epoch)}`);
  const out: FitPosition = {
    seed: p.seed as number,
    epoch: p.epoch as number,
    batch: p.batch as number,
    history,
    badEpochs: p.badEpochs as number,
    lossSum: p.lossSum as number,
    lossCount: p.lossCount as number,
  };
  if (p.best !== undefined) out.best = orNaN(p.best)!;
  return out;
}
