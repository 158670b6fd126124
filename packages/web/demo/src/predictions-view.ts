import type { Prediction } from '@onnxkit/web';

/** The top predictions as labelled probability bars. */
export class PredictionsView {
  readonly #root: HTMLElement;

  constructor(root: HTMLElement) {
    this.#root = root;
    this.message('Draw a digit');
  }

  /** Shows `top` (best first). */
  show(top: readonly Prediction[]): void {
    this.#root.replaceChildren(
      ...top.map((p, i) => {
        const row = el('div', `bar-row${i === 0 ? ' best' : ''}`);
        const label = el('span', 'bar-label', p.label);
        const track = el('span', 'bar-track');
        const fill = el('span', 'bar-fill');
        fill.style.width = `${(p.probability * 100).toFixed(1)}%`;
        track.append(fill);
        row.append(label, track, el('span', 'bar-value', `${(p.probability * 100).toFixed(1)}%`));
        return row;
      }),
    );
  }

  /** Shows a line of text instead of bars. */
  message(text: string): void {
    this.#root.replaceChildren(el('div', 'bar-message', text));
  }
}

/** A new element with a class and optional text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
