// Writes nsfwjs 4.4.0's Keras MobileNetV2 (the npm package's dist/models/mobilenet_v2, read from its JS
// modules as test/convert/nsfwjs-model.ts reads them — nothing is executed) as an ONNX model, converted
// by onnxkit, for `onnxkit finetune` (docs/FINETUNING.md, "A pretrained backbone"):
//
//   pnpm tsx scripts/nsfwjs-onnx.ts nsfwjs-mobilenet_v2.onnx
import { convertKeras, encodeModel, writeFileAtomic } from '@onnxkit/node';
import { loadNsfwjsModel, NSFWJS_LAYERS_DIR } from '../packages/testkit/src/nsfwjs-model.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: pnpm tsx scripts/nsfwjs-onnx.ts <out.onnx>');
  process.exit(2);
}
const { modelJson, shards } = loadNsfwjsModel(NSFWJS_LAYERS_DIR);
const read = (p: string) => {
  const shard = shards.get(p);
  if (!shard) throw new Error(`nsfwjs: no weight shard '${p}'`);
  return shard;
};
const { model, kerasVersion } = await convertKeras({ model: modelJson, readFile: read, fileName: 'mobilenet_v2/model.json' });
await writeFileAtomic(out, encodeModel(model));
const features = model.graph.nodes.find((n) => n.opType === 'Gemm')?.inputs[0];
console.log(`wrote ${out}: Keras ${kerasVersion} MobileNetV2, ${model.graph.nodes.length} nodes; pooled features (for --head-input): ${features}`);
