#!/usr/bin/env bash
# Spiking-network figures (issue: BindsNET-style simulation, STDP, Diehl & Cook, LM-SNN, delay learning).
# Usage: benchmarks/snn.sh [part...]   parts: speed dc lm lc delay peer (default: all)
# Writes JSON lines into benchmarks/results/snn/; tables by benchmarks/scripts/snn_table.py.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/snn
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
BENCH=${BENCH_JAR:-benchmarks/target/benchmarks.jar}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
parts=${*:-speed dc lm lc delay peer}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)" > "$OUT/machine.txt"
tag() { sed "s/^/{\"case\":\"$1\",\"seed\":$2,\"r\":/; s/$/}/"; }

if [[ $parts == *speed* ]]; then
  [[ -f $BENCH ]] || mvn -B -q -DskipTests install
  : > "$OUT/speed.jsonl"
  for n in 1000 10000; do
    for t in 1 2; do
      OMP_NUM_THREADS=1 java -Xmx3g -cp "$BENCH" org.lottalora.bench.SnnSpeed net $n $t >> "$OUT/speed.jsonl"
    done
  done
  for n in 100 1000 10000; do
    OMP_NUM_THREADS=1 java -cp "$BENCH" org.lottalora.bench.SnnSpeed nd4j $n >> "$OUT/speed.jsonl"
  done
fi

if [[ $parts == *dc* ]]; then
  : > "$OUT/dc.jsonl"
  for seed in 0 1 2; do
    $L snn train --dataset digits --neurons 100 --train-examples 5000 --seed $seed -o "$TMP/m.lotta" --json \
      | tag dc-digits-100 $seed >> "$OUT/dc.jsonl"
  done
  # one pass over the 54,000 Fashion-MNIST training images, labels from 10,000 of them, the whole test set
  for n in 100 400; do
    $L snn train --dataset fashion-mnist --neurons $n --train-examples 54000 --label-examples 10000 --seed 1 \
      -o "$OUT/dc-fmnist-$n.lotta" --json | tag dc-fmnist-$n 1 >> "$OUT/dc.jsonl"
  done
  $L snn inspect "$OUT/dc-fmnist-100.lotta" --dataset fashion-mnist --plots "$OUT/dc-fmnist-100-plots" > /dev/null
  rm -f "$OUT"/dc-fmnist-*.lotta "$OUT"/*-plots/*.svg
fi

if [[ $parts == *lm* ]]; then
  : > "$OUT/lm.jsonl"
  for seed in 0 1 2; do
    for s in growing two-level constant; do
      $L snn train --network lm-snn --dataset digits --neurons 100 --train-examples 5000 --inhibition $s \
        --seed $seed -o "$TMP/m.lotta" --json | tag lm-digits-100-$s $seed >> "$OUT/lm.jsonl"
    done
    for c in 17.5 40; do
      $L snn train --network lm-snn --dataset digits --neurons 100 --train-examples 5000 --inh $c \
        --seed $seed -o "$TMP/m.lotta" --json | tag lm-digits-100-cmax$c $seed >> "$OUT/lm.jsonl"
    done
  done
  $L snn train --network lm-snn --dataset fashion-mnist --neurons 100 --train-examples 54000 \
    --label-examples 10000 --seed 1 -o "$OUT/lm-fmnist-100.lotta" --json | tag lm-fmnist-100 1 >> "$OUT/lm.jsonl"
  $L snn inspect "$OUT/lm-fmnist-100.lotta" --dataset fashion-mnist --plots "$OUT/lm-fmnist-100-plots" > /dev/null
  rm -f "$OUT/lm-fmnist-100.lotta" "$OUT"/*-plots/*.svg
fi

if [[ $parts == *lc* ]]; then
  : > "$OUT/lc.jsonl"
  for seed in 0 1 2; do
    $L snn train --network lc-snn --dataset digits --filters 25 --train-examples 5000 --seed $seed \
      -o "$TMP/m.lotta" --json | tag lc-digits-k4s2f25 $seed >> "$OUT/lc.jsonl"
  done
  $L snn train --network lc-snn --dataset fashion-mnist --filters 25 --train-examples 54000 --label-examples 10000 \
    --seed 1 -o "$TMP/m.lotta" --json | tag lc-fmnist-k12s4f25 1 >> "$OUT/lc.jsonl"
fi

if [[ $parts == *delay* ]]; then
  : > "$OUT/delay.jsonl"
  for p in 4 8; do
    for j in 0 1 2 3; do
      for seed in 0 1 2; do
        $L snn train --network delay --patterns $p --jitter $j --train-examples 400 --test-examples 400 \
          --seed $seed -o "$TMP/m.lotta" --json | tag delay-p$p-j$j $seed >> "$OUT/delay.jsonl"
      done
    done
  done
fi

if [[ $parts == *peer* ]]; then
  # Diehl & Cook learning speed against the same network as BindsNET runs it (per-step PyTorch ops; see
  # benchmarks/peer/torch_diehl_cook.py), Fashion-MNIST, retry rule off on both sides; three alternating rounds
  : > "$OUT/peer.jsonl"
  for round in 1 2 3; do
    for t in 1 2; do
      /usr/bin/python3 benchmarks/peer/torch_diehl_cook.py $t 150 | tag "torch-t$t" $round >> "$OUT/peer.jsonl"
    done
    $L snn train --dataset fashion-mnist --train-examples 3000 --retries 0 --label-examples 100 \
      --test-examples 100 --threads 1 -o "$TMP/m.lotta" --json | tag lottalora $round >> "$OUT/peer.jsonl"
  done
fi
