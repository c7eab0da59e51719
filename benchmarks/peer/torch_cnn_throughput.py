#!/usr/bin/python3
"""PyTorch peer of `lottalora train --family cnn` for the throughput comparison: the same Plain-N (CnnFamily) on
square one-channel images. Convolution i is 3x3, padding 1, no bias, stride 2 when its width differs from the one
before it (else 1), then BatchNorm (batch statistics while training, eps 1e-5, gamma and shift trained in every mode)
and ReLU; then global average pooling and a trained linear head (GraphBuilder.adaptedConv2d, batchNorm,
trainedLinear). Rank mode (GraphBuilder.effectiveWeight): each kernel [out, in, 3, 3] is the [out, in 9] matrix W and
the kernel used is beta W + (alpha / r) B A reshaped, alpha 1, r the configured rank (the scaling stays alpha / r
even where a layer's rank is capped), W frozen (N(0, 1 / fan_in), our default --init), A [r', in 9] Kaiming-uniform
(a = sqrt 5), B [out, r'] zero, beta a trained scalar per kernel starting at 1, r' = min(r, out, in 9). Full mode:
every kernel trained. BatchNorm gamma/shift and the head are trained in both modes. Same data (Fashion-MNIST IDX
files, pixels 0..255 normalised by one mean and std over the training images), batch 128, AdamW (0.9 / 0.999,
eps 1e-8) at the same peak lr as benchmarks/cnn.sh (1e-2) with our CNN trainer's cosine schedule (no warmup, decays
to 0), decoupled weight decay 1e-2 on what our WeightDecay rule decays (kernels in full mode, the adapter factors
A and B, the head weight; never betas, BatchNorm or the head bias), mean cross-entropy. Times the training steps
after 3 warm-up steps; prints one JSON line.
Usage: torch_cnn_throughput.py THREADS STEPS rank|full [RANK] [WIDTHS] [batch lr DATA_DIR]
       WIDTHS: plain-N (N = 6n + 2: plain-8, plain-20, ...) or channels per conv as 16x3,32x2,64x2 (default plain-20)
"""
import gzip
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

threads, steps, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if mode not in ("rank", "full"):
    sys.exit(f"mode must be rank or full, got {mode!r}")
rank = int(sys.argv[4]) if len(sys.argv) > 4 else 8
widths_text = sys.argv[5] if len(sys.argv) > 5 else "plain-20"
batch = int(sys.argv[6]) if len(sys.argv) > 6 else 128
lr = float(sys.argv[7]) if len(sys.argv) > 7 else 1e-2
data_dir = sys.argv[8] if len(sys.argv) > 8 else "/usr/share/datasets/fashion-mnist"
torch.set_num_threads(threads)
torch.manual_seed(0)
full = mode == "full"
ALPHA = 1.0
WD = 1e-2
K = 3


def expand(text):  # CnnFamily.widthsFrom: plain-N or "16x3,32x2,64x2"
    t = text.strip().lower()
    if t.startswith("plain-"):
        n = int(t[6:])
        if n < 8 or (n - 2) % 6:
            sys.exit(f"bad widths {text!r}: Plain-N needs N = 6n + 2 with n >= 1")
        per = (n - 2) // 3
        t = f"16x{per + 1},32x{per},64x{per}"
    out = []
    for part in t.split(","):
        w, _, c = part.strip().partition("x")
        out += [int(w)] * (int(c) if c else 1)
    return out


widths = expand(widths_text)


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


images = idx(f"{data_dir}/train-images-idx3-ubyte.gz").astype(np.float32)
labels = torch.from_numpy(idx(f"{data_dir}/train-labels-idx1-ubyte.gz").astype(np.int64))
side = images.shape[1]
mean, std = images.mean(dtype=np.float64), images.std(dtype=np.float64)
x_all = torch.from_numpy(((images - mean) / std).astype(np.float32)).unsqueeze(1)  # [N, 1, side, side]
classes = 10


class Conv(torch.nn.Module):
    """3x3 convolution, padding 1, no bias; the kernel adapted (rank mode) or trained (full mode)."""

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.shape, self.stride = (c_out, c_in, K, K), stride
        fan = c_in * K * K
        w = torch.randn(c_out, fan) / math.sqrt(fan)  # our default --init normal: N(0, 1 / fan_in)
        self.w = torch.nn.Parameter(w, requires_grad=full)
        if not full:
            r = min(rank, c_out, fan)
            self.s = ALPHA / rank  # AdapterConfig.scaling: the configured rank, also on a capped layer
            self.a = torch.nn.Parameter(torch.empty(r, fan).uniform_(-1, 1) / math.sqrt(fan))  # Kaiming a = sqrt 5
            self.bb = torch.nn.Parameter(torch.zeros(c_out, r))
            self.beta = torch.nn.Parameter(torch.ones(()))

    def kernel(self):
        if full:
            return self.w.view(self.shape)
        return (self.beta * self.w + self.s * (self.bb @ self.a)).view(self.shape)

    def forward(self, x):
        return F.conv2d(x, self.kernel(), stride=self.stride, padding=1)


class BatchNorm(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gamma = torch.nn.Parameter(torch.ones(c))
        self.shift = torch.nn.Parameter(torch.zeros(c))

    def forward(self, x):  # batch statistics (biased variance), as ours while training; no running averages here
        return F.batch_norm(x, None, None, self.gamma, self.shift, training=True, eps=1e-5)


class PlainN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        convs, norms = [], []
        c_in = 1
        for i, c in enumerate(widths):
            convs.append(Conv(c_in, c, 2 if i > 0 and c != widths[i - 1] else 1))
            norms.append(BatchNorm(c))
            c_in = c
        self.convs, self.norms = torch.nn.ModuleList(convs), torch.nn.ModuleList(norms)
        self.head = torch.nn.Linear(c_in, classes)  # Kaiming-uniform a = sqrt 5 weight, uniform 1/sqrt(fan_in) bias

    def forward(self, x):
        for conv, norm in zip(self.convs, self.norms):
            x = F.relu(norm(conv(x)))
        return self.head(x.mean((2, 3)))


model = PlainN()
params = [p for p in model.parameters() if p.requires_grad]
# WeightDecay.appliesTo: *.weight (kernels in full mode, the head weight), *.lora_A, *.lora_B
decayed = [model.head.weight] + [p for c in model.convs for p in ((c.w,) if full else (c.a, c.bb))]
rest = [p for p in params if all(p is not q for q in decayed)]
opt = torch.optim.AdamW([{"params": rest, "weight_decay": 0.0}, {"params": decayed, "weight_decay": WD}],
                        lr=lr, betas=(0.9, 0.999), eps=1e-8)
gen = torch.Generator().manual_seed(0)
order = torch.randperm(len(x_all), generator=gen)
total_steps = steps + 3
at = 0
step_no = 0


def step():
    global at, step_no, order
    if at + batch > len(order):
        order, at = torch.randperm(len(x_all), generator=gen), 0
    i = order[at: at + batch]
    at += batch
    step_no += 1
    for g in opt.param_groups:  # our CNN trainer's schedule: cosine from lr down to 0 over the run, no warmup
        g["lr"] = lr * 0.5 * (1 + math.cos(math.pi * (step_no - 1) / total_steps))
    loss = F.cross_entropy(model(x_all[i]), labels[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(3):
    step()
t0 = time.perf_counter()
loss = float("nan")
for _ in range(steps):
    loss = step()
secs = time.perf_counter() - t0
print(json.dumps({"peer": "pytorch", "torch": torch.__version__, "threads": threads, "mode": mode,
                  "rank": None if full else rank, "widths": widths_text, "convs": len(widths), "batch": batch,
                  "steps": steps, "seconds": secs, "images_per_second": steps * batch / secs, "loss": loss,
                  "trainable": sum(p.numel() for p in params),
                  "values": sum(p.numel() for p in model.parameters())}))
