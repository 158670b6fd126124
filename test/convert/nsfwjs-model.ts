// Shared with scripts/ through packages/testkit (no imports between test/ and scripts/).
export * from '../../packages/testkit/src/nsfwjs-model.js';
