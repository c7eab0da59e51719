#!/usr/bin/env bash
# Reservoir computing figures (issue: echo state networks, ring oscillators, adapters on reservoirs).
# Usage: benchmarks/reservoir.sh [part...]   parts: esn ring adapter search (default: all)
# Writes JSON lines into benchmarks/results/reservoir/. Machine: record `nproc` beside the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/results/reservoir
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
parts=${*:-esn ring adapter search}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)" > "$OUT/machine.txt"

if [[ $parts == *esn* ]]; then
  : > "$OUT/esn.jsonl"
  for n in 100 500 1000; do
    for seed in 0 1 2; do
      # Mackey-Glass one step ahead and 100 steps ahead (direct), Lorenz one step ahead: 4,000 steps, half trains
      $L reservoir train --series mackey-glass --units $n --seed $seed --ridge 1e-8,1e-6,1e-4 --threads 1 \
        -o "$TMP/m.lotta" --json | sed "s/^/{\"case\":\"mg-1\",\"units\":$n,\"seed\":$seed,\"r\":/; s/$/}/" >> "$OUT/esn.jsonl"
      $L reservoir train --series mackey-glass --units $n --seed $seed --horizon 100 --ridge 1e-8,1e-6,1e-4 \
        --steps 4100 --threads 1 -o "$TMP/m.lotta" --json \
        | sed "s/^/{\"case\":\"mg-100\",\"units\":$n,\"seed\":$seed,\"r\":/; s/$/}/" >> "$OUT/esn.jsonl"
      $L reservoir train --series lorenz --units $n --seed $seed --ridge 1e-8,1e-6,1e-4 --threads 1 \
        -o "$TMP/m.lotta" --json | sed "s/^/{\"case\":\"lorenz-1\",\"units\":$n,\"seed\":$seed,\"r\":/; s/$/}/" >> "$OUT/esn.jsonl"
      # closed loop: the ridge that keeps a generated Mackey-Glass run stable is larger than the one-step optimum
      $L reservoir train --series mackey-glass --units $n --seed $seed --ridge 1e-4 --generate 100 --threads 1 \
        -o "$TMP/m.lotta" --json | sed "s/^/{\"case\":\"mg-closed-1e-4\",\"units\":$n,\"seed\":$seed,\"r\":/; s/$/}/" >> "$OUT/esn.jsonl"
    done
  done
fi

if [[ $parts == *ring* ]]; then
  : > "$OUT/ring.jsonl"
  for rings in 50 150 300; do
    $L reservoir train --family ring --dataset digits --rings $rings --window 8 --stride 4 --ridge 1e-2,1,100 \
      --threads 2 -o "$TMP/r.lotta" --json | sed "s/^/{\"case\":\"ring-digits\",\"rings\":$rings,\"r\":/; s/$/}/" >> "$OUT/ring.jsonl"
  done
  for rings in 150 300; do
    $L reservoir train --family ring --dataset fashion-mnist --rings $rings --samples 2 \
      --ridge 10,100,1000 --threads 2 -o "$TMP/r.lotta" --json \
      | sed "s/^/{\"case\":\"ring-fmnist\",\"rings\":$rings,\"r\":/; s/$/}/" >> "$OUT/ring.jsonl"
  done
  # the reference: the same ridge readout on the raw pixels
  [[ -f benchmarks/target/benchmarks.jar ]] || mvn -B -q -DskipTests install
  java -Xmx4g -cp benchmarks/target/benchmarks.jar org.lottalora.bench.ReadoutBaseline digits fashion-mnist \
    > "$OUT/pixels.jsonl"
  # the same data through an ESN read row by row, for scale
  $L reservoir train --family esn --task classify --dataset digits --units 500 --leak-rate 0.5 --spectral-radius 0.9 \
    --input-scaling 0.3 --ridge 1e-2,1,100 --threads 2 -o "$TMP/e.lotta" --json \
    | sed "s/^/{\"case\":\"esn-digits\",\"units\":500,\"r\":/; s/$/}/" >> "$OUT/ring.jsonl"
fi

if [[ $parts == *adapter* ]]; then
  : > "$OUT/adapter.jsonl"
  # two settings: the CLI defaults (adapter lr 1e-3, readout lr 1e-4, alpha 1) and a bolder one (adapter lr 1e-2,
  # readout frozen during BPTT, alpha 8); both end with a ridge refit on the adapted reservoir
  for n in 100 300; do
    for rank in 2 8; do
      for setting in "default:--lr 1e-3 --readout-lr 1e-4 --alpha 1" "bold:--lr 1e-2 --readout-lr 0 --alpha 8"; do
        name=${setting%%:*}
        $L reservoir train --series mackey-glass --units $n --horizon 100 --steps 4100 --ridge 1e-6 \
          --adapter-rank $rank --iterations 200 ${setting#*:} --threads 1 -o "$TMP/a.lotta" --json \
          | sed "s/^/{\"case\":\"mg-100-adapter\",\"setting\":\"$name\",\"units\":$n,\"rank\":$rank,\"r\":/; s/$/}/" \
          >> "$OUT/adapter.jsonl"
      done
    done
  done
fi

if [[ $parts == *search* ]]; then
  rm -rf "$TMP/search"
  $L reservoir search --series mackey-glass --units 100 --trials 40 --search-seed 1 --dir "$TMP/search" --json \
    > "$OUT/search.json"
  mkdir -p "$OUT/search-plots"
  cp "$TMP"/search/landscape-*.png "$OUT/search-plots/"
  # the best settings, trained on the whole training half and measured on the test half
  best=$(python3 -c "import json; b=json.load(open('$OUT/search.json'))['best']; print(b['spectralRadius'], b['leakRate'], b['inputScaling'], b['ridge'])")
  read -r sr lr is ridge <<< "$best"
  $L reservoir train --series mackey-glass --units 100 --spectral-radius "$sr" --leak-rate "$lr" --input-scaling "$is" \
    --ridge "$ridge" --threads 1 -o "$TMP/best.lotta" --json > "$OUT/search-best.json"
fi
echo "done: $OUT"
