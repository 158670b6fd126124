import * as tf from '@tensorflow/tfjs';
import { seeded, type SavedTfjs } from './synthetic-models.js';

type Attr = Record<string, unknown>;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** GraphDef JSON attribute values, as tensorflowjs_converter writes them. */
export const attr = {
  ints: (v: number[]): Attr => ({ list: { i: v.map(String) } }),
  str: (v: string): Attr => ({ s: b64(v) }),
  strs: (v: string[]): Attr => ({ list: { s: v.map(b64) } }),
  int: (v: number): Attr => ({ i: String(v) }),
  float: (v: number): Attr => ({ f: v }),
  bool: (v: boolean): Attr => ({ b: v }),
  type: (v: 'DT_FLOAT' | 'DT_INT32'): Attr => ({ type: v }),
};

/**
 * Builds a TF.js graph model (GraphDef JSON + one shard) node by node. Every Const goes to the weights
 * manifest, as tensorflowjs_converter does; float weights get seeded values.
 */
export class GraphModelBuilder {
  readonly nodes: Record<string, unknown>[] = [];
  readonly specs: tf.io.WeightsManifestEntry[] = [];
  readonly #blobs: Buffer[] = [];
  readonly #rand: () => number;

  constructor(seed: number) {
    this.#rand = seeded(seed);
  }

  /** A float Const with values `values`, or seeded ones in ±scale (positive in [0.5, 1.5] when `positive`). */
  weight(name: string, shape: number[], options: { scale?: number; positive?: boolean; values?: number[] } = {}): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const { scale = 0.5, positive = false } = options;
    const data = Float32Array.from(options.values ?? Array.from({ length: n }, () => (positive ? 0.5 + this.#rand() : (this.#rand() * 2 - 1) * scale)));
    return this.#const(name, shape, 'float32', Buffer.from(data.buffer));
  }

  /** An int32 Const (shapes, axes, permutations, paddings). */
  int32(name: string, shape: number[], values: number[]): string {
    return this.#const(name, shape, 'int32', Buffer.from(Int32Array.from(values).buffer));
  }

  /** A graph input. */
  placeholder(name: string, shape: number[]): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } }, dtype: attr.type('DT_FLOAT') } });
    return name;
  }

  /** An op node (float `T` added). */
  op(name: string, op: string, inputs: string[], attrs: Attr = {}): string {
    this.nodes.push({ name, op, input: inputs, attr: { T: attr.type('DT_FLOAT'), ...attrs } });
    return name;
  }

  /** The model.json and its shard `weights.bin`. */
  build(outputs: string[]): SavedTfjs {
    return {
      json: {
        format: 'graph-model',
        modelTopology: { node: this.nodes, versions: { producer: 1 } },
        weightsManifest: [{ paths: ['weights.bin'], weights: this.specs }],
        ...({ signature: { outputs: Object.fromEntries(outputs.map((o) => [`${o}:0`, { name: `${o}:0` }])) } } as object),
      } as SavedTfjs['json'],
      shard: new Uint8Array(Buffer.concat(this.#blobs)),
    };
  }

  #const(name: string, shape: number[], dtype: 'float32' | 'int32', bytes: Buffer): string {
    this.nodes.push({
      name,
      op: 'Const',
      attr: { value: { tensor: { dtype: dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: attr.type(dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32') },
    });
    this.specs.push({ name, shape, dtype });
    this.#blobs.push(bytes);
    return name;
  }
}

const NHWC = { data_format: attr.str('NHWC') };
const conv = (strides: number, padding: string) => ({ strides: attr.ints([1, strides, strides, 1]), padding: attr.str(padding), dilations: attr.ints([1, 1, 1, 1]), ...NHWC });

/**
 * A graph model on 28×28×1 digits using every op the graph converter supports: fused and plain
 * convolutions (VALID, SAME with stride 2, EXPLICIT), depthwise ones, FusedBatchNormV3, every fused and
 * standalone activation, arithmetic on tensors and constants, both pools, MirrorPad, Mean, the shape ops
 * (TF 2's Flatten: Shape → StridedSlice → Pack → Reshape included) and MatMul in both forms, ending in Softmax → Identity. Two outputs: a feature map and the probabilities.
 * `mirrorPad: false` pads with zeros instead (reflect padding has no gradient rule yet).
 */
export function allOpsGraphModel(options: { seed?: number; mirrorPad?: boolean } = {}): SavedTfjs {
  const { seed = 5, mirrorPad = true } = options;
  const g = new GraphModelBuilder(seed);
  const x = g.placeholder('image', [-1, 28, 28, 1]);
  const scaled = g.op('scale/Mul', 'Mul', [x, g.weight('scale/y', [], { values: [2] })]);
  const centred = g.op('scale/Sub', 'Sub', [scaled, g.weight('scale/offset', [], { values: [1] })]);
  const padded = g.op('pad', 'Pad', [centred, g.int32('pad/paddings', [4, 2], [0, 0, 1, 1, 1, 1, 0, 0])]);
  const c1 = g.op('conv1', '_FusedConv2D', [padded, g.weight('conv1/filter', [3, 3, 1, 8]), g.weight('conv1/bias', [8], { scale: 0.1 })], {
    ...conv(1, 'VALID'), fused_ops: attr.strs(['BiasAdd', 'Relu']), num_args: attr.int(1), epsilon: attr.float(0),
  });
  const dw = g.op('dw1', 'FusedDepthwiseConv2dNative', [c1, g.weight('dw1/filter', [3, 3, 8, 1]), g.weight('dw1/bias', [8], { scale: 0.1 })], {
    ...conv(2, 'SAME'), fused_ops: attr.strs(['BiasAdd', 'Relu6']), num_args: attr.int(1),
  });
  const pw = g.op('pw/BiasAdd', 'BiasAdd', [g.op('pw/Conv2D', 'Conv2D', [dw, g.weight('pw/filter', [1, 1, 8, 8])], conv(1, 'SAME')), g.weight('pw/bias', [8], { scale: 0.1 })], NHWC);
  const bn = g.op('bn', 'FusedBatchNormV3', [pw, g.weight('bn/scale', [8], { positive: true }), g.weight('bn/offset', [8], { scale: 0.2 }), g.weight('bn/mean', [8], { scale: 0.2 }), g.weight('bn/variance', [8], { positive: true })], {
    epsilon: attr.float(0.001), is_training: attr.bool(false), U: attr.type('DT_FLOAT'), ...NHWC,
  });
  const elu = g.op('elu', 'Elu', [bn]);
  const pr = g.op('conv_prelu', '_FusedConv2D', [elu, g.weight('conv_prelu/filter', [3, 3, 8, 8], { scale: 0.3 }), g.weight('conv_prelu/bias', [8], { scale: 0.1 }), g.weight('conv_prelu/alpha', [8], { scale: 0.3 })], {
    ...conv(1, 'SAME'), fused_ops: attr.strs(['BiasAdd', 'Prelu']), num_args: attr.int(2),
  });
  const res = g.op('residual', 'Add', [elu, pr]);
  const dw2 = g.op('dw2', 'DepthwiseConv2dNative', [res, g.weight('dw2/filter', [3, 3, 8, 2])], conv(1, 'VALID'));
  const leaky = g.op('leaky', 'LeakyRelu', [dw2], { alpha: attr.float(0.1) });
  const mp = g.op('maxpool', 'MaxPool', [leaky], { ksize: attr.ints([1, 2, 2, 1]), strides: attr.ints([1, 2, 2, 1]), padding: attr.str('VALID'), ...NHWC });
  const paddings = g.int32('mirror/paddings', [4, 2], [0, 0, 1, 1, 1, 1, 0, 0]);
  const mirror = mirrorPad ? g.op('mirror', 'MirrorPad', [mp, paddings], { mode: attr.str('REFLECT'), Tpaddings: attr.type('DT_INT32') }) : g.op('mirror', 'Pad', [mp, paddings]);
  const ap = g.op('avgpool', 'AvgPool', [mirror], { ksize: attr.ints([1, 3, 3, 1]), strides: attr.ints([1, 1, 1, 1]), padding: attr.str('SAME'), ...NHWC });
  const gate = g.op('gate', '_FusedConv2D', [ap, g.weight('gate/filter', [3, 3, 16, 16], { scale: 0.2 }), g.weight('gate/bias', [16], { scale: 0.1 })], {
    strides: attr.ints([1, 1, 1, 1]), padding: attr.str('EXPLICIT'), explicit_paddings: attr.ints([0, 0, 1, 1, 1, 1, 0, 0]), dilations: attr.ints([1, 1, 1, 1]), ...NHWC,
    fused_ops: attr.strs(['BiasAdd', 'Sigmoid']), num_args: attr.int(1),
  });
  const gated = g.op('gated', 'Mul', [gate, ap]);
  const halved = g.op('halved', 'RealDiv', [gated, g.weight('halved/y', [], { values: [2] })]);
  const cat = g.op('concat', 'ConcatV2', [halved, ap, g.int32('concat/axis', [], [3])], { N: attr.int(2), Tidx: attr.type('DT_INT32') });
  const chanMean = g.op('channel_mean', 'Mean', [cat, g.int32('channel_mean/axes', [1], [-1])], { keep_dims: attr.bool(true), Tidx: attr.type('DT_INT32') });
  const weighted = g.op('weighted', 'Mul', [cat, chanMean]);
  const tr = g.op('to_nchw', 'Transpose', [weighted, g.int32('to_nchw/perm', [4], [0, 3, 1, 2])]);
  const back = g.op('to_nhwc', 'Transpose', [tr, g.int32('to_nhwc/perm', [4], [0, 2, 3, 1])]);
  const mean = g.op('mean', 'Mean', [back, g.int32('mean/axes', [2], [1, 2])], { keep_dims: attr.bool(false), Tidx: attr.type('DT_INT32') });
  const shifted = g.op('shifted', 'AddV2', [mean, g.weight('shifted/y', [32], { scale: 0.2 })]);
  const r1 = g.op('reshape1', 'Reshape', [shifted, g.int32('reshape1/shape', [3], [-1, 4, 8])]);
  const ex = g.op('expand', 'ExpandDims', [r1, g.int32('expand/axis', [], [1])]);
  const sq = g.op('squeeze', 'Squeeze', [ex], { squeeze_dims: attr.ints([1]) });
  // TF 2's Flatten: the target shape [batch, -1] is computed from the input's own shape.
  const batch = g.op('flatten/strided_slice', 'StridedSlice', [g.op('flatten/Shape', 'Shape', [sq], { out_type: attr.type('DT_INT32') }), g.int32('flatten/begin', [1], [0]), g.int32('flatten/end', [1], [1]), g.int32('flatten/strides', [1], [1])], {
    shrink_axis_mask: attr.int(1), begin_mask: attr.int(0), end_mask: attr.int(0), ellipsis_mask: attr.int(0), new_axis_mask: attr.int(0), Index: attr.type('DT_INT32'),
  });
  const target = g.op('flatten/shape', 'Pack', [batch, g.int32('flatten/minus_one', [], [-1])], { axis: attr.int(0), N: attr.int(2) });
  const flat = g.op('reshape2', 'Reshape', [sq, target]);
  const d1 = g.op('dense1/BiasAdd', 'BiasAdd', [g.op('dense1/MatMul', 'MatMul', [flat, g.weight('dense1/kernel', [16, 32])], { transpose_a: attr.bool(false), transpose_b: attr.bool(true) }), g.weight('dense1/bias', [16], { scale: 0.1 })]);
  const relu = g.op('dense1/Relu', 'Relu', [d1]);
  const logits = g.op('logits', '_FusedMatMul', [relu, g.weight('logits/kernel', [16, 10], { scale: 2 }), g.weight('logits/bias', [10], { scale: 0.1 })], {
    transpose_a: attr.bool(false), transpose_b: attr.bool(false), fused_ops: attr.strs(['BiasAdd']), num_args: attr.int(1), epsilon: attr.float(0),
  });
  const probs = g.op('probs', 'Softmax', [logits]);
  g.op('Identity', 'Identity', [probs]);
  return g.build(['to_nhwc', 'Identity']);
}

/** Loads a graph model (possibly quantized, sharded) with TF.js's own loader: the reference. */
export async function loadTfjsGraph(saved: SavedTfjs, shards: (path: string) => Uint8Array = () => saved.shard): Promise<tf.GraphModel> {
  const data = Buffer.concat(saved.json.weightsManifest.flatMap((g) => g.paths.map((p) => Buffer.from(shards(p)))));
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: saved.json.modelTopology, weightSpecs: saved.json.weightsManifest.flatMap((g) => g.weights), weightData }));
}

/** Runs a TF.js graph model on NHWC `images`; the values of `outputs` (node names; default: its own outputs). */
export function tfjsGraphPredict(model: tf.GraphModel, images: Float32Array, shape: number[], outputs?: string[]): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor(images, shape);
    const out = (outputs ? model.execute(x, outputs) : model.predict(x)) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

/** Splits a model's one shard into files of at most `size` bytes (`group1-shard1ofN`, …), as the converter shards. */
export function shardModel(saved: SavedTfjs, size: number): { json: SavedTfjs['json']; files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  const count = Math.ceil(saved.shard.length / size);
  for (let i = 0; i < count; i++) files.set(`group1-shard${i + 1}of${count}`, saved.shard.subarray(i * size, (i + 1) * size));
  return { json: { ...saved.json, weightsManifest: [{ paths: [...files.keys()], weights: saved.json.weightsManifest[0].weights }] }, files };
}
