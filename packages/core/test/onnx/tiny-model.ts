import { GraphBuilder, type Model } from '@onnxkit/core';

/** x → MatMul(w) → Relu → y: the small valid model the decode tests break in one place each. */
export function tinyModel(): Model {
  const b = new GraphBuilder({ opset: 17 });
  const x = b.input('x', 'float32', ['N', 4]);
  const w = b.initializer('w', 'float32', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  b.output(b.op('Relu', [b.op('MatMul', [x, w])], {}, { output: 'y' }), 'float32', ['N', 2]);
  return b.build();
}
