#!/usr/bin/env bash
# Cold start of a 104M-backbone-parameter model (MLP 784-4096x7-10, rank 8), each path to a first prediction: the
# seed + adapters artifact loaded graph-free (MergedModel.load), the same model's dense fp32 safetensors read and built
# into the same merged model, the artifact through the SameDiff graph (LottaModel.load), regeneration alone; warm and
# (as root) cold page cache; peak resident memory of each path in a fresh JVM; refusal of a lying file. Medians of
# REPEATS runs. Writes benchmarks/results/load_time.txt (OUT overrides).
# The JVM adds the Vector API module (SIMD normals; SIMD=0 leaves it out to time the scalar generator).
# Usage: REPEATS=5 [SIMD=0] [JAVA_OPTS=...] benchmarks/load_time.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f benchmarks/target/benchmarks.jar ]] || mvn -B -q -DskipTests install
{
  echo "# $(date -u +%F) nproc=$(nproc) $(java -version 2>&1 | head -1) BLAS threads=1 JAVA_OPTS=${JAVA_OPTS:-none}"
  echo "# command: REPEATS=${REPEATS:-5} SIMD=${SIMD:-1} benchmarks/load_time.sh"
  simd=""
  [[ "${SIMD:-1}" == 1 ]] && simd="--add-modules jdk.incubator.vector"
  java -Xmx12g $simd ${JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar org.lottalora.bench.LoadTime "${REPEATS:-5}" \
    4096 7 2>&1 | grep -v '^\[main\]'
} | tee "${OUT:-benchmarks/results/load_time.txt}"
