#!/usr/bin/env bash
# Text-classifier figures (issue 4, the paper's IMDB setting on data we have): KJV verses labelled old / new
# testament (every 4th verse of each testament up to 128 bytes, 1,250 per testament, from Debian's bible-kjv via
# benchmarks/scripts/kjv_testament_csv.py), 70 / 15 / 15 split, the default encoder (2 blocks, width 64, 4 heads,
# MLP 128 frozen random, context 128 bytes), 6 epochs, batch 32, seed 0; full training at lr 3e-3 and 1e-3 and
# adapters on attention at ranks 1, 2, 4, 8, 16 (lr 3e-3); part `control`: no adapters at all (--attention frozen:
# only the embeddings, norms and head train), which says how much of the task the adapters carry.
# Usage: benchmarks/text.sh [sweep] [control]   Writes benchmarks/results/text/kjv_testament.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/text
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
bible "Gen1:1-Rev22:21" | python3 benchmarks/scripts/kjv_testament_csv.py 4 128 > "$TMP/verses.csv"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), --threads 1; $(($(wc -l < "$TMP/verses.csv") - 1))" \
  "verses" > "$OUT/machine.txt"
parts=${*:-sweep control}
[[ $parts == *sweep* ]] && : > "$OUT/kjv_testament.jsonl"
for r in full:3e-3 full:1e-3 1:3e-3 2:3e-3 4:3e-3 8:3e-3 16:3e-3; do
  [[ $parts == *sweep* ]] || break
  rank=${r%%:*}; lr=${r##*:}
  a=(--rank "$rank"); [[ $rank == full ]] && a=(--full)
  $L text train --data "$TMP/verses.csv" --epochs 6 --lr "$lr" --threads 1 "${a[@]}" --quiet --json \
    -o "$TMP/m.lotta" >> "$OUT/kjv_testament.jsonl"
done
if [[ $parts == *control* ]]; then
  $L text train --data "$TMP/verses.csv" --epochs 6 --lr 3e-3 --threads 1 --attention frozen --quiet --json \
    -o "$TMP/m.lotta" >> "$OUT/kjv_testament.jsonl"
fi
