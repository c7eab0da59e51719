#!/usr/bin/env bash
# CNN figures (issue 5): Plain-8 (stem + stages of 16/32/64 channels) on Fashion-MNIST, full training against
# adapters at ranks 1-32, and plain LoRA against DoRA + residual at the same rank.
# Usage: benchmarks/cnn.sh [max-train] [epochs]     (defaults 4000 and 3: ~6 min a run on 2 cores)
# Writes benchmarks/results/cnn/fmnist.jsonl (one `lottalora train --json` report per line).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/cnn
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
MAX=${1:-4000}
EPOCHS=${2:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), threads 1, max-train $MAX, epochs $EPOCHS" \
  > "$OUT/machine.txt"
run() {
  $L train --family cnn --dataset fashion-mnist --max-train "$MAX" --epochs "$EPOCHS" --lr 1e-2 --threads 1 \
    --quiet --json --out "$TMP/m.lotta" "$@" >> "$OUT/fmnist.jsonl"
}
: > "$OUT/fmnist.jsonl"
run --full
for r in 1 2 4 8 16 32; do
  run --rank $r
done
for r in 4 8; do
  run --rank $r --dora --residual
done
