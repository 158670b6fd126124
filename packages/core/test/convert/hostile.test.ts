import fs from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ConvertError, convertKeras, type ConvertErrorCode, type ConvertInput } from '@onnxkit/core';

const fixtures = path.resolve(__dirname, '../../../../../shared/fixtures');
const read = (p: string) => new Uint8Array(fs.readFileSync(path.join(fixtures, p)));
const dotKeras = read('keras/Arunkumar7812+Digit-recognizer-CNN/mnist_model.keras');
const h5 = read('keras/Purinat33+CNN-Classroom/mnist_cnn.h5');
const tfjsDir = 'tfjs/tensorspace/docs/keras/convertedModel';
const tfjsJson = JSON.parse(fs.readFileSync(path.join(fixtures, tfjsDir, 'model.json'), 'utf8')) as Record<string, any>;
const shard = read(`${tfjsDir}/group1-shard1of1`);

async function failure(input: ConvertInput): Promise<ConvertError> {
  const err = await convertKeras(input).catch((e: unknown) => e);
  if (!(err instanceof ConvertError)) throw new Error(`expected a ConvertError, got ${String(err)}`);
  return err;
}

const tfjs = (json: object, readFile: ConvertInput['readFile'] = () => shard): ConvertInput => ({
  model: new Uint8Array(Buffer.from(JSON.stringify(json))),
  readFile,
  fileName: 'model.json',
});

describe('corrupt and hostile inputs give clear ConvertErrors', () => {
  it.each([0.3, 0.6, 0.95])('a .keras zip truncated to %s of its bytes', async (share) => {
    const err = await failure({ model: dotKeras.subarray(0, Math.floor(dotKeras.length * share)), fileName: 'mnist_model.keras' });
    expect(err.code).toBe('truncated');
    expect(err.message).toMatch(/^mnist_model\.keras is truncated/);
  });

  it.each([100, 20_000, 800_000, 1_600_000])('an .h5 file cut at byte %s', async (at) => {
    const err = await failure({ model: h5.subarray(0, at), fileName: 'mnist_cnn.h5' });
    expect(err.code).toBe('truncated');
    expect(err.message).toMatch(/^mnist_cnn\.h5 is truncated/);
  });

  it('a zip entry whose path escapes the folder, before anything is inflated', async () => {
    for (const name of ['../config.json', 'a/../../model.weights.h5', '/etc/passwd', 'C:/evil', 'dir\\..\\x']) {
      const zip = zipSync({ 'config.json': new Uint8Array([123, 125]), [name]: new Uint8Array([1, 2, 3]) });
      const err = await failure({ model: zip, fileName: 'evil.keras' });
      expect(err.code).toBe('unsafe-path');
      expect(err.message).toContain(`evil.keras: zip entry '${name}'`);
    }
  });

  it('a weight shape that disagrees with the topology names the layer and both shapes', async () => {
    const json = structuredClone(tfjsJson);
    const conv = json.modelTopology.model_config.config.layers.find((l: { name: string }) => l.name === 'Conv2D_1');
    conv.config.kernel_size = [3, 3];
    const err = await failure(tfjs(json));
    expect(err.code).toBe('weight-mismatch');
    expect(err.message).toBe("layer 'Conv2D_1' (Conv2D): weight 'kernel' has shape [5, 5, 1, 6], but the topology implies [3, 3, 1, 6]");

    const dense = structuredClone(tfjsJson);
    dense.modelTopology.model_config.config.layers.find((l: { name: string }) => l.name === 'Dense_2').config.units = 100;
    expect((await failure(tfjs(dense))).message).toBe("layer 'Dense_2' (Dense): weight 'kernel' has shape [120, 84], but the topology implies [120, 100]");
  });

  it('a Keras topology JSON whose weights file belongs to another model', async () => {
    const err = await failure({
      model: read('keras/tensorspace/docs/keras/rawModel/separated/topology.json'),
      weights: read('keras/tensorspace/examples/helloworld/rawModel/tf_keras_model.h5'),
    });
    expect(err.code).toBe('missing-weights');
    expect(err.message).toMatch(/^layer 'Conv2D_1' \(Conv2D\): the weights have no entry for this layer \(expected kernel \[5, 5, 1, 6\], bias \[6\]\)/);
  });

  it('a missing weight shard names the shard', async () => {
    const err = await failure(
      tfjs(tfjsJson, (p) => {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
      }),
    );
    expect(err.code).toBe('missing-weights');
    expect(err.message).toMatch(/^model\.json: weight shard 'group1-shard1of1' could not be read \(ENOENT/);
  });

  it('a truncated shard says which weight runs past its end', async () => {
    const err = await failure(tfjs(tfjsJson, () => shard.subarray(0, 10_000)));
    expect(err.code).toBe('truncated');
    expect(err.message).toMatch(/^model\.json: weight 'Conv2D_2\/kernel' \(shards group1-shard1of1\): needs bytes 624\.\.10224, but the shards hold 10000/);
  });

  it('a shard path that leaves the model folder is never read', async () => {
    let reads = 0;
    for (const p of ['../../secret.bin', '/etc/shadow', 'https://example.com/w.bin']) {
      const json = structuredClone(tfjsJson);
      json.weightsManifest[0].paths = [p];
      const err = await failure(tfjs(json, () => (reads++, shard)));
      expect(err.code).toBe('unsafe-path');
    }
    expect(reads).toBe(0);
  });

  it.each<[string, Uint8Array, ConvertErrorCode, RegExp]>([
    ['an empty file', new Uint8Array(0), 'unsupported-format', /first bytes match no known format/],
    ['broken JSON', new Uint8Array(Buffer.from('{"class_name": ')), 'corrupt', /is not valid JSON/],
    ['an ONNX model', read('models/mnist-onnx/mnist-8.onnx'), 'unsupported-format', /looks like an ONNX model already/],
    ['a weights-only .h5 as the model', read('keras/tensorspace/docs/keras/rawModel/separated/weights.h5'), 'unsupported-format', /holds only weights/],
    ['a topology JSON without weights', read('keras/tensorspace/docs/keras/rawModel/separated/topology.json'), 'missing-weights', /holds no weights: pass the weights \.h5/],
  ])('%s', async (_, bytes, code, message) => {
    const err = await failure({ model: bytes });
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('a custom layer is named with its registered class', async () => {
    const config = {
      module: 'keras',
      class_name: 'Sequential',
      config: {
        name: 'custom',
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], name: 'input_layer' } },
          { module: 'my_project.layers', class_name: 'Swizzle', registered_name: 'MyProject>Swizzle', config: { name: 'swizzle' } },
        ],
      },
    };
    const err = await failure({ model: new Uint8Array(Buffer.from(JSON.stringify(config))), weights: read('keras/tensorspace/docs/keras/rawModel/separated/weights.h5') });
    expect(err.code).toBe('unsupported-layer');
    expect(err.message).toMatch(/^cannot convert the model: Swizzle layer 'swizzle': a custom layer class registered as 'MyProject>Swizzle' whose code is not in the file\. Supported layers: Activation, /);
  });

  it('bad arguments are TypeErrors and RangeErrors naming them', async () => {
    await expect(convertKeras({ model: 'model.h5' as unknown as Uint8Array })).rejects.toThrow(new TypeError("convertKeras: 'model' must be a Uint8Array or an ArrayBuffer"));
    await expect(convertKeras({ model: h5 }, { opset: 9 })).rejects.toThrow(new RangeError("convertKeras: 'opset' must be an integer from 13 to 21, got 9"));
    await expect(convertKeras({ model: h5 }, { layout: 'CHW' as 'NCHW' })).rejects.toThrow(RangeError);
    await expect(convertKeras({ model: h5, weights: h5 })).rejects.toThrow(/'weights' is only for a Keras topology JSON/);
    await expect(convertKeras({ model: tfjs(tfjsJson).model })).rejects.toThrow(new TypeError("convertKeras: a TF.js model needs 'readFile' to read its weight shards (the model file)"));
  });
});
