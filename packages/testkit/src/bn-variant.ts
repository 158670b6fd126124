import { GraphBuilder, float, type Model } from '../../core/src/onnx/index.js';

/**
 * The BatchNormalization variant of scripts/fixtures/torch_reference.py (class BnVariant), in ONNX:
 * Conv(8, 3x3, stride 2) → BN → Relu → Conv(16, 3x3, no bias) → BN → Relu → MaxPool(2x2, 11 → 5)
 * → Flatten → Gemm(32) → Relu → Gemm(10) = `logits` (no Softmax: the loss reads the output directly).
 * BN is inference mode (training_mode 0) with running statistics as initializers; parameter names
 * are PyTorch's.
 */
export const BN_VARIANT_PARAMETERS: readonly { name: string; shape: number[] }[] = [
  { name: 'conv1.weight', shape: [8, 1, 3, 3] },
  { name: 'conv1.bias', shape: [8] },
  { name: 'bn1.weight', shape: [8] },
  { name: 'bn1.bias', shape: [8] },
  { name: 'conv2.weight', shape: [16, 8, 3, 3] },
  { name: 'bn2.weight', shape: [16] },
  { name: 'bn2.bias', shape: [16] },
  { name: 'fc1.weight', shape: [32, 400] },
  { name: 'fc1.bias', shape: [32] },
  { name: 'fc2.weight', shape: [10, 32] },
  { name: 'fc2.bias', shape: [10] },
];

/** BN running statistics (frozen: never trainable). */
export const BN_VARIANT_BUFFERS: readonly { name: string; shape: number[] }[] = [
  { name: 'bn1.running_mean', shape: [8] },
  { name: 'bn1.running_var', shape: [8] },
  { name: 'bn2.running_mean', shape: [16] },
  { name: 'bn2.running_var', shape: [16] },
];

/** Builds the variant with the given values for every parameter and buffer. */
export function buildBnVariant(values: Record<string, Float32Array>): Model {
  const b = new GraphBuilder({ opset: 17, name: 'bn_variant' });
  for (const p of [...BN_VARIANT_PARAMETERS, ...BN_VARIANT_BUFFERS]) {
    const v = values[p.name];
    if (!v) throw new RangeError(`buildBnVariant: missing '${p.name}'`);
    b.initializer(p.name, 'float32', p.shape, v);
  }
  const bn = (name: string, x: string) =>
    b.op('BatchNormalization', [x, `${name}.weight`, `${name}.bias`, `${name}.running_mean`, `${name}.running_var`], { epsilon: float(1e-5) }, { name });
  let x = b.input('input', 'float32', ['N', 1, 28, 28]);
  x = b.op('Conv', [x, 'conv1.weight', 'conv1.bias'], { kernel_shape: [3, 3], strides: [2, 2] }, { name: 'conv1' }); // 28 → 13
  x = b.op('Relu', [bn('bn1', x)]);
  x = b.op('Conv', [x, 'conv2.weight'], { kernel_shape: [3, 3] }, { name: 'conv2' }); // 13 → 11
  x = b.op('Relu', [bn('bn2', x)]);
  x = b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }); // 11 → 5
  x = b.op('Flatten', [x], { axis: 1 });
  x = b.op('Relu', [b.op('Gemm', [x, 'fc1.weight', 'fc1.bias'], { transB: 1 }, { name: 'fc1' })]);
  b.output(b.op('Gemm', [x, 'fc2.weight', 'fc2.bias'], { transB: 1 }, { name: 'fc2', output: 'logits' }), 'float32', ['N', 10]);
  return b.build();
}
