import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Shared fixtures live beside the checkout, never inside it. */
export const fixturesRoot = path.resolve(repoRoot, '../shared/fixtures');
/** mnist-8 from the ONNX model zoo (CNTK export). */
export const mnist8Path = path.join(fixturesRoot, 'models/mnist-onnx/mnist-8.onnx');
