#!/usr/bin/env bash
# Graph figures (issue 5), through `lottalora graph train`:
#   gcn: the default stochastic block model (3,000 nodes, 8 blocks, 32 noisy features), hidden 64,64, 200 full-batch
#        epochs, 10% of nodes train, 10% pick the epoch; full training and ranks 1-32, backbone seeds 1-3.
#   gin: the synthetic graph-classification set (1,000 graphs of 12-40 nodes), hidden 64,64, 40 epochs, batches of
#        32; full and ranks 1-32, seeds 1-3.
# Usage: benchmarks/graph.sh [gcn] [gin]   Writes benchmarks/results/graph/*.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/graph
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
parts=${*:-gcn gin}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), one thread" > "$OUT/machine.txt"
for model in gcn gin; do
  [[ $parts == *$model* ]] || continue
  : > "$OUT/$model.jsonl"
  for r in full 1 2 4 8 16 32; do
    for seed in 1 2 3; do
      a=(--rank "$r"); [[ $r == full ]] && a=(--full)
      $L graph train --model $model "${a[@]}" --seed $seed --quiet --json -o "$TMP/m.lotta" >> "$OUT/$model.jsonl"
    done
  done
done
