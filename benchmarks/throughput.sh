#!/usr/bin/env bash
# Training throughput, LottaLoRA vs PyTorch, same model (medium MLP 784-512-256-128-64-10), same data
# (Fashion-MNIST train split), batch 128, AdamW; rank 8 and full training; threads 1 and 2 for each side.
# Rounds alternate Java and PyTorch so both see the same machine state; the table takes medians over rounds.
# Usage: benchmarks/throughput.sh [rounds] [rows] [epochs]
# Needs: Debian's python3-torch, libopenblas0-pthread, dataset-fashion-mnist; the benchmarks jar
# (mvn -B -q install -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/scripts/blas_env.sh
rounds=${1:-3}
rows=${2:-25600}
epochs=${3:-3}
log=benchmarks/results/throughput.log
: > "$log"
for round in $(seq 1 "$rounds"); do
  for t in 1 2; do
    java -cp benchmarks/target/benchmarks.jar org.lottalora.bench.TrainThroughput "$t" "$rows" "$epochs" | tee -a "$log"
    /usr/bin/python3 benchmarks/peer/torch_mlp_throughput.py "$t" "$rows" "$epochs" | tee -a "$log"
  done
done
python3 benchmarks/scripts/throughput_table.py "$log" "nproc=$(nproc); $blas_env_line; $(java -version 2>&1 | head -1); \
torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') with $(dpkg -l libopenblas0-pthread 2>/dev/null | awk '/^ii/{print $2" "$3}')" \
  > benchmarks/results/throughput.md
cat benchmarks/results/throughput.md
