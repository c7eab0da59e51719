#!/usr/bin/env bash
# Fashion-MNIST, medium MLP (784-512-256-128-64-10), 20 epochs, batch 128, AdamW lr 1e-3 wd 1e-2, cosine,
# alpha 1, fan-in normal scaffold: full training and ranks 1..32. Writes benchmarks/results/fashion-mnist-ranks.jsonl
# and the table benchmarks/results/fashion-mnist-ranks.md. Needs Debian's dataset-fashion-mnist.
# Usage: benchmarks/rank_table.sh [extra train options]
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results/fashion-mnist-ranks.jsonl
tmp=$(mktemp -d)
: > "$out.part"
for mode in full 1 2 4 8 16 32; do
  if [[ $mode == full ]]; then m=(--full); else m=(--rank "$mode"); fi
  ./lottalora train --dataset fashion-mnist --no-download --widths 784-512-256-128-64-10 --epochs 20 --batch 128 \
    --lr 1e-3 --wd 1e-2 --alpha 1 --init normal --seed 0 "${m[@]}" --out "$tmp/m.lotta" --quiet --json "$@" \
    >> "$out.part"
  echo "done: $mode" >&2
done
mv "$out.part" "$out"
python3 benchmarks/scripts/rank_table.py "$out" "nproc=$(nproc), threads=${LOTTALORA_THREADS:-1}, $(java -version 2>&1 | head -1)" \
  > benchmarks/results/fashion-mnist-ranks.md
cat benchmarks/results/fashion-mnist-ranks.md
