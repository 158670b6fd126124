import Long from 'long';
import $protobuf from 'protobufjs/minimal.js';
import { onnx } from '../proto/onnx-pb.js';

// protobufjs finds `long` through a dynamic require that bundlers and browsers cannot follow; hand it
// over explicitly so int64 fields decode as Long everywhere.
$protobuf.util.Long = Long;
$protobuf.configure();

/** The generated ONNX protobuf message classes. */
export const pb = onnx;
export { Long };
