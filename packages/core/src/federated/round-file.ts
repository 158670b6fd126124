import { decodeUtf8, encodeUtf8 } from '../onnx/codec/utf8.js';

/**
 * A federated round's parameters as bytes: the global model a coordinator publishes and checkpoints, or
 * one client's update. Layout: the line `onnxkit-federated 1\n`, one JSON header line, then the float32
 * values little-endian (parameters, then the server momentum when the header says so).
 */
export interface RoundFile {
  /** Global: rounds aggregated so far (0 = the initial model). Update: the round it answers. */
  round: number;
  params: Float32Array;
  /** Server momentum buffer (global checkpoints with server momentum only). */
  momentum?: Float32Array;
  /** Examples behind an update. */
  examples?: number;
  /** The client that sent an update. */
  client?: string;
}

const MAGIC = 'onnxkit-federated 1\n';
/** Headers longer than this are not ours (checked before parsing). */
const MAX_HEADER = 4096;

/** Encodes a {@link RoundFile}. */
export function encodeRoundFile(file: RoundFile): Uint8Array {
  if (!Number.isInteger(file.round) || file.round < 0) throw new RangeError(`encodeRoundFile: 'round' must be an integer >= 0, got ${String(file.round)}`);
  if (!(file.params instanceof Float32Array)) throw new TypeError('encodeRoundFile: params must be a Float32Array');
  const header = JSON.stringify({
    round: file.round,
    size: file.params.length,
    momentum: file.momentum !== undefined,
    ...(file.examples !== undefined ? { examples: file.examples } : {}),
    ...(file.client !== undefined ? { client: file.client } : {}),
  });
  const head = encodeUtf8(`${MAGIC}${header}\n`);
  const values = file.params.length * (file.momentum ? 2 : 1);
  // Align the floats to 4 bytes so they can be viewed in place when decoding.
  const pad = (4 - (head.length % 4)) % 4;
  const out = new Uint8Array(head.length + pad + values * 4);
  out.set(head);
  out.fill(0x20, head.length - 1, head.length - 1 + pad); // spaces before the header's newline
  out[head.length - 1 + pad] = 0x0a;
  const view = new DataView(out.buffer, head.length + pad);
  const write = (a: Float32Array, at: number) => a.forEach((v, i) => view.setFloat32((at + i) * 4, v, true));
  write(file.params, 0);
  if (file.momentum) {
    if (file.momentum.length !== file.params.length) throw new RangeError('encodeRoundFile: momentum and params differ in length');
    write(file.momentum, file.params.length);
  }
  return out;
}

/** Decodes a {@link RoundFile}; throws a RangeError naming `what` for bytes that are not one. */
export function decodeRoundFile(bytes: Uint8Array, what = 'round file'): RoundFile {
  const magic = encodeUtf8(MAGIC);
  if (bytes.length < magic.length || magic.some((b: number, i: number) => bytes[i] !== b)) throw new RangeError(`${what}: not an onnxkit federated round file`);
  const end = bytes.indexOf(0x0a, magic.length);
  if (end < 0 || end - magic.length > MAX_HEADER) throw new RangeError(`${what}: no header line`);
  let header: { round?: unknown; size?: unknown; momentum?: unknown; examples?: unknown; client?: unknown };
  try {
    header = JSON.parse(decodeUtf8(bytes.subarray(magic.length, end))) as typeof header;
  } catch {
    throw new RangeError(`${what}: the header is not JSON`);
  }
  const { round, size, momentum } = header;
  if (!Number.isInteger(round) || (round as number) < 0) throw new RangeError(`${what}: bad round ${String(round)}`);
  if (!Number.isInteger(size) || (size as number) < 0) throw new RangeError(`${what}: bad size ${String(size)}`);
  const count = (size as number) * (momentum ? 2 : 1);
  if (bytes.length - (end + 1) !== count * 4) throw new RangeError(`${what}: ${bytes.length - end - 1} bytes of values, the header says ${count * 4}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + end + 1, count * 4);
  const read = (at: number) => {
    const a = new Float32Array(size as number);
    for (let i = 0; i < a.length; i++) a[i] = view.getFloat32((at + i) * 4, true);
    return a;
  };
  const out: RoundFile = { round: round as number, params: read(0) };
  if (momentum) out.momentum = read(size as number);
  if (Number.isInteger(header.examples)) out.examples = header.examples as number;
  if (typeof header.client === 'string') out.client = header.client;
  return out;
}
