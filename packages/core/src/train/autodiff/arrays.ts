/** Integers from..to−1 (axis lists of the emitted ops). */
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** Product of numbers (element counts of static shapes). */
export const prod = (xs: readonly number[]): number => xs.reduce((p, v) => p * v, 1);
