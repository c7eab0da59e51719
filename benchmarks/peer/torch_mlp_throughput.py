#!/usr/bin/python3
"""PyTorch peer for the training-throughput figure: the same medium MLP (784-512-256-128-64-10), the same
LottaLoRA layer (beta * x W^T + (alpha/r) x A^T B^T + b, W and b frozen, A Kaiming-uniform, B zero, beta 1),
the same data (Fashion-MNIST, normalized with one mean/std), batch 128, AdamW lr 1e-3 wd 1e-2.

Usage: /usr/bin/python3 torch_mlp_throughput.py THREADS ROWS EPOCHS
Prints one line per mode: median samples/s over the epochs after the first (warm-up).
Needs Debian's python3-torch and libopenblas0-pthread.
"""
import gzip
import math
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn


def load(rows):
    d = "/usr/share/datasets/fashion-mnist/"
    with gzip.open(d + "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:rows].astype(np.float32)
    with gzip.open(d + "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)[:rows].astype(np.int64)
    x = (x - x.mean()) / x.std()
    return torch.from_numpy(x), torch.from_numpy(y)


class LoraLinear(nn.Module):
    def __init__(self, d_in, d_out, r, alpha=1.0):
        super().__init__()
        self.base = nn.Linear(d_in, d_out)
        self.base.weight.requires_grad_(False)
        self.base.bias.requires_grad_(False)
        self.A = nn.Parameter(torch.empty(r, d_in))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.B = nn.Parameter(torch.zeros(d_out, r))
        self.beta = nn.Parameter(torch.ones(1))
        self.s = alpha / r

    def forward(self, x):
        return self.beta * (x @ self.base.weight.t()) + self.s * ((x @ self.A.t()) @ self.B.t()) + self.base.bias


def model(rank):
    widths = [784, 512, 256, 128, 64]
    layers = []
    for i in range(4):
        layers.append(LoraLinear(widths[i], widths[i + 1], rank) if rank else nn.Linear(widths[i], widths[i + 1]))
        layers.append(nn.ReLU())
    layers.append(nn.Linear(64, 10))
    return nn.Sequential(*layers)


def main():
    threads, rows, epochs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x, y = load(rows)
    for name, rank in (("rank8", 8), ("full", 0)):
        m = model(rank)
        opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=1e-3, weight_decay=1e-2)
        loss_fn = nn.CrossEntropyLoss()
        rates = []
        for epoch in range(epochs + 1):
            perm = torch.randperm(rows)
            t0 = time.perf_counter()
            for i in range(0, rows, 128):
                idx = perm[i:i + 128]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(m(x[idx]), y[idx])
                loss.backward()
                opt.step()
            dt = time.perf_counter() - t0
            if epoch > 0:
                rates.append(rows / dt)
        print(f"pytorch {name} threads={threads} rows={rows} median {statistics.median(rates):.0f} samples/s "
              f"(runs {[round(r) for r in rates]}) torch {torch.__version__} {torch.__config__.parallel_info().splitlines()[0] if False else ''}")


if __name__ == "__main__":
    main()
