import { floatAttr, intAttr } from '../onnx/attributes.js';
import type { Graph, Node, TensorData } from '../onnx/ir.js';
import { constantOf, producers } from '../onnx/graph-edit.js';

/** Op types whose weights int8 quantization targets. */
export const WEIGHT_OPS: readonly string[] = Object.freeze(['Conv', 'Gemm', 'MatMul']);

/** A node whose constant weight can be quantized. */
export interface WeightTarget {
  node: Node;
  /** The constant float32 weight (input 1). */
  weight: TensorData;
  /** The weight's output-channel axis (per-channel scales run along it). */
  axis: number;
  /** The constant float32 bias (Conv input 2, Gemm C), if any. */
  bias?: TensorData;
}

/** Why a candidate node was left in float. */
export interface SkippedNode {
  node: string;
  opType: string;
  reason: string;
}

/**
 * The Conv/Gemm/MatMul nodes of `ops` with a constant float32 weight, minus `exclude` (node names),
 * and why the other candidates were skipped. Throws RangeError for an excluded name that is no node.
 */
export function weightTargets(graph: Graph, ops: readonly string[], exclude: readonly string[]): { targets: WeightTarget[]; skipped: SkippedNode[] } {
  checkExclude(graph, exclude);
  const byProducer = producers(graph);
  const targets: WeightTarget[] = [];
  const skipped: SkippedNode[] = [];
  for (const node of graph.nodes) {
    if (!ops.includes(node.opType) || (node.domain !== '' && node.domain !== 'ai.onnx')) continue;
    const label = node.name || node.outputs[0];
    const skip = (reason: string) => skipped.push({ node: label, opType: node.opType, reason });
    if (exclude.includes(node.name)) {
      skip('excluded by name');
      continue;
    }
    const weight = constantOf(graph, node.inputs[1], byProducer);
    if (!weight || weight.dtype !== 'float32') {
      skip('its weight (input 1) is not a constant float32 tensor');
      continue;
    }
    const bias = node.inputs[2] ? constantOf(graph, node.inputs[2], byProducer) : undefined;
    if (node.inputs[2] && (!bias || bias.dtype !== 'float32')) {
      skip('its bias (input 2) is not a constant float32 tensor');
      continue;
    }
    let axis = 0;
    if (node.opType === 'Gemm') {
      if (intAttr(node, 'transA', 0) !== 0 || floatAttr(node, 'alpha', 1) !== 1 || floatAttr(node, 'beta', 1) !== 1) {
        skip('Gemm with transA or alpha/beta other than 1');
        continue;
      }
      if (bias && bias.dims.length !== 1) {
        skip('Gemm bias C is not a vector');
        continue;
      }
      axis = intAttr(node, 'transB', 0) === 1 ? 0 : 1;
    } else if (node.opType === 'MatMul') {
      if (weight.dims.length !== 2) {
        skip('MatMul weight is not a matrix');
        continue;
      }
      axis = 1;
    } else if (bias && bias.dims.length !== 1) {
      skip('Conv bias is not a vector');
      continue;
    }
    const channels = weight.dims[axis];
    if (bias && bias.dims[0] !== channels) {
      skip(`bias has ${bias.dims[0]} values for ${channels} output channels`);
      continue;
    }
    targets.push({ node, weight, axis, ...(bias ? { bias } : {}) });
  }
  return { targets, skipped };
}

/** Throws RangeError naming an `exclude` entry that is no node name, listing the node names. */
export function checkExclude(graph: Graph, exclude: readonly string[]): void {
  if (!Array.isArray(exclude) || exclude.some((e) => typeof e !== 'string')) throw new TypeError('quantize: exclude must be an array of node names');
  const names = new Set(graph.nodes.map((n) => n.name).filter(Boolean));
  for (const name of exclude) {
    if (!names.has(name)) {
      const list = [...names].slice(0, 40).join(', ');
      throw new RangeError(`quantize: exclude names '${name}', which is no node of the model; node names: ${list}${names.size > 40 ? ', …' : ''}`);
    }
  }
}
