/** A live plot of fine-tuning: loss per step (left axis) and accuracy per epoch (right axis, 0..1). */
export class TrainingChart {
  readonly #canvas: HTMLCanvasElement;
  #losses: number[] = [];
  #epochs: { step: number; accuracy: number; retention?: number }[] = [];
  #totalSteps = 1;

  constructor(canvas: HTMLCanvasElement) {
    this.#canvas = canvas;
    this.reset(1);
  }

  /** Clears the plot for a run of `totalSteps` optimizer steps. */
  reset(totalSteps: number): void {
    this.#losses = [];
    this.#epochs = [];
    this.#totalSteps = Math.max(1, totalSteps);
    this.#draw();
  }

  addLoss(loss: number): void {
    this.#losses.push(loss);
    this.#draw();
  }

  addEpoch(accuracy: number, retention?: number): void {
    this.#epochs.push({ step: this.#losses.length, accuracy, ...(retention !== undefined ? { retention } : {}) });
    this.#draw();
  }

  #draw(): void {
    const c = this.#canvas;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    // The backing store has twice the CSS size, for sharp lines on high-density screens.
    const k = 2;
    ctx.setTransform(k, 0, 0, k, 0, 0);
    const W = c.width / k;
    const H = c.height / k;
    const pad = { l: 44, r: 44, t: 26, b: 26 };
    const w = W - pad.l - pad.r;
    const h = H - pad.t - pad.b;
    ctx.clearRect(0, 0, W, H);
    ctx.font = '11px system-ui, sans-serif';
    ctx.strokeStyle = '#d0d4dc';
    ctx.lineWidth = 1;
    ctx.strokeRect(pad.l, pad.t, w, h);
    const maxLoss = Math.max(1e-6, ...this.#losses);
    const x = (step: number) => pad.l + (step / this.#totalSteps) * w;
    const yLoss = (v: number) => pad.t + h - (v / maxLoss) * h;
    const yAcc = (v: number) => pad.t + h - v * h;
    ctx.fillStyle = '#5b6475';
    ctx.textAlign = 'right';
    ctx.fillText(maxLoss.toFixed(2), pad.l - 4, pad.t + 9);
    ctx.fillText('loss', pad.l - 4, pad.t + h / 2);
    ctx.fillText('0', pad.l - 4, pad.t + h);
    ctx.textAlign = 'left';
    ctx.fillText('100%', pad.l + w + 4, pad.t + 9);
    ctx.fillText('acc.', pad.l + w + 4, pad.t + h / 2);
    ctx.fillText('0%', pad.l + w + 4, pad.t + h);
    ctx.textAlign = 'center';
    ctx.fillText(`step (${this.#totalSteps} in all)`, pad.l + w / 2, H - 8);
    this.#line(ctx, this.#losses.map((v, i) => [x(i + 1), yLoss(v)]), '#e4572e');
    this.#line(ctx, this.#epochs.map((e) => [x(e.step), yAcc(e.accuracy)]), '#2e86de', true);
    const kept = this.#epochs.filter((e) => e.retention !== undefined);
    this.#line(ctx, kept.map((e) => [x(e.step), yAcc(e.retention!)]), '#20a36b', true);
    const legend: [string, string][] = [['#e4572e', 'loss'], ['#2e86de', 'accuracy on your drawings']];
    if (kept.length) legend.push(['#20a36b', 'accuracy on shipped digits']);
    let lx = pad.l + 6;
    ctx.textAlign = 'left';
    for (const [color, text] of legend) {
      ctx.fillStyle = color;
      ctx.fillRect(lx, 9, 10, 3);
      ctx.fillStyle = '#2b3240';
      ctx.fillText(text, lx + 14, 14);
      lx += 22 + ctx.measureText(text).width;
    }
  }

  #line(ctx: CanvasRenderingContext2D, points: [number, number][], color: string, dots = false): void {
    if (points.length === 0) return;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    points.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py)));
    ctx.stroke();
    if (dots) for (const [px, py] of points) ctx.fillRect(px - 2.5, py - 2.5, 5, 5);
  }
}
