#!/usr/bin/env bash
# LM training throughput, LottaLoRA vs PyTorch (issue 4): the `small` preset (4 layers, width 128, 4 heads, SwiGLU
# 344, byte vocabulary), the same KJV text, batch 16 x 128 bytes, Adam; rank 8 (adapters on Q, K, V, O) and full
# training; 1 and 2 threads for each side (ND4J GEMM threads for Java, torch.set_num_threads for PyTorch). Rounds
# alternate the two so both see the same machine state; the table takes medians over rounds and the ratio of each
# side's best thread setting. LottaLoRA runs 2 x STEPS steps and its figure is the second half (STEPS steps after
# STEPS of JIT warm-up: late_tokens_per_second); PyTorch's covers STEPS steps after 3 warm-up steps: both the steady
# state. LottaLoRA's rate over the whole run (warm-up included) is kept in the jsonl and a second table.
# Usage: benchmarks/lm_throughput.sh [rounds] [steps]   Writes benchmarks/results/lm/throughput.{jsonl,md}
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/scripts/blas_env.sh
rounds=${1:-3}
steps=${2:-40}
OUT=${OUT:-benchmarks/results/lm}
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TEXT=${KJV:-$TMP/kjv.txt}
[[ -f $TEXT ]] || bible "Gen1:1-Rev22:21" > "$TEXT"
log=$OUT/throughput.jsonl
: > "$log"
for round in $(seq 1 "$rounds"); do
  for mode in 8 full; do
    for t in 1 2; do
      a=(--rank "$mode"); [[ $mode == full ]] && a=(--full)
      $L lm train --data "$TEXT" --preset small --steps $((2 * steps)) --batch 16 --seq-len 128 --threads "$t" \
        --eval-bytes 1024 "${a[@]}" --quiet --json -o "$TMP/m.lotta" \
        | python3 -c "import json,sys; j=json.load(sys.stdin); print(json.dumps({'peer':'lottalora','threads':$t,
'mode':'$mode','round':$round,'tokens_per_second':j['late_tokens_per_second'],
'whole_run_tokens_per_second':j['tokens_per_second'],'trainable':j['trainable_values']}))" \
        | tee -a "$log"
      /usr/bin/python3 benchmarks/peer/torch_lm_throughput.py "$t" "$TEXT" "$steps" "$mode" \
        | python3 -c "import json,sys; j=json.load(sys.stdin); j['round']=$round; print(json.dumps(j))" | tee -a "$log"
    done
  done
done
python3 - "$log" "nproc=$(nproc); $blas_env_line; $(java -version 2>&1 | head -1); torch $(/usr/bin/python3 -c 'import torch;
print(torch.__version__)') with $(dpkg -l libopenblas0-pthread 2>/dev/null | awk '/^ii/{print $2" "$3}')" "$steps" \
  > "$OUT/throughput.md" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("# LM training throughput: `small` preset, batch 16 x 128 bytes, KJV\n")
print(f"Machine: {sys.argv[2]}. Medians over {max(r['round'] for r in rows)} rounds (bytes = tokens per second).\n")
print("| mode | side | 1 thread | 2 threads | best |")
print("|---|---|---|---|---|")
best = {}
for mode in ("8", "full"):
    for peer in ("lottalora", "pytorch"):
        med = {t: statistics.median(r["tokens_per_second"] for r in rows if r["peer"] == peer and r["mode"] == mode
                                    and r["threads"] == t) for t in (1, 2)}
        best[(mode, peer)] = max(med.values())
        print(f"| {'rank 8' if mode == '8' else 'full'} | {peer} | {med[1]:,.0f} | {med[2]:,.0f} | "
              f"{best[(mode, peer)]:,.0f} |")
print()
for mode in ("8", "full"):
    print(f"- {'rank 8' if mode == '8' else 'full'}: LottaLoRA / PyTorch at each side's best thread setting = "
          f"{best[(mode, 'lottalora')] / best[(mode, 'pytorch')]:.2f}")
sys.path.insert(0, "benchmarks/scripts")
from warmup_table import print_warmup_table
print_warmup_table(rows, best, "whole_run_tokens_per_second", "whole run", 0)
print(f"\nCommand: benchmarks/lm_throughput.sh {max(r['round'] for r in rows)} {sys.argv[3]}")
PY
cat "$OUT/throughput.md"
