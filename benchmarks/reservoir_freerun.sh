#!/usr/bin/env bash
# Free-running Mackey-Glass (tau 17) forecasts against Jaeger's NRMSE84, and the reservoir build time (issue 23).
# Usage: benchmarks/reservoir_freerun.sh [part...]   parts: search jaeger baselines build (default: all)
# Needs the CLI jar and benchmarks.jar (mvn -B -q -DskipTests package). Writes into
# benchmarks/results/reservoir-freerun/; tables by python3 benchmarks/scripts/freerun_table.py.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/reservoir-freerun
mkdir -p "$OUT"
L="java -jar lottalora-cli/target/lottalora.jar"
B="java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.FreeRunBench"
parts=${*:-search jaeger baselines build}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); reservoir steps on 1 thread, 1 native thread;" \
  "commit $(git rev-parse --short HEAD)" > "$OUT/machine.txt"

if [[ $parts == *search* ]]; then
  # closed-loop search per size: 150 random trials over sr, leak rate, input scaling and ridge, no leak floor
  # below 0.5, bias 0.2, noise 1e-5; objective: free-run NRMSE over steps 1..84 on the last quarter of the
  # first 3,000 steps (series seed 42, not one of the test series)
  for u in 400 1000; do
    rm -rf "$OUT/search$u"
    $L reservoir search --series mackey-glass --steps 4000 --train-fraction 0.75 --washout 500 --units $u \
      --leak-rate 1 --bias-scaling 0.2 --select closed-loop --free-run 84 --noise 1e-5 --trials 150 \
      --search-seed 7 --sr 0.6:1.4 --lr-range 0.5:1 --is 0.02:1 --ridge-range 1e-16:1e-6 \
      --dir "$OUT/search$u" --threads 1 --json > "$OUT/search$u.json"
    rm -rf "$OUT/search$u/trials"
  done
fi

best() { # units -> "sr=.. lr=.. input_scaling=.."
  python3 -c "import json,sys; b=json.load(open('$OUT/search$1.json'))['best']; \
print('sr=%.4f lr=%.4f input_scaling=%.4f' % (b['spectralRadius'], b['leakRate'], b['inputScaling']))"
}

if [[ $parts == *jaeger* ]]; then
  # Jaeger's protocol: 3,000 (or 21,000) teacher-forced steps, the first 1,000 dropped; 100 free runs of 84
  # steps from start points over the next 1,000 steps; NRMSE at step 84. Ridge and noise chosen per run by
  # free-run error on the held-out end of the training part. 10 reservoir seeds x 3 series (2 for 21,000).
  : > "$OUT/jaeger.jsonl"
  for u in 400 1000; do
    for train in 3000 21000; do
      series=3; [[ $train == 21000 ]] && series=2
      $B units=$u train=$train test=1000 washout=1000 seeds=10 series=$series $(best $u) bias_scaling=0.2 \
        ridge=1e-14,1e-13,1e-12,1e-11,1e-10,1e-9 noise=1e-6,1e-5,1e-4 select=closed-loop preset=gaussian \
        2>/dev/null >> "$OUT/jaeger.jsonl"
    done
  done
fi

if [[ $parts == *baselines* ]]; then
  # the same protocol with the settings of RESULTS section 10 (sr 1.25, leak 0.3, input scaling 1, no bias,
  # ridge chosen by one-step error), and with ReservoirPy's initialisers (+-1 input and bias at density 0.1,
  # bias scaling 1) at those settings, chosen by one-step and by free-run error; 400 units, 3,000 steps
  : > "$OUT/baselines.jsonl"
  common="units=400 train=3000 test=1000 washout=1000 seeds=10 series=3 sr=1.25 lr=0.3 input_scaling=1"
  $B $common preset=gaussian ridge=1e-8,1e-6,1e-4 select=one-step 2>/dev/null >> "$OUT/baselines.jsonl"
  $B $common preset=reservoirpy ridge=1e-8,1e-6,1e-4 select=one-step 2>/dev/null >> "$OUT/baselines.jsonl"
  $B $common preset=reservoirpy ridge=1e-16,1e-14,1e-12,1e-10,1e-8,1e-6,1e-4 noise=0,1e-6,1e-5,1e-4 \
    select=closed-loop 2>/dev/null >> "$OUT/baselines.jsonl"
  $B $common preset=gaussian ridge=1e-16,1e-14,1e-12,1e-10,1e-8,1e-6,1e-4 noise=0,1e-6,1e-5,1e-4 \
    select=closed-loop 2>/dev/null >> "$OUT/baselines.jsonl"
fi

if [[ $parts == *build* ]]; then
  # building a reservoir: exact dense eigenvalues (before) against the sparse Arnoldi estimate (after)
  : > "$OUT/build.jsonl"
  for u in 500 1000 2000; do
    $B build units=$u reps=3 2>/dev/null >> "$OUT/build.jsonl"
  done
fi
