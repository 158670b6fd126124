import { tinyModel, ELEM } from '/work/main/packages/node/test/runtime/tiny-model.ts';
import * as ort from 'onnxruntime-node';
for (const shape of [undefined, [], ['N', 3], ['', 3]] as any[]) {
  const m = tinyModel('Identity', [{name:'x', elem: ELEM.float32, shape}], [{name:'y', elem: ELEM.float32, shape}]);
  const s = await ort.InferenceSession.create(m);
  console.log(JSON.stringify(shape), JSON.stringify(s.inputMetadata));
}
