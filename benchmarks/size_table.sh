#!/usr/bin/env bash
# Artifact size at each storage dtype against the dense model as fp32 and fp16 safetensors, with the test
# accuracy change each dtype causes. Fashion-MNIST, medium MLP 784-512-256-128-64-10 at ranks 1..32, and the
# largest model the project has (an MLP 784-2048-2048-1024-10 at rank 8: mlp is the only family so far).
# Every model: EPOCHS epochs (default 10), batch 128, AdamW lr 1e-3, seed 0. Sizes are the real files:
# `convert` writes each dtype, `export` writes the dense safetensors. Needs Debian's dataset-fashion-mnist.
# Writes benchmarks/results/sizes.jsonl and benchmarks/results/sizes.md.
# Usage: EPOCHS=10 benchmarks/size_table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${LOTTALORA_JAR:-lottalora-cli/target/lottalora.jar}
[[ -f $jar ]] || ./lottalora --version >/dev/null
lotta() { java -jar "$jar" "$@"; }
epochs=${EPOCHS:-10}
out=benchmarks/results/sizes.jsonl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$out.part"
run() { # name widths rank
  local name=$1 widths=$2 rank=$3 m=$tmp/$1.lotta
  lotta train --dataset fashion-mnist --no-download --widths "$widths" --rank "$rank" --epochs "$epochs" \
    --batch 128 --lr 1e-3 --seed 0 --out "$m" --quiet --json > "$tmp/$name.train.json"
  lotta export "$m" -o "$tmp/$name.fp32.safetensors" --dtype fp32 > /dev/null
  lotta export "$m" -o "$tmp/$name.fp16.safetensors" --dtype fp16 > /dev/null
  for d in fp32 fp16 bf16 int8; do
    lotta convert "$m" --dtype "$d" -o "$tmp/$name.$d.lotta" --eval --json > "$tmp/$name.$d.json"
  done
  python3 - "$name" "$widths" "$rank" "$tmp" >> "$out.part" <<'PY'
import json, os, sys
name, widths, rank, tmp = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
train = json.load(open(f"{tmp}/{name}.train.json"))
row = {"model": name, "layout": widths, "rank": rank, "trainable_params": train["trainable_params"],
       "model_params": train["model_params"],
       "dense_fp32_safetensors_bytes": os.path.getsize(f"{tmp}/{name}.fp32.safetensors"),
       "dense_fp16_safetensors_bytes": os.path.getsize(f"{tmp}/{name}.fp16.safetensors")}
for d in ["fp32", "fp16", "bf16", "int8"]:
    c = json.load(open(f"{tmp}/{name}.{d}.json"))
    row[d] = {"bytes": c["bytes_after"], "test_accuracy": c["test_accuracy_after"],
              "accuracy_change": c["test_accuracy_after"] - c["test_accuracy_before"],
              "predictions_changed": c["predictions_changed"], "test_samples": c["test_samples"]}
print(json.dumps(row))
PY
  echo "done: $name" >&2
}
for r in 1 2 4 8 16 32; do run "medium-r$r" 784-512-256-128-64-10 "$r"; done
run "wide-r8" 784-2048-2048-1024-10 8
mv "$out.part" "$out"
python3 benchmarks/scripts/size_table.py "$out" "epochs=$epochs, nproc=$(nproc), threads=${LOTTALORA_THREADS:-1}, $(java -version 2>&1 | head -1)" \
  > benchmarks/results/sizes.md
cat benchmarks/results/sizes.md
