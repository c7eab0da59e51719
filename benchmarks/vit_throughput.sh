#!/usr/bin/env bash
# ViT training throughput, LottaLoRA vs PyTorch (issue 16): the ViT of benchmarks/vit.sh (4 blocks, width 64, 4 heads,
# MLP 128, 7x7 patches: 16 patches + class token) on Fashion-MNIST, batch 64, Adam at 3e-3 with the cosine schedule;
# rank 8 (adapters on Q, K, V, O, fc1 and fc2, our ViT default) and full training; 1 and 2 threads for each side (ND4J
# engine threads for Java, torch.set_num_threads for PyTorch). LottaLoRA trains two epochs over STEPS x 64 images
# (--max-train); the table's figure is its second epoch (STEPS steps after STEPS steps of JIT warm-up), PyTorch's
# covers STEPS steps after 3 warm-up steps: both the steady state. The first epoch's figure (JIT warm-up included)
# is kept in the jsonl and a second table. Either covers the training loop only (validation, test scoring and the
# artifact are outside it). Rounds alternate the two so both see the same machine state;
# the table takes medians over rounds and the ratio of each side's best thread setting. Each side reports its
# trainable-value count (rank 8: 34,850; full: 137,226) and the table checks they agree.
# Usage: benchmarks/vit_throughput.sh [rounds] [steps]   Writes benchmarks/results/vit/throughput.{jsonl,md}
#        (OUT=dir to write elsewhere, e.g. for a smoke run)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/scripts/blas_env.sh
rounds=${1:-3}
steps=${2:-100}
OUT=${OUT:-benchmarks/results/vit}
mkdir -p "$OUT"
L=${LOTTALORA:-./lottalora}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
log=$OUT/throughput.jsonl
: > "$log"
for round in $(seq 1 "$rounds"); do
  for mode in 8 full; do
    for t in 1 2; do
      a=(--rank "$mode"); [[ $mode == full ]] && a=(--full)
      $L vit train --data fashion-mnist --no-download --max-train $((steps * 64)) --epochs 2 --batch 64 --lr 3e-3 \
        --threads "$t" "${a[@]}" --quiet --json -o "$TMP/m.lotta" \
        | python3 -c "import json,sys; j=json.load(sys.stdin); print(json.dumps({'peer':'lottalora','threads':$t,
'mode':'$mode','round':$round,'steps':$steps,'images_per_second':j['epoch_images_per_second'][1],
'first_epoch_images_per_second':j['epoch_images_per_second'][0],
'trainable':j['trainable_values'],'seconds':j['wall_seconds']}))" \
        | tee -a "$log"
      pm=rank; [[ $mode == full ]] && pm=full
      /usr/bin/python3 benchmarks/peer/torch_vit_throughput.py "$t" "$steps" "$pm" 8 \
        | python3 -c "import json,sys; j=json.load(sys.stdin); j['mode']='$mode'; j['round']=$round; print(json.dumps(j))" \
        | tee -a "$log"
    done
  done
done
python3 - "$log" "nproc=$(nproc); $blas_env_line; $(java -version 2>&1 | head -1); torch $(/usr/bin/python3 -c 'import torch;
print(torch.__version__)') with $(dpkg -l libopenblas0-pthread 2>/dev/null | awk '/^ii/{print $2" "$3}')" "$steps" \
  > "$OUT/throughput.md" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("# ViT training throughput: Fashion-MNIST, 4 blocks, width 64, 4 heads, MLP 128, 7x7 patches, batch 64\n")
print(f"Machine: {sys.argv[2]}. Medians over {max(r['round'] for r in rows)} rounds of {sys.argv[3]} steps "
      "(images per second).\n")
print("| mode | side | trainable | 1 thread | 2 threads | best |")
print("|---|---|---|---|---|---|")
best = {}
for mode in ("8", "full"):
    counts = {}
    for peer in ("lottalora", "pytorch"):
        sel = [r for r in rows if r["peer"] == peer and r["mode"] == mode]
        counts[peer] = sorted({r["trainable"] for r in sel})
        med = {t: statistics.median(r["images_per_second"] for r in sel if r["threads"] == t) for t in (1, 2)}
        best[(mode, peer)] = max(med.values())
        print(f"| {'rank 8' if mode == '8' else 'full'} | {peer} | {', '.join(f'{c:,}' for c in counts[peer])} | "
              f"{med[1]:,.1f} | {med[2]:,.1f} | {best[(mode, peer)]:,.1f} |")
    if counts["lottalora"] != counts["pytorch"]:
        print(f"\n**Trainable counts differ in mode {mode}: {counts}**\n")
print()
for mode in ("8", "full"):
    print(f"- {'rank 8' if mode == '8' else 'full'}: LottaLoRA / PyTorch at each side's best thread setting = "
          f"{best[(mode, 'lottalora')] / best[(mode, 'pytorch')]:.2f}")
sys.path.insert(0, "benchmarks/scripts")
from warmup_table import print_warmup_table
print_warmup_table(rows, best, "first_epoch_images_per_second", "first epoch", 1)
print("\nCommand: benchmarks/vit_throughput.sh " + str(max(r['round'] for r in rows)) + " " + sys.argv[3])
PY
cat "$OUT/throughput.md"
