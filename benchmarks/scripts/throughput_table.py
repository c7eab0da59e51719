#!/usr/bin/env python3
"""Medians of benchmarks/throughput.sh's log, and the LottaLoRA / PyTorch ratio at each side's best thread count."""
import re
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    m = re.match(r"(lottalora|pytorch) (\w+) threads=(\d+) rows=(\d+) median (\d+)", line)
    if m:
        runs[(m.group(1), m.group(2), int(m.group(3)))].append(float(m.group(5)))
print("# Training throughput: LottaLoRA (engine) vs PyTorch\n")
print("Command: `benchmarks/throughput.sh` (medium MLP 784-512-256-128-64-10 on Fashion-MNIST, batch 128, AdamW "
      "lr 1e-3 wd 1e-2; each figure is the median over rounds of a per-round median of epoch throughputs, "
      "warm-up epoch excluded, and for LottaLoRA one epoch of each mode run before anything is measured (JIT warm-up); Java and PyTorch alternate within each round).  ")
print(f"Machine: {sys.argv[2] if len(sys.argv) > 2 else ''}.\n")
print("| side | mode | threads | samples/s (median) | rounds |")
print("|---|---|---|---|---|")
for (side, mode, t), v in sorted(runs.items()):
    print(f"| {side} | {mode} | {t} | {statistics.median(v):,.0f} | {', '.join(f'{x:,.0f}' for x in v)} |")
print("\n| mode | LottaLoRA best (threads) | PyTorch best (threads) | ratio LottaLoRA / PyTorch |")
print("|---|---|---|---|")
for mode in sorted({k[1] for k in runs}):
    best = {}
    for side in ("lottalora", "pytorch"):
        cands = [(statistics.median(v), t) for (s, m, t), v in runs.items() if s == side and m == mode]
        best[side] = max(cands)
    l, p = best["lottalora"], best["pytorch"]
    print(f"| {mode} | {l[0]:,.0f} ({l[1]}) | {p[0]:,.0f} ({p[1]}) | {l[0] / p[0]:.2f} |")
