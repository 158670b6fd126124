import type { Model, Node, TensorData } from '../onnx/ir.js';
import { inferShapes } from '../onnx/shape-inference/index.js';
import { checkExclude } from './targets.js';
import { freshName, usedNames } from '../onnx/graph-edit.js';
import { floatStorage } from '../onnx/float-bits.js';
import type { QuantizeOptions, QuantizeReport } from './options.js';
import { prepareForQuantization } from './prepare.js';
import { QUANTIZATION_KEY, type QuantizationRecipe } from './recipe.js';

/** Ops kept in float32: float inputs with a fixed meaning (sizes, scales, seeds) or poor fp16 kernels. */
const KEEP_FLOAT32: ReadonlySet<string> = new Set([
  'Resize', 'Upsample', 'Range', 'TopK', 'NonMaxSuppression', 'RoiAlign', 'RandomNormal', 'RandomUniform',
  'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'EyeLike', 'ConstantOfShape', 'Loop', 'If', 'Scan',
  'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear',
]);

const TO = { float16: 10, float32: 1 };

/**
 * float16 conversion: float32 initializers, Constants and intermediate values become float16, while
 * graph inputs and outputs stay float32 (a Cast at each edge) so callers feed and read what they did.
 * Nodes in `exclude`, ops listed in KEEP_FLOAT32, other domains and nodes whose types shape inference
 * cannot tell stay float32 behind Casts. Halves the file; compute is float16 where the EP has kernels
 * (WebGPU with shader-f16), float32 via inserted casts elsewhere (ORT CPU).
 */
export function convertToFloat16(model: Model, options: QuantizeOptions = {}): { model: Model; report: QuantizeReport } {
  const exclude = [...(options.exclude ?? [])];
  const m = prepareForQuantization(model, 1, options.optimize ?? true);
  const g = m.graph;
  checkExclude(g, exclude);
  const types = inferShapes(m);
  const dtypeOf = (name: string) => {
    const t = types.get(name);
    return t?.kind === 'tensor' ? t.dtype : undefined;
  };
  const taken = usedNames(g);
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  const half = new Set<string>(); // values now float16
  const casts = new Map<string, string>(); // `${value}>${dtype}` → cast output
  const out: Node[] = [];
  const added: TensorData[] = [];
  const quantized: string[] = [];
  const skipped: QuantizeReport['skipped'] = [];

  const halfInit = (t: TensorData): string => {
    const key = `${t.name}>init16`;
    const known = casts.get(key);
    if (known) return known;
    const name = freshName(g, `${t.name}_fp16`, taken);
    added.push({ name, dtype: 'float16', dims: [...t.dims], data: floatStorage('float16', Array.from(t.data as Float32Array)) });
    half.add(name);
    casts.set(key, name);
    return name;
  };
  const cast = (value: string, to: 'float16' | 'float32'): string => {
    const key = `${value}>${to}`;
    const known = casts.get(key);
    if (known) return known;
    const name = freshName(g, `${value}_${to === 'float16' ? 'fp16' : 'fp32'}`, taken);
    out.push({ opType: 'Cast', domain: '', name: freshName(g, `${value}_Cast`, taken), inputs: [value], outputs: [name], attributes: { to: { type: 'int', value: TO[to] } } });
    if (to === 'float16') half.add(name);
    casts.set(key, name);
    return name;
  };

  for (const node of g.nodes) {
    const label = node.name || node.outputs[0];
    const io = [...node.inputs, ...node.outputs].filter(Boolean);
    const reason = exclude.includes(node.name)
      ? 'excluded by name'
      : node.domain !== '' && node.domain !== 'ai.onnx'
        ? `op of domain '${node.domain}'`
        : KEEP_FLOAT32.has(node.opType)
          ? 'kept float32 (op list)'
          : io.some((v) => dtypeOf(v) === undefined)
            ? 'a value type shape inference cannot tell'
            : undefined;
    const touchesFloat = io.some((v) => dtypeOf(v) === 'float32' || half.has(v));
    if (reason) {
      if (touchesFloat) skipped.push({ node: label, opType: node.opType, reason });
      node.inputs = node.inputs.map((v) => (v && half.has(v) ? cast(v, 'float32') : v));
      out.push(node);
      continue;
    }
    node.inputs = node.inputs.map((v) => {
      if (!v || half.has(v) || dtypeOf(v) !== 'float32') return v;
      const init = inits.get(v);
      return init && !g.inputs.some((i) => i.name === v) ? halfInit(init) : cast(v, 'float16');
    });
    for (const o of node.outputs) if (o && dtypeOf(o) === 'float32') half.add(o);
    if (node.opType === 'Cast' && node.attributes.to?.type === 'int' && node.attributes.to.value === TO.float32) {
      node.attributes = { ...node.attributes, to: { type: 'int', value: TO.float16 } };
    }
    if (touchesFloat) quantized.push(label);
    out.push(node);
  }
  g.nodes = out;
  // Graph outputs keep their names and float32: the last float16 value gets a Cast back.
  for (const o of g.outputs) {
    if (!half.has(o.name)) continue;
    const internal = freshName(g, `${o.name}_fp16`, taken);
    for (const n of g.nodes) {
      n.inputs = n.inputs.map((v) => (v === o.name ? internal : v));
      n.outputs = n.outputs.map((v) => (v === o.name ? internal : v));
    }
    g.nodes.push({ opType: 'Cast', domain: '', name: freshName(g, `${o.name}_Cast`, taken), inputs: [internal], outputs: [o.name], attributes: { to: { type: 'int', value: TO.float32 } } });
  }
  g.initializers = [...g.initializers.filter((t) => g.nodes.some((n) => n.inputs.includes(t.name))), ...added];
  g.valueInfo = [];
  const recipe: QuantizationRecipe = { version: 1, mode: 'fp16', perChannel: false, exclude };
  m.metadata = { ...m.metadata, [QUANTIZATION_KEY]: JSON.stringify(recipe) };
  return { model: m, report: { mode: 'fp16', quantized, skipped } };
}

