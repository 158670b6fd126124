import type { Model, Node, TensorData } from '../onnx/ir.js';
import { freshName, removeDeadCode, usedNames } from '../onnx/graph-edit.js';
import type { QuantizeOptions, QuantizeReport } from './options.js';
import { prepareForQuantization } from './prepare.js';
import { quantizeWeight } from './quant-math.js';
import { QUANTIZATION_KEY, type QuantizationRecipe } from './recipe.js';
import { WEIGHT_OPS, weightTargets } from './targets.js';

/**
 * Weight-only int8: Conv/Gemm/MatMul weights are stored int8 (symmetric, per output channel by
 * default) behind a DequantizeLinear, and the model computes in float32 as before. A quarter of the
 * weight bytes to download, float accuracy up to the weight rounding, no calibration.
 */
export function quantizeWeightOnly(model: Model, options: QuantizeOptions = {}): { model: Model; report: QuantizeReport } {
  const perChannel = options.perChannel ?? true;
  const exclude = [...(options.exclude ?? [])];
  const m = prepareForQuantization(model, perChannel ? 13 : 10, options.optimize ?? true);
  const g = m.graph;
  const { targets, skipped } = weightTargets(g, options.ops ?? WEIGHT_OPS, exclude);
  if (targets.length === 0) throw new RangeError(`quantizeModel: no weight to quantize (${skipped.map((s) => `${s.node}: ${s.reason}`).join('; ') || 'no Conv, Gemm or MatMul'})`);
  const taken = usedNames(g);
  const fresh = (base: string) => freshName(g, base, taken);
  const inits: TensorData[] = [];
  const front: Node[] = [];
  const done = new Map<string, string>();
  for (const t of targets) {
    const key = `${t.weight.name}@${t.axis}`;
    let out = done.get(key);
    if (!out) {
      const axis = perChannel ? t.axis : undefined;
      const q = quantizeWeight(t.weight.data as Float32Array, t.weight.dims, axis);
      const qName = fresh(`${t.weight.name}_quantized`);
      const sName = fresh(`${t.weight.name}_scale`);
      const zName = fresh(`${t.weight.name}_zero_point`);
      const dims = axis === undefined ? [] : [q.scales.length];
      inits.push(
        { name: qName, dtype: 'int8', dims: [...t.weight.dims], data: q.values },
        { name: sName, dtype: 'float32', dims, data: q.scales },
        { name: zName, dtype: 'int8', dims, data: new Int8Array(q.scales.length) },
      );
      out = fresh(`${t.weight.name}_dequantized`);
      front.push({
        opType: 'DequantizeLinear',
        domain: '',
        name: fresh(`${t.weight.name}_DequantizeLinear`),
        inputs: [qName, sName, zName],
        outputs: [out],
        attributes: axis === undefined ? {} : { axis: { type: 'int', value: axis } },
      });
      done.set(key, out);
    }
    t.node.inputs[1] = out;
  }
  g.nodes = [...front, ...g.nodes];
  g.initializers.push(...inits);
  removeDeadCode(g);
  const recipe: QuantizationRecipe = { version: 1, mode: 'weight-only', perChannel, exclude };
  m.metadata = { ...m.metadata, [QUANTIZATION_KEY]: JSON.stringify(recipe) };
  return { model: m, report: { mode: 'weight-only', quantized: targets.map((t) => t.node.name || t.node.outputs[0]), skipped } };
}
