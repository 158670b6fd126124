import type { Model, Node, TensorData } from '../onnx/ir.js';
import { cloneModel, constantOf, consumers, freshName, producers, removeDeadCode, usedNames } from '../onnx/graph-edit.js';
import { dequantizeValues, qRange } from './quant-math.js';
import { QUANTIZATION_KEY, readRecipe, type QuantizationRecipe } from './recipe.js';

/** Options of {@link dequantizeForTraining}. */
export interface DequantizeOptions {
  /**
   * Weights to bring back as float32 initializers (by their float names, e.g. `fc2.weight`): the ones
   * fine-tuning will train. The others stay int8 behind DequantizeLinear, so training sees them as
   * constants (frozen) and they keep their exact quantized values. @defaultValue every quantized weight
   */
  parameters?: readonly string[];
}

/** A float model recovered from a quantized one, and how to quantize it again. */
export interface DequantizedModel {
  /** The trainable float model (activation Q/DQ removed, the chosen weights float32). */
  model: Model;
  /** Float initializers recovered, by name. */
  parameters: string[];
  /** The recipe the quantized model carried (pass it to `requantize` after training). */
  recipe?: QuantizationRecipe;
  /**
   * The model's other metadata (labels, preprocessing spec, card): a trainer's export keeps none of
   * onnxkit's keys, so hand these to `requantize` to carry them over.
   */
  metadata: Record<string, string>;
}

const PASSTHROUGH = new Set(['MaxPool', 'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze']);

/**
 * Turns a QDQ-quantized model back into a float model training can use: each DequantizeLinear of a
 * constant int8/int32 tensor becomes a float32 initializer with the weight's original name (the
 * `_quantized` suffix dropped), and each activation QuantizeLinear → DequantizeLinear pair is removed.
 * A pair on a computed value whose zero point sits at the type's minimum clamped negatives to 0, so
 * a Relu takes its place (static quantization folds ReLUs that way; graph inputs get none).
 * Gradients cannot flow through the integer rounding of Q/DQ, which is why training needs this float
 * copy; `requantize` quantizes the trained model again with the same recipe. Throws RangeError for a
 * `parameters` name that is no quantized weight.
 */
export function dequantizeForTraining(model: Model, options: DequantizeOptions = {}): DequantizedModel {
  const recipe = readRecipe(model);
  const m = cloneModel(model);
  const g = m.graph;
  const taken = usedNames(g);
  const byProducer = producers(g);
  const isDq = (n: Node) => n.opType === 'DequantizeLinear' && (n.domain === '' || n.domain === 'ai.onnx');

  // Constant DequantizeLinear nodes → float initializers.
  const constants: { node: Node; q: TensorData; name: string }[] = [];
  for (const n of g.nodes) {
    if (!isDq(n)) continue;
    const q = constantOf(g, n.inputs[0], byProducer);
    if (!q || !['int8', 'uint8', 'int32'].includes(q.dtype)) continue;
    const base = q.name.endsWith('_quantized') ? q.name.slice(0, -'_quantized'.length) : `${q.name}_float`;
    constants.push({ node: n, q, name: base });
  }
  const available = constants.map((c) => c.name);
  const wanted = options.parameters ?? available;
  if (!Array.isArray(wanted) || wanted.some((w) => typeof w !== 'string')) throw new TypeError('dequantizeForTraining: parameters must be an array of weight names');
  for (const w of wanted) {
    if (!available.includes(w)) throw new RangeError(`dequantizeForTraining: '${w}' is no quantized weight of the model; quantized weights: ${available.join(', ') || '(none)'}`);
  }
  const recovered: string[] = [];
  const drop = new Set<Node>();
  for (const c of constants) {
    if (!wanted.includes(c.name)) continue;
    const scale = constantOf(g, c.node.inputs[1], byProducer);
    const zp = c.node.inputs[2] ? constantOf(g, c.node.inputs[2], byProducer) : undefined;
    if (!scale || scale.dtype !== 'float32') continue;
    const axisAttr = c.node.attributes.axis;
    const axis = axisAttr?.type === 'int' ? axisAttr.value : 1;
    const data = dequantizeValues(c.q.data as ArrayLike<number>, c.q.dims, scale.data as Float32Array, zp?.data as ArrayLike<number> | undefined, axis);
    const name = taken.has(c.name) ? freshName(g, c.name, taken) : (taken.add(c.name), c.name);
    g.initializers.push({ name, dtype: 'float32', dims: [...c.q.dims], data });
    const out = c.node.outputs[0];
    for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === out ? name : i));
    drop.add(c.node);
    recovered.push(name);
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n));

  // Activation Q → DQ pairs → the float value (plus a Relu where the pair clamped at 0).
  const readers = consumers(g);
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const reluAfter = new Map<Node, Node>();
  const removed = new Set<Node>();
  for (const q of g.nodes) {
    if (q.opType !== 'QuantizeLinear' || (q.domain !== '' && q.domain !== 'ai.onnx')) continue;
    const after = readers.get(q.outputs[0]) ?? [];
    if (after.length === 0 || !after.every(isDq) || graphOutputs.has(q.outputs[0])) continue;
    const a = q.inputs[0];
    const zp = q.inputs[2] ? constantOf(g, q.inputs[2]) : undefined;
    const zpType = zp?.dtype === 'int8' ? 'int8' : 'uint8';
    const clamps = zp !== undefined && Number(zp.data[0]) === qRange(zpType)[0] && zp.data.length === 1;
    removed.add(q);
    for (const d of after) {
      removed.add(d);
      const out = d.outputs[0];
      for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === out ? a : i));
      for (const o of g.outputs) if (o.name === out) o.name = a;
    }
    const producer = producers(g).get(a);
    // A graph input keeps its contract (images in 0..1 are non-negative): only computed values get the Relu.
    if (clamps && producer && !nonNegative(a, [...g.nodes, ...reluAfter.values()])) {
      // The Relu takes the value's name, so the recipe's ranges still name the right tensors.
      const pre = freshName(g, `${a}_pre_relu`, taken);
      producer.outputs = producer.outputs.map((o) => (o === a ? pre : o));
      reluAfter.set(producer, { opType: 'Relu', domain: '', name: freshName(g, `${a}_Relu`, taken), inputs: [pre], outputs: [a], attributes: {} });
    }
  }
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    if (removed.has(n)) continue;
    nodes.push(n);
    const relu = reluAfter.get(n);
    if (relu) nodes.push(relu);
  }
  g.nodes = nodes;
  removeDeadCode(g);
  const { [QUANTIZATION_KEY]: _dropped, ...metadata } = m.metadata;
  m.metadata = metadata;
  return { model: m, parameters: recovered, metadata: { ...metadata }, ...(recipe ? { recipe } : {}) };
}

/** True when `value` is a Relu output, maybe through ops that keep signs (MaxPool, Flatten, …). */
function nonNegative(value: string, nodes: readonly Node[]): boolean {
  const producer = nodes.find((n) => n.outputs.includes(value));
  if (!producer) return false;
  if (producer.opType === 'Relu') return true;
  return PASSTHROUGH.has(producer.opType) && nonNegative(producer.inputs[0], nodes);
}
