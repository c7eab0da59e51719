#!/usr/bin/env bash
# Issue 21: adapters on a user's own SameDiff graph against the built-in MLP family, Fashion-MNIST.
#   wrapped:  the medium MLP 784-512-256-128-64-10 written in SameDiff (org.lottalora.bench.AdaptedMlpBench),
#             wrapped in LottaLoRA mode (hidden weights from the seed, rank R adapters, head trained in full),
#             trained by SameDiff's own fit with the family's recipe (20 epochs, batch 128, AdamW 1e-3, wd 1e-2,
#             cosine); test accuracy after the last epoch.
#   built-in: `lottalora train` on the same split and recipe, same rank (test accuracy of the best-validation epoch).
# Usage: benchmarks/adapt.sh [rank] [epochs] [seeds...]   (defaults 8 20 0 1 2; 5-7 min per wrapped run
# on 2 cores: SameDiff trains this MLP at 1-3k samples/s). Writes benchmarks/results/adapt/*.jsonl.
# Needs Debian's dataset-fashion-mnist and `mvn -o -q -B -pl benchmarks,lottalora-cli -am package -DskipTests`.
set -euo pipefail
cd "$(dirname "$0")/.."
R=${1:-8}
E=${2:-20}
shift $(( $# >= 2 ? 2 : $# ))
SEEDS=${*:-0 1 2}
OUT=benchmarks/results/adapt
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), threads ${LOTTALORA_THREADS:-1}" > "$OUT/machine.txt"
: > "$OUT/builtin-r$R.jsonl"
for s in $SEEDS; do
  ${LOTTALORA:-./lottalora} train --dataset fashion-mnist --no-download --widths 784-512-256-128-64-10 --epochs "$E" --batch 128 \
    --lr 1e-3 --wd 1e-2 --alpha 1 --init normal --seed "$s" --rank "$R" --out "$TMP/m.lotta" --quiet --json \
    >> "$OUT/builtin-r$R.jsonl"
done
# shellcheck disable=SC2086
java -cp "${BENCH_JAR:-benchmarks/target/benchmarks.jar}" org.lottalora.bench.AdaptedMlpBench "$R" "$E" $SEEDS \
  > "$OUT/wrapped-r$R.jsonl"
cat "$OUT/builtin-r$R.jsonl" "$OUT/wrapped-r$R.jsonl"
