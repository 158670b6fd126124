import { intAttr, intsAttr } from '../../onnx/attributes.js';
import { freshName, usedNames } from '../../onnx/graph-edit.js';
import { isDefaultDomain } from '../../onnx/default-domain.js';
import type { Dim, Graph, Node } from '../../onnx/ir.js';
import { rewriteNodes } from './rewrite-nodes.js';
import { windowGeometry, windowOutputSize } from '../../onnx/window-geometry.js';

/**
 * The most output positions (OH·OW) per image for which a convolution is rewritten. ORT's CPU Conv
 * runs a GEMM per image whose width is OH·OW, far from its kernels' peak on a small feature map (the
 * seed CNN's conv3: 3×3, 9 columns); over the whole batch the same GEMM is N·OH·OW rows.
 */
export const MAX_BATCH_GEMM_POSITIONS = 36;

/** The largest one-hot im2col matrix (OH·OW·kh·kw × H·W) the rewrite embeds, in elements (256 KB of float32). */
export const MAX_IM2COL_MATRIX = 65536;

/**
 * Rewrites `Conv(x, w, b)` with a small output (see {@link MAX_BATCH_GEMM_POSITIONS}) as one GEMM over
 * the whole batch: x goes channels-last ([N, H·W, C]); a product with a constant one-hot matrix
 * [OH·OW·T, H·W] (T = kh·kw taps; padding, strides and dilations are rows with no 1, or 1s further
 * apart) lays out its im2col, one row per output position of the batch, [N·OH·OW, T·C]; and
 * `Gemm(columns, kernel [M, T·C], bias, transB)` gives the output, back to NCHW by a Transpose of
 * [N, OH·OW, M]. 2-D, group 1, static channel and spatial sizes, and only where the one-hot product
 * does no more multiply-adds than the convolution (H·W ≤ M).
 *
 * The backward pass of these ops is what makes it pay: the weight gradient is one Gemm over the batch,
 * the input gradient one Gemm and the transposed one-hot product (a col2im with no scatter), where ORT
 * runs a Conv of the transposed input and a ConvTranspose per image. Values and gradients are those of
 * the convolution up to float rounding (products with 0 and 1 are exact, sums are reordered). Edits
 * `graph` in place; returns how many convolutions were rewritten.
 */
export function convAsBatchGemm(graph: Graph, shapeOf: (name: string) => readonly Dim[] | undefined): number {
  const taken = usedNames(graph);
  const float32 = declaredFloat32(graph);
  let rewritten = 0;
  for (const conv of [...graph.nodes]) {
    // The one-hot matrix is float32: only convolutions whose weights are declared float32.
    if (conv.opType !== 'Conv' || !isDefaultDomain(conv.domain) || !float32.has(conv.inputs[1])) continue;
    const plan = batchGemmPlan(conv, shapeOf(conv.inputs[0]), shapeOf(conv.inputs[1]));
    if (!plan) continue;
    const nodes = batchGemmNodes(graph, conv, plan, (base) => freshName(graph, `${conv.name || conv.outputs[0]}_${base}`, taken));
    graph.nodes.splice(graph.nodes.indexOf(conv), 1, ...nodes);
    graph.valueInfo = graph.valueInfo.filter((v) => v.name !== conv.outputs[0]);
    rewritten++;
  }
  return rewritten;
}

/** Names of the graph's initializers, inputs and typed values declared float32. */
function declaredFloat32(graph: Graph): Set<string> {
  const names = new Set(graph.initializers.filter((t) => t.dtype === 'float32').map((t) => t.name));
  for (const v of [...graph.inputs, ...graph.valueInfo]) if (v.type?.kind === 'tensor' && v.type.dtype === 'float32') names.add(v.name);
  return names;
}

/** What the rewrite of one convolution needs to know. */
interface BatchGemmPlan {
  /** Output and input channels. */
  m: number;
  c: number;
  kernel: [number, number];
  spatial: [number, number];
  out: [number, number];
  /** Input pixel (row-major index) read by tap t at output position p, or -1 in the padding: [p·T + t]. */
  source: Int32Array;
}

function batchGemmPlan(conv: Node, xShape: readonly Dim[] | undefined, wShape: readonly Dim[] | undefined): BatchGemmPlan | undefined {
  if (!xShape || !wShape || xShape.length !== 4 || wShape.length !== 4) return undefined;
  if (!wShape.every((d): d is number => typeof d === 'number')) return undefined;
  const [c, h, w] = xShape.slice(1);
  if (typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number') return undefined;
  const [m, wc, kh, kw] = wShape;
  if (wc !== c || intAttr(conv, 'group', 1) !== 1 || kh * kw === 1) return undefined;
  const declared = intsAttr(conv, 'kernel_shape', [kh, kw]);
  if (declared[0] !== kh || declared[1] !== kw) return undefined;
  const g = windowGeometry(conv, [kh, kw], [h, w], 'conv');
  const oh = windowOutputSize(g, 0, h);
  const ow = windowOutputSize(g, 1, w);
  if (!oh || !ow || oh * ow > MAX_BATCH_GEMM_POSITIONS || h * w > m) return undefined;
  const taps = kh * kw;
  if (oh * ow * taps * h * w > MAX_IM2COL_MATRIX) return undefined;
  const [top, left] = g.padsBegin as number[];
  const source = new Int32Array(oh * ow * taps);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      for (let u = 0; u < kh; u++) {
        for (let v = 0; v < kw; v++) {
          const row = i * g.strides[0] + u * g.dilations[0] - top;
          const col = j * g.strides[1] + v * g.dilations[1] - left;
          const inside = row >= 0 && row < h && col >= 0 && col < w;
          source[(i * ow + j) * taps + u * kw + v] = inside ? row * w + col : -1;
        }
      }
    }
  }
  return { m, c, kernel: [kh, kw], spatial: [h, w], out: [oh, ow], source };
}

/** The nodes that replace the convolution; the last one writes its output. */
function batchGemmNodes(graph: Graph, conv: Node, plan: BatchGemmPlan, name: (base: string) => string): Node[] {
  const { m, c, kernel, spatial, out, source } = plan;
  const [x, w, bias] = conv.inputs;
  const pixels = spatial[0] * spatial[1];
  const positions = out[0] * out[1];
  const taps = kernel[0] * kernel[1];
  const { nodes, constant, op } = rewriteNodes(graph, name);
  const perm = (values: number[]) => ({ perm: { type: 'ints' as const, value: values } });

  const oneHot = new Float32Array(positions * taps * pixels);
  source.forEach((pixel, row) => {
    if (pixel >= 0) oneHot[row * pixels + pixel] = 1;
  });
  const im2col = name('im2col');
  graph.initializers.push({ name: im2col, dtype: 'float32', dims: [positions * taps, pixels], data: oneHot });

  const channelsLast = op('Reshape', [op('Transpose', [x], perm([0, 2, 3, 1])), constant('pixels_shape', [-1, pixels, c])]);
  // [N, OH·OW·T, C] → [N·OH·OW, T·C]: rows (image, position), columns (tap, channel).
  const columns = op('Reshape', [op('MatMul', [im2col, channelsLast]), constant('columns_shape', [-1, taps * c])]);
  const kernelRows = op('Reshape', [op('Transpose', [w], perm([0, 2, 3, 1])), constant('kernel_shape', [m, taps * c])]);
  const y = op('Gemm', bias ? [columns, kernelRows, bias] : [columns, kernelRows], { transB: { type: 'int', value: 1 } });
  const byImage = op('Reshape', [y, constant('positions_shape', [-1, positions, m])]);
  op('Reshape', [op('Transpose', [byImage], perm([0, 2, 1])), constant('output_shape', [-1, m, ...out])], {}, conv.outputs[0]);
  return nodes;
}
