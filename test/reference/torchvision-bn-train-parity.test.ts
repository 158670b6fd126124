import { afterAll, describe, expect, it } from 'vitest';
import { encodeArtifacts, generateArtifacts } from '../../packages/core/src/train/index.js';
import { ADAMW, TARGETS } from './artifact-cases.js';
import { worstSampledError } from './gradient-error.js';
import { runModel, type Feeds } from './ort-step.js';
import { oneHot } from './torch-fixture.js';
import { loadBnTrainReference } from './torchvision-bn-train-fixture.js';
import { loadTorchvisionReference, TORCHVISION_ARCHITECTURES } from './torchvision-fixture.js';

/*
 * The torchvision architectures of torchvision-parity.test.ts with BatchNormalization in training mode
 * (`batchNorm: 'train'`: batch statistics; running statistics updated as outputs of the training
 * graph), against PyTorch 1.13 with only its BatchNorm modules in train() (float64 autograd, same
 * weights and batch; test/fixtures/torchvision/<arch>-bn-train.*, scripts/fixtures/torchvision_reference.py).
 *
 * Bound 1e-4 relative for the loss and every updated running mean and variance (max |onnxkit − torch|
 * / max |torch| over the whole tensor). Gradients (sampled positions and the whole tensor's largest
 * magnitude, as in the eval-mode test): 1e-4, or twice the model's float32 spread where float32
 * arithmetic cannot determine them that well — with batch statistics a value on a ReLU/ReLU6/MaxPool
 * kink moves every gradient of its channel and upstream, and the reference records how far PyTorch's
 * own float32 run and float64 runs on rounding-sized perturbations land (docs/ARCHITECTURES.md).
 * Gradients that are zero in exact arithmetic (a per-channel constant that a later batch-statistics
 * BatchNormalization removes: PyTorch's float64 gives ≤ 1e-10 of the model's largest gradient) are
 * checked absolutely: their largest |onnxkit| within 1e-4 of the model's largest gradient.
 */
const TOLERANCE = 1e-4;
/** A PyTorch float64 gradient this small against the model's largest is zero in exact arithmetic. */
const ZERO = 1e-10;
const CLASSES = 10;

interface Row {
  statistics: number;
  loss: number;
  grad: number;
  gradWhere: string;
  spread: number;
  zeros: number;
  zeroWorst: number;
  running: number;
  runningWhere: string;
}
const table = new Map<string, Row>();

afterAll(() => {
  if (table.size === 0) return;
  const rows = [...table.entries()].map(([key, r]) => {
    const [arch, opset, target] = key.split('|');
    const e = (v: number) => v.toExponential(1);
    return `| ${arch} | ${opset} | ${target} | ${r.statistics} | ${e(r.loss)} | ${e(r.grad)} | ${e(r.spread)} | ${r.gradWhere} | ${r.zeros ? `${r.zeros}: ${e(r.zeroWorst)}` : '—'} | ${e(r.running)} | ${r.runningWhere} |`;
  });
  console.log(
    [
      '| architecture | opset | target | running statistics | loss | worst gradient | float32 spread | worst tensor | zero gradients: worst | worst running statistic | worst statistic |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
});

describe.each(TORCHVISION_ARCHITECTURES)('torchvision %s (training-mode BatchNormalization) vs PyTorch 1.13 autograd', (arch) => {
  const ref = loadTorchvisionReference(arch);
  const bn = loadBnTrainReference(ref);
  if (!bn) {
    it('has no BatchNormalization: batchNorm train gives the frozen artifacts', () => {
      const frozen = encodeArtifacts(generateArtifacts(ref.model(17), ADAMW));
      const trained = encodeArtifacts(generateArtifacts(ref.model(17), { ...ADAMW, batchNorm: 'train' }));
      expect(trained).toEqual(frozen);
    });
    return;
  }
  describe.each(ref.opsets)('opset %i', (opset) => {
    it.each(TARGETS)('target %s: loss, every gradient and every updated running statistic within 1e-4', async (target) => {
      const model = ref.model(opset);
      const art = generateArtifacts(model, { ...ADAMW, target, batchNorm: 'train' });
      const statistics = art.summary.runningStatistics.map((s) => s.name);
      expect(statistics.sort()).toEqual(bn.running.map((r) => r.name).sort());
      const ops = new Set(art.trainingModel.graph.nodes.map((n) => n.opType));
      // Lowered to standard ops: only inference-mode BatchNormalization (one output) is left.
      const bnNodes = art.trainingModel.graph.nodes.filter((n) => n.opType === 'BatchNormalization');
      expect(bnNodes.length).toBe(statistics.length / 2);
      expect(bnNodes.filter((n) => n.attributes.training_mode || n.outputs.length > 1)).toEqual([]);
      if (target === 'portable') for (const op of ['ScatterElements', 'ScatterND', 'MaxUnpool']) expect(ops.has(op), op).toBe(false);

      const initializers = new Map(model.graph.initializers.map((t) => [t.name, t]));
      const feed = (name: string) => {
        const t = initializers.get(name)!;
        return [name, { data: t.data as Float32Array, dims: t.dims }] as const;
      };
      const params: Feeds = Object.fromEntries(art.summary.trainable.map((t) => feed(t.name)));
      const running: Feeds = Object.fromEntries(statistics.map(feed));
      const out = await runModel(art.trainingModel, {
        input: ref.input,
        labels: { data: oneHot(ref.labels, CLASSES), dims: [ref.labels.length, CLASSES] },
        ...params,
        ...running,
      });

      const lossError = Math.abs(out.loss[0] - bn.loss) / Math.abs(bn.loss);
      const largest = Math.max(...bn.grads.map((g) => g.max));
      const nonzero = bn.grads.filter((g) => g.max > ZERO * largest);
      const zero = bn.grads.filter((g) => g.max <= ZERO * largest);
      const grads = worstSampledError(nonzero, (name) => out[`${name}_grad`]);
      const spread = Math.max(...nonzero.map((g) => g.float32Spread));
      let zeroWorst = 0;
      for (const g of zero) for (const v of out[`${g.name}_grad`]) zeroWorst = Math.max(zeroWorst, Math.abs(v) / largest);
      let worstRunning = { error: 0, name: '' };
      for (const r of bn.running) {
        const mine = out[`${r.name}.new`];
        let diff = 0;
        for (let i = 0; i < r.values.length; i++) diff = Math.max(diff, Math.abs(mine[i] - r.values[i]));
        const error = diff / r.max;
        if (!(error <= worstRunning.error)) worstRunning = { error, name: r.name };
      }
      table.set(`${arch}|${opset}|${target}`, {
        loss: lossError,
        grad: grads.error,
        gradWhere: grads.name,
        spread,
        zeros: zero.length,
        zeroWorst,
        running: worstRunning.error,
        runningWhere: worstRunning.name,
        statistics: statistics.length,
      });
      expect(lossError, 'loss').toBeLessThanOrEqual(TOLERANCE);
      expect(grads.error, `worst gradient: ${grads.name}`).toBeLessThanOrEqual(Math.max(TOLERANCE, 2 * spread));
      expect(zeroWorst, 'gradients zero in exact arithmetic').toBeLessThanOrEqual(TOLERANCE);
      expect(worstRunning.error, `worst running statistic: ${worstRunning.name}`).toBeLessThanOrEqual(TOLERANCE);
    });
  });
});
