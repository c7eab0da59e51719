#!/usr/bin/env python3
"""Markdown tables for RESULTS.md section 11 from benchmarks/results/snn/*.jsonl (written by benchmarks/snn.sh)."""
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

R = Path(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/snn")


def lines(name):
    p = R / name
    return [json.loads(l) for l in p.read_text().splitlines() if l.strip()] if p.exists() else []


def med(xs):
    return statistics.median(xs)


def classifier_table(rows, title):
    by = defaultdict(list)
    for d in rows:
        by[d["case"]].append(d["r"])
    print(f"\n{title}\n")
    print("| case | neurons | presentations | seeds | all-activity | proportion | n-gram | learning s | pres./s | label + test s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for case, rs in by.items():
        print(f"| {case} | {rs[0]['neurons']} | {rs[0]['train_examples']:,} | {len(rs)} "
              f"| {med([r['accuracy_all_activity'] for r in rs]):.4f} "
              f"| {med([r['accuracy_proportion'] for r in rs]):.4f} "
              f"| {med([r['accuracy_ngram'] for r in rs]):.4f} "
              f"| {med([r['train_seconds'] for r in rs]):.1f} "
              f"| {med([r['train_examples_per_second'] for r in rs]):.0f} "
              f"| {med([r['label_seconds'] + r['test_seconds'] for r in rs]):.1f} |")
        if len(rs) > 1:
            print(f"|  (range of proportion) | | | | | {min(r['accuracy_proportion'] for r in rs):.4f}-"
                  f"{max(r['accuracy_proportion'] for r in rs):.4f} | | | | |")


classifier_table(lines("dc.jsonl"), "Diehl & Cook (medians over seeds)")
classifier_table(lines("lm.jsonl"), "LM-SNN (medians over seeds)")
classifier_table(lines("lc.jsonl"), "LC-SNN (medians over seeds)")

speed = lines("speed.jsonl")
if speed:
    print("\nSimulation speed (1,000 steps, no learning; median of 3 runs)\n")
    print("| LIF neurons | threads | s per 1,000 steps | neuron updates/s | synaptic events/s | events/step | rate Hz |")
    print("|---|---|---|---|---|---|---|")
    for d in speed:
        if "mode" in d:
            continue
        print(f"| {d['neurons']:,} | {d['threads']} | {d['seconds']:.3f} | {d['neuron_updates_per_s']:.3g} "
              f"| {d['synaptic_events_per_s']:.3g} | {d['events_per_step']:,.0f} | {d['mean_rate_hz']:.1f} |")
    print("\nOne LIF step as ND4J ops against plain arrays (1 thread)\n")
    print("| neurons | ND4J us/step | arrays us/step | ratio |")
    print("|---|---|---|---|")
    for d in speed:
        if d.get("mode") == "lif-step":
            print(f"| {d['neurons']:,} | {d['nd4j_us_per_step']:.1f} | {d['arrays_us_per_step']:.2f} | {d['ratio']:.0f}x |")

delay = lines("delay.jsonl")
if delay:
    by = defaultdict(list)
    for d in delay:
        by[d["case"]].append(d["r"])
    print("\nDelay learning on spike-timing patterns (20 inputs, window 20 steps, 400 learning and 400 test "
          "presentations)\n")
    print("| case | seeds | accuracy (median) | min | before learning | learning s |")
    print("|---|---|---|---|---|---|")
    for case, rs in by.items():
        print(f"| {case} | {len(rs)} | {med([r['accuracy'] for r in rs]):.4f} | {min(r['accuracy'] for r in rs):.4f} "
              f"| {med([r['accuracy_before_training'] for r in rs]):.4f} | {med([r['train_seconds'] for r in rs]):.2f} |")

peer = lines("peer.jsonl")
if peer:
    by = defaultdict(list)
    for d in peer:
        r = d["r"]
        by[d["case"]].append(r.get("presentations_per_s", r.get("train_examples_per_second")))
    print("\nDiehl & Cook learning speed, 100 neurons, Fashion-MNIST, 250 steps (medians of alternating rounds)\n")
    print("| implementation | rounds | presentations/s |")
    print("|---|---|---|")
    for case, v in by.items():
        print(f"| {case} | {len(v)} | {med(v):.1f} |")
    best_torch = max(med(v) for c, v in by.items() if c.startswith("torch"))
    if "lottalora" in by:
        print(f"\nlottalora / best PyTorch setting: {med(by['lottalora']) / best_torch:.1f}x")
