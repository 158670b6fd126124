import { encodeUtf8 } from '../../onnx/codec/utf8.js';
import type { DataType } from '../../onnx/dtype.js';

/** What identifies a set of trainable parameters: names, element types and shapes. */
export interface ParameterShape {
  name: string;
  dtype: DataType;
  dims: readonly number[];
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/**
 * The fingerprint artifacts and checkpoints share: FNV-1a 64 (16 hex digits) of the parameters'
 * names, dtypes and dims, sorted by name, so a checkpoint is only loaded into artifacts with the
 * same trainable parameters.
 */
export function parameterFingerprint(params: readonly ParameterShape[]): string {
  const canonical = [...params]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => `${p.name}\u0000${p.dtype}\u0000${p.dims.join('x')}\n`)
    .join('');
  let h = FNV_OFFSET;
  for (const byte of encodeUtf8(canonical)) h = ((h ^ BigInt(byte)) * FNV_PRIME) & MASK;
  return h.toString(16).padStart(16, '0');
}
