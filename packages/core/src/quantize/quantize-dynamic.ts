import { intAttr } from '../onnx/attributes.js';
import type { Model, Node, TensorData } from '../onnx/ir.js';
import { freshName, removeDeadCode, usedNames } from '../onnx/graph-edit.js';
import type { QuantizeOptions, QuantizeReport } from './options.js';
import { prepareForQuantization } from './prepare.js';
import { quantizeWeight, REDUCED_WEIGHT_LEVEL } from './quant-math.js';
import { QUANTIZATION_KEY, type QuantizationRecipe } from './recipe.js';
import { weightTargets } from './targets.js';

/**
 * Dynamic int8 quantization of MatMul and Gemm: weights stored int8 ([K, N], per output column by
 * default; 7-bit levels, −63…63, so that CPUs without VNNI, which add pairs of uint8 × int8 products in a
 * saturating int16, give exact sums), activations quantized per batch at run time — standard ops only:
 * DynamicQuantizeLinear → MatMulInteger → Cast → Mul(x_scale × w_scale) → Add(bias). No calibration
 * data; ORT fuses the chain into one int8 kernel. Convs stay float.
 */
export function quantizeDynamic(model: Model, options: QuantizeOptions = {}): { model: Model; report: QuantizeReport } {
  const perChannel = options.perChannel ?? true;
  const exclude = [...(options.exclude ?? [])];
  const m = prepareForQuantization(model, 11, options.optimize ?? true);
  const g = m.graph;
  const { targets, skipped } = weightTargets(g, options.ops ?? ['Gemm', 'MatMul'], exclude);
  if (targets.length === 0) throw new RangeError(`quantizeModel: no MatMul or Gemm to quantize dynamically (${skipped.map((s) => `${s.node}: ${s.reason}`).join('; ') || 'none in the model'})`);
  const taken = usedNames(g);
  const fresh = (base: string) => freshName(g, base, taken);
  const inits: TensorData[] = [];
  const replaced = new Map<Node, Node[]>();

  for (const t of targets) {
    const node = t.node;
    const label = node.name || node.outputs[0];
    // MatMulInteger wants B as [K, N]: a transB Gemm's [N, K] weight is transposed once, here.
    const transposed = node.opType === 'Gemm' && intAttr(node, 'transB', 0) === 1;
    const [rows, cols] = t.weight.dims;
    const w = t.weight.data as Float32Array;
    const kn = transposed ? Float32Array.from({ length: w.length }, (_, i) => w[(i % rows) * cols + Math.floor(i / rows)]) : w;
    const dims = transposed ? [cols, rows] : [rows, cols];
    const q = quantizeWeight(kn, dims, perChannel ? 1 : undefined, REDUCED_WEIGHT_LEVEL);
    const qName = fresh(`${t.weight.name}_quantized`);
    const sName = fresh(`${t.weight.name}_scale`);
    const zName = fresh(`${t.weight.name}_zero_point`);
    const vec = perChannel ? [q.scales.length] : [];
    inits.push(
      { name: qName, dtype: 'int8', dims, data: q.values },
      { name: sName, dtype: 'float32', dims: vec, data: q.scales },
      { name: zName, dtype: 'int8', dims: vec, data: new Int8Array(q.scales.length) },
    );
    const xq = fresh(`${label}_input_quantized`);
    const xs = fresh(`${label}_input_scale`);
    const xz = fresh(`${label}_input_zero_point`);
    const acc = fresh(`${label}_int32`);
    const accF = fresh(`${label}_int32_float`);
    const scale = fresh(`${label}_scale`);
    const y = node.outputs[0];
    const scaled = t.bias ? fresh(`${label}_scaled`) : y;
    const op = (opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}): Node => ({
      opType,
      domain: '',
      name: fresh(`${label}_${opType}`),
      inputs,
      outputs,
      attributes,
    });
    const chain = [
      op('DynamicQuantizeLinear', [node.inputs[0]], [xq, xs, xz]),
      op('MatMulInteger', [xq, qName, xz, zName], [acc]),
      op('Cast', [acc], [accF], { to: { type: 'int', value: 1 } }),
      op('Mul', [xs, sName], [scale]),
      op('Mul', [accF, scale], [scaled]),
    ];
    if (t.bias) chain.push(op('Add', [scaled, t.bias.name], [y]));
    replaced.set(node, chain);
  }
  g.nodes = g.nodes.flatMap((n) => replaced.get(n) ?? [n]);
  g.initializers.push(...inits);
  removeDeadCode(g);
  const recipe: QuantizationRecipe = { version: 1, mode: 'dynamic', perChannel, exclude };
  m.metadata = { ...m.metadata, [QUANTIZATION_KEY]: JSON.stringify(recipe) };
  return { model: m, report: { mode: 'dynamic', quantized: targets.map((t) => t.node.name || t.node.outputs[0]), skipped } };
}
