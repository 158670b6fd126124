export { ARTIFACT_METADATA } from '../../metadata-keys.js';

/** Version of the artifact generator recorded in {@link ARTIFACT_METADATA.generator}. */
export const ARTIFACT_GENERATOR_VERSION = 'onnxkit-artifacts 2';
