import type { onnx } from '../proto/onnx-pb.js';
import { dataTypeCode, dataTypeFromCode } from '../dtype.js';
import type { Dim, ValueType } from '../ir.js';
import { int64ToNumber, numberToLong } from './int64.js';

function decodeShape(p: onnx.TensorShapeProto | null | undefined): Dim[] | undefined {
  if (!p) return undefined;
  return p.dim.map((d) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue != null && d.value === 'dimValue') return int64ToNumber(d.dimValue);
    return null;
  });
}

function encodeShape(shape: Dim[] | undefined): onnx.TensorShapeProto.$Properties | undefined {
  if (!shape) return undefined;
  return {
    dim: shape.map((d) =>
      typeof d === 'number' ? { dimValue: numberToLong(d) } : typeof d === 'string' ? { dimParam: d } : {},
    ),
  };
}

/** TypeProto → IR value type. */
export function decodeType(p: onnx.TypeProto): ValueType {
  const denotation = p.denotation || undefined;
  const withDenotation = <T extends ValueType>(t: T): T => (denotation ? { ...t, denotation } : t);
  if (p.tensorType) {
    const shape = decodeShape(p.tensorType.shape as onnx.TensorShapeProto);
    const dtype = dataTypeFromCode(p.tensorType.elemType ?? 0);
    return withDenotation(shape ? { kind: 'tensor', dtype, shape } : { kind: 'tensor', dtype });
  }
  if (p.sparseTensorType) {
    const shape = decodeShape(p.sparseTensorType.shape as onnx.TensorShapeProto);
    const dtype = dataTypeFromCode(p.sparseTensorType.elemType ?? 0);
    return withDenotation(shape ? { kind: 'sparse_tensor', dtype, shape } : { kind: 'sparse_tensor', dtype });
  }
  if (p.sequenceType) {
    const e = p.sequenceType.elemType as onnx.TypeProto | null | undefined;
    return withDenotation(e ? { kind: 'sequence', elem: decodeType(e) } : { kind: 'sequence' });
  }
  if (p.mapType) {
    const v = p.mapType.valueType as onnx.TypeProto | null | undefined;
    const keyType = dataTypeFromCode(p.mapType.keyType ?? 0);
    return withDenotation(v ? { kind: 'map', keyType, value: decodeType(v) } : { kind: 'map', keyType });
  }
  if (p.optionalType) {
    const e = p.optionalType.elemType as onnx.TypeProto | null | undefined;
    return withDenotation(e ? { kind: 'optional', elem: decodeType(e) } : { kind: 'optional' });
  }
  return withDenotation({ kind: 'unknown' });
}

/** IR value type → TypeProto properties. */
export function encodeType(t: ValueType): onnx.TypeProto.$Properties {
  const p: onnx.TypeProto.$Properties = {};
  if (t.denotation) p.denotation = t.denotation;
  switch (t.kind) {
    case 'tensor':
      p.tensorType = { elemType: dataTypeCode(t.dtype), shape: encodeShape(t.shape) };
      break;
    case 'sparse_tensor':
      p.sparseTensorType = { elemType: dataTypeCode(t.dtype), shape: encodeShape(t.shape) };
      break;
    case 'sequence':
      p.sequenceType = { elemType: t.elem ? encodeType(t.elem) : undefined };
      break;
    case 'map':
      p.mapType = { keyType: dataTypeCode(t.keyType), valueType: t.value ? encodeType(t.value) : undefined };
      break;
    case 'optional':
      p.optionalType = { elemType: t.elem ? encodeType(t.elem) : undefined };
      break;
    case 'unknown':
      break;
  }
  return p;
}
