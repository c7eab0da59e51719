#!/usr/bin/env bash
# Load time of a 104M-backbone-parameter model (MLP 784-4096x7-10, rank 8): seed + adapters artifact to a
# ready-to-predict LottaModel, regeneration alone, and reading the same model's dense fp32 safetensors (the
# merged export) into float arrays, from a warm and (as root) a cold page cache. Medians of REPEATS runs.
# Writes benchmarks/results/load_time.txt (OUT overrides). Usage: REPEATS=5 THREADS=2 [JAVA_OPTS=...] benchmarks/load_time.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f benchmarks/target/benchmarks.jar ]] || mvn -B -q -DskipTests install
{
  echo "# $(date -u +%F) nproc=$(nproc) $(java -version 2>&1 | head -1) ND4J threads=1 JAVA_OPTS=${JAVA_OPTS:-none}"
  java -Xmx12g ${JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar org.lottalora.bench.LoadTime "${REPEATS:-5}" "${THREADS:-$(nproc)}" \
    4096 7 2>&1 | grep -v '^\[main\]'
} | tee "${OUT:-benchmarks/results/load_time.txt}"
