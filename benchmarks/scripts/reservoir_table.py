#!/usr/bin/env python3
"""Markdown tables from benchmarks/results/reservoir/*.jsonl (written by benchmarks/reservoir.sh).

Usage: python3 benchmarks/scripts/reservoir_table.py [results dir]
Medians over the reservoir seeds; times are per 1,000 steps where the heading says so.
"""
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

d = Path(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/reservoir")


def rows(name):
    p = d / name
    return [json.loads(l) for l in p.read_text().splitlines() if l.strip()] if p.exists() else []


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


esn = rows("esn.jsonl")
if esn:
    g = defaultdict(list)
    for r in esn:
        g[(r["case"], r["units"])].append(r["r"])
    print("| task | units | test NRMSE (median of 3 seeds) | min..max | R^2 | ridge chosen | build s | "
          "fit s per 1,000 steps | run s per 1,000 steps |")
    print("|---|---:|---:|---|---:|---|---:|---:|---:|")
    names = {"mg-1": "Mackey-Glass, 1 step ahead", "mg-100": "Mackey-Glass, 100 steps ahead (direct)",
             "lorenz-1": "Lorenz, 1 step ahead", "mg-closed-1e-4": "Mackey-Glass, 1 step, ridge 1e-4"}
    for case in ["mg-1", "mg-100", "lorenz-1", "mg-closed-1e-4"]:
        for units in [100, 500, 1000]:
            rs = g.get((case, units), [])
            if not rs:
                continue
            nr = [r["test_nrmse"] for r in rs]
            fit = [r["fit_seconds"] / (r["train_steps"] / 1000) for r in rs if "train_steps" in r]
            print(f"| {names[case]} | {units} | {med(nr):.3g} | {min(nr):.3g}..{max(nr):.3g} | "
                  f"{med([r['test_r2'] for r in rs]):.6f} | {', '.join('%g' % r['ridge'] for r in rs)} | "
                  f"{med([r.get('build_seconds') for r in rs]):.2f} | {med(fit):.3f} | "
                  f"{med([r['run_seconds_per_1000_steps'] for r in rs]):.4f} |")
    print()
    print("| closed loop (generative), Mackey-Glass | units | NRMSE over 100 steps, ridge 1e-4 (median) | "
          "min..max | with the one-step ridge (median) |")
    print("|---|---:|---:|---|---:|")
    for units in [100, 500, 1000]:
        a = [r["closed_loop_nrmse"] for r in g.get(("mg-closed-1e-4", units), [])]
        b = [r["closed_loop_nrmse"] for r in g.get(("mg-1", units), [])]
        if a:
            print(f"| | {units} | {med(a):.3g} | {min(a):.3g}..{max(a):.3g} | {med(b):.3g} |")
    print()

ring = rows("ring.jsonl")
if ring:
    print("| model | dataset (train rows) | neurons | readout features | ridge (validation) | test accuracy | "
          "fit s | test s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in ring:
        x = r["r"]
        label = f"ring, {r['rings']} rings" if "rings" in r else f"ESN {r['units']} units, rows as steps"
        print(f"| {label} | {x['dataset']} ({x['train_rows']:,}) | {x['neurons']:,} | {x['features']:,} | "
              f"{x['ridge']:g} | {x['test_accuracy']:.4f} | {x['fit_seconds']:.1f} | {x['test_seconds']:.1f} |")
    for r in rows("pixels.jsonl"):
        print(f"| ridge readout on the raw pixels (reference) | {r['dataset']} ({r['train_rows']:,}) | 0 | "
              f"{'65' if r['dataset'] == 'digits' else '785'} | {r['ridge']:g} | {r['test_accuracy']:.4f} | "
              f"{r['seconds']:.1f} | |")
    print()

ad = rows("adapter.jsonl")
if ad:
    print("| units | rank | setting | ridge only: test NRMSE | adapter + BPTT readout | adapter + ridge refit | "
          "change vs ridge only | kept iteration | beta | adapter params | readout params | BPTT s |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in ad:
        x = r["r"]
        base = x["baseline"]["test_nrmse"]
        fin = x["test_nrmse"]
        print(f"| {r['units']} | {r['rank']} | {r.get('setting', 'default')} | {base:.5f} | "
              f"{x['bptt_readout']['test_nrmse']:.5f} | {fin:.5f} | {100 * (fin - base) / base:+.2f}% | "
              f"{x.get('best_iteration', '-')} | "
              f"{x['beta']:.4f} | {x['adapter_params']:,} | {x['readout_params']:,} | {x['bptt_seconds']:.0f} |")
    print()

s = d / "search.json"
if s.exists():
    j = json.loads(s.read_text())
    b = j["best"]
    print(f"Search: {j['trials']} random trials ({j['failed']} failed); best validation NRMSE "
          f"{b['validationNrmse']:.4g} at spectral radius {b['spectralRadius']:.3f}, leak rate {b['leakRate']:.3f}, "
          f"input scaling {b['inputScaling']:.3f}, ridge {b['ridge']:.2g}.")

sb = d / "search-best.json"
if sb.exists():
    j = json.loads(sb.read_text())
    print(f"Those settings trained on the whole training half: test one-step NRMSE {j['test_nrmse']:.4g}, "
          f"closed-loop NRMSE over 100 steps {j['closed_loop_nrmse']:.3g}.")
