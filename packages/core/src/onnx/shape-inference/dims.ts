import type { Dim } from '../ir.js';

/** Formats a shape the way error messages show it: `[N, 3, 28, 28]`, `?` for an unknown dim. */
export function formatShape(shape: readonly Dim[] | undefined): string {
  if (!shape) return '<unknown rank>';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** Resolves a possibly negative axis of a rank-`rank` tensor; undefined when it is out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
}

/** True when every dim of `shape` is a number. */
export function isStatic(shape: readonly Dim[] | undefined): shape is number[] {
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}

/**
 * Broadcasts two dims by the numpy rule. A symbolic dim against a number > 1 takes the number (the
 * runtime size must match); two different symbols give an unknown dim. Returns `undefined` on a
 * definite conflict (two different sizes, neither 1).
 */
export function broadcastDim(a: Dim, b: Dim): Dim | undefined {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  if (typeof a === 'number' && typeof b === 'number') return undefined;
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return null;
}

/** Multidirectional (numpy) broadcast of shapes; `undefined` on a conflict. */
export function broadcastShapes(shapes: readonly (readonly Dim[])[]): Dim[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim | undefined = 1;
    for (const s of shapes) {
      const j = i - (rank - s.length);
      if (j < 0) continue;
      d = broadcastDim(d, s[j]);
      if (d === undefined) return undefined;
    }
    out.push(d);
  }
  return out;
}

/**
 * Combines two views of the same dim (e.g. Concat's non-axis dims): numbers win over symbols and
 * unknowns; `undefined` when two numbers differ.
 */
export function unifyDim(a: Dim, b: Dim): Dim | undefined {
  if (a === b) return a;
  if (typeof a === 'number' && typeof b === 'number') return undefined;
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}

/**
 * A product of dims kept symbolically: `coef * sym1 * sym2 …`, or `unknown` when a factor is null.
 * It lets `Flatten` of [N, 64, 3, 3] give [N, 576] and `Reshape(x, [-1, 576])` recover N.
 */
export interface DimProduct {
  coef: number;
  syms: string[];
  unknown: boolean;
}

/** The symbolic product of `dims`. */
export function dimProduct(dims: readonly Dim[]): DimProduct {
  const p: DimProduct = { coef: 1, syms: [], unknown: false };
  for (const d of dims) {
    if (typeof d === 'number') p.coef *= d;
    else if (typeof d === 'string') p.syms.push(d);
    else p.unknown = true;
  }
  p.syms.sort();
  return p;
}

/** A product as a single dim: a number, a lone symbol, or null. */
export function productToDim(p: DimProduct): Dim {
  if (p.unknown) return null;
  if (p.coef === 0) return 0;
  if (p.syms.length === 0) return p.coef;
  if (p.syms.length === 1 && p.coef === 1) return p.syms[0];
  return null;
}

/**
 * `total / part` as a dim, or null when it cannot be known statically. Returns `undefined` when both
 * are fully numeric and `part` does not divide `total` (an impossible reshape).
 */
export function divideProducts(total: DimProduct, part: DimProduct): Dim | undefined {
  if (total.unknown || part.unknown || part.coef === 0) return null;
  const rest = [...total.syms];
  for (const s of part.syms) {
    const i = rest.indexOf(s);
    if (i < 0) return null;
    rest.splice(i, 1);
  }
  if (total.coef % part.coef !== 0) return rest.length === 0 && total.syms.length === 0 ? undefined : null;
  return productToDim({ coef: total.coef / part.coef, syms: rest, unknown: false });
}
