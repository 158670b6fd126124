/**
 * A learning-rate schedule: the rate for optimizer step `step` (0-based) of `totalSteps`.
 * Built by {@link learningRateSchedule} from a plain description so CLIs and checkpoints can store it.
 */
export type LearningRateSchedule = (step: number, totalSteps: number) => number;

/** A schedule as data. Every kind may start with a linear warm-up of `warmupSteps` from 0. */
export type ScheduleSpec =
  | { kind: 'constant'; learningRate: number; warmupSteps?: number }
  | { kind: 'step'; learningRate: number; stepSize: number; gamma?: number; warmupSteps?: number }
  | { kind: 'cosine'; learningRate: number; minLearningRate?: number; warmupSteps?: number };

/**
 * Makes a schedule: `constant`; `step` multiplies by `gamma` (@defaultValue 0.1) every `stepSize`
 * steps; `cosine` decays from `learningRate` to `minLearningRate` (@defaultValue 0) over the run. A
 * linear warm-up (`warmupSteps`, @defaultValue 0) ramps from lr/warmupSteps up to the rate first.
 */
export function learningRateSchedule(spec: ScheduleSpec | number): LearningRateSchedule {
  const s: ScheduleSpec = typeof spec === 'number' ? { kind: 'constant', learningRate: spec } : spec;
  if (!s || typeof s !== 'object') throw new TypeError('learningRateSchedule: expected a number or a schedule object');
  const lr = s.learningRate;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new RangeError(`learningRateSchedule: 'learningRate' must be a finite number >= 0, got ${String(lr)}`);
  }
  const warmup = s.warmupSteps ?? 0;
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError(`learningRateSchedule: 'warmupSteps' must be an integer >= 0, got ${warmup}`);
  let base: LearningRateSchedule;
  switch (s.kind) {
    case 'constant':
      base = () => lr;
      break;
    case 'step': {
      const gamma = s.gamma ?? 0.1;
      if (!Number.isInteger(s.stepSize) || s.stepSize < 1) throw new RangeError(`learningRateSchedule: 'stepSize' must be a positive integer, got ${s.stepSize}`);
      base = (step) => lr * gamma ** Math.floor((step - warmup) / s.stepSize);
      break;
    }
    case 'cosine': {
      const min = s.minLearningRate ?? 0;
      base = (step, total) => {
        const span = Math.max(1, total - warmup);
        const t = Math.min(1, Math.max(0, (step - warmup) / span));
        return min + 0.5 * (lr - min) * (1 + Math.cos(Math.PI * t));
      };
      break;
    }
    default:
      throw new RangeError(`learningRateSchedule: unknown kind '${(s as { kind: string }).kind}' (constant, step, cosine)`);
  }
  return (step, total) => (step < warmup ? (lr * (step + 1)) / warmup : base(step, total));
}
