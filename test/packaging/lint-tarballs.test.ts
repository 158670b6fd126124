// publint and @arethetypeswrong/cli on the tarballs `pnpm pack` makes of the built packages: what a
// user installs, not the workspace folders.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED_PACKAGES, packTarballs, type PublishedPackage } from '../../packages/testkit/src/pack-tarballs.js';
import { repoRoot } from '../support/paths.js';

let tarballs: Record<PublishedPackage, string>;
beforeAll(() => {
  tarballs = packTarballs();
});
afterAll(() => {
  if (tarballs) rmSync(path.dirname(tarballs.core), { recursive: true, force: true });
});

interface AttwProblem {
  kind: string;
  entrypoint?: string;
  resolutionKind?: string;
}

describe.each(PUBLISHED_PACKAGES)('@onnxkit/%s tarball', (pkg) => {
  it('publint reports nothing (errors, warnings or suggestions)', async () => {
    const tarball = readFileSync(tarballs[pkg]);
    const { messages } = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) }, level: 'suggestion', strict: true });
    expect(messages.map((m) => `${m.type} ${m.code} ${m.path.join('.')}`)).toEqual([]);
  });

  it('arethetypeswrong reports nothing for node16 (CJS and ESM) and bundler resolution', () => {
    // The node16 profile leaves out `moduleResolution: node10`, which cannot read `exports` and so never
    // sees subpath entries; the packages need Node 20 (`engines`) anyway.
    const attw = path.join(repoRoot, 'node_modules/.bin/attw');
    // Data files exported for bundlers (@onnxkit/models' .onnx and .md) have no types to check.
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'packages', pkg, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; bin?: unknown };
    if (!('.' in manifest.exports)) {
      // @onnxkit/cli is a command, not a library: no entry point has types to check.
      expect(Object.keys(manifest.exports)).toEqual(['./package.json']);
      expect(manifest.bin).toEqual({ onnxkit: './dist/cli.js' });
      return;
    }
    const dataFiles = Object.keys(manifest.exports).filter((k) => /\.(onnx|md)$/.test(k));
    const exclude = dataFiles.length > 0 ? ['--exclude-entrypoints', ...dataFiles] : [];
    const out = execFileSync(attw, [tarballs[pkg], '--format', 'json', '--profile', 'node16', ...exclude], { encoding: 'utf8' });
    const report = JSON.parse(out) as { analysis: { entrypoints: Record<string, unknown> }; problems?: Record<string, AttwProblem[]> };
    const problems = Object.values(report.problems ?? {}).flat().filter((p) => p.resolutionKind !== 'node10');
    expect(problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints)).toContain('.');
  });

  it('ships README.md, LICENSE (Apache-2.0) and the fields a registry shows', () => {
    const files = execFileSync('tar', ['tzf', tarballs[pkg]], { encoding: 'utf8' }).split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/README.md', 'package/LICENSE', 'package/package.json']));
    const manifest = JSON.parse(execFileSync('tar', ['xzOf', tarballs[pkg], 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.engines).toEqual({ node: '>=20' });
    expect(manifest.repository).toMatchObject({ type: 'git', directory: `packages/${pkg}` });
    // `workspace:*` must have become a version range a registry can resolve.
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    const license = execFileSync('tar', ['xzOf', tarballs[pkg], 'package/LICENSE'], { encoding: 'utf8' });
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
  });
});
