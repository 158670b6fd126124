import { brandClass } from '../shared-slot.js';
import { errorText } from './device-error.js';

// ORT prefixes many messages with the C++ source location and function that raised them:
// "/onnxruntime_src/onnxruntime/core/graph/model.cc:191 onnxruntime::Model::Model(onnx::ModelProto&&, …) Missing opset…"
// or, in short, "matmul_helper.h:59 Compute MatMul dimension mismatch". Neither helps a user.
const SOURCE_LOCATION = /(?:[\w.+-]*\/)*[\w.+-]+\.(?:cc|cpp|cxx|c|h|hpp|cu|cuh|mm):\d+ /g;
const PRETTY_FUNCTION = /^[^()\n]*::[^()\n]*\((?:[^()]|\([^()]*\))*\)(?: const)?(?: \[with [^\]]*\])? /;
const SHORT_FUNCTION = /^~?\w+ /;

/** `text` without the C++ source paths and function signatures that ORT puts in its messages. */
export function stripOrtSourcePaths(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(SOURCE_LOCATION)) {
    out += text.slice(last, m.index);
    const rest = text.slice(m.index + m[0].length);
    const fn = PRETTY_FUNCTION.exec(rest) ?? SHORT_FUNCTION.exec(rest);
    last = m.index + m[0].length + (fn ? fn[0].length : 0);
  }
  return (out + text.slice(last)).trim();
}

/** The message of an error thrown by ONNX Runtime, without its C++ source locations. */
export function ortErrorText(error: unknown): string {
  return stripOrtSourcePaths(errorText(error));
}

/**
 * Thrown by `Session.run` when ONNX Runtime fails to run the model (e.g. a node rejects the shapes it
 * got); the message is ORT's own, without C++ source locations, and `cause` is ORT's error.
 */
export class RunError extends Error {
  /** Machine-readable reason. */
  readonly code = 'run-failed';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunError';
  }
}
// `instanceof RunError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(RunError, 'RunError');
