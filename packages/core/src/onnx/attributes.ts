import type { Attribute, Graph, Node, TensorData } from './ir.js';

/** A value the builder turns into an {@link Attribute}. */
export type AttributeInput = Attribute | number | string | number[] | string[] | TensorData | Graph;

/** Marks a number as a float attribute even when it is integral (`alpha: float(1)`). */
export function float(value: number): Attribute {
  return { type: 'float', value };
}

/** Marks numbers as a float-list attribute even when they are integral. */
export function floats(value: number[]): Attribute {
  return { type: 'floats', value };
}

function isAttribute(v: unknown): v is Attribute {
  return typeof v === 'object' && v !== null && 'type' in v && ('value' in v || 'refName' in v) && !('dtype' in v);
}

function isGraph(v: unknown): v is Graph {
  return typeof v === 'object' && v !== null && 'nodes' in v && 'inputs' in v;
}

/**
 * Converts a plain value to an attribute: an integral number is `int`, another number `float`, a
 * number array `ints` when all are integral and `floats` otherwise (use {@link float}/{@link floats}
 * to force float), strings `string`/`strings`, an IR tensor `tensor`, an IR graph `graph`.
 */
export function toAttribute(name: string, v: AttributeInput): Attribute {
  if (isAttribute(v)) return v;
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', value: v } : { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { type: 'strings', value: v as string[] };
    if (v.every((x) => typeof x === 'number')) {
      const nums = v as number[];
      return nums.every(Number.isInteger) ? { type: 'ints', value: nums } : { type: 'floats', value: nums };
    }
  }
  if (isGraph(v)) return { type: 'graph', value: v };
  if (typeof v === 'object' && v !== null && 'dtype' in v) return { type: 'tensor', value: v as TensorData };
  throw new TypeError(`attribute '${name}': cannot convert ${JSON.stringify(v)} to an ONNX attribute`);
}

/** Reads an int attribute, or `fallback` when absent. */
export function intAttr(node: Node, name: string, fallback: number): number;
export function intAttr(node: Node, name: string): number | undefined;
export function intAttr(node: Node, name: string, fallback?: number): number | undefined {
  const a = node.attributes[name];
  return a && (a.type === 'int' || a.type === 'float') ? a.value : fallback;
}

/** Reads a float attribute, or `fallback` when absent. */
export function floatAttr(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a && (a.type === 'float' || a.type === 'int') ? a.value : fallback;
}

/** Reads an ints attribute, or `fallback` when absent. */
export function intsAttr(node: Node, name: string, fallback: number[]): number[];
export function intsAttr(node: Node, name: string): number[] | undefined;
export function intsAttr(node: Node, name: string, fallback?: number[]): number[] | undefined {
  const a = node.attributes[name];
  return a && (a.type === 'ints' || a.type === 'floats') ? a.value : fallback;
}

/** Reads a string attribute, or `fallback` when absent. */
export function stringAttr(node: Node, name: string, fallback: string): string;
export function stringAttr(node: Node, name: string): string | undefined;
export function stringAttr(node: Node, name: string, fallback?: string): string | undefined {
  const a = node.attributes[name];
  return a && a.type === 'string' ? a.value : fallback;
}

/** Reads a tensor attribute. */
export function tensorAttr(node: Node, name: string): TensorData | undefined {
  const a = node.attributes[name];
  return a && a.type === 'tensor' ? a.value : undefined;
}
