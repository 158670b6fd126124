import type { DataType } from '@onnxkit/core';

/** Values shown per tensor in text mode; `--json` prints all of them. */
export const TEXT_VALUE_LIMIT = 20;

function formatValue(v: number | bigint | string, dtype: DataType): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (dtype === 'bool') return v ? 'true' : 'false';
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/**
 * One tensor for people: `name: float32 [1,10]` then its first {@link TEXT_VALUE_LIMIT} values in row-major
 * order, with a count of the rest. float16/bfloat16 values print as their raw 16-bit patterns.
 */
export function formatTensorText(tensor: {
  readonly name: string;
  readonly dtype: DataType;
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint | string>;
}): string {
  const { data } = tensor;
  const shown: string[] = [];
  for (let i = 0; i < Math.min(data.length, TEXT_VALUE_LIMIT); i++) shown.push(formatValue(data[i], tensor.dtype));
  const rest = data.length - shown.length;
  const values = `[${shown.join(', ')}${rest > 0 ? `, … (${rest} more)` : ''}]`;
  return `${tensor.name}: ${tensor.dtype} [${tensor.dims.join(',')}]\n  ${values}`;
}
