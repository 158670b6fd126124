import type LongClass from 'long';
import $protobuf from 'protobufjs/minimal.js';
import { onnx } from '../proto/onnx-pb.js';
import { onnx as onnxEncode } from '../proto/onnx-pb-encode.js';

// protobufjs 8 requires `long` itself (a plain require that bundlers follow); using its copy keeps an
// app's bundle to one Long (importing 'long' here would add its ESM build beside protobufjs's UMD one).
const found = $protobuf.util.Long as typeof LongClass | null;
if (!found) throw new Error("protobufjs found no 'long' package; it is a dependency of @onnxkit/core, reinstall it");
/** The Long class protobufjs decodes int64 fields into. */
export const Long: typeof LongClass = found;
/** A Long value (int64 fields with --force-long). */
export type Long = LongClass;

/** The generated ONNX protobuf message classes that decode. */
export const pb = onnx;
/**
 * The ones that encode: a module of their own, so a bundle that only reads models (a web page running
 * one) carries no encoder and no protobuf Writer.
 */
export const pbEncode = onnxEncode;
