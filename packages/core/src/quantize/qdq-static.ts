import type { Graph, Model, Node, TensorData } from '../onnx/ir.js';
import { consumers, freshName, producers, usedNames } from '../onnx/graph-edit.js';
import type { TensorRanges } from './calibrate.js';
import { activationParams, qRange, quantizeValue, quantizeWeight, REDUCED_WEIGHT_LEVEL, type ActivationType, type QuantParams } from './quant-math.js';
import type { WeightTarget } from './targets.js';

/** Ops that run on int8 values unchanged when Q/DQ with equal parameters surround them (ORT drops the pair). */
const PASSTHROUGH: ReadonlySet<string> = new Set(['MaxPool', 'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze']);

/** The activation tensors static quantization needs, worked out before calibration. */
export interface QdqPlan {
  /** Tensors that get their own calibrated parameters. */
  calibrated: string[];
  /** Tensors whose parameters are copied from another (a passthrough op's output from its input). */
  copied: Map<string, string>;
  /** Target output → the Relu output it takes over (the Relu is removed: quantization clamps at 0). */
  fusedRelu: Map<string, string>;
}

/**
 * Decides which tensors get Q/DQ: each target's data input and output (a Relu right after a target is
 * folded into the output's quantization), propagated through passthrough ops (MaxPool, Flatten, …) so
 * they run on int8 too. A Conv output is always quantized (QLinearConv needs the Q after it); a
 * Gemm/MatMul output read only by float ops (a Softmax) or that is a graph output stays float, which
 * QGemm/MatMulInteger return directly.
 */
export function planQdq(graph: Graph, targets: readonly WeightTarget[]): QdqPlan {
  const readers = consumers(graph);
  const outputs = new Set(graph.outputs.map((v) => v.name));
  const targetNodes = new Set(targets.map((t) => t.node));
  const fusedRelu = new Map<string, string>();
  const quantized = new Set<string>();
  const copied = new Map<string, string>();

  // A tensor is worth quantizing when an int8 consumer reads it, directly or through passthrough ops.
  const feedsInt8 = (name: string, seen = new Set<string>()): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    return (readers.get(name) ?? []).some((n) => targetNodes.has(n) || (PASSTHROUGH.has(n.opType) && feedsInt8(n.outputs[0], seen)));
  };

  for (const t of targets) {
    quantized.add(t.node.inputs[0]);
    const y = t.node.outputs[0];
    const after = readers.get(y) ?? [];
    if (after.length === 1 && after[0].opType === 'Relu' && !outputs.has(y) && !outputs.has(after[0].outputs[0])) {
      const r = after[0].outputs[0];
      fusedRelu.set(y, r);
      // Conv/MatMul kernels only return int8 when a Q follows, and the Relu needs the clamp: always quantize.
      quantized.add(r);
    } else if (!outputs.has(y) && (t.node.opType === 'Conv' || feedsInt8(y))) {
      quantized.add(y);
    }
  }
  // Carry parameters forward through passthrough ops whose input is quantized.
  for (const n of graph.nodes) {
    if (!PASSTHROUGH.has(n.opType) || outputs.has(n.outputs[0])) continue;
    const x = n.inputs[0];
    const source = copied.get(x) ?? (quantized.has(x) ? x : undefined);
    if (source !== undefined) {
      copied.set(n.outputs[0], source);
      quantized.delete(n.outputs[0]);
    }
  }
  return { calibrated: [...quantized], copied, fusedRelu };
}

/** Options of {@link applyQdq}. */
export interface ApplyQdqOptions {
  perChannel: boolean;
  activationType: ActivationType;
}

/**
 * Rewrites `model` in place into QDQ form: int8 weights (+ int32 biases) behind DequantizeLinear, and a
 * QuantizeLinear → DequantizeLinear pair on every planned activation, with the calibrated `ranges`.
 */
export function applyQdq(model: Model, targets: readonly WeightTarget[], plan: QdqPlan, ranges: TensorRanges, options: ApplyQdqOptions): void {
  const g = model.graph;
  const taken = usedNames(g);
  const params = new Map<string, QuantParams>();
  for (const name of plan.calibrated) {
    const range = ranges[name];
    if (!range) throw new RangeError(`quantize: no calibrated range for tensor '${name}'`);
    params.set(name, activationParams(range[0], range[1], options.activationType));
  }
  for (const [name, source] of plan.copied) params.set(name, params.get(source)!);

  // Relu folding: the target now writes the Relu's output name; the Relu disappears.
  const byProducer = producers(g);
  for (const [y, r] of plan.fusedRelu) {
    const target = byProducer.get(y)!;
    const relu = byProducer.get(r)!;
    target.outputs = target.outputs.map((o) => (o === y ? r : o));
    g.nodes = g.nodes.filter((n) => n !== relu);
  }

  const front: Node[] = [];
  const inits: TensorData[] = [];
  const scalar = (hint: string, dtype: TensorData['dtype'], v: number): string => {
    const name = freshName(g, hint, taken);
    inits.push(dtype === 'float32' ? { name, dtype, dims: [], data: Float32Array.of(v) } : { name, dtype, dims: [], data: dtype === 'uint8' ? Uint8Array.of(v) : Int8Array.of(v) });
    return name;
  };
  const dq = (hint: string, inputs: string[], axis?: number): { node: Node; output: string } => {
    const output = freshName(g, `${hint}_dequantized`, taken);
    const node: Node = {
      opType: 'DequantizeLinear',
      domain: '',
      name: freshName(g, `${hint}_DequantizeLinear`, taken),
      inputs,
      outputs: [output],
      attributes: axis === undefined ? {} : { axis: { type: 'int', value: axis } },
    };
    return { node, output };
  };

  // Weights and biases: stored quantized, dequantized by a DQ node at the top of the graph.
  const weightCache = new Map<string, { output: string; scales: Float32Array }>();
  for (const t of targets) {
    const key = `${t.weight.name}@${t.axis}`;
    let w = weightCache.get(key);
    if (!w) {
      const axis = options.perChannel ? t.axis : undefined;
      // ORT fuses QDQ around MatMul and Conv into integer kernels: with uint8 activations, 7-bit weights.
      const q = quantizeWeight(t.weight.data as Float32Array, t.weight.dims, axis, options.activationType === 'uint8' ? REDUCED_WEIGHT_LEVEL : 127);
      const qName = freshName(g, `${t.weight.name}_quantized`, taken);
      const sName = freshName(g, `${t.weight.name}_scale`, taken);
      const zName = freshName(g, `${t.weight.name}_zero_point`, taken);
      const dims = axis === undefined ? [] : [q.scales.length];
      inits.push(
        { name: qName, dtype: 'int8', dims: [...t.weight.dims], data: q.values },
        { name: sName, dtype: 'float32', dims, data: q.scales },
        { name: zName, dtype: 'int8', dims, data: new Int8Array(q.scales.length) },
      );
      const d = dq(t.weight.name, [qName, sName, zName], axis);
      front.push(d.node);
      w = { output: d.output, scales: q.scales };
      weightCache.set(key, w);
    }
    t.node.inputs[1] = w.output;
    if (t.bias) {
      // int32 bias with scale = input scale × weight scale, zero point 0: what QLinearConv/QGemm add.
      const sx = params.get(t.node.inputs[0])!.scale;
      const scales = Float32Array.from(w.scales, (s) => Math.fround(sx * s));
      const bias = t.bias.data as Float32Array;
      const [lo, hi] = qRange('int32');
      const values = Int32Array.from(bias, (b, c) => quantizeValue(b, scales[scales.length > 1 ? c : 0], 0, lo, hi));
      const qName = freshName(g, `${t.bias.name}_quantized`, taken);
      const sName = freshName(g, `${t.bias.name}_scale`, taken);
      const perChannel = scales.length > 1;
      inits.push(
        { name: qName, dtype: 'int32', dims: [...t.bias.dims], data: values },
        { name: sName, dtype: 'float32', dims: perChannel ? [scales.length] : [], data: scales },
      );
      const d = dq(t.bias.name, [qName, sName], perChannel ? 0 : undefined);
      front.push(d.node);
      t.node.inputs[2] = d.output;
    }
  }

  // Activations: Q → DQ right after the producer; every reader switches to the DQ output.
  const pairs = new Map<string, Node[]>();
  for (const [name, p] of params) {
    const zpType = options.activationType;
    const s = scalar(`${name}_scale`, 'float32', p.scale);
    const z = scalar(`${name}_zero_point`, zpType, p.zeroPoint);
    const qOut = freshName(g, `${name}_quantized`, taken);
    const q: Node = { opType: 'QuantizeLinear', domain: '', name: freshName(g, `${name}_QuantizeLinear`, taken), inputs: [name, s, z], outputs: [qOut], attributes: {} };
    const d = dq(name, [qOut, s, z]);
    for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === name ? d.output : i));
    pairs.set(name, [q, d.node]);
  }
  const nodes: Node[] = [...front];
  for (const v of g.inputs) nodes.push(...(pairs.get(v.name) ?? []));
  for (const n of g.nodes) {
    nodes.push(n);
    for (const o of n.outputs) nodes.push(...(pairs.get(o) ?? []));
  }
  g.nodes = nodes;
  g.initializers = [...g.initializers.filter((t) => !targets.some((x) => x.weight.name === t.name || x.bias?.name === t.name)), ...inits];
  // Float weights another node still reads stay (removeDeadCode in the caller drops the rest).
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  for (const t of targets) {
    for (const c of [t.weight, t.bias]) if (c && read.has(c.name) && !g.initializers.includes(c)) g.initializers.push(c);
  }
  g.valueInfo = [];
}
