#!/usr/bin/env bash
# CNN training throughput, LottaLoRA vs PyTorch: Plain-20 (CnnFamily, --widths plain-20 = 16x7,32x6,64x6: 3x3
# convolutions without bias, stride 2 where the width changes, each followed by BatchNorm with batch statistics and
# ReLU, global average pooling, a linear head) on Fashion-MNIST 28x28, batch 128, AdamW at 1e-2 (the lr of
# benchmarks/cnn.sh) with our cosine schedule, weight decay 1e-2 on kernels / adapter factors / head weight; rank 8
# (every kernel seen as the [out, in 9] matrix, beta W + B A / 8, beta trained) and full training, BatchNorm and head
# trained in both; 1 and 2 threads for each side (ND4J threads for Java, torch.set_num_threads for PyTorch).
# LottaLoRA trains two epochs over STEPS x 128 images (--max-train) of its 54,000-image training split (validation
# 6,000, test 10,000); the table's figure is its second epoch's samples_per_second (STEPS steps after STEPS steps
# of JIT warm-up), PyTorch's covers STEPS steps after 3 warm-up steps: both the steady state. The first epoch's
# figure (JIT warm-up included) is kept in the jsonl and a second table. Either covers the training loop only
# (BatchNorm calibration, validation, test scoring and the artifact are outside it). Rounds
# alternate the two so both see the same machine state; the table takes medians over rounds and the ratio of each
# side's best thread setting. Each side reports its trainable-value count and the table checks they agree:
#   Plain-20 rank 8: 52,549 = adapters 50,523 (A [8, in 9] + B [out, 8] + beta on each of the 19 kernels)
#                    + BatchNorm 1,376 (gamma and shift of 688 channels) + head 650 (64 x 10 + 10)
#   Plain-20 full:  269,434 = kernels 267,408 + BatchNorm 1,376 + head 650
#   (Plain-8, --widths plain-8: rank 8 15,801, full 75,002; `lottalora train --family cnn --widths plain-8` reports
#   trainable_params 15,801 and model_params 75,002.)
# Usage: benchmarks/cnn_throughput.sh [rounds] [steps]   Writes benchmarks/results/cnn/throughput.{jsonl,md}
#        (OUT=dir to write elsewhere, e.g. for a smoke run; WIDTHS=plain-8 for the smaller net)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/scripts/blas_env.sh
rounds=${1:-3}
steps=${2:-100}
OUT=${OUT:-benchmarks/results/cnn}
WIDTHS=${WIDTHS:-plain-20}
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
      $L train --family cnn --widths "$WIDTHS" --dataset fashion-mnist --no-download --max-train $((steps * 128)) \
        --epochs 2 --batch 128 --lr 1e-2 --threads "$t" "${a[@]}" --quiet --json --out "$TMP/m.lotta" \
        | python3 -c "import json,sys; j=json.load(sys.stdin); print(json.dumps({'peer':'lottalora','threads':$t,
'mode':'$mode','round':$round,'steps':$steps,'images_per_second':j['epochs'][1]['samples_per_second'],
'first_epoch_images_per_second':j['epochs'][0]['samples_per_second'],
'trainable':j['trainable_params'],'seconds':j['wall_seconds']}))" \
        | tee -a "$log"
      pm=rank; [[ $mode == full ]] && pm=full
      /usr/bin/python3 benchmarks/peer/torch_cnn_throughput.py "$t" "$steps" "$pm" 8 "$WIDTHS" \
        | python3 -c "import json,sys; j=json.load(sys.stdin); j['mode']='$mode'; j['round']=$round; print(json.dumps(j))" \
        | tee -a "$log"
    done
  done
done
python3 - "$log" "nproc=$(nproc); $blas_env_line; $(java -version 2>&1 | head -1); torch $(/usr/bin/python3 -c 'import torch;
print(torch.__version__)') with $(dpkg -l libopenblas0-pthread 2>/dev/null | awk '/^ii/{print $2" "$3}')" "$steps" \
  "$WIDTHS" > "$OUT/throughput.md" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
widths = sys.argv[4]
print(f"# CNN training throughput: Fashion-MNIST 28x28, {widths.capitalize()} (3x3 convs, BatchNorm, ReLU, "
      "global average pooling, linear head), batch 128\n")
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
print("\nCommand: " + ("" if widths == "plain-20" else f"WIDTHS={widths} ") + "benchmarks/cnn_throughput.sh "
      + str(max(r['round'] for r in rows)) + " " + sys.argv[3])
PY
cat "$OUT/throughput.md"
