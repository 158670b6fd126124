#!/usr/bin/python3
"""PyTorch side of scripts/bench/training.ts: the seed CNN trained with AdamW on CPU.

Started by training.ts (Debian's python3-torch 1.13 via /usr/bin/python3) as a long-lived worker so
that the two frameworks' measurements can be interleaved in one run. Protocol: one JSON command per
line on stdin, one JSON reply per line on stdout.

  {"cmd": "load", "images": "x.npy", "labels": "y.npy"}       float32 [N,1,28,28] and int64 [N]
  {"cmd": "steps", "batch": 64, "threads": 2, "warmup": 3, "steps": 10, "offset": 0, "trainable": "all"}
        -> {"seconds": s, "cpuSeconds": c}  wall and process CPU time of `steps` training steps (forward, cross-entropy, backward, AdamW
           step; the batch gathered from the loaded digits inside the timed loop), after `warmup` steps
  {"cmd": "epoch", "batch": 64, "threads": 2, "count": 9000, "trainable": "head", "seed": 0}
        -> {"seconds": s}  one shuffled pass over the first `count` digits, model and optimizer made fresh
  {"cmd": "info"} -> versions;  {"cmd": "quit"}

`trainable` is "all" or "head" (fc2 only, the rest frozen with requires_grad=False). Each model is made
once per (batch, threads, trainable) and keeps training across repeats, like the TypeScript side.
"""

import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from torch_seed_cnn import SeedCnn  # noqa: E402  (scripts/torch_seed_cnn.py)

torch.set_num_interop_threads(1)


def make(trainable):
    torch.manual_seed(0)
    model = SeedCnn()
    if trainable == "head":
        for name, p in model.named_parameters():
            p.requires_grad = name.startswith("fc2.")
    params = [p for p in model.parameters() if p.requires_grad]
    # The defaults of onnxkit's adamw: betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
    return model, torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)


def step(model, opt, x, y):
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss


state = {"images": None, "labels": None, "models": {}}


def handle(cmd):
    kind = cmd["cmd"]
    if kind == "info":
        return {"torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0],
                "parallel": torch.__config__.parallel_info().splitlines()[:6]}
    if kind == "load":
        state["images"] = torch.from_numpy(np.load(cmd["images"]))
        state["labels"] = torch.from_numpy(np.load(cmd["labels"]).astype(np.int64))
        return {"count": int(state["images"].shape[0])}
    images, labels = state["images"], state["labels"]
    torch.set_num_threads(int(cmd["threads"]))
    batch = int(cmd["batch"])
    trainable = cmd.get("trainable", "all")
    if kind == "steps":
        key = (batch, int(cmd["threads"]), trainable)
        if key not in state["models"]:
            state["models"][key] = make(trainable)
        model, opt = state["models"][key]
        n = images.shape[0]
        offset = int(cmd.get("offset", 0))

        def run(i):
            # The same batches as the TypeScript side, gathered (copied) like its batches are.
            start = ((offset + i) * batch) % (n - batch)
            idx = torch.arange(start, start + batch)
            step(model, opt, images.index_select(0, idx), labels.index_select(0, idx))

        for i in range(int(cmd["warmup"])):
            run(i)
        c0 = time.process_time()
        t0 = time.perf_counter()
        for i in range(int(cmd["steps"])):
            run(int(cmd["warmup"]) + i)
        return {"seconds": time.perf_counter() - t0, "cpuSeconds": time.process_time() - c0}
    if kind == "epoch":
        model, opt = make(trainable)
        count = int(cmd["count"])
        g = torch.Generator().manual_seed(int(cmd.get("seed", 0)))
        t0 = time.perf_counter()
        order = torch.randperm(count, generator=g)
        for start in range(0, count, batch):
            idx = order[start:start + batch]
            step(model, opt, images.index_select(0, idx), labels.index_select(0, idx))
        return {"seconds": time.perf_counter() - t0}
    raise ValueError(f"unknown command {kind!r}")


for line in sys.stdin:
    if not line.strip():
        continue
    cmd = json.loads(line)
    if cmd.get("cmd") == "quit":
        break
    try:
        reply = handle(cmd)
    except Exception as e:  # reported to the TypeScript side, which fails loudly
        reply = {"error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
