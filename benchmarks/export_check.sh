#!/usr/bin/env bash
# Checks `lottalora export` with tools that are not ours: PyTorch runs the merged safetensors (read by a
# numpy reader written from the safetensors spec) and must agree with `lottalora predict`; base + PEFT files
# must rebuild the merged weights. Digits, MLP 64-128-64-10 rank 8, 5 epochs; 300 rows.
# Writes benchmarks/results/export_check.txt. Needs python3-torch (Debian's /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./lottalora train --epochs 5 --lr 3e-3 --widths 128,64 --quiet --out "$tmp/m.lotta" > /dev/null
python3 -c "import gzip,sys; [print(l.rsplit(',',1)[0]) for l in gzip.open(sys.argv[1],'rt').read().split()[-300:]]" \
  lottalora-core/src/main/resources/org/lottalora/core/data/digits.csv.gz > "$tmp/in.csv"
./lottalora predict "$tmp/m.lotta" "$tmp/in.csv" --json -k 1 > "$tmp/pred.jsonl"
./lottalora export "$tmp/m.lotta" -o "$tmp/merged.safetensors" > /dev/null
./lottalora export "$tmp/m.lotta" --format base -o "$tmp/base.safetensors" > /dev/null
./lottalora export "$tmp/m.lotta" --format peft -o "$tmp/peft" > /dev/null 2>&1
/usr/bin/python3 benchmarks/scripts/safetensors_check.py "$tmp/m.lotta" "$tmp/merged.safetensors" \
  "$tmp/base.safetensors" "$tmp/peft" "$tmp/in.csv" "$tmp/pred.jsonl" | tee benchmarks/results/export_check.txt
