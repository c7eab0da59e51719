#!/usr/bin/env bash
# ANN-to-SNN conversion (issue 23): a rank-8 LottaLoRA MLP and its fully trained twin, on digits and on
# Fashion-MNIST, converted to rate-coded IF networks (`lottalora snn convert`): ANN accuracy against SNN accuracy at
# 50/100/250/500 steps (one 500-step run read at each checkpoint), clean and with the central 25% of the image
# zeroed; plus, on digits, reset to zero, Poisson input and the max rule (p = 100), and a Plain-8 CNN pair.
# Usage: benchmarks/snn_conversion.sh [fmnist-epochs]     (default 10; about 8 minutes on 2 cores)
# Fashion-MNIST comes from the usual search path ($LOTTALORA_DATA, ~/.cache/lottalora, /usr/share/datasets).
# Writes benchmarks/results/snn-conversion/{runs.jsonl,table.md,machine.txt}.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/snn-conversion
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
EPOCHS=${1:-10}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); training 1 ND4J thread; simulation --threads 2" \
  > "$OUT/machine.txt"
: > "$OUT/runs.jsonl"
start=$SECONDS

train() { # name dataset args...
  local name=$1 data=$2
  shift 2
  $L train --dataset "$data" --threads 1 --quiet --json --out "$TMP/$name.lotta" "$@" > "$TMP/$name.train.json"
  echo "trained $name: $(grep -o '"test_accuracy":[0-9.]*' "$TMP/$name.train.json") ($((SECONDS - start)) s)" >&2
}
convert() { # name dataset label args...
  local name=$1 data=$2 label=$3
  shift 3
  $L snn convert "$TMP/$name.lotta" --dataset "$data" --steps 50,100,250,500 --threads 2 --json "$@" \
    | sed "s/^{/{\"run\":\"$label\",/" >> "$OUT/runs.jsonl"
  echo "converted $label ($((SECONDS - start)) s)" >&2
}

# digits (embedded, 1,437 train / 360 test): the default medium MLP 64-512-256-128-64-10
train dg-r8 digits --rank 8 --epochs 20 --lr 3e-3
train dg-full digits --full --epochs 20 --lr 3e-3
convert dg-r8 digits "digits mlp rank 8"
convert dg-full digits "digits mlp full"
convert dg-r8 digits "digits mlp rank 8, reset zero" --reset zero
convert dg-full digits "digits mlp full, reset zero" --reset zero
convert dg-r8 digits "digits mlp rank 8, poisson input" --coding poisson
convert dg-r8 digits "digits mlp rank 8, max rule (p=100)" --percentile 100

# digits, Plain-8 CNN (16x3,32x2,64x2; BatchNorm folded, pooling folded into the head)
train dg-cnn-r8 digits --family cnn --rank 8 --epochs 10 --lr 1e-2
train dg-cnn-full digits --family cnn --full --epochs 10 --lr 1e-2
convert dg-cnn-r8 digits "digits cnn rank 8"
convert dg-cnn-full digits "digits cnn full"

# Fashion-MNIST (54,000 train / 6,000 validation / 10,000 test): medium MLP 784-512-256-128-64-10
train fm-r8 fashion-mnist --widths 784-512-256-128-64-10 --rank 8 --epochs "$EPOCHS" --batch 128 --lr 1e-3
train fm-full fashion-mnist --widths 784-512-256-128-64-10 --full --epochs "$EPOCHS" --batch 128 --lr 1e-3
convert fm-r8 fashion-mnist "fashion-mnist mlp rank 8"
convert fm-full fashion-mnist "fashion-mnist mlp full"
convert fm-r8 fashion-mnist "fashion-mnist mlp rank 8, reset zero" --reset zero
convert fm-r8 fashion-mnist "fashion-mnist mlp rank 8, poisson input (first 2,000 test images)" --coding poisson \
  --limit 2000

python3 - "$OUT/runs.jsonl" > "$OUT/table.md" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| run | test rows | ANN | SNN@50 | SNN@100 | SNN@250 | SNN@500 | ANN occl. | SNN@50 occl. | SNN@100 occl. "
      "| SNN@250 occl. | SNN@500 occl. | spikes/neuron/step @500 (clean / occl.) | sim. s |")
print("|---" * 14 + "|")
for r in rows:
    a = " | ".join(f"{v:.4f}" for v in r["snn_accuracy"])
    o = " | ".join(f"{v:.4f}" for v in r["snn_accuracy_occluded"])
    print(f"| {r['run']} | {r['rows']:,} | {r['ann_accuracy']:.4f} | {a} | {r['ann_accuracy_occluded']:.4f} | {o} | "
          f"{r['spikes_per_neuron_step'][-1]:.3f} / {r['spikes_per_neuron_step_occluded'][-1]:.3f} | "
          f"{r['simulation_seconds']:.1f} |")
PY
echo "done in $((SECONDS - start)) s" >&2
echo "wall time: $((SECONDS - start)) s" >> "$OUT/machine.txt"
