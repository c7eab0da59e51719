#!/usr/bin/python3
"""PyTorch peer of `lottalora vit train` for the throughput comparison (issue 16): the same ViT (square patches of a
one-channel image embedded by a linear map of the flattened patch (row-major) with a bias, a class token in front,
learned positions added, pre-norm encoder blocks x + Attn(LN(x)), h + MLP(LN(h)) with LayerNorm eps 1e-5 (gain and
bias trained), non-causal multi-head attention softmax(Q K^T / sqrt(d_h)) V, a GELU-tanh MLP fc1/fc2, a final
LayerNorm on the class token and a linear head). Rank mode (our default Targets.VIT): W_Q, W_K, W_V, W_O, fc1 and fc2
each beta W + (alpha / r) B A with alpha 1, a learned beta, A uniform, B zero, W and the bias frozen; the patch
embedding, class token, positions, LayerNorms and head trained in full. Full mode: every weight matrix trained, the
six block biases stay frozen as ours do. Same data (Fashion-MNIST IDX files, pixels 0..255 normalised by one mean and
std over the training images), batch, Adam (0.9 / 0.999, eps 1e-8) at the same peak lr with our cosine schedule
(floor 5%) and decoupled weight decay 1e-4 on the head weight only, mean cross-entropy. Times the training steps
after 3 warm-up steps; prints one JSON line.
Usage: torch_vit_throughput.py THREADS STEPS rank|full [RANK] [width heads layers hidden patch batch lr DATA_DIR]"""
import gzip
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

threads, steps, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rank = int(sys.argv[4]) if len(sys.argv) > 4 else 8
d, heads, layers, hidden, patch, batch = (int(x) for x in (sys.argv[5:11] if len(sys.argv) > 10
                                                            else (64, 4, 4, 128, 7, 64)))
lr = float(sys.argv[11]) if len(sys.argv) > 11 else 3e-3
data_dir = sys.argv[12] if len(sys.argv) > 12 else "/usr/share/datasets/fashion-mnist"
torch.set_num_threads(threads)
torch.manual_seed(0)
full = mode == "full"
ALPHA = 1.0


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
x_all = torch.from_numpy(((images - mean) / std).astype(np.float32))  # [N, side, side]
across = side // patch
n_patches = across * across
tokens = n_patches + 1
classes = 10
dh = d // heads


def patches(x):  # [B, side, side] -> [B, n_patches, patch * patch], patches row-major, pixels row-major
    B = x.shape[0]
    return x.view(B, across, patch, across, patch).permute(0, 1, 3, 2, 4).reshape(B, n_patches, patch * patch)


def uniform(shape, fan_in):
    return torch.empty(shape).uniform_(-1, 1) * math.sqrt(3 / fan_in)  # Kaiming-uniform (gain 1), like ours


class Adapted(torch.nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.w = torch.nn.Parameter(uniform((n_out, n_in), n_in), requires_grad=full)
        self.b = torch.nn.Parameter(torch.empty(n_out).uniform_(-1, 1) / math.sqrt(n_in), requires_grad=False)
        if not full:
            r = min(rank, n_in, n_out)
            self.s = ALPHA / r
            self.a = torch.nn.Parameter(uniform((r, n_in), n_in))
            self.bb = torch.nn.Parameter(torch.zeros(n_out, r))
            self.beta = torch.nn.Parameter(torch.ones(()))

    def forward(self, x):
        if full:
            return F.linear(x, self.w, self.b)
        return F.linear(x, self.beta * self.w + self.s * self.bb @ self.a, self.b)


class Norm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.g = torch.nn.Parameter(torch.ones(d))
        self.b = torch.nn.Parameter(torch.zeros(d))

    def forward(self, x):
        return F.layer_norm(x, (d,), self.g, self.b, 1e-5)


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.n1, self.n2 = Norm(), Norm()
        self.q, self.k, self.v, self.o = (Adapted(d, d) for _ in range(4))
        self.fc1, self.fc2 = Adapted(d, hidden), Adapted(hidden, d)

    def forward(self, x):
        B, T, _ = x.shape
        h = self.n1(x)
        q, k, v = (p(h).view(B, T, heads, dh).transpose(1, 2) for p in (self.q, self.k, self.v))
        a = ((q @ k.transpose(-1, -2)) * (1 / math.sqrt(dh))).softmax(-1)
        x = x + self.o((a @ v).transpose(1, 2).reshape(B, T, d))
        return x + self.fc2(F.gelu(self.fc1(self.n2(x)), approximate="tanh"))


class Vit(torch.nn.Module):
    def __init__(self):
        super().__init__()
        pp = patch * patch
        self.patch_w = torch.nn.Parameter(uniform((d, pp), pp))
        self.patch_b = torch.nn.Parameter(torch.empty(d).uniform_(-1, 1) / math.sqrt(pp))
        self.cls = torch.nn.Parameter(torch.randn(1, 1, d))
        self.pos = torch.nn.Parameter(torch.randn(1, tokens, d))
        self.blocks = torch.nn.ModuleList(Block() for _ in range(layers))
        self.norm = Norm()
        self.head = torch.nn.Linear(d, classes)

    def forward(self, x):
        e = F.linear(patches(x), self.patch_w, self.patch_b)
        x = torch.cat((self.cls.expand(e.shape[0], 1, d), e), 1) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x[:, 0]))


model = Vit()
params = [p for p in model.parameters() if p.requires_grad]
decayed = [model.head.weight]
rest = [p for p in params if p is not model.head.weight]
opt = torch.optim.AdamW([{"params": rest, "weight_decay": 0.0}, {"params": decayed, "weight_decay": 1e-4}],
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
    for g in opt.param_groups:  # our schedule: cosine from lr down to 5% of it over the run
        g["lr"] = lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step_no - 1) / total_steps)))
    loss = F.cross_entropy(model(x_all[i]), labels[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(3):
    step()
t0 = time.perf_counter()
for _ in range(steps):
    loss = step()
secs = time.perf_counter() - t0
print(json.dumps({"peer": "pytorch", "torch": torch.__version__, "threads": threads, "mode": mode,
                  "rank": None if full else rank, "width": d, "layers": layers, "heads": heads, "mlp_hidden": hidden,
                  "patch": patch, "batch": batch, "steps": steps, "seconds": secs,
                  "images_per_second": steps * batch / secs, "loss": loss,
                  "trainable": sum(p.numel() for p in params),
                  "values": sum(p.numel() for p in model.parameters())}))
