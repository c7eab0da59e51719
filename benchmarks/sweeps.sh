#!/usr/bin/env bash
# The sweeps behind benchmarks/sweeps/*/report.md (issue 6), on Fashion-MNIST (Debian's dataset-fashion-mnist).
# Each is resumable: rerun the same command after an interruption. Workers: one per core, 1 native thread each.
#   fmnist-medium-ranks: medium MLP 784-512-256-128-64-10, ranks 1..32 and full training, seeds 0,1,2, 20 epochs
#   fmnist-inits:        the same model, 8 scaffold families (incl. binary and 2-bit), ranks 2 and 8 and full, 3 seeds, 10 epochs
#   fmnist-linear-ranks: the linear family 784-256-10, ranks 1..32 and full, seeds 0,1,2, 20 epochs
#   fmnist-ablation:     medium MLP, W_seed = 0 (init zeros) against the normal scaffold, ranks 2,8,32, 3 seeds,
#                        10 epochs; every adapter run also reports its accuracy with W_seed removed after training
#   fmnist-resampling:   medium MLP, the scaffold schedules fixed / epoch / cycle:2 / subbatch:2 at ranks 2,4,8,
#                        seeds 0,1, 10 epochs
#   fmnist-gating:       seed gating, medium MLP rank 8, subsets 0-2 / 3-5 / 6-9, 10 epochs (fmnist-gating.md)
# The same sweep for the engine families (issue 17), ranks 1,2,4,8 and full training, seeds 0,1,2:
#   lm-kjv-ranks:        the byte LM, preset tiny, 500 steps x 16 windows x 64 bytes on the KJV (Debian's bible-kjv,
#                        written to /tmp/lottalora-kjv.txt; the last 10% held out); r* by held-out loss
#   lm-kjv-ranks-mlp:    the same with the SwiGLU matrices adapted too (--mlp adapter; the paper keeps them frozen)
#   vit-digits-ranks:    the ViT (4 blocks, width 64) on the embedded digits, 10 epochs
#   gcn-sbm-ranks:       the GCN (64,64) on the default stochastic block model (3,000 nodes, 8 blocks), 200 steps
#   gin-synthetic-ranks: the GIN (64,64) on the synthetic graph task, 40 epochs
# Scaffold resampling for the engine families on the one loop (issue 17): the same grids with --schedules
# 'fixed;epoch' (a new scaffold each epoch; the LM: each tenth of its steps), validation, test and the artifact on
# scaffold 0:
#   vit-digits-resampling, gcn-sbm-resampling, gin-synthetic-resampling, lm-kjv-resampling
# and with several scaffolds per step (cycle:2: each step averages the gradients of 2 scaffolds; subbatch:2: half of
# each batch through each; the full-batch GCN takes cycle only):
#   vit-digits-resampling-steps, gcn-sbm-resampling-steps, gin-synthetic-resampling-steps, lm-kjv-resampling-steps
# The Decision Transformer (issue 22), ranks 1,2,4,8,16 and full training, seeds 0,1,2, the family's defaults
# (10 epochs x 2,048 windows of 10 steps, width 64, 2 blocks, attention adapted, scored by 10 rollouts aiming at the
# expert's return), alpha 16 (scale 16/r: 1 at the top rank; with alpha 1 the adapter's step shrinks as 1/r and
# the higher ranks under-fit, see the alpha1 sweep); r* read with eps 5 and 10 normalized-score points:
#   dt-cartpole-medium-ranks:        100 episodes of cartpole-medium
#   dt-pendulum-medium-ranks:        100 episodes of pendulum-medium
#   dt-pendulum-medium-ranks-alpha1: the same with alpha 1 (the toolkit's default)
# Usage: benchmarks/sweeps.sh [name...]
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${LOTTALORA_JAR:-lottalora-cli/target/lottalora.jar}
[[ -f $jar ]] || ./lottalora --version >/dev/null
lotta() { java -jar "$jar" "$@"; }
common=(--dataset fashion-mnist --batch 128 --lr 1e-3 --wd 1e-2 --seeds 0,1,2)
names=("${@:-fmnist-medium-ranks fmnist-inits fmnist-linear-ranks fmnist-ablation fmnist-resampling fmnist-gating}")
for name in ${names[*]}; do
  case $name in
    fmnist-medium-ranks) lotta sweep --out benchmarks/sweeps/$name "${common[@]}" --widths 784-512-256-128-64-10 \
      --ranks 1,2,4,8,16,32 --epochs 20 ;;
    fmnist-inits) lotta sweep --out benchmarks/sweeps/$name "${common[@]}" --widths 784-512-256-128-64-10 \
      --ranks 2,8 --epochs 10 \
      --inits 'normal;orthogonal;kaiming_uniform;student_t;cauchy;sparse_erdos_renyi;quantized2;binary' ;;
    fmnist-linear-ranks) lotta sweep --out benchmarks/sweeps/$name "${common[@]}" --family linear \
      --widths 784-256-10 --ranks 1,2,4,8,16,32 --epochs 20 ;;
    fmnist-ablation) lotta sweep --out benchmarks/sweeps/$name "${common[@]}" --widths 784-512-256-128-64-10 \
      --ranks 2,8,32 --epochs 10 --inits 'normal;zeros' --no-full ;;
    fmnist-resampling) lotta sweep --out benchmarks/sweeps/$name --dataset fashion-mnist --batch 128 --lr 1e-3 \
      --wd 1e-2 --seeds 0,1 --widths 784-512-256-128-64-10 --ranks 2,4,8 --epochs 10 --no-full \
      --schedules 'fixed;epoch;cycle:2;subbatch:2' ;;
    fmnist-gating) ;;
    lm-kjv-ranks) kjv=/tmp/lottalora-kjv.txt; [[ -s $kjv ]] || bible "Gen1:1-Rev22:21" > "$kjv"
      lotta sweep --out benchmarks/sweeps/$name --family lm --dataset "$kjv" --preset tiny --steps 500 --batch 16 \
      --seq-len 64 --lr 3e-3 --ranks 1,2,4,8 --seeds 0,1,2 ;;
    lm-kjv-ranks-mlp) kjv=/tmp/lottalora-kjv.txt; [[ -s $kjv ]] || bible "Gen1:1-Rev22:21" > "$kjv"
      lotta sweep --out benchmarks/sweeps/$name --family lm --dataset "$kjv" --preset tiny --steps 500 --batch 16 \
      --seq-len 64 --lr 3e-3 --ranks 1,2,4,8 --seeds 0,1,2 --mlp adapter ;;
    vit-digits-ranks) lotta sweep --out benchmarks/sweeps/$name --family vit --dataset digits --epochs 10 \
      --ranks 1,2,4,8 --seeds 0,1,2 ;;
    gcn-sbm-ranks) lotta sweep --out benchmarks/sweeps/$name --family gcn --ranks 1,2,4,8 --seeds 0,1,2 ;;
    gin-synthetic-ranks) lotta sweep --out benchmarks/sweeps/$name --family gin --ranks 1,2,4,8 --seeds 0,1,2 ;;
    vit-digits-resampling) lotta sweep --out benchmarks/sweeps/$name --family vit --dataset digits --epochs 10 \
      --ranks 1,2,4,8 --seeds 0,1,2 --schedules 'fixed;epoch' ;;
    gcn-sbm-resampling) lotta sweep --out benchmarks/sweeps/$name --family gcn --ranks 1,2,4,8 --seeds 0,1,2 \
      --schedules 'fixed;epoch' ;;
    gin-synthetic-resampling) lotta sweep --out benchmarks/sweeps/$name --family gin --ranks 1,2,4,8 --seeds 0,1,2 \
      --schedules 'fixed;epoch' ;;
    lm-kjv-resampling) kjv=/tmp/lottalora-kjv.txt; [[ -s $kjv ]] || bible "Gen1:1-Rev22:21" > "$kjv"
      lotta sweep --out benchmarks/sweeps/$name --family lm --dataset "$kjv" --preset tiny --steps 500 --batch 16 \
      --seq-len 64 --lr 3e-3 --ranks 1,2,4,8 --seeds 0,1,2 --schedules 'fixed;epoch' ;;
    vit-digits-resampling-steps) lotta sweep --out benchmarks/sweeps/$name --family vit --dataset digits --epochs 10 \
      --ranks 1,2,4,8 --seeds 0,1,2 --schedules 'cycle:2;subbatch:2' ;;
    gcn-sbm-resampling-steps) lotta sweep --out benchmarks/sweeps/$name --family gcn --ranks 1,2,4,8 --seeds 0,1,2 \
      --schedules 'cycle:2' ;;
    gin-synthetic-resampling-steps) lotta sweep --out benchmarks/sweeps/$name --family gin --ranks 1,2,4,8 \
      --seeds 0,1,2 --schedules 'cycle:2;subbatch:2' ;;
    lm-kjv-resampling-steps) kjv=/tmp/lottalora-kjv.txt; [[ -s $kjv ]] || bible "Gen1:1-Rev22:21" > "$kjv"
      lotta sweep --out benchmarks/sweeps/$name --family lm --dataset "$kjv" --preset tiny --steps 500 --batch 16 \
      --seq-len 64 --lr 3e-3 --ranks 1,2,4,8 --seeds 0,1,2 --schedules 'cycle:2;subbatch:2' ;;
    dt-cartpole-medium-ranks|dt-pendulum-medium-ranks|dt-pendulum-medium-ranks-alpha1)
      ds=${name#dt-}; ds=${ds%-alpha1}; ds=${ds%-ranks}; alpha=16; [[ $name == *-alpha1 ]] && alpha=1
      lotta sweep --out benchmarks/sweeps/$name --family dt --dataset "$ds" --ranks 1,2,4,8,16 --seeds 0,1,2 \
      --alphas $alpha --eps-points 5,10 ;;
    *) echo "unknown sweep $name" >&2; exit 2 ;;
  esac
done
# Seed gating (not a grid): medium MLP rank 8, 10 epochs, subsets 0-2 / 3-5 / 6-9 on seeds s1, s2, s3.
if [[ " ${names[*]} " == *" fmnist-gating "* ]]; then
  lotta gating --dataset fashion-mnist --widths 784-512-256-128-64-10 --rank 8 --epochs 10 --batch 128 --lr 1e-3 \
    --subsets '0,1,2;3,4,5;6,7,8,9' --report benchmarks/sweeps/fmnist-gating.md
fi
