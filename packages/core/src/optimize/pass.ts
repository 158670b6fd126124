import type { Model } from '../onnx/ir.js';

/** What one run of a graph pass did. */
export interface PassResult {
  /** How many rewrites the pass made (0: the graph is unchanged). */
  changed: number;
  /** One line per rewrite, e.g. `fused BatchNormalization 'bn1' into Conv 'conv1'`. */
  notes: string[];
}

/**
 * A graph rewrite that keeps the model's outputs equal (up to float rounding). It edits the model it
 * is given in place: {@link optimizeModel} hands it a private copy.
 */
export interface GraphPass {
  /** The pass's name, as `optimizeModel({ passes })` and `onnxkit optimize --passes` take it. */
  readonly name: string;
  /** One line saying what it does. */
  readonly description: string;
  run(model: Model): PassResult;
}
