#!/usr/bin/python3
"""Speed peer for the spiking figures: Diehl & Cook's network written as BindsNET runs it (per-step PyTorch tensor
ops, batch 1, dense outer-product STDP updates), since BindsNET itself is not packaged in Debian and PyPI is not
reachable here. Same equations and constants as lottalora's `snn train` defaults: 784 Poisson inputs (peak 128 Hz,
exponential gaps rounded up), 100 adaptive-LIF excitatory neurons (one spike per step), 100 LIF inhibitory
neurons, post-pre STDP nu = (1e-4, 1e-2), weights in [0, 1], column norm 78.4, 250 steps of 1 ms, state reset
between images. No retry rule (both sides are timed with it off).

Usage: /usr/bin/python3 torch_diehl_cook.py THREADS IMAGES
Prints one JSON line: learning presentations per second (after 20 warm-up images).
Needs Debian's python3-torch and libopenblas0-pthread.
"""
import gzip
import json
import math
import sys
import time

import numpy as np
import torch


def main():
    threads, images = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[: images + 20].astype(np.float32) / 255
    n_in, n, T = 784, 100, 250
    rest, reset, thresh, refrac = -65.0, -60.0, -52.0, 5
    decay = math.exp(-1 / 100)
    i_rest, i_reset, i_thresh, i_refrac, i_decay = -60.0, -45.0, -40.0, 2, math.exp(-1 / 10)
    tr_decay = math.exp(-1 / 20)
    theta_decay = math.exp(-1 / 1e7)
    w = 0.3 * torch.rand(n_in, n)
    w_ei = 22.5 * torch.eye(n)
    w_ie = -120.0 * (torch.ones(n, n) - torch.eye(n))
    theta = torch.zeros(n)
    nu_pre, nu_post, norm = 1e-4, 1e-2, 78.4

    def poisson(img):
        rate = torch.from_numpy(img) * 128.0
        s = torch.zeros(T, n_in, dtype=torch.bool)
        nz = rate > 0
        mean = torch.zeros(n_in)
        mean[nz] = 1000.0 / rate[nz]
        gaps = torch.ceil(torch.distributions.Exponential(1.0).sample((T, n_in)) * mean).clamp(min=1)
        times = torch.cumsum(gaps, 0) - 1
        for i in torch.nonzero(nz).flatten().tolist():
            t = times[:, i]
            t = t[t < T].long()
            s[t, i] = True
        return s.float()

    def present(img):
        nonlocal w, theta
        s_in_all = poisson(img)
        v = torch.full((n,), rest)
        ref = torch.zeros(n)
        vi = torch.full((n,), i_rest)
        refi = torch.zeros(n)
        x_in = torch.zeros(n_in)
        x_e = torch.zeros(n)
        s_in = torch.zeros(n_in)
        s_e = torch.zeros(n)
        s_i = torch.zeros(n)
        for t in range(T):
            inp_e = s_in @ w + s_i @ w_ie
            inp_i = s_e @ w_ei
            s_in = s_in_all[t]
            theta *= theta_decay
            v = decay * (v - rest) + rest
            inp_e = inp_e.masked_fill(ref > 0, 0)
            ref -= 1
            v += inp_e
            spk = v >= thresh + theta
            theta += 0.05 * spk.float()
            ref.masked_fill_(spk, refrac)
            v.masked_fill_(spk, reset)
            if spk.any():
                keep = torch.argmax(spk.float())
                spk = torch.zeros(n, dtype=torch.bool)
                spk[keep] = True
            s_e = spk.float()
            vi = i_decay * (vi - i_rest) + i_rest
            inp_i = inp_i.masked_fill(refi > 0, 0)
            refi -= 1
            vi += inp_i
            spki = vi >= i_thresh
            refi.masked_fill_(spki, i_refrac)
            vi.masked_fill_(spki, i_reset)
            s_i = spki.float()
            x_in = x_in * tr_decay
            x_in.masked_fill_(s_in.bool(), 1)
            x_e = x_e * tr_decay
            x_e.masked_fill_(spk, 1)
            w -= nu_pre * torch.outer(s_in, x_e)
            w += nu_post * torch.outer(x_in, s_e)
            w.clamp_(0, 1)
        w *= norm / w.sum(0, keepdim=True)

    for k in range(20):
        present(x[k])
    t0 = time.perf_counter()
    for k in range(20, 20 + images):
        present(x[k])
    s = time.perf_counter() - t0
    print(json.dumps({"peer": "torch", "torch": torch.__version__, "threads": threads, "images": images,
                      "seconds": s, "presentations_per_s": images / s}))


if __name__ == "__main__":
    main()
