import { afterAll, describe, expect, it } from 'vitest';
import { generateArtifacts } from '../../packages/core/src/train/index.js';
import { ADAMW, TARGETS } from './artifact-cases.js';
import { worstSampledError } from './gradient-error.js';
import { runModel, type Feeds } from './ort-step.js';
import { oneHot } from './torch-fixture.js';
import { loadTorchvisionReference, TORCHVISION_ARCHITECTURES } from './torchvision-fixture.js';

/*
 * Loss and gradients of onnxkit's training artifacts for torchvision 0.14 architectures (exported by
 * torch.onnx.export at opsets 13 and 17, BatchNormalization frozen: eval mode), run on
 * onnxruntime-node's CPU provider, against PyTorch 1.13 autograd in float64 on the same weights and
 * batch (test/fixtures/torchvision/, made by scripts/fixtures/torchvision_reference.py).
 *
 * Relative error of a gradient = max over its sampled positions |onnxkit − torch| / max over the whole
 * tensor |torch| (every position of tensors up to 2048 elements, 2048 stratified positions of larger
 * ones), together with the difference of the whole tensors' largest magnitudes. Bound: 1e-4 for the
 * loss and every parameter.
 */
const TOLERANCE = 1e-4;
const CLASSES = 10;

/** Worst relative error per architecture, opset and target: "arch|opset|target" → loss, grads, where. */
const table = new Map<string, { loss: number; grad: number; where: string; params: number }>();

afterAll(() => {
  if (table.size === 0) return;
  const rows = [...table.entries()].map(([key, r]) => {
    const [arch, opset, target] = key.split('|');
    return `| ${arch} | ${opset} | ${target} | ${r.params} | ${r.loss.toExponential(1)} | ${r.grad.toExponential(1)} | ${r.where} |`;
  });
  console.log(
    ['| architecture | opset | target | parameter tensors | loss | worst gradient | worst tensor |', '|---|---|---|---|---|---|---|', ...rows].join('\n'),
  );
});

describe.each(TORCHVISION_ARCHITECTURES)('torchvision %s (eval-mode BatchNormalization) vs PyTorch 1.13 autograd', (arch) => {
  const ref = loadTorchvisionReference(arch);
  describe.each(ref.opsets)('opset %i', (opset) => {
    it.each(TARGETS)('target %s: the loss and every parameter gradient within 1e-4', async (target) => {
      const model = ref.model(opset);
      const art = generateArtifacts(model, { ...ADAMW, target });
      const names = art.summary.trainable.map((t) => t.name);
      expect(names.sort()).toEqual(ref.grads.map((g) => g.name).sort());
      if (target === 'portable') {
        // No scatters (WebGPU cannot place them): MaxPool re-finds maxima, Slice bounds fold to constant pads.
        const ops = new Set(art.trainingModel.graph.nodes.map((n) => n.opType));
        for (const op of ['ScatterElements', 'ScatterND', 'MaxUnpool']) expect(ops.has(op), op).toBe(false);
      }

      const initializers = new Map(model.graph.initializers.map((t) => [t.name, t]));
      const params: Feeds = Object.fromEntries(
        names.map((p) => {
          const t = initializers.get(p)!;
          return [p, { data: t.data as Float32Array, dims: t.dims }];
        }),
      );
      const out = await runModel(art.trainingModel, {
        input: ref.input,
        labels: { data: oneHot(ref.labels, CLASSES), dims: [ref.labels.length, CLASSES] },
        ...params,
      });

      const lossError = Math.abs(out.loss[0] - ref.loss) / Math.abs(ref.loss);
      const worst = worstSampledError(ref.grads, (name) => out[`${name}_grad`]);
      table.set(`${arch}|${opset}|${target}`, { loss: lossError, grad: worst.error, where: worst.name, params: names.length });
      expect(lossError, 'loss').toBeLessThanOrEqual(TOLERANCE);
      expect(worst.error, `worst gradient: ${worst.name}`).toBeLessThanOrEqual(TOLERANCE);
    });
  });
});
