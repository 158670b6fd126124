import { describe, expect, it } from 'vitest';
import { ConvertError } from '../../src/convert/errors.js';
import { convertKeras } from '../../src/convert/convert.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const f32 = (shape: number[]) => ({ value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } });
const input = { name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '-1' }, { size: '4' }, { size: '4' }, { size: '1' }] } } } };

function graph(nodes: object[], manifest: object[] = [], outputs = ['y']) {
  const json = { format: 'graph-model', modelTopology: { node: nodes }, weightsManifest: manifest, signature: { outputs: Object.fromEntries(outputs.map((o) => [o, { name: o }])) } };
  return new Uint8Array(Buffer.from(JSON.stringify(json)));
}

async function error(model: Uint8Array, readFile?: (p: string) => Uint8Array): Promise<ConvertError> {
  const err = await convertKeras({ model, fileName: 'model.json', ...(readFile ? { readFile } : {}) }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConvertError);
  return err as ConvertError;
}

describe('hostile and unsupported TF.js graph models', () => {
  it('refuses a shard path leaving the model folder before reading it', async () => {
    let read = 0;
    const err = await error(graph([input, { name: 'y', op: 'Relu', input: ['x'] }], [{ paths: ['../../secret'], weights: [] }]), () => {
      read++;
      return new Uint8Array();
    });
    expect(err.code).toBe('unsafe-path');
    expect(read).toBe(0);
  });

  it('needs readFile when the manifest lists shards', async () => {
    await expect(convertKeras({ model: graph([input, { name: 'y', op: 'Relu', input: ['x'] }], [{ paths: ['w.bin'], weights: [] }]) })).rejects.toThrow(TypeError);
  });

  it('names a cycle, a dangling input and a missing output', async () => {
    expect((await error(graph([input, { name: 'a', op: 'Relu', input: ['y'] }, { name: 'y', op: 'Relu', input: ['a'] }]))).message).toMatch(/cycle through '(a|y)'/);
    expect((await error(graph([input, { name: 'y', op: 'Relu', input: ['nowhere'] }]))).message).toMatch(/node 'y' \(Relu\) reads 'nowhere', which the graph does not have/);
    expect((await error(graph([input, { name: 'y', op: 'Relu', input: ['x'] }], [], ['z']))).message).toMatch(/the model output reads 'z'/);
  });

  it('caps an inline constant before allocating it', async () => {
    const big = { name: 'c', op: 'Const', attr: f32([1 << 14, 1 << 14]) };
    const err = await error(graph([input, big, { name: 'y', op: 'Add', input: ['x', 'c'] }]));
    expect(err.message).toMatch(/node 'c' \(Const\): inline constant of 268435456 elements exceeds the 16777216 cap/);
  });

  it('refuses a filter computed at run time and SYMMETRIC mirror padding, naming the node', async () => {
    const conv = { name: 'y', op: 'Conv2D', input: ['x', 'x'], attr: { padding: { s: b64('VALID') }, strides: { list: { i: ['1', '1', '1', '1'] } } } };
    expect((await error(graph([input, conv]))).message).toMatch(/node 'y' \(Conv2D\): its filter \(input 1\) is computed at run time/);
    const pads = { name: 'p', op: 'Const', attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '4' }, { size: '2' }] }, intVal: [0, 0, 1, 1, 1, 1, 0, 0] } } } };
    const mirror = { name: 'y', op: 'MirrorPad', input: ['x', 'p'], attr: { mode: { s: b64('SYMMETRIC') } } };
    const err = await error(graph([input, pads, mirror]));
    expect(err.code).toBe('unsupported-op');
    expect(err.message).toMatch(/MirrorPad mode 'SYMMETRIC'/);
  });
});
