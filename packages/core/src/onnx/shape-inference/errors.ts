import { brandClass } from '../../shared-slot.js';
/**
 * Thrown by shape inference when a node's input types cannot work together (e.g. `Add` of [2, 3]
 * and [4]), or, in strict mode, when an op has no shape rule. The message names the node.
 */
export class ShapeInferenceError extends Error {
  /** Op type of the failing node. */
  readonly opType: string;
  /** Name of the failing node ('' when the node is unnamed). */
  readonly nodeName: string;
  /** Index of the failing node in its graph's node list. */
  readonly nodeIndex: number;

  constructor(opType: string, nodeName: string, nodeIndex: number, message: string) {
    super(message);
    this.name = 'ShapeInferenceError';
    this.opType = opType;
    this.nodeName = nodeName;
    this.nodeIndex = nodeIndex;
  }
}
// `instanceof ShapeInferenceError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(ShapeInferenceError, 'ShapeInferenceError');
