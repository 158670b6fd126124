/**
 * Hand-encodes one-node ONNX models for tests that need shapes no fixture has (symbolic dims, int64,
 * bool, unknown shapes). Self-contained on purpose: these tests check the runtime, not core/onnx.
 */

/** ONNX element type codes used here. */
export const ELEM = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10 } as const;

/** A graph input or output: name, element type and shape (string = symbolic dim; undefined = no shape). */
export interface TinyValue {
  name: string;
  elem: number;
  shape?: (number | string)[];
}

/** A model of one node `op(inputs) -> outputs` at opset 13, IR 8. */
export function tinyModel(op: string, inputs: TinyValue[], outputs: TinyValue[]): Uint8Array {
  const node = [
    ...inputs.flatMap((v) => str(1, v.name)),
    ...outputs.flatMap((v) => str(2, v.name)),
    ...str(4, op),
  ];
  const graph = [
    ...msg(1, node),
    ...str(2, 'tiny'),
    ...inputs.flatMap((v) => msg(11, valueInfo(v))),
    ...outputs.flatMap((v) => msg(12, valueInfo(v))),
  ];
  const opset = [...str(1, ''), ...varint(2, 13)];
  return new Uint8Array([...varint(1, 8), ...msg(7, graph), ...msg(8, opset)]);
}

function valueInfo(v: TinyValue): number[] {
  const dims = (v.shape ?? []).flatMap((d) => msg(1, typeof d === 'number' ? varint(1, d) : str(2, d)));
  const tensor = [...varint(1, v.elem), ...(v.shape ? msg(2, dims) : [])];
  return [...str(1, v.name), ...msg(2, msg(1, tensor))];
}

function rawVarint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function varint(field: number, n: number): number[] {
  return [...rawVarint(field << 3), ...rawVarint(n)];
}

function msg(field: number, body: number[]): number[] {
  return [...rawVarint((field << 3) | 2), ...rawVarint(body.length), ...body];
}

function str(field: number, s: string): number[] {
  return msg(field, [...new TextEncoder().encode(s)]);
}
