import { createProgressBar, type ProgressBar } from '../progress/progress-bar.js';

/** How a long classification reports progress on stderr. */
export type ClassifyProgressMode = 'bar' | 'lines' | 'none';

/** A line at most this often when stderr is a log, not a terminal. */
const LINE_INTERVAL_MS = 2000;

/** Progress of `count` images: a bar with rate and ETA on a terminal, a line every 2 s in logs. */
export function classifyProgress(mode: ClassifyProgressMode, total: number, write: (text: string) => void): { update(done: number): void; stop(): void } {
  const started = performance.now();
  let bar: ProgressBar | undefined;
  let last = started;
  const rate = (done: number) => done / Math.max(1e-3, (performance.now() - started) / 1000);
  return {
    update(done) {
      if (mode === 'bar') {
        bar ??= createProgressBar({ label: 'classify', total, fields: ['images/s'], eta: true });
        bar.update(done, { 'images/s': rate(done).toFixed(1) });
      } else if (mode === 'lines') {
        const now = performance.now();
        if (now - last < LINE_INTERVAL_MS && done < total) return;
        last = now;
        const r = rate(done);
        const eta = r > 0 ? `, ETA ${formatSeconds((total - done) / r)}` : '';
        write(`classified ${done}/${total} (${r.toFixed(1)} images/s${eta})\n`);
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
