#!/usr/bin/python3
"""PyTorch side of scripts/bench/inference.ts: the seed CNN's inference on CPU, with mnist-cnn.onnx's weights.

Started by inference.ts (Debian's python3-torch 1.13 and python3-onnx via /usr/bin/python3) as a long-lived
worker so that both frameworks are measured in one run, interleaved. One JSON command per line on stdin,
one JSON reply per line on stdout.

  {"cmd": "load", "model": "mnist-cnn.onnx", "images": "x.npy"}   weights from the ONNX initializers
        (by name: conv1.weight, ...), float32 images [N,1,28,28] -> {"images": N}
  {"cmd": "predict", "count": 8, "output": "y.npy"}   probabilities of the first `count` images -> {}
  {"cmd": "bench", "batch": 1, "threads": 1, "calls": 500, "warmup": 20}
        -> {"seconds": s}  for `calls` forward passes under no_grad; call i takes images
           [(i*batch) % (N-batch) ...] as a view, the same inputs inference.ts gives ORT
  {"cmd": "info"} -> versions;  {"cmd": "quit"}
"""

import json
import os
import sys
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from torch_seed_cnn import SeedCnn  # noqa: E402  (scripts/torch_seed_cnn.py)

torch.set_num_interop_threads(1)


state = {"model": None, "images": None}


def load(cmd):
    model = onnx.load(cmd["model"])
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    net = SeedCnn(softmax=True)
    net.load_state_dict({k: weights[k] for k in net.state_dict().keys()})
    net.eval()
    state["model"] = net
    state["images"] = torch.from_numpy(np.load(cmd["images"]))
    return {"images": int(state["images"].shape[0])}


def predict(cmd):
    with torch.no_grad():
        y = state["model"](state["images"][: cmd["count"]])
    np.save(cmd["output"], y.numpy())
    return {}


def bench(cmd):
    torch.set_num_threads(cmd["threads"])
    net, images = state["model"], state["images"]
    batch, n = cmd["batch"], images.shape[0]
    with torch.no_grad():
        for i in range(cmd["warmup"]):
            s = (i * batch) % (n - batch)
            net(images[s : s + batch])
        t0 = time.perf_counter()
        for i in range(cmd["calls"]):
            s = (i * batch) % (n - batch)
            net(images[s : s + batch])
        seconds = time.perf_counter() - t0
    return {"seconds": seconds}


def main():
    handlers = {"load": load, "predict": predict, "bench": bench}
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            break
        try:
            if cmd["cmd"] == "info":
                reply = {"torch": torch.__version__, "onnx": onnx.__version__, "python": sys.version.split()[0]}
            else:
                reply = handlers[cmd["cmd"]](cmd)
        except Exception as e:  # reported to the TypeScript side, which fails loudly
            reply = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
