#!/usr/bin/python3
"""PyTorch side of scripts/bench/mobilenet-training.ts: torchvision's mobilenet_v2 trained on CPU.

Run by mobilenet-training.ts with Debian's python3-torch 1.13 / python3-torchvision 0.14
(/usr/bin/python3), one process per measurement so that its peak RSS is its own:

  torch_mobilenet_training.py export OUT.onnx SIZE
      writes the model (the weights of scripts/fixtures/torchvision_reference.py, num_classes=10) as
      ONNX opset 17 (BatchNormalization kept as an inference-mode node, as that script exports it)
  torch_mobilenet_training.py train SIZE BATCH THREADS WARMUP STEPS
      prints {"seconds": s, "steps": n, "maxRssKiB": k}: wall time of STEPS training steps (forward,
      cross-entropy, backward, AdamW(lr 1e-3, weight decay 0.01)) after WARMUP ones, eval mode
      (BatchNormalization frozen, Dropout off: the graph onnxkit trains), and the process's peak RSS

Batches are the same hashed values on both sides (scripts/fixtures/torchvision_reference.py).
"""

import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures"))
import torchvision_reference as ref  # noqa: E402  (scripts/fixtures/torchvision_reference.py)

torch.set_num_interop_threads(1)
# The reference generator asks for deterministic kernels; a speed measurement takes the default ones.
torch.use_deterministic_algorithms(False)


def main():
    kind = sys.argv[1]
    if kind == "export":
        out, size = sys.argv[2], int(sys.argv[3])
        model, _, x, _ = ref.build("mobilenet_v2", size)
        torch.onnx.export(
            model, x, out, opset_version=17, input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=False,
            training=torch.onnx.TrainingMode.PRESERVE,
        )
        return 0
    size, batch, threads, warmup, steps = (int(v) for v in sys.argv[2:7])
    torch.set_num_threads(threads)
    model, _, _, _ = ref.build("mobilenet_v2", size)
    model.eval()
    x = torch.from_numpy(ref.hashed_values(batch * 3 * size * size, 0, 0.0, 1.0)).view(batch, 3, size, size)
    y = torch.arange(batch) % 10
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - t0
    print(json.dumps(dict(seconds=seconds, steps=steps, maxRssKiB=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
