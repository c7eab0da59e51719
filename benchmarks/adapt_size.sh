#!/usr/bin/env bash
# Issue 21: artifact size of PyTorch-exported ONNX models wrapped with adapters, against the ONNX file's size,
# both bases (seed, pretrained) at ranks 1-8, and the ONNX import time (first in the JVM, then again).
# Usage: benchmarks/adapt_size.sh   Writes benchmarks/results/adapt/onnx-size.jsonl.
# Needs Debian's python3-torch and python3-onnx (run with /usr/bin/python3) and the benchmarks jar
# (mvn -o -q -B -pl benchmarks -am package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/adapt
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
/usr/bin/python3 benchmarks/scripts/export_onnx_models.py "$TMP" >&2
java -cp "${BENCH_JAR:-benchmarks/target/benchmarks.jar}" org.lottalora.bench.AdaptedOnnxSize \
  "$TMP/mlp-medium.onnx" "$TMP/cnn-small.onnx" > "$OUT/onnx-size.jsonl"
cat "$OUT/onnx-size.jsonl"
