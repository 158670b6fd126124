export { buildSeedCnn, SEED_CNN_PARAMETERS, type SeedCnnOptions, type SeedCnnParameter } from './seed-cnn.js';
export { glorotUniform, fans } from './glorot.js';
