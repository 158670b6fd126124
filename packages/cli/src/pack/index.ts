export { packModel, type PackOptions, type PackReport, type PackedFile } from './pack-model.js';
export { PACK_TARGETS, isPackTarget, type PackTarget } from './targets.js';
