import { intAttr, intsAttr, stringAttr } from './attributes.js';
import type { Dim, Node } from './ir.js';

/** Sliding-window attributes of a Conv or pooling node, with pads resolved per spatial axis. */
export interface WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Resolved pads at the start of each axis; null where auto_pad needs an unknown input size. */
  padsBegin: (number | null)[];
  /** Resolved pads at the end of each axis; null where unknown. */
  padsEnd: (number | null)[];
  /** Pooling with ceil_mode=1. */
  ceil: boolean;
}

/**
 * Reads kernel/strides/dilations/pads of a windowed node and resolves auto_pad the way ONNX Runtime
 * does (`kind` 'pool' uses the undilated kernel for SAME padding, as ORT's pooling kernels do).
 */
export function windowGeometry(node: Node, kernel: number[], spatial: readonly Dim[], kind: 'conv' | 'pool'): WindowGeometry {
  const n = kernel.length;
  const strides = intsAttr(node, 'strides', []);
  const dilations = intsAttr(node, 'dilations', []);
  const g: WindowGeometry = {
    kernel,
    strides: strides.length ? strides : new Array<number>(n).fill(1),
    dilations: dilations.length ? dilations : new Array<number>(n).fill(1),
    padsBegin: new Array<number>(n).fill(0),
    padsEnd: new Array<number>(n).fill(0),
    ceil: kind === 'pool' && intAttr(node, 'ceil_mode', 0) === 1,
  };
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const pads = intsAttr(node, 'pads', []);
    if (pads.length) {
      g.padsBegin = pads.slice(0, n);
      g.padsEnd = pads.slice(n, 2 * n);
    }
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    for (let i = 0; i < n; i++) {
      const d = spatial[i];
      const s = g.strides[i];
      const k = kind === 'conv' ? effectiveKernel(g, i) : kernel[i];
      let needed: number | null;
      if (typeof d === 'number') needed = Math.max(0, (Math.ceil(d / s) - 1) * s + k - d);
      else needed = s === 1 ? k - 1 : null;
      if (needed === null) {
        g.padsBegin[i] = null;
        g.padsEnd[i] = null;
        continue;
      }
      const head = autoPad === 'SAME_LOWER' ? Math.ceil(needed / 2) : Math.floor(needed / 2);
      g.padsBegin[i] = head;
      g.padsEnd[i] = needed - head;
    }
  }
  return g;
}

/** The dilated kernel extent on axis `i`. */
export function effectiveKernel(g: WindowGeometry, i: number): number {
  return (g.kernel[i] - 1) * g.dilations[i] + 1;
}

/**
 * Output size on axis `i` for input size `d` (ONNX Runtime's formula); null when unknown. With
 * ceil_mode, a last window that would start in the end padding is dropped, as onnxruntime and
 * PyTorch do.
 */
export function windowOutputSize(g: WindowGeometry, i: number, d: Dim): number | null {
  const pb = g.padsBegin[i];
  const pe = g.padsEnd[i];
  if (typeof d !== 'number' || pb === null || pe === null) return null;
  const stride = g.strides[i];
  const span = d + pb + pe - effectiveKernel(g, i);
  if (span < 0) return 0;
  if (!g.ceil) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  if ((out - 1) * stride >= d + pb) out--;
  return out;
}
