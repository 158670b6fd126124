import { brandClass } from '../../shared-slot.js';
import type { Node } from '../../onnx/ir.js';

/**
 * Thrown when an op on the gradient path (between a `wrt` value and the loss) has no entry in
 * `GRADIENT_RULES` and is not in `NO_GRADIENT`. Names the op and the node so a model's author knows
 * what to replace or freeze.
 */
export class MissingGradientRuleError extends Error {
  /** The op_type without a rule. */
  readonly opType: string;
  /** The node's name (or `#index` when it has none). */
  readonly nodeName: string;
  /** The op's domain; `''` is ai.onnx. */
  readonly domain: string;

  constructor(node: Node, nodeName: string, path: string) {
    const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}::${node.opType}` : node.opType;
    super(`no gradient rule for op '${op}' (node '${nodeName}') on the gradient path ${path}`);
    this.name = 'MissingGradientRuleError';
    this.opType = node.opType;
    this.nodeName = nodeName;
    this.domain = node.domain;
  }
}
// `instanceof MissingGradientRuleError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(MissingGradientRuleError, 'MissingGradientRuleError');

/**
 * Thrown when a rule exists for the op but not for this node's configuration (an attribute value,
 * a dynamic shape where a static one is needed). Names the op, the node and the reason.
 */
export class GradientRuleError extends Error {
  /** The op_type of the node. */
  readonly opType: string;
  /** The node's name (or `#index` when it has none). */
  readonly nodeName: string;

  constructor(opType: string, nodeName: string, reason: string) {
    super(`gradient of ${opType} node '${nodeName}': ${reason}`);
    this.name = 'GradientRuleError';
    this.opType = opType;
    this.nodeName = nodeName;
  }
}
// `instanceof GradientRuleError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(GradientRuleError, 'GradientRuleError');
