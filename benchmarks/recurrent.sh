#!/usr/bin/env bash
# Recurrent figures (issue 5): the CfC (and the LSTM) on the hand-written engine.
#   fmnist: sequential Fashion-MNIST (28 rows of 28 pixels), full training and ranks 1-32, hidden 32 / units 32,
#           all 54,000 training images, 8 epochs, batch 64, lr 0.01, seed 0; the LSTM at full and rank 8 alongside.
#   irregular: the irregularly sampled binary task (2,000 series, 20% positive), CfC against LSTM, with and without
#           balanced class weights, rank 8 and full, 15 epochs; test AUROC.
#   fulllr, irrlr: the fully trained CfC and LSTM baselines at lr 3e-3 and 1e-3 too, on both tasks (full training
#           at 0.01 is unstable), so recovery is measured against the best full run.
# Usage: benchmarks/recurrent.sh [fmnist] [irregular] [fulllr] [irrlr]   Writes benchmarks/results/recurrent/*.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/recurrent
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
parts=${*:-fmnist irregular fulllr irrlr}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), one thread (the engine is single-threaded)" \
  > "$OUT/machine.txt"
if [[ $parts == *fmnist* ]]; then
  : > "$OUT/fmnist.jsonl"
  for r in full 1 2 4 8 16 32; do
    a=(--rank "$r"); [[ $r == full ]] && a=(--full)
    $L sequence train --cell cfc --data fashion-mnist --epochs 8 "${a[@]}" --quiet --json -o "$TMP/m.lotta" \
      >> "$OUT/fmnist.jsonl"
  done
  for r in full 8; do
    a=(--rank "$r"); [[ $r == full ]] && a=(--full)
    $L sequence train --cell lstm --data fashion-mnist --epochs 8 "${a[@]}" --quiet --json -o "$TMP/m.lotta" \
      >> "$OUT/fmnist.jsonl"
  done
fi
if [[ $parts == *irregular* ]]; then
  : > "$OUT/irregular.jsonl"
  for cell in cfc lstm; do
    for w in none balanced; do
      for r in full 8; do
        a=(--rank "$r"); [[ $r == full ]] && a=(--full)
        $L sequence train --cell $cell --data irregular --epochs 15 --class-weights $w "${a[@]}" --quiet --json \
          -o "$TMP/m.lotta" >> "$OUT/irregular.jsonl"
      done
    done
  done
fi
if [[ $parts == *fulllr* ]]; then
  : > "$OUT/fmnist-full-lr.jsonl"
  for cell in cfc lstm; do
    for lr in 3e-3 1e-3; do
      $L sequence train --cell $cell --data fashion-mnist --epochs 8 --full --lr $lr --quiet --json -o "$TMP/m.lotta" \
        | sed "s/^{/{\"lr\":$lr,/" >> "$OUT/fmnist-full-lr.jsonl"
    done
  done
fi
if [[ $parts == *irrlr* ]]; then
  : > "$OUT/irregular-full-lr.jsonl"
  for cell in cfc lstm; do
    for w in none balanced; do
      for lr in 3e-3 1e-3; do
        $L sequence train --cell $cell --data irregular --epochs 15 --class-weights $w --full --lr $lr --quiet --json \
          -o "$TMP/m.lotta" | sed "s/^{/{\"lr\":$lr,/" >> "$OUT/irregular-full-lr.jsonl"
      done
    done
  done
fi
