"""The seed CNN (docs/ARCHITECTURE.md) in PyTorch: the twin of packages/core/src/models/seed-cnn.ts, with the same
parameter names (conv1.weight, ..., fc2.bias) and NCHW flatten order. Shared by the fixture generator and
the benchmarks (run with /usr/bin/python3, Debian's python3-torch 1.13).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SeedCnn(nn.Module):
    """28x28x1 -> 10 logits; `softmax=True` adds the final Softmax of the shipped ONNX models."""

    def __init__(self, softmax=False):
        super().__init__()
        self.softmax = softmax
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.conv3 = nn.Conv2d(64, 64, 3)
        self.fc1 = nn.Linear(64 * 3 * 3, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # 26 -> 13
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # 11 -> 5 (floor)
        x = F.relu(self.conv3(x))  # 3
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        x = self.fc2(x)
        return F.softmax(x, dim=-1) if self.softmax else x
