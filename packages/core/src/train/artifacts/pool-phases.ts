import { intAttr, intsAttr, stringAttr } from '../../onnx/attributes.js';
import { constantOf, freshName, producers, usedNames } from '../../onnx/graph-edit.js';
import { isDefaultDomain } from '../../onnx/default-domain.js';
import type { Dim, Graph, Node } from '../../onnx/ir.js';
import { rewriteNodes } from './rewrite-nodes.js';
import { windowGeometry } from '../../onnx/window-geometry.js';
import { isPlainMaxPool } from './crop-conv-to-pool.js';

/**
 * The most input values one pooled output's window reads, C·(kh+ph−1)·(kw+pw−1), for which a convolution
 * is rewritten: 48 is an RGB 3×3 convolution under a 2×2 pool. The phase GEMMs do (k+p−1)²/k² of the
 * convolution's multiply-adds (16/9 for 3×3 under 2×2), which only pays where the convolution is bound
 * by memory, not arithmetic: few input channels, as in an image model's first layer. (Timed on the
 * 1-channel seed CNN, docs/BENCHMARKS.md; the RGB bound is by the same arithmetic, not measured.)
 */
export const MAX_PHASE_TAPS = 48;

/**
 * Rewrites `MaxPool(Conv(x, w, b))` with a non-overlapping p×p pool (kernel = strides, no padding) as
 * one GEMM per pool phase and an elementwise `Max`, for convolutions of a graph input (an image
 * model's first layer: its im2col needs no gradient) with few input channels (see
 * {@link MAX_PHASE_TAPS}): stride 1, no padding or dilation, group 1, static channel and spatial sizes.
 *
 * Phase (a, b) of the pool is the convolution's output at rows 2i+a, columns 2j+b: a stride-p
 * convolution with the kernel shifted by (a, b) inside a (kh+p−1)×(kw+p−1) window (`Pad` of w). All
 * phases read the same window columns of x (im2col by strided `Slice`s, channel-major, shared), so
 * each is one `Gemm` [M, C·T]·[C·T, N·P] with the bias as its C. `Max` over the phases in row-major
 * order is the pool, and its gradient goes to the first input that attains the maximum, the window's
 * first maximum as MaxPool's does: values and gradients are those of the original pair.
 *
 * What it saves on the CPU: the pool's backward needs no window positions (SpaceToDepth of the
 * convolution's output) and no scatter (MaxUnpool), and the weight gradient needs no transpose of
 * the convolution's output gradient, which the GEMMs produce channel-major already. Edits `graph` in
 * place; returns how many pairs were rewritten. `differentiated` names the graph inputs whose gradient
 * is wanted (`inputGradients`), whose convolutions stay as they are.
 */
export function convPoolAsPhaseGemms(
  graph: Graph,
  shapeOf: (name: string) => readonly Dim[] | undefined,
  differentiated: ReadonlySet<string> = new Set(),
): number {
  const readers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const v of n.inputs) if (v) readers.set(v, [...(readers.get(v) ?? []), n]);
  const byProducer = producers(graph);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const graphInputs = new Set(graph.inputs.map((v) => v.name));
  const onlyReader = (value: string): Node | undefined => {
    const r = readers.get(value) ?? [];
    return r.length === 1 && !graphOutputs.has(value) ? r[0] : undefined;
  };
  const taken = usedNames(graph);
  const removed = new Set<Node>();
  let rewritten = 0;
  for (const conv of [...graph.nodes]) {
    if (conv.opType !== 'Conv' || !isDefaultDomain(conv.domain)) continue;
    const pool = onlyReader(conv.outputs[0]);
    if (!pool) continue;
    // A corner crop of the input (cropConvolutionsToPool's) is not needed: the phases read only the pooled windows.
    const inputCrop = byProducer.get(conv.inputs[0]);
    const uncropped = inputCrop && onlyReader(conv.inputs[0]) === conv && cornerCropEnds(graph, inputCrop, byProducer) ? inputCrop.inputs[0] : undefined;
    const x = uncropped ?? conv.inputs[0];
    // The im2col Slices have strides, whose gradient no rule gives: only for inputs that need none.
    if (!graphInputs.has(x) || differentiated.has(x)) continue;
    const plan = phasePlan(conv, pool, shapeOf(x), shapeOf(conv.inputs[1]));
    if (!plan) continue;
    // A corner crop after the pool (through a Relu), e.g. of the next convolution's input: pool only what it keeps.
    const relu = onlyReader(pool.outputs[0]);
    const outputCrop = relu && isDefaultDomain(relu.domain) && relu.opType === 'Relu' ? onlyReader(relu.outputs[0]) : undefined;
    const keep = outputCrop && cornerCropEnds(graph, outputCrop, byProducer);
    if (relu && outputCrop && keep) {
      plan.pooled = [Math.min(plan.pooled[0], keep[0]), Math.min(plan.pooled[1], keep[1])];
      removed.add(outputCrop);
      dropShapes(graph, [pool.outputs[0], relu.outputs[0]]);
      relu.outputs = [outputCrop.outputs[0]];
    }
    if (uncropped) removed.add(inputCrop as Node);
    const nodes = phaseNodes(graph, { ...conv, inputs: [x, ...conv.inputs.slice(1)] }, pool, plan, (base) =>
      freshName(graph, `${conv.name || conv.outputs[0]}_${base}`, taken),
    );
    removed.add(pool);
    graph.nodes.splice(graph.nodes.indexOf(conv), 1, ...nodes);
    dropShapes(graph, [conv.outputs[0]]);
    rewritten++;
  }
  graph.nodes = graph.nodes.filter((n) => !removed.has(n));
  return rewritten;
}

function dropShapes(graph: Graph, names: readonly string[]): void {
  graph.valueInfo = graph.valueInfo.filter((v) => !names.includes(v.name));
}

/**
 * The ends on axes 2 and 3 (Infinity where not cut) of a `Slice` that keeps the leading corner of a
 * rank-4 value, step 1, constant bounds; undefined for any other node.
 */
function cornerCropEnds(graph: Graph, slice: Node, byProducer: Map<string, Node>): [number, number] | undefined {
  if (slice.opType !== 'Slice' || !isDefaultDomain(slice.domain)) return undefined;
  const [, startsName, endsName, axesName, stepsName] = slice.inputs;
  const ints = (name: string | undefined) => {
    const t = name ? constantOf(graph, name, byProducer) : undefined;
    return t && (t.dtype === 'int64' || t.dtype === 'int32') && t.data ? Array.from(t.data as ArrayLike<number | bigint>, Number) : undefined;
  };
  const starts = ints(startsName);
  const ends = ints(endsName);
  const axes = axesName ? ints(axesName) : starts?.map((_, i) => i);
  const steps = stepsName ? ints(stepsName) : starts?.map(() => 1);
  if (!starts || !ends || !axes || !steps || starts.length !== ends.length || axes.length !== ends.length || steps.length !== ends.length) return undefined;
  const kept: [number, number] = [Infinity, Infinity];
  for (let i = 0; i < axes.length; i++) {
    const axis = axes[i] < 0 ? axes[i] + 4 : axes[i];
    if ((axis !== 2 && axis !== 3) || starts[i] !== 0 || steps[i] !== 1 || ends[i] < 1) return undefined;
    kept[axis - 2] = ends[i];
  }
  return kept;
}

/** What the rewrite of one Conv + MaxPool pair needs to know. */
interface PhasePlan {
  /** Output channels M, input channels C. */
  m: number;
  c: number;
  /** The convolution's kernel and the pool's window (= its strides). */
  kernel: [number, number];
  window: [number, number];
  /** The input's spatial size, and the pooled output's. */
  spatial: [number, number];
  pooled: [number, number];
}

function phasePlan(conv: Node, pool: Node, xShape: readonly Dim[] | undefined, wShape: readonly Dim[] | undefined): PhasePlan | undefined {
  if (!isPlainMaxPool(pool) || !xShape || !wShape || xShape.length !== 4 || wShape.length !== 4) return undefined;
  if (!wShape.every((d): d is number => typeof d === 'number')) return undefined;
  const [c, h, w] = xShape.slice(1);
  if (typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number') return undefined;
  const [m, wc, kh, kw] = wShape;
  if (wc !== c || intAttr(conv, 'group', 1) !== 1) return undefined;
  const declared = intsAttr(conv, 'kernel_shape', [kh, kw]);
  if (declared[0] !== kh || declared[1] !== kw) return undefined;
  const autoPad = stringAttr(conv, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') return undefined;
  const cg = windowGeometry(conv, [kh, kw], [h, w], 'conv');
  const unpadded = [...cg.padsBegin, ...cg.padsEnd].every((p) => p === 0);
  if (!unpadded || ![...cg.strides, ...cg.dilations].every((v) => v === 1)) return undefined;
  const pg = windowGeometry(pool, intsAttr(pool, 'kernel_shape', []), [], 'pool');
  if (pg.kernel.length !== 2 || pg.kernel.some((k, a) => k !== pg.strides[a] || pg.dilations[a] !== 1)) return undefined;
  const [ph, pw] = pg.kernel;
  if (c * (kh + ph - 1) * (kw + pw - 1) > MAX_PHASE_TAPS) return undefined;
  const pooled: [number, number] = [Math.floor((h - kh + 1) / ph), Math.floor((w - kw + 1) / pw)];
  if (pooled[0] < 1 || pooled[1] < 1) return undefined;
  return { m, c, kernel: [kh, kw], window: [ph, pw], spatial: [h, w], pooled };
}

/** The nodes that replace the pair; the last one writes the pool's output. */
function phaseNodes(graph: Graph, conv: Node, pool: Node, plan: PhasePlan, name: (base: string) => string): Node[] {
  const { m, c, kernel, window, spatial, pooled } = plan;
  const [x, w, bias] = conv.inputs;
  const span: [number, number] = [kernel[0] + window[0] - 1, kernel[1] + window[1] - 1];
  const taps = span[0] * span[1];
  const { nodes, constant, op } = rewriteNodes(graph, name);
  const ints = (values: number[]) => ({ type: 'ints' as const, value: values });

  // Channel-major input [C, N, H, W]; with one channel a Reshape suffices.
  const xc = c === 1 ? op('Reshape', [x, constant('channel_major', [1, -1, ...spatial])]) : op('Transpose', [x], { perm: ints([1, 0, 2, 3]) });
  const axes = constant('tap_axes', [2, 3]);
  const steps = constant('tap_steps', window);
  const columns: string[] = [];
  for (let u = 0; u < span[0]; u++) {
    for (let v = 0; v < span[1]; v++) {
      const ends = [u + (pooled[0] - 1) * window[0] + 1, v + (pooled[1] - 1) * window[1] + 1];
      columns.push(op('Slice', [xc, constant(`tap${u}_${v}_starts`, [u, v]), constant(`tap${u}_${v}_ends`, ends), axes, steps]));
    }
  }
  // Rows ordered (tap, channel): [T·C, N·Ph·Pw].
  const cols = op('Reshape', [op('Concat', columns, { axis: { type: 'int', value: 0 } }), constant('columns_shape', [taps * c, -1])]);
  // The kernel as [M, kh, kw, C], so that each phase's padded copy flattens in the same (tap, channel) order.
  const wt = c === 1 ? w : op('Transpose', [w], { perm: ints([0, 2, 3, 1]) });
  const rows = constant('phase_weight_shape', [m, taps * c]);
  const bc = bias ? op('Reshape', [bias, constant('bias_shape', [m, 1])]) : undefined;
  const phases: string[] = [];
  for (let a = 0; a < window[0]; a++) {
    for (let b = 0; b < window[1]; b++) {
      const pads = c === 1 ? [0, 0, a, b, 0, 0, window[0] - 1 - a, window[1] - 1 - b] : [0, a, b, 0, 0, window[0] - 1 - a, window[1] - 1 - b, 0];
      const shifted = op('Reshape', [op('Pad', [wt, constant(`phase${a}_${b}_pads`, pads)]), rows]);
      phases.push(op('Gemm', bc ? [shifted, cols, bc] : [shifted, cols]));
    }
  }
  const pooledRows = op('Max', phases);
  const nchw = op('Reshape', [pooledRows, constant('pooled_shape', [m, -1, ...pooled])]);
  op('Transpose', [nchw], { perm: ints([1, 0, 2, 3]) }, pool.outputs[0]);
  return nodes;
}
