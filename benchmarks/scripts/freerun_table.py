#!/usr/bin/env python3
"""Markdown tables from benchmarks/results/reservoir-freerun/*.jsonl (benchmarks/reservoir_freerun.sh)."""
import collections
import json
import os
import statistics

D = os.path.join(os.path.dirname(__file__), "..", "results", "reservoir-freerun")
JAEGER = {3000: "2.8e-4", 21000: "1.2e-4"}


def lines(name):
    p = os.path.join(D, name)
    if not os.path.exists(p):
        return []
    return [json.loads(l) for l in open(p) if l.startswith("{")]


def g(v):
    return "%.3g" % v


def runs_table(rows, title, reference):
    groups = collections.OrderedDict()
    for r in rows:
        if r.get("summary"):
            continue
        key = (r["units"], r["train"], r["preset"], r["select"], r["sr"], r["lr"], r["input_scaling"])
        groups.setdefault(key, []).append(r)
    print("### " + title + "\n")
    print("| units | training steps | init, selection | sr, leak, input scaling | runs (seeds x series) "
          "| NRMSE84 by std: median | quartiles | min..max | NRMSE84 by range (median) | mean NRMSE 1..84 "
          "| runs with NRMSE84 > 1 | valid time, median of runs (steps, max 84) | one-step NRMSE (median) "
          "| ridges chosen | noise chosen |" + (" Jaeger 2001 |" if reference else ""))
    print("|" + "---:|" * (16 if reference else 15))
    for (u, tr, preset, sel, sr, lr, isc), rs in groups.items():
        v = sorted(r["nrmse_h"] for r in rs)
        q = statistics.quantiles(v, n=4) if len(v) > 1 else [v[0]] * 3
        seeds = len({r["seed"] for r in rs})
        series = len({r["series_seed"] for r in rs})
        ridges = collections.Counter("%.0e" % r["ridge"] for r in rs)
        noises = collections.Counter("%g" % r["noise"] for r in rs)
        row = [str(u), "{:,}".format(tr), preset + ", " + sel, "%.3g, %.3g, %.3g" % (sr, lr, isc),
               "%d (%d x %d)" % (len(rs), seeds, series), g(statistics.median(v)), g(q[0]) + ".." + g(q[2]),
               g(v[0]) + ".." + g(v[-1]), g(statistics.median(r["nrmse_h_range"] for r in rs)),
               g(statistics.median(r["mean_nrmse_1_h"] for r in rs)),
               str(sum(1 for x in v if not x <= 1)),
               g(statistics.median(r["valid_steps_median"] for r in rs)),
               g(statistics.median(r["one_step_nrmse"] for r in rs)),
               " ".join("%s:%d" % kv for kv in sorted(ridges.items())),
               " ".join("%s:%d" % kv for kv in sorted(noises.items()))]
        if reference:
            row.append(JAEGER.get(tr, "") + (" (400 units)" if tr in JAEGER else ""))
        print("| " + " | ".join(row) + " |")
    print()


def build_table():
    rows = lines("build.jsonl")
    if not rows:
        return
    print("### Building a reservoir: exact eigenvalues against Arnoldi\n")
    print("| units | density | exact (dense EJML) build s, median | Arnoldi build s, median | speed-up "
          "| largest relative difference of rho |")
    print("|---:|---:|---:|---:|---:|---:|")
    by = collections.OrderedDict()
    for r in rows:
        by.setdefault(r["units"], []).append(r)
    for u, rs in by.items():
        e = statistics.median(r["exact_build_seconds"] for r in rs)
        a = statistics.median(r["arnoldi_build_seconds"] for r in rs)
        print("| %d | %g | %.2f | %.3f | %.0fx | %.1e |" % (u, rs[0]["density"], e, a, e / a,
                                                           max(r["relative_difference"] for r in rs)))
    print()


def search_table():
    for u in (400, 1000):
        p = os.path.join(D, "search%d.json" % u)
        if os.path.exists(p):
            b = json.load(open(p))["best"]
            print("- search, %d units: best of %s trials: sr %.3f, leak rate %.3f, input scaling %.3f, ridge %.2g; "
                  "validation free-run NRMSE over steps 1..84: %.3g" % (
                      u, json.load(open(p))["trials"], b["spectralRadius"], b["leakRate"], b["inputScaling"],
                      b["ridge"], b["validationNrmse"]))
    print()


search_table()
runs_table(lines("jaeger.jsonl"), "Free-running NRMSE84, Jaeger's protocol", True)
runs_table(lines("baselines.jsonl"), "The same protocol with the earlier settings and ReservoirPy's initialisers "
           "(400 units, 3,000 steps)", False)
build_table()
