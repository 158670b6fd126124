/**
 * Every `metadata_props` key onnxkit reads or writes, in one place (docs/ARCHITECTURE.md, "The
 * artifact contract"). Modules re-export the keys they own so that their public names stay put.
 */

/** Metadata key of the preprocessing spec (a JSON object, see `PreprocessingSpec`). */
export const PREPROCESSING_KEY = 'onnxkit.preprocessing';
/** Metadata key of the class labels (a JSON array of strings, index = class). */
export const LABELS_KEY = 'onnxkit.labels';
/** Metadata key of the model card (a JSON object; its `labels`, when present, name the classes). */
export const CARD_KEY = 'onnxkit.card';
/** Metadata key under which quantized models carry their `QuantizationRecipe`. */
export const QUANTIZATION_KEY = 'onnxkit.quantization';
/** Metadata key of the resolved optimizer options an optimizer artifact was built with (JSON). */
export const OPTIMIZER_OPTIONS_KEY = 'onnxkit.optimizer';
/** Metadata key naming the architecture of a model onnxkit built from scratch (e.g. `seed-cnn`). */
export const ARCHITECTURE_KEY = 'onnxkit.architecture';

/** Checkpoint metadata key of fit()'s position (epoch, batch, shuffle seed) for resuming mid-epoch. */
export const FIT_POSITION_KEY = 'onnxkit.fit';
/** Metadata key of the card an exported model carries about its training (steps, device, optimizer). */
export const MODEL_CARD_KEY = 'onnxkit.model_card';

/** The metadata_props keys the artifact generator writes into each artifact model. */
export const ARTIFACT_METADATA = Object.freeze({
  /** Which artifact the model is: `training`, `eval` or `optimizer`. */
  artifact: 'onnxkit.artifact',
  /** `parameterFingerprint` of the trainable parameters, shared with the checkpoint. */
  fingerprint: 'onnxkit.fingerprint',
  /** The loss kind (`cross-entropy`, `mse`). */
  loss: 'onnxkit.loss',
  /** The artifact target the graphs are formulated for (`targets.ts`). */
  target: 'onnxkit.target',
  /** The generator's version: bumped whenever the graphs it emits change. */
  generator: 'onnxkit.generator',
  /**
   * On the training model only: `'independent'` when the forward graph keeps the samples of a batch
   * apart (`batch-separable.ts`), so that runs over slices of a batch, weighted by their sizes, give
   * the loss and gradients of the whole batch. Absent otherwise.
   */
  samples: 'onnxkit.samples',
});
