import cliProgress from 'cli-progress';

/** A progress bar on stderr for long work; silent when stderr is not a terminal unless `always`. */
export interface ProgressBar {
  /** Moves to `value` and updates the extra fields shown after the bar. */
  update(value: number, fields?: Record<string, string | number>): void;
  /** Removes the bar (leaves a final line when the output is a terminal). */
  stop(): void;
}

/** Options of {@link createProgressBar}. */
export interface ProgressBarOptions {
  /** Text before the bar. */
  label: string;
  /** The value at 100%. */
  total: number;
  /** Extra fields to show after the bar, in order (their values come with `update`). @defaultValue [] */
  fields?: string[];
  /** Draw even when stderr is not a TTY (one line per update). @defaultValue false */
  always?: boolean;
  /** Show the estimated time left (from the rate so far). @defaultValue false */
  eta?: boolean;
}

/** A bar drawn with `cli-progress` on stderr, so `--json` output on stdout stays clean. */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const fields = options.fields ?? [];
  const format = `${options.label} [{bar}] {percentage}% {value}/{total}${fields.map((f) => ` | ${f} {${f}}`).join('')} | {duration_formatted}${options.eta ? ' | ETA {eta_formatted}' : ''}`;
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: false, noTTYOutput: options.always ?? false, notTTYSchedule: 5000, barsize: 24, etaBuffer: 200 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, 0, Object.fromEntries(fields.map((f) => [f, '-'])));
  return {
    update: (value, values) => bar.update(value, values),
    stop: () => bar.stop(),
  };
}
