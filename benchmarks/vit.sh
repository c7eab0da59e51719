#!/usr/bin/env bash
# ViT figures (issue 4): Fashion-MNIST, the small ViT (4 blocks, width 64, 4 heads, MLP 128, 7x7 patches: 16
# patches + class token), 10,000 training images (--max-train), 5 epochs, batch 64, seed 0; full training at lr 3e-3
# and 1e-3 (the best kept as the reference) and ranks 1, 2, 4, 8, 16, 32 at 3e-3 (adapters on Q, K, V, O and both
# MLP matrices). Test accuracy on the dataset's test split. Part `control`: no adapters (--attention frozen --mlp
# frozen: only the patch embedding, class token, positions, LayerNorms and head train).
# Usage: benchmarks/vit.sh [sweep] [control]   Writes benchmarks/results/vit/fmnist.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/vit
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), --threads 1" > "$OUT/machine.txt"
parts=${*:-sweep control}
[[ $parts == *sweep* ]] && : > "$OUT/fmnist.jsonl"
for r in full:3e-3 full:1e-3 1:3e-3 2:3e-3 4:3e-3 8:3e-3 16:3e-3 32:3e-3; do
  [[ $parts == *sweep* ]] || break
  rank=${r%%:*}; lr=${r##*:}
  a=(--rank "$rank"); [[ $rank == full ]] && a=(--full)
  $L vit train --data fashion-mnist --max-train 10000 --epochs 5 --batch 64 --lr "$lr" --threads 1 "${a[@]}" \
    --quiet --json -o "$TMP/m.lotta" >> "$OUT/fmnist.jsonl"
done
if [[ $parts == *control* ]]; then
  $L vit train --data fashion-mnist --max-train 10000 --epochs 5 --batch 64 --lr 3e-3 --threads 1 --attention frozen \
    --mlp frozen --quiet --json -o "$TMP/m.lotta" >> "$OUT/fmnist.jsonl"
fi
