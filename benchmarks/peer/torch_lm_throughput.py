#!/usr/bin/python3
"""PyTorch peer of `lottalora lm train` for the throughput comparison (issue 4): the same byte-level LLaMA-style model
(byte embedding tied to the output, pre-norm blocks with RMSNorm (eps 1e-6), RoPE (base 10000) on causal attention,
LoRA with a learned beta on W_Q, W_K, W_V, W_O, a frozen random SwiGLU, a final RMSNorm), the same data (random
windows of the KJV text), batch and Adam. Times the training steps after 3 warm-up steps; prints one JSON line.
Usage: torch_lm_throughput.py THREADS TEXT STEPS [rank|full] [width heads layers hidden] [batch seq_len]"""
import json
import math
import sys
import time

import numpy as np
import torch

threads, path, steps, mode = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
d, heads, layers, hidden = (int(x) for x in (sys.argv[5:9] if len(sys.argv) > 8 else (128, 4, 4, 344)))
batch, seq = (int(x) for x in (sys.argv[9:11] if len(sys.argv) > 10 else (16, 128)))
torch.set_num_threads(threads)
torch.manual_seed(0)
full = mode == "full"
rank = 0 if full else int(mode)
text = np.frombuffer(open(path, "rb").read(), dtype=np.uint8)
train = torch.from_numpy(text[: int(len(text) * 0.9)].astype(np.int64))


class Adapted(torch.nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(n_out, n_in) / math.sqrt(n_in), requires_grad=full)
        self.b = torch.nn.Parameter(torch.zeros(n_out), requires_grad=False)
        if not full:
            self.a = torch.nn.Parameter(torch.empty(rank, n_in).uniform_(-1, 1) * math.sqrt(3 / n_in))
            self.bb = torch.nn.Parameter(torch.zeros(n_out, rank))
            self.beta = torch.nn.Parameter(torch.ones(()))

    def forward(self, x):
        if full:
            return torch.nn.functional.linear(x, self.w, self.b)
        return torch.nn.functional.linear(x, self.beta * self.w + (1.0 / rank) * self.bb @ self.a, self.b)


def rms(x, g):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * g


dh = d // heads
inv = 10000.0 ** (-torch.arange(0, dh, 2).float() / dh)
ang = torch.arange(seq).float()[:, None] * inv[None, :]
cos, sin = torch.cos(ang), torch.sin(ang)


def rope(x):  # x [B, H, T, dh], pairs (2i, 2i+1)
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), -1).flatten(-2)


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.g1 = torch.nn.Parameter(torch.ones(d))
        self.g2 = torch.nn.Parameter(torch.ones(d))
        self.q, self.k, self.v, self.o = (Adapted(d, d) for _ in range(4))
        self.gate = torch.nn.Linear(d, hidden).requires_grad_(full)
        self.up = torch.nn.Linear(d, hidden).requires_grad_(full)
        self.down = torch.nn.Linear(hidden, d).requires_grad_(full)

    def forward(self, x):
        B, T, _ = x.shape
        h = rms(x, self.g1)
        q, k, v = (p(h).view(B, T, heads, dh).transpose(1, 2) for p in (self.q, self.k, self.v))
        q, k = rope(q), rope(k)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
        s = s.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
        c = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, d)
        x = x + self.o(c)
        h = rms(x, self.g2)
        return x + self.down(torch.nn.functional.silu(self.gate(h)) * self.up(h))


class Lm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Parameter(torch.randn(256, d) / math.sqrt(d))
        self.blocks = torch.nn.ModuleList(Block() for _ in range(layers))
        self.g = torch.nn.Parameter(torch.ones(d))

    def forward(self, t):
        x = self.emb[t]
        for b in self.blocks:
            x = b(x)
        return rms(x, self.g) @ self.emb.t()


model = Lm()
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.Adam(params, lr=3e-3)
gen = torch.Generator().manual_seed(0)


def step():
    at = torch.randint(0, len(train) - seq, (batch,), generator=gen)
    t = torch.stack([train[i : i + seq] for i in at.tolist()])
    z = model(t)
    loss = torch.nn.functional.cross_entropy(z[:, :-1].reshape(-1, 256), t[:, 1:].reshape(-1))
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
total = sum(p.numel() for p in model.parameters())
print(json.dumps({"peer": "pytorch", "torch": torch.__version__, "threads": threads, "mode": mode, "width": d,
                  "layers": layers, "batch": batch, "seq_len": seq, "steps": steps, "seconds": secs,
                  "tokens_per_second": steps * batch * seq / secs, "loss": loss,
                  "trainable": sum(p.numel() for p in params), "values": total}))
