/**
 * Child process of node-webgpu.test.ts: starts each model given on the command line, then the seed CNN's
 * Trainer, on webgpu with ORT's verbose log, between marker lines on stderr (where ORT writes natively),
 * so the test can read which provider each node was placed on.
 */
import path from 'node:path';
import { buildSeedCnn, createSession, generateArtifacts, nodeRuntime, Trainer } from '../../../src/index.js';

const verbose = { device: 'webgpu' as const, logSeverityLevel: 0 as const, logVerbosityLevel: 0 };
nodeRuntime.env.logLevel = 'verbose';

for (const file of process.argv.slice(2)) {
  process.stderr.write(`### begin ${path.basename(file)}\n`);
  const session = await createSession(file, verbose);
  process.stderr.write(`### end ${path.basename(file)}\n`);
  await session.release();
}

process.stderr.write('### begin trainer\n');
const artifacts = generateArtifacts(buildSeedCnn({ seed: 5 }), { optimizer: 'momentum', momentum: 0.9 });
const trainer = await Trainer.create(artifacts, verbose);
process.stderr.write('### end trainer\n');
await trainer.release();
