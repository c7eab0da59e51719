#!/usr/bin/env bash
# Accuracy re-runs after the move to one engine (issue 16): the RESULTS rows that the engine's ops and the new
# rules (weight decay, schedule) touch, with the commands of their sections: the small byte LM at rank 8 (lr 1e-2)
# and in full (lr 3e-3), 300 steps (13.1); the ViT at rank 8 (lr 3e-3) and in full (lr 1e-3), 10,000 images, 5
# epochs (13.2); the medium MLP on Fashion-MNIST at rank 8, 20 epochs (1, rank table). One seed each (seed 0, as
# the rows they are compared with). Part "families": GCN and GIN, full and rank 8, backbone seeds 1-3 (12.4), and
# the CfC and LSTM on the irregular series, rank 8 and the CfC's best full run (lr 3e-3) (12.3). Part "sequential":
# sequential Fashion-MNIST (12.2), the CfC at rank 8 and in full at its best lr (1e-3) over backbone seeds 0-2, the
# LSTM at rank 8 (seed 0).
# Usage: benchmarks/engine_accuracy.sh [transformers] [families] [sequential]
#   Writes benchmarks/results/engine/accuracy.jsonl, families.jsonl and sequential.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
L=${LOTTALORA:-./lottalora}
OUT=benchmarks/results/engine
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TEXT=${KJV:-$TMP/kjv.txt}
[[ -f $TEXT ]] || bible "Gen1:1-Rev22:21" > "$TEXT"
parts=${*:-transformers families}
tag() { python3 -c "import json,sys; j=json.load(sys.stdin); j['run']='$1'; print(json.dumps(j))"; }
if [[ $parts == *sequential* ]]; then
  seq=$OUT/sequential.jsonl
  : > "$seq"
  for seed in 0 1 2; do
    $L sequence train --cell cfc --data fashion-mnist --epochs 8 --rank 8 --seed $seed --quiet --json \
      -o "$TMP/m.lotta" | tag "cfc fmnist rank 8 seed $seed" >> "$seq"
    $L sequence train --cell cfc --data fashion-mnist --epochs 8 --full --lr 1e-3 --seed $seed --quiet --json \
      -o "$TMP/m.lotta" | tag "cfc fmnist full lr 1e-3 seed $seed" >> "$seq"
  done
  $L sequence train --cell lstm --data fashion-mnist --epochs 8 --rank 8 --quiet --json -o "$TMP/m.lotta" \
    | tag "lstm fmnist rank 8 seed 0" >> "$seq"
fi
if [[ $parts == *families* ]]; then
  fam=$OUT/families.jsonl
  : > "$fam"
  for model in gcn gin; do
    for r in full 8; do
      for seed in 1 2 3; do
        a=(--rank "$r"); [[ $r == full ]] && a=(--full)
        $L graph train --model $model "${a[@]}" --seed $seed --quiet --json -o "$TMP/m.lotta" \
          | tag "$model $r seed $seed" >> "$fam"
      done
    done
  done
  for cell in cfc lstm; do
    $L sequence train --cell $cell --data irregular --epochs 15 --class-weights none --rank 8 --quiet --json \
      -o "$TMP/m.lotta" | tag "$cell irregular rank 8" >> "$fam"
  done
  $L sequence train --cell cfc --data irregular --epochs 15 --class-weights none --full --lr 3e-3 --quiet --json \
    -o "$TMP/m.lotta" | tag "cfc irregular full lr 3e-3" >> "$fam"
  python3 - "$fam" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    j = json.loads(l)
    print(j["run"], {k: j[k] for k in ("test_accuracy", "test_auroc", "median_beta") if k in j})
PY
fi
[[ $parts == *transformers* ]] || exit 0
log=$OUT/accuracy.jsonl
: > "$log"
$L lm train --data "$TEXT" --preset small --steps 300 --batch 16 --seq-len 128 --lr 1e-2 --threads 1 --rank 8 \
  --quiet --json -o "$TMP/m.lotta" | tag "lm small rank 8 lr 1e-2" >> "$log"
$L lm train --data "$TEXT" --preset small --steps 300 --batch 16 --seq-len 128 --lr 3e-3 --threads 1 --full \
  --quiet --json -o "$TMP/m.lotta" | tag "lm small full lr 3e-3" >> "$log"
$L vit train --data fashion-mnist --no-download --max-train 10000 --epochs 5 --batch 64 --lr 3e-3 --threads 1 \
  --rank 8 --quiet --json -o "$TMP/m.lotta" | tag "vit rank 8 lr 3e-3" >> "$log"
$L vit train --data fashion-mnist --no-download --max-train 10000 --epochs 5 --batch 64 --lr 1e-3 --threads 1 \
  --full --quiet --json -o "$TMP/m.lotta" | tag "vit full lr 1e-3" >> "$log"
$L train --dataset fashion-mnist --no-download --widths 784-512-256-128-64-10 --epochs 20 --batch 128 --lr 1e-3 \
  --wd 1e-2 --alpha 1 --init normal --seed 0 --rank 8 --out "$TMP/m.lotta" --quiet --json \
  | tag "mlp medium rank 8" >> "$log"
python3 - "$log" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    j = json.loads(l)
    keys = [k for k in ("validation_loss", "test_accuracy", "held_out_loss", "best_epoch", "median_beta",
                        "trainable_fraction") if k in j]
    print(j["run"], {k: j[k] for k in keys})
PY
