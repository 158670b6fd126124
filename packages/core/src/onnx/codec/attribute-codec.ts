import { decodeUtf8, encodeUtf8 } from './utf8.js';
import type { onnx } from '../proto/onnx-pb.js';
import { ModelFormatError } from '../../errors.js';
import type { Attribute, AttributeKind, Graph, ValueType } from '../ir.js';
import { int64ToNumber, numberToLong, type Int64Like } from './int64.js';
import { decodeSparseTensor, decodeTensor, encodeSparseTensor, encodeTensor } from './tensor-codec.js';


/** ONNX AttributeType codes by IR attribute kind. */
const KIND_CODES: Readonly<Record<AttributeKind, number>> = Object.freeze({
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
  tensors: 9,
  graphs: 10,
  sparse_tensor: 11,
  sparse_tensors: 12,
  type_proto: 13,
  type_protos: 14,
});
const KIND_BY_CODE = new Map(Object.entries(KIND_CODES).map(([k, c]) => [c, k as AttributeKind]));

/** Graph (de)coders are injected to break the module cycle graph ↔ attribute. */
export interface SubgraphCodec {
  decodeGraph(p: onnx.GraphProto): Graph;
  encodeGraph(g: Graph): onnx.GraphProto.$Properties;
  decodeType(p: onnx.TypeProto): ValueType;
  encodeType(t: ValueType): onnx.TypeProto.$Properties;
}

/** The AttributeProto fields that tell its kind (the outline decoder's AttributeProto has them too). */
export interface AttributeKindFields {
  name?: string | null;
  type?: number | null;
  f?: number | null;
  i?: Int64Like | null;
  s?: Uint8Array | null;
  t?: unknown;
  g?: unknown;
  floats: readonly number[];
  ints: readonly unknown[];
  strings: readonly unknown[];
  tensors: readonly unknown[];
  graphs: readonly unknown[];
}

/** Infers the kind of an attribute written by an old producer that left `type` unset. */
function guessKind(p: AttributeKindFields): AttributeKind | undefined {
  if (p.floats.length) return 'floats';
  if (p.ints.length) return 'ints';
  if (p.strings.length) return 'strings';
  if (p.tensors.length) return 'tensors';
  if (p.graphs.length) return 'graphs';
  if (p.t) return 'tensor';
  if (p.g) return 'graph';
  if (p.s && p.s.length) return 'string';
  if (p.i && int64ToNumber(p.i) !== 0) return 'int';
  if (p.f) return 'float';
  return undefined;
}

/**
 * The kind of an AttributeProto: its `type`, or what an old producer's fields imply when `type` is unset
 * or a code this version does not know (which the full decoder drops and the outline keeps); throws
 * when neither tells.
 */
export function attributeKind(p: AttributeKindFields): AttributeKind {
  const kind = KIND_BY_CODE.get(p.type ?? 0) ?? guessKind(p);
  if (!kind) throw new ModelFormatError('invalid', `attribute '${p.name}' has no usable type (${p.type})`);
  return kind;
}

/** AttributeProto → IR attribute. */
export function decodeAttribute(p: onnx.AttributeProto, codec: SubgraphCodec): Attribute {
  const kind = attributeKind(p);
  if (p.refAttrName) return { type: 'ref', refName: p.refAttrName, refType: kind };
  switch (kind) {
    case 'float':
      return { type: kind, value: p.f };
    case 'int':
      return { type: kind, value: int64ToNumber(p.i) };
    case 'string':
      return { type: kind, value: decodeUtf8(p.s) };
    case 'tensor':
      return { type: kind, value: decodeTensor(p.t as onnx.TensorProto) };
    case 'graph':
      return { type: kind, value: codec.decodeGraph(p.g as onnx.GraphProto) };
    case 'sparse_tensor':
      return { type: kind, value: decodeSparseTensor(p.sparseTensor as onnx.SparseTensorProto) };
    case 'type_proto':
      return { type: kind, value: codec.decodeType(p.tp as onnx.TypeProto) };
    case 'floats':
      return { type: kind, value: [...p.floats] };
    case 'ints':
      return { type: kind, value: p.ints.map((v) => int64ToNumber(v)) };
    case 'strings':
      return { type: kind, value: p.strings.map((b) => decodeUtf8(b)) };
    case 'tensors':
      return { type: kind, value: p.tensors.map((t) => decodeTensor(t as onnx.TensorProto)) };
    case 'graphs':
      return { type: kind, value: p.graphs.map((g) => codec.decodeGraph(g as onnx.GraphProto)) };
    case 'sparse_tensors':
      return { type: kind, value: p.sparseTensors.map((s) => decodeSparseTensor(s as onnx.SparseTensorProto)) };
    case 'type_protos':
      return { type: kind, value: p.typeProtos.map((t) => codec.decodeType(t as onnx.TypeProto)) };
  }
}

/** IR attribute → AttributeProto properties. */
export function encodeAttribute(name: string, a: Attribute, codec: SubgraphCodec): onnx.AttributeProto.$Properties {
  if (a.type === 'ref') return { name, refAttrName: a.refName, type: KIND_CODES[a.refType] };
  const p: onnx.AttributeProto.$Properties = { name, type: KIND_CODES[a.type] };
  switch (a.type) {
    case 'float':
      p.f = a.value;
      break;
    case 'int':
      p.i = numberToLong(a.value);
      break;
    case 'string':
      p.s = encodeUtf8(a.value);
      break;
    case 'tensor':
      p.t = encodeTensor(a.value);
      break;
    case 'graph':
      p.g = codec.encodeGraph(a.value);
      break;
    case 'sparse_tensor':
      p.sparseTensor = encodeSparseTensor(a.value);
      break;
    case 'type_proto':
      p.tp = codec.encodeType(a.value);
      break;
    case 'floats':
      p.floats = a.value;
      break;
    case 'ints':
      p.ints = a.value.map(numberToLong);
      break;
    case 'strings':
      p.strings = a.value.map((s) => encodeUtf8(s));
      break;
    case 'tensors':
      p.tensors = a.value.map(encodeTensor);
      break;
    case 'graphs':
      p.graphs = a.value.map((g) => codec.encodeGraph(g));
      break;
    case 'sparse_tensors':
      p.sparseTensors = a.value.map(encodeSparseTensor);
      break;
    case 'type_protos':
      p.typeProtos = a.value.map((t) => codec.encodeType(t));
      break;
  }
  return p;
}
