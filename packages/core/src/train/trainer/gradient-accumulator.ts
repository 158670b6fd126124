import { ARTIFACT_METADATA } from '../../metadata-keys.js';
import { GraphBuilder } from '../../onnx/builder.js';
import { encodeModel } from '../../onnx/codec/model-codec.js';

/** A parameter's name and shape, as the trainer tracks them. */
export interface ParameterShapeInfo {
  name: string;
  dims: readonly number[];
}

/**
 * A tiny model that adds a new gradient to the running sum for every parameter (`<p>.acc` +
 * `<p>_grad` → `<p>.sum`), so gradient accumulation stays on the device that computed the gradients
 * (a GPU keeps them resident; nothing is downloaded).
 */
export function accumulatorModelBytes(params: readonly ParameterShapeInfo[]): Uint8Array {
  const b = new GraphBuilder({ opset: 17, name: 'accumulate' });
  for (const p of params) {
    const acc = b.input(`${p.name}.acc`, 'float32', [...p.dims]);
    const grad = b.input(`${p.name}_grad`, 'float32', [...p.dims]);
    b.output(b.op('Add', [acc, grad], {}, { output: `${p.name}.sum` }), 'float32', [...p.dims]);
  }
  return encodeModel(b.build({ metadata: { [ARTIFACT_METADATA.artifact]: 'accumulator' } }));
}
