import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decodeModel, formatSummary, inspect } from '@onnxkit/core';
import { cli, mnist8 } from './harness.js';

describe('onnxkit inspect', () => {
  it('prints formatSummary in text mode and inspect() as --json', async () => {
    const summary = inspect(decodeModel(new Uint8Array(await readFile(mnist8))));
    const text = await cli(['inspect', mnist8]);
    expect(text).toEqual({ code: 0, stdout: formatSummary(summary), stderr: '' });
    const json = await cli(['inspect', mnist8, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(summary)));
  });
});
