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

/** Version of the artifact generator recorded in {@link ARTIFACT_METADATA.generator}. */
export const ARTIFACT_GENERATOR_VERSION = 'onnxkit-artifacts 2';
