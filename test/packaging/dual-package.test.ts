// An app that both `require`s and `import`s @onnxkit/node loads two copies of it and of @onnxkit/core
// (the CJS and the ESM builds). The runtime registry and the error classes must not split in two.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';

const script = String.raw`
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const require = createRequire(process.env.NODE_PKG);
const out = {};
// CommonJS first: its copy of core registers onnxruntime-node.
const cjsNode = require('@onnxkit/node');
// ESM core from the same place an app's import resolves it: a different copy than cjsNode's.
const esmCore = await import(require.resolve('@onnxkit/core').replace(/index\.cjs$/, 'index.js'));
out.twoCopies = esmCore.createSession !== cjsNode.createSession && esmCore.ModelFormatError !== cjsNode.ModelFormatError;
out.esmCoreHasRuntime = esmCore.hasRuntime();
const session = await esmCore.createSession(readFileSync(process.env.MODEL), { device: 'cpu' });
const pixels = new Float32Array(784);
for (let y = 4; y < 24; y++) for (let x = 13; x < 16; x++) pixels[y * 28 + x] = 1;
const outputs = await session.run({ [session.inputs[0].name]: { data: pixels, dims: [1, 1, 28, 28] } });
out.scores = Array.from(outputs[session.outputs[0].name].data);
out.device = session.device;
await session.release();
try {
  esmCore.decodeModel(new Uint8Array([0xff, 0xff, 0xff]));
} catch (err) {
  out.esmErrorIsCjsClass = err instanceof cjsNode.ModelFormatError;
  out.esmErrorIsEsmClass = err instanceof esmCore.ModelFormatError;
  out.esmErrorIsError = err instanceof Error;
  out.esmErrorIsOtherClass = err instanceof cjsNode.DataFormatError;
}
const esmNode = await import(require.resolve('@onnxkit/node').replace(/index\.cjs$/, 'index.js'));
try {
  await cjsNode.loadModelFile(process.env.MISSING);
} catch (err) {
  out.cjsFileErrorIsEsmClass = err instanceof esmNode.FileAccessError;
  out.cjsFileErrorCode = err.code;
}
console.log(JSON.stringify(out));
`;

describe('require and import of @onnxkit/node in one process', () => {
  it('share one runtime registry and error classes that instanceof recognises across the copies', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onnxkit-dual-'));
    try {
      const file = path.join(dir, 'dual.mjs');
      writeFileSync(file, script);
      const stdout = execFileSync(process.execPath, [file], {
        encoding: 'utf8',
        env: {
          ...process.env,
          NODE_PKG: path.join(repoRoot, 'packages/node/package.json'),
          MODEL: path.join(repoRoot, 'models/onnx/mnist-cnn.onnx'),
          MISSING: path.join(dir, 'no-such-model.onnx'),
        },
      });
      const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      expect(out.twoCopies).toBe(true);
      expect(out.esmCoreHasRuntime).toBe(true);
      expect(out.device).toBe('cpu');
      const scores = out.scores as number[];
      expect(scores).toHaveLength(10);
      expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(scores.indexOf(Math.max(...scores))).toBe(1); // a vertical stroke is a 1
      expect(out).toMatchObject({ esmErrorIsCjsClass: true, esmErrorIsEsmClass: true, esmErrorIsError: true, esmErrorIsOtherClass: false });
      expect(out).toMatchObject({ cjsFileErrorIsEsmClass: true, cjsFileErrorCode: 'not-found' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
