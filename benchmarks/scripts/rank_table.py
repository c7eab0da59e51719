#!/usr/bin/env python3
"""Turns the JSON lines of benchmarks/rank_table.sh into a Markdown table (recovery = accuracy / full's)."""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
machine = sys.argv[2] if len(sys.argv) > 2 else ""
full = next(r for r in rows if r["full"])
print("# Fashion-MNIST: accuracy by LoRA rank over a frozen random scaffold\n")
print("Command: `benchmarks/rank_table.sh` (medium MLP 784-512-256-128-64-10, 20 epochs, batch 128, AdamW lr 1e-3 "
      "wd 1e-2, cosine, alpha 1, fan-in normal scaffold, backbone seed 0; 54,000 train / 6,000 validation / "
      "10,000 test; test accuracy of the best-validation epoch).  ")
print(f"Machine: {machine}.\n")
print("| mode | test accuracy | recovery | trainable params | trainable fraction | best epoch | beta per layer (0..3) | train samples/s |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    mode = "full" if r["full"] else f"rank {r['rank']}"
    betas = ", ".join(f"{v:.3f}" for v in r["betas"].values()) if r["betas"] else "n/a"
    print(f"| {mode} | {r['test_accuracy']:.4f} | {r['test_accuracy'] / full['test_accuracy']:.1%} | "
          f"{r['trainable_params']:,} | {r['trainable_fraction']:.2%} | {r['best_epoch']} | {betas} | "
          f"{r['samples_per_second']:,.0f} |")
