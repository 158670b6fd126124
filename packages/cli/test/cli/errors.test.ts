import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel, GraphBuilder } from '@onnxkit/core';
import packageJson from '../../package.json' with { type: 'json' };
import { encodeNpy } from '@onnxkit/node';
import { cli, expectOneLineError, fixtures, mnist8 } from './harness.js';

const reluInput = path.join(fixtures, 'onnx-node-tests/test_relu/test_data_set_0/input_0.pb');

let dir: string;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-err-'));
  const digit = (dims: number[], dtype: 'float32' | 'float64') => {
    const n = dims.reduce((a, b) => a * b, 1);
    return encodeNpy({ dtype, dims, data: dtype === 'float32' ? new Float32Array(n).fill(0.5) : new Float64Array(n).fill(0.5) });
  };
  await writeFile(file('ok.npy'), digit([1, 1, 28, 28], 'float32'));
  await writeFile(file('rank3.npy'), digit([1, 28, 28], 'float32'));
  await writeFile(file('f64.npy'), digit([1, 1, 28, 28], 'float64'));
  await writeFile(file('not-a-model.onnx'), 'hello, I am text');
  await writeFile(file('x.csv'), '1,2,3');
  // A Fortran-order header, as numpy writes for np.asfortranarray.
  const fortran = Buffer.from(digit([1, 1, 28, 28], 'float32'));
  fortran.write("'fortran_order': True, ", fortran.indexOf("'fortran_order': False, "), 'latin1');
  await writeFile(file('fortran.npy'), fortran);
  // Y = X * W with W stored outside the model's folder.
  for (const [name, location] of [['up.onnx', '../w.bin'], ['abs.onnx', '/etc/passwd']]) {
    const b = new GraphBuilder({ opset: 17 });
    b.input('X', 'float32', [1]);
    b.initializer('W', 'float32', [1], [2]);
    b.op('Mul', ['X', 'W'], {}, { output: 'Y' });
    b.output('Y', 'float32', [1]);
    const model = b.build();
    Object.assign(model.graph.initializers[0], { data: new Float32Array(0), external: { location } });
    await writeFile(file(name), encodeModel(model));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('onnxkit errors: non-zero exit, one line on stderr, no stack', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['missing model', () => ['run', file('nope.onnx'), '-i', file('ok.npy')], /cannot read model '.*nope\.onnx': no such file/],
    ['not a model', () => ['run', file('not-a-model.onnx'), '-i', file('ok.npy')], /not-a-model\.onnx: not an ONNX model/],
    ['tensor file as model', () => ['inspect', reluInput], /input_0\.pb: /],
    ['bad --input syntax', () => ['run', mnist8, '-i', `=${file('ok.npy')}`], /--input '=.*': expected name=file/],
    ['empty file after =', () => ['run', mnist8, '-i', 'Input3='], /--input 'Input3=': expected name=file/],
    ['unknown input name', () => ['run', mnist8, '-i', `digit=${file('ok.npy')}`], /the model has no input 'digit'; its inputs: Input3: float32\[1,1,28,28\]/],
    ['wrong shape', () => ['run', mnist8, '-i', file('rank3.npy')], /^onnxkit: error: input 'Input3' has shape \[1,28,28\].*expects \[1,1,28,28\]/],
    ['wrong dtype', () => ['run', mnist8, '-i', file('f64.npy')], /^onnxkit: error: input 'Input3' has dtype float64.*expects float32/],
    ['missing input', () => ['run', mnist8], /no --input for 'Input3'; the model's inputs: Input3: float32\[1,1,28,28\]/],
    ['missing input file', () => ['run', mnist8, '-i', file('gone.npy')], /cannot read tensor file '.*gone\.npy': no such file/],
    ['unknown tensor file type', () => ['run', mnist8, '-i', file('x.csv')], /unknown tensor file type '\.csv'/],
    ['Fortran-order .npy', () => ['run', mnist8, '-i', file('fortran.npy')], /Fortran order/],
    ['unknown device', () => ['run', mnist8, '-i', file('ok.npy'), '--device', 'tpu'], /--device tpu: unknown device 'tpu'/],
    ['device Node lacks', () => ['run', mnist8, '-i', file('ok.npy'), '--device', 'wasm'], /--device wasm: 'wasm' is not offered on node/],
    ['strict cuda without CUDA', () => ['run', mnist8, '-i', file('ok.npy'), '--device', 'cuda'], /device 'cuda' failed to start: .*cuda12/],
    ['external data escaping the folder', () => ['run', file('up.onnx'), '-i', file('ok.npy')], /external data location '\.\.\/w\.bin' escapes the model's folder/],
    ['absolute external data', () => ['run', file('abs.onnx'), '-i', file('ok.npy')], /external data location '\/etc\/passwd' is absolute/],
    ['unknown option', () => ['run', mnist8, '--bogus'], /^onnxkit: error: unknown option '--bogus'/],
    ['missing argument', () => ['run'], /^onnxkit: error: missing required argument 'model'/],
    ['unknown command', () => ['frobnicate'], /^onnxkit: error: unknown command 'frobnicate'/],
  ];
  for (const [what, args, pattern] of cases) {
    it(what, async () => {
      const r = await cli(args());
      expect(expectOneLineError(r)).toMatch(pattern);
      expect(r.stdout).toBe('');
    });
  }

  it('prints the stack after the line with ONNXKIT_DEBUG=1', async () => {
    const r = await cli(['run', file('not-a-model.onnx')], { ONNXKIT_DEBUG: '1' });
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^onnxkit: error: .*not an ONNX model/);
    expect(lines.slice(1).some((l) => /^\s+at /.test(l))).toBe(true);
  });
});

describe('onnxkit --help and --version', () => {
  it('prints help for the program and every command, exit 0', async () => {
    const root = await cli(['--help']);
    expect(root.code).toBe(0);
    const commands = ['inspect', 'run', 'artifacts'].filter((c) => root.stdout.includes(`  ${c} `));
    expect(commands).toContain('inspect');
    expect(commands).toContain('run');
    for (const c of commands) {
      const r = await cli([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: onnxkit ${c} `));
      expect(r.stderr).toBe('');
    }
  });

  it('prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  it('shows help on stderr and fails when no command is given', async () => {
    const r = await cli([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Usage: onnxkit /);
  });
});
