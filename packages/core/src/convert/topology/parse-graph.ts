import { ConvertError } from '../errors.js';
import { asRecord } from './config-values.js';
import { inlineNested, MODEL_CLASSES } from './inline-nested.js';
import type { GraphInput, LayerCall, LayerSpec, ModelGraph, TensorRef } from './types.js';


/**
 * Normalises a Keras model config (`{ class_name, config }`) into a {@link ModelGraph}. Reads Keras 2
 * (`batch_input_shape`, nested-list `inbound_nodes`), Keras 3 (`batch_shape`, `__keras_tensor__`
 * arguments) and TF.js Layers (pre-1.0 included) configs. Nested models are inlined.
 */
export function parseModelGraph(modelConfig: Record<string, unknown>): ModelGraph {
  const className = modelConfig.class_name;
  const config = modelConfig.config;
  if (typeof className !== 'string') throw invalid(`the model config has no 'class_name'`);
  if (className === 'Sequential') return inlineNested(parseSequential(config), parseModelGraph);
  if (className === 'Functional' || className === 'Model') return inlineNested(parseFunctional(asRecord(config) ?? {}), parseModelGraph);
  throw new ConvertError('unsupported-format', `the model is a '${className}', not a Sequential or Functional Keras model (a subclassed model has no convertible topology)`);
}

function parseSequential(config: unknown): ModelGraph {
  // Keras ≤ 2.1 wrote a bare list of layers; later versions { name, layers }.
  const record = asRecord(config);
  const rawLayers = Array.isArray(config) ? config : record?.layers;
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw invalid('the Sequential model has no layers');
  const layers = rawLayers.map((l, i) => layerSpec(l, i));
  let inputLayer: LayerSpec | undefined;
  let body = layers;
  if (layers[0].className === 'InputLayer') [inputLayer, ...body] = layers;
  const first = inputLayer ?? layers[0];
  const shape =
    inputShapeOf(first.config) ??
    shapeList(asRecord(rawLayers[inputLayer ? 1 : 0])?.build_config, 'input_shape') ??
    shapeList(record, 'build_input_shape');
  if (!shape) throw invalid(`the Sequential model's first layer '${first.name}' declares no input shape (batch_input_shape)`);
  const inputName = inputLayer ? inputLayer.name : `${first.name}_input`;
  const inputRef: TensorRef = { layer: inputName, node: 0, index: 0 };
  const inputs: GraphInput[] = [{ name: inputName, shape, dtype: dtypeOf(first.config), ref: inputRef }];
  const calls: LayerCall[] = [];
  let prev = inputRef;
  for (const layer of body) {
    calls.push({ layer, node: 0, inputs: [prev] });
    prev = { layer: layer.name, node: 0, index: 0 };
  }
  const all = inputLayer ? layers : [{ name: inputName, className: 'InputLayer', config: { batch_input_shape: shape } }, ...layers];
  return { name: nameOf(record) ?? 'sequential', kind: 'Sequential', layers: all, calls, inputs, outputs: [prev] };
}

function parseFunctional(config: Record<string, unknown>): ModelGraph {
  const rawLayers = config.layers;
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw invalid('the Functional model has no layers');
  const layers = rawLayers.map((l, i) => layerSpec(l, i));
  const byName = new Map(layers.map((l) => [l.name, l]));
  const calls: LayerCall[] = [];
  rawLayers.forEach((raw, i) => {
    const layer = layers[i];
    if (layer.className === 'InputLayer') return;
    const nodes = asRecord(raw)?.inbound_nodes;
    if (!Array.isArray(nodes)) throw invalid(`layer '${layer.name}' has no 'inbound_nodes'`);
    nodes.forEach((n, node) => calls.push({ layer, node, inputs: inboundRefs(n, layer.name) }));
  });
  const inputs = refList(config.input_layers, 'input_layers').map((ref): GraphInput => {
    const layer = byName.get(ref.layer);
    if (!layer || layer.className !== 'InputLayer') throw invalid(`input '${ref.layer}' is not an InputLayer of the model`);
    const shape = inputShapeOf(layer.config);
    if (!shape) throw invalid(`InputLayer '${layer.name}' declares no shape`);
    return { name: layer.name, shape, dtype: dtypeOf(layer.config), ref };
  });
  const outputs = refList(config.output_layers, 'output_layers');
  return { name: nameOf(config) ?? 'model', kind: 'Functional', layers, calls: orderCalls(calls, inputs, outputs), inputs, outputs };
}

/** Orders calls so each comes after the calls it reads, keeping only those the outputs depend on. */
function orderCalls(calls: LayerCall[], inputs: GraphInput[], outputs: TensorRef[]): LayerCall[] {
  const key = (layer: string, node: number) => `${layer}\u0000${node}`;
  const byKey = new Map(calls.map((c) => [key(c.layer.name, c.node), c]));
  const inputKeys = new Set(inputs.map((i) => key(i.ref.layer, i.ref.node)));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: LayerCall[] = [];
  const visit = (ref: TensorRef, from: string) => {
    const k = key(ref.layer, ref.node);
    if (inputKeys.has(k) || done.has(k)) return;
    const call = byKey.get(k);
    if (!call) throw invalid(`${from} reads '${ref.layer}' call ${ref.node}, which the model does not have`);
    if (visiting.has(k)) throw invalid(`the layer graph has a cycle through '${ref.layer}'`);
    visiting.add(k);
    for (const r of call.inputs) visit(r, `layer '${call.layer.name}'`);
    visiting.delete(k);
    done.add(k);
    order.push(call);
  };
  for (const o of outputs) visit(o, 'the model output');
  return order;
}

/** Tensor references of one inbound node: Keras 2/TF.js `[[layer, node, index, kwargs], …]` or Keras 3 `{ args, kwargs }`. */
function inboundRefs(node: unknown, layer: string): TensorRef[] {
  const rec = asRecord(node);
  if (rec) {
    const refs: TensorRef[] = [];
    collectKerasTensors(rec.args, refs);
    if (refs.length === 0) throw invalid(`layer '${layer}' has an inbound node without input tensors`);
    return refs;
  }
  if (!Array.isArray(node)) throw invalid(`layer '${layer}' has a malformed inbound node`);
  return node.map((entry) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw invalid(`layer '${layer}' has a malformed inbound node entry`);
    return { layer: entry[0], node: intOr(entry[1], 0), index: intOr(entry[2], 0) };
  });
}

function collectKerasTensors(v: unknown, out: TensorRef[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collectKerasTensors(x, out);
    return;
  }
  const rec = asRecord(v);
  if (!rec) return;
  if (rec.class_name === '__keras_tensor__') {
    const history = asRecord(rec.config)?.keras_history;
    if (!Array.isArray(history) || typeof history[0] !== 'string') throw invalid('a Keras tensor argument has no keras_history');
    out.push({ layer: history[0], node: intOr(history[1], 0), index: intOr(history[2], 0) });
  }
}

/** `input_layers`/`output_layers`: `[[name, node, index], …]`, or Keras 3's bare `[name, node, index]` for one. */
function refList(v: unknown, what: string): TensorRef[] {
  if (!Array.isArray(v) || v.length === 0) throw invalid(`the Functional model has no '${what}'`);
  const list = typeof v[0] === 'string' ? [v] : v;
  return list.map((e) => {
    if (!Array.isArray(e) || typeof e[0] !== 'string') throw invalid(`malformed entry in '${what}'`);
    return { layer: e[0], node: intOr(e[1], 0), index: intOr(e[2], 0) };
  });
}

function layerSpec(raw: unknown, i: number): LayerSpec {
  const rec = asRecord(raw);
  const className = rec?.class_name;
  const config = asRecord(rec?.config) ?? {};
  if (typeof className !== 'string') throw invalid(`layer #${i} has no 'class_name'`);
  const name = typeof config.name === 'string' ? config.name : typeof rec?.name === 'string' ? rec.name : undefined;
  if (!name) throw invalid(`layer #${i} (${className}) has no name`);
  const spec: LayerSpec = { name, className, config };
  if (typeof rec?.module === 'string') spec.module = rec.module;
  if (typeof rec?.registered_name === 'string') spec.registeredName = rec.registered_name;
  if (MODEL_CLASSES.has(className)) spec.className = className;
  return spec;
}

/** `batch_input_shape` (Keras 2, TF.js) or `batch_shape` (Keras 3), or `input_shape` without the batch. */
function inputShapeOf(config: Record<string, unknown>): (number | null)[] | undefined {
  return (
    shapeList(config, 'batch_input_shape') ??
    shapeList(config, 'batch_shape') ??
    (() => {
      const s = shapeList(config, 'input_shape');
      return s ? [null, ...s] : undefined;
    })()
  );
}

function shapeList(rec: unknown, key: string): (number | null)[] | undefined {
  const v = asRecord(rec)?.[key];
  if (!Array.isArray(v) || !v.every((d) => d === null || (Number.isInteger(d) && (d as number) >= 0))) return undefined;
  return v as (number | null)[];
}

/** A layer's dtype: a string, or Keras 3's `DTypePolicy` object. */
function dtypeOf(config: Record<string, unknown>): string {
  const d = config.dtype;
  if (typeof d === 'string') return d;
  const name = asRecord(asRecord(d)?.config)?.name;
  return typeof name === 'string' ? name : 'float32';
}

function nameOf(rec: Record<string, unknown> | undefined): string | undefined {
  return typeof rec?.name === 'string' ? rec.name : undefined;
}

function intOr(v: unknown, fallback: number): number {
  return Number.isInteger(v) ? (v as number) : fallback;
}

function invalid(message: string): ConvertError {
  return new ConvertError('invalid-config', message);
}
