import { describe, expect, it } from 'vitest';
import { ConvertError } from '../../src/convert/errors.js';
import { AttrReader, decodeBase64 } from '../../src/convert/graph/attrs.js';
import { parseGraphDef, parseOutputRef, readConst } from '../../src/convert/graph/graph-def.js';

const noWeights = { layer: () => undefined };
const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('GraphDef JSON reading', () => {
  it('decodes base64 as Node does, and refuses bad characters', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 31]) {
      const bytes = Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      expect(Array.from(decodeBase64(b64(bytes), 'x'))).toEqual(bytes);
    }
    expect(() => decodeBase64('ab$c', 'attr')).toThrow(/attr: invalid base64 character "\$"/);
  });

  it('reads string attributes as base64 (TF.js ≥ 1) and as byte lists (TF.js 0.x), ints written as strings', () => {
    const a = new AttrReader({ padding: { s: 'U0FNRQ==' }, old: { s: [86, 65, 76, 73, 68] }, strides: { list: { i: ['1', '2', '2', '1'] } }, n: { i: '3' } }, 'node');
    expect(a.string('padding')).toBe('SAME');
    expect(a.string('old')).toBe('VALID');
    expect(a.string('missing', 'NHWC')).toBe('NHWC');
    expect(a.ints('strides')).toEqual([1, 2, 2, 1]);
    expect(a.int('n')).toBe(3);
    expect(() => a.int('padding')).toThrow(ConvertError);
  });

  it('reads inline constants: floatVal (last value repeated), intVal, tensorContent', () => {
    const nodes = parseGraphDef(
      {
        node: [
          { name: 'f', op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }] }, floatVal: [1.5] } } } },
          { name: 'i', op: 'Const', attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] }, intVal: [-1, 7] } } } },
          { name: 'c', op: 'Const', attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] }, tensorContent: Buffer.from(Int32Array.from([4, -2]).buffer).toString('base64') } } } },
          { name: 'bad', op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }] }, tensorContent: b64([0, 0, 0]) } } } },
          { name: 'y', op: 'Add', input: ['f', 'i:0', '^ctrl'] },
        ],
      },
      'model.json',
    );
    expect(Array.from(readConst(nodes.get('f')!, noWeights).data)).toEqual([1.5, 1.5, 1.5]);
    expect(readConst(nodes.get('i')!, noWeights)).toEqual({ shape: [2], data: Float32Array.from([-1, 7]) });
    expect(Array.from(readConst(nodes.get('c')!, noWeights).data)).toEqual([4, -2]);
    expect(() => readConst(nodes.get('bad')!, noWeights)).toThrow(/tensorContent holds 3 bytes, its shape needs 8/);
    expect(nodes.get('y')!.inputs).toEqual(['f', 'i:0']);
    expect(parseOutputRef('a/b:2')).toEqual({ node: 'a/b', index: 2 });
  });

  it('refuses malformed graphs with the node named', () => {
    expect(() => parseGraphDef({ node: [] }, 'm.json')).toThrow(/m\.json: the graph model's 'modelTopology' has no nodes/);
    expect(() => parseGraphDef({ node: [{ name: 'a', op: 'Relu' }, { name: 'a', op: 'Relu' }] }, 'm.json')).toThrow(/two graph nodes are named 'a'/);
  });
});
