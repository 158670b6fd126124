import type { Trainer } from './trainer.js';

/**
 * A finite loss this many times the run's first loss (or 1, if larger) counts as diverged: a learning rate
 * that blows up (e.g. sgd at 1e6 gives 1e27) passes through huge finite losses before NaN, and parameters
 * measured there are no better than NaN ones.
 */
export const DIVERGENCE_FACTOR = 1e4;

/** What {@link DivergenceGuard.observe} made of a batch loss. */
export type LossVerdict = 'ok' | 'non-finite' | 'diverged';

/**
 * Keeps `fit` from ending on broken parameters: judges each batch loss, keeps a copy of parameters whose
 * loss was measured sane (once per epoch, so the cost is one read-back per epoch), and restores the newest
 * parameters known to be good when the loss turns NaN/Inf or diverges (`fit` also measures the last
 * update, whose loss training never sees).
 */
export class DivergenceGuard {
  readonly #trainer: Trainer;
  #first: number | undefined;
  #good: Float32Array | undefined;
  #goodEpoch = -1;
  /** Every loss measured on the current parameters was sane. */
  #currentSane = true;
  /** Every loss measured on the parameters before the last update was sane (and there was one). */
  #previousSane = false;

  constructor(trainer: Trainer) {
    this.#trainer = trainer;
  }

  /** Judges a loss measured on the current parameters, without keeping anything. */
  judge(loss: number): LossVerdict {
    if (!Number.isFinite(loss)) return 'non-finite';
    this.#first ??= loss;
    return Math.abs(loss) > DIVERGENCE_FACTOR * Math.max(1, Math.abs(this.#first)) ? 'diverged' : 'ok';
  }

  /** Judges a batch loss measured on the current parameters during `epoch`, keeping them when they are the epoch's first sane ones. */
  async observe(loss: number, epoch: number): Promise<LossVerdict> {
    const verdict = this.judge(loss);
    if (verdict !== 'ok') {
      this.#currentSane = false;
      return verdict;
    }
    if (this.#currentSane && epoch !== this.#goodEpoch) {
      this.#good = await this.#trainer.getContiguousParameters();
      this.#goodEpoch = epoch;
    }
    return 'ok';
  }

  /** Call after each optimizer update. */
  stepped(): void {
    this.#previousSane = this.#currentSane;
    this.#currentSane = true;
  }

  /**
   * Undoes the last update when the parameters before it were measured sane; otherwise loads the last
   * parameters that were (the ones the run started from, at worst).
   */
  async restoreGood(): Promise<void> {
    const previousWasGood = this.#previousSane;
    const undone = this.#trainer.restorePrevious();
    if (!(undone && previousWasGood) && this.#good) await this.#trainer.loadParameters(this.#good);
    this.#previousSane = false;
    this.#currentSane = true;
  }
}
