#!/usr/bin/env bash
# Language-model figures (issue 4): the byte-level LLaMA-style LM on the KJV text.
#   kjv: presets tiny (2 layers, width 64) and small (4 layers, width 128), the same token budget for both
#        (300 steps x 16 windows x 128 bytes = 614,400 bytes), full training (lr 3e-3 and 1e-3, the best kept)
#        and ranks 1, 2, 4, 8 (lr 3e-3), seed 0, the last 10% of the text held out (65,536 bytes scored).
#   adapterlr: full training and ranks 8, 1, 2, 4 at lr 1e-2 too, for both presets (every row is then tuned over
#        two rates),
#        and the control without adapters (--attention frozen: only the embedding and the norms train).
# Usage: benchmarks/lm.sh [kjv] [adapterlr]   Writes benchmarks/results/lm/*.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/lm
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
parts=${*:-kjv adapterlr}
TEXT=${KJV:-$TMP/kjv.txt}
[[ -f $TEXT ]] || bible "Gen1:1-Rev22:21" > "$TEXT"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), --threads 2 (ND4J GEMM; the rest of the engine is" \
  "single-threaded); text: $(wc -c < "$TEXT") bytes of KJV" > "$OUT/machine.txt"
if [[ $parts == *kjv* ]]; then
  : > "$OUT/kjv.jsonl"
  for preset in tiny small; do
    for r in full:3e-3 full:1e-3 1:3e-3 2:3e-3 4:3e-3 8:3e-3; do
      rank=${r%%:*}; lr=${r##*:}
      a=(--rank "$rank"); [[ $rank == full ]] && a=(--full)
      $L lm train --data "$TEXT" --preset $preset --steps 300 --batch 16 --seq-len 128 --lr "$lr" --threads 2 \
        "${a[@]}" --quiet --json -o "$TMP/m.lotta" >> "$OUT/kjv.jsonl"
    done
  done
fi
if [[ $parts == *adapterlr* ]]; then
  for preset in tiny small; do
    $L lm train --data "$TEXT" --preset $preset --steps 300 --batch 16 --seq-len 128 --lr 1e-2 --threads 2 \
      --full --quiet --json -o "$TMP/m.lotta" >> "$OUT/kjv.jsonl"
    for rank in 8 1 2 4; do
      $L lm train --data "$TEXT" --preset $preset --steps 300 --batch 16 --seq-len 128 --lr 1e-2 --threads 2 \
        --rank $rank --quiet --json -o "$TMP/m.lotta" >> "$OUT/kjv.jsonl"
    done
    $L lm train --data "$TEXT" --preset $preset --steps 300 --batch 16 --seq-len 128 --lr 3e-3 --threads 2 \
      --attention frozen --quiet --json -o "$TMP/m.lotta" >> "$OUT/kjv.jsonl"
  done
fi
