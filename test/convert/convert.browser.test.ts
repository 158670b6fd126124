import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertKeras, createSession, encodeModel } from '@onnxkit/node';
import { browserSkipReason, repoRoot, runInBrowser } from '../browser/harness.js';
import { fixturePath } from './fixture-models.js';
import { BROWSER_FIXTURES, strokeImage } from './test-image.js';

interface EntryResult {
  model: string;
  format: string;
  device: string;
  data: number[];
}

if (browserSkipReason) console.warn(browserSkipReason);

describe.skipIf(browserSkipReason !== undefined)('convertKeras in Chromium', () => {
  it('converts .keras, .h5, topology JSON + weights, TF.js Layers and graph models in the page, matching Node', async () => {
    const { result } = await runInBrowser<EntryResult[]>(path.join(repoRoot, 'test/convert/entries/convert-entry.ts'));
    expect(result.map((r) => r.format)).toEqual(['keras-v3', 'keras-h5', 'keras-json', 'tfjs-layers', 'tfjs-graph']);
    const image = strokeImage();
    for (const [i, f] of BROWSER_FIXTURES.entries()) {
      const file = fixturePath(f.model);
      const converted = await convertKeras(
        {
          model: readFileSync(file),
          ...('weights' in f ? { weights: readFileSync(fixturePath(f.weights)) } : {}),
          readFile: (p) => readFileSync(path.join(path.dirname(file), p)),
        },
        { outputs: 'last' },
      );
      const session = await createSession(encodeModel(converted.model), { device: 'cpu' });
      const input = converted.inputs[0];
      const out = await session.run({ [input.name]: { data: image, dims: [1, ...input.shape.slice(1).map(Number)] } });
      const expected = (await out[converted.outputs[0].name].getData()) as Float32Array;
      await session.release();
      expect(result[i].device).toBe('wasm');
      expect(result[i].data).toHaveLength(10);
      result[i].data.forEach((v, k) => expect(Math.abs(v - expected[k])).toBeLessThanOrEqual(1e-4));
    }
  });
});
