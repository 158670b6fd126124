import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The published packages, by directory under packages/. */
export const PUBLISHED_PACKAGES = ['core', 'node', 'web', 'models', 'cli'] as const;
/** One of {@link PUBLISHED_PACKAGES}. */
export type PublishedPackage = (typeof PUBLISHED_PACKAGES)[number];

/**
 * Packs the built packages with `pnpm pack` (which rewrites `workspace:*` to versions, as publishing
 * does) into a fresh temporary folder, and returns each tarball's path by package directory. The
 * packages must be built first (`pnpm build`): packing copies `dist/` as it is.
 */
export function packTarballs(packages: readonly PublishedPackage[] = PUBLISHED_PACKAGES, dest?: string): Record<PublishedPackage, string> {
  const out = dest ?? mkdtempSync(path.join(tmpdir(), 'onnxkit-pack-'));
  mkdirSync(out, { recursive: true });
  const tarballs = {} as Record<PublishedPackage, string>;
  for (const pkg of packages) {
    const before = new Set(readdirSync(out));
    execFileSync('npx', ['-y', 'pnpm@10.34.9', 'pack', '--pack-destination', out], {
      cwd: path.join(repoRoot, 'packages', pkg),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const made = readdirSync(out).filter((f) => f.endsWith('.tgz') && !before.has(f));
    if (made.length !== 1) throw new Error(`pnpm pack in packages/${pkg} made ${made.length} tarballs in ${out}`);
    tarballs[pkg] = path.join(out, made[0]);
  }
  return tarballs;
}
