#!/usr/bin/python3
"""Markdown tables of the issue-4 figures from the benchmarks' JSON lines: the KJV LM (held-out loss, recovery in
nats), the ViT on Fashion-MNIST and the text classifier on KJV testaments (test accuracy, recovery, trainable
fraction, median beta). Usage: python3 benchmarks/scripts/issue4_table.py [results dir]"""
import json
import math
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "results")


def rows(path):
    p = os.path.join(root, path)
    return [json.loads(line) for line in open(p)] if os.path.exists(p) else []


lm = rows("lm/kjv.jsonl")
if lm:
    print("### Byte-level LM on KJV (held-out loss, nats per byte; lower is better)\n")
    print("| preset | run | lr | held-out loss | bits/byte | perplexity | gap to full (nats) | loss drop recovered "
          "| trainable | median beta |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for preset in dict.fromkeys(r["preset"] for r in lm):
        runs = sorted((r for r in lm if r["preset"] == preset), key=lambda r: (
            0 if r["full"] else 2 if r.get("attention") == "frozen" else 1, r["rank"] or 0, -r["lr"]))
        full = min((r for r in runs if r["full"]), key=lambda r: r["validation_loss"])
        for r in runs:
            gap = r["validation_loss"] - full["validation_loss"]
            drop = (r["initial_loss"] - r["validation_loss"]) / (full["initial_loss"] - full["validation_loss"])
            frozen = r.get("attention") == "frozen"
            name = "full" if r["full"] else "no adapters (embedding, norms)" if frozen else f"rank {r['rank']}"
            beta = "" if r.get("median_beta") is None or frozen else f"{r['median_beta']:.3f}"
            mark = " (best full)" if r is full else ""
            print(f"| {preset} ({r['layers']}x{r['width']}) | {name}{mark} | {r['lr']:g} | {r['validation_loss']:.4f} | "
                  f"{r['bits_per_byte']:.3f} | {r['perplexity']:.2f} | {gap:+.4f} | {100 * drop:.1f}% | "
                  f"{100 * r['trainable_fraction']:.2f}% | {beta} |")
    print()


def classifier(title, data):
    if not data:
        return
    print(f"### {title}\n")
    print("| run | lr | test accuracy | recovery | best epoch | trainable | median beta |")
    print("|---|---|---|---|---|---|---|")
    full = max((r for r in data if r["full"]), key=lambda r: r["best_val_accuracy"])  # chosen on validation
    for r in data:
        frozen = r.get("attention") == "frozen"
        name = "full" if r["full"] else "no adapters (embeddings, norms, head)" if frozen else f"rank {r['rank']}"
        beta = "" if r.get("median_beta") is None or frozen else f"{r['median_beta']:.3f}"
        mark = " (reference)" if r is full else ""
        print(f"| {name}{mark} | {r['lr']:g} | {r['test_accuracy']:.4f} | "
              f"{100 * r['test_accuracy'] / full['test_accuracy']:.1f}% | {r['best_epoch']} | "
              f"{100 * r['trainable_fraction']:.2f}% | {beta} |")
    print()


classifier("ViT on Fashion-MNIST (4 blocks x 64, 7x7 patches, 10,000 training images, 5 epochs)",
           rows("vit/fmnist.jsonl"))
classifier("Text classifier on KJV verses, old vs new testament (2 blocks x 64, MLP frozen, 6 epochs)",
           rows("text/kjv_testament.jsonl"))
