import type { RawImage } from '@onnxkit/web';

/**
 * A canvas to draw on with a mouse, a finger or a pen (Pointer Events): white ink on black, like MNIST.
 * `onChange` fires after every drawn segment and on clear.
 */
export class DrawPad {
  readonly canvas: HTMLCanvasElement;
  #ctx: CanvasRenderingContext2D;
  #last: { x: number; y: number } | undefined;
  #ink = false;
  #onChange: () => void;

  constructor(canvas: HTMLCanvasElement, onChange: () => void, brush = 18) {
    this.canvas = canvas;
    this.#onChange = onChange;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('DrawPad: no 2D canvas context');
    this.#ctx = ctx;
    ctx.lineWidth = brush;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    this.clear();
    // Touch must draw, not scroll the page.
    canvas.style.touchAction = 'none';
    canvas.addEventListener('pointerdown', (e) => this.#down(e));
    canvas.addEventListener('pointermove', (e) => this.#move(e));
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture'] as const) canvas.addEventListener(type, () => (this.#last = undefined));
  }

  /** True once something was drawn since the last clear. */
  get hasInk(): boolean {
    return this.#ink;
  }

  /** Black canvas, no ink. */
  clear(): void {
    const { width, height } = this.canvas;
    this.#ctx.save();
    this.#ctx.fillStyle = '#000';
    this.#ctx.fillRect(0, 0, width, height);
    this.#ctx.restore();
    this.#ink = false;
    this.#last = undefined;
    this.#onChange();
  }

  /** The drawing's pixels (RGBA), as classifiers take them. */
  toRawImage(): RawImage {
    const { width, height } = this.canvas;
    const { data } = this.#ctx.getImageData(0, 0, width, height);
    return { width, height, channels: 4, data };
  }

  #point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * this.canvas.width) / r.width, y: ((e.clientY - r.top) * this.canvas.height) / r.height };
  }

  #down(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.canvas.setPointerCapture(e.pointerId);
    const p = this.#point(e);
    this.#ctx.beginPath();
    this.#ctx.arc(p.x, p.y, this.#ctx.lineWidth / 2, 0, 2 * Math.PI);
    this.#ctx.fill();
    this.#last = p;
    this.#ink = true;
    this.#onChange();
  }

  #move(e: PointerEvent): void {
    if (!this.#last) return;
    // Coalesced events keep fast strokes smooth (the browser batches moves per frame).
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    const ctx = this.#ctx;
    ctx.beginPath();
    ctx.moveTo(this.#last.x, this.#last.y);
    for (const ev of events.length ? events : [e]) {
      const p = this.#point(ev);
      ctx.lineTo(p.x, p.y);
      this.#last = p;
    }
    ctx.stroke();
    this.#onChange();
  }
}
