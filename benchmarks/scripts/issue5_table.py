#!/usr/bin/env python3
"""Markdown tables of the issue-5 figures (CNN, CfC/LSTM, GCN, GIN) from benchmarks/results/{cnn,recurrent,graph}.

Usage: python3 benchmarks/scripts/issue5_table.py   (run from the repository root)
Each row: the metric at the best validation epoch (median over seeds where there are several), recovery against
the best full-training row of the same family (and class weighting), trainable fraction, the median of the
per-layer betas, wall seconds.
"""
import json
import os
import statistics


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def label(d):
    if d.get("full"):
        return "full" + (" (lr %g)" % d["lr"] if "lr" in d else "")
    v = d.get("variant")
    return "rank %d%s" % (d["rank"], "" if v in (None, "lora") else " " + v)


def table(title, rows, metric, group=("cell", "family")):
    if not rows:
        print("### %s\n\n(no results yet)\n" % title)
        return
    keys = []
    by = {}
    for d in rows:
        g = next((d[k] for k in group if k in d and d[k]), "")
        k = (g, label(d), d.get("class_weights", ""))
        if k not in by:
            keys.append(k)
            by[k] = []
        by[k].append(d)
    print("### %s\n" % title)
    print("| model | setting | %s | recovery | trainable | median beta | seconds | runs |" % metric)
    print("|---|---|---|---|---|---|---|---|")
    for k in keys:
        ds = by[k]
        m = statistics.median(d[metric] for d in ds)
        fulls = [statistics.median(d[metric] for d in v) for kk, v in by.items()
                 if kk[0] == k[0] and kk[2] == k[2] and kk[1].startswith("full")]
        rec = "" if not fulls or k[1].startswith("full") else "%.1f%%" % (100 * m / max(fulls))
        betas = [b for d in ds for b in d.get("betas", {}).values()]
        beta = "%.3f" % statistics.median(betas) if betas and not ds[0].get("full") else "-"
        name = k[0] + (" balanced" if k[2] == "balanced" else "")
        print("| %s | %s | %.4f | %s | %.2f%% | %s | %.0f | %d |" % (name, k[1], m, rec,
              100 * statistics.median(d["trainable_fraction"] for d in ds), beta,
              statistics.median(d["wall_seconds"] for d in ds), len(ds)))
    print()


table("CNN (Plain-8) on Fashion-MNIST", load("benchmarks/results/cnn/fmnist.jsonl"), "test_accuracy")
table("CfC and LSTM on sequential Fashion-MNIST", load("benchmarks/results/recurrent/fmnist.jsonl")
      + load("benchmarks/results/recurrent/fmnist-full-lr.jsonl"), "test_accuracy")
table("Irregularly sampled binary series (AUROC)", load("benchmarks/results/recurrent/irregular.jsonl")
      + load("benchmarks/results/recurrent/irregular-full-lr.jsonl"), "test_auroc")
table("GCN on the stochastic block model", load("benchmarks/results/graph/gcn.jsonl"), "test_accuracy")
table("GIN on the synthetic graph set", load("benchmarks/results/graph/gin.jsonl"), "test_accuracy")
