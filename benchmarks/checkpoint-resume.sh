#!/usr/bin/env bash
# Checkpoint and resume on the shared epoch loop (issue 17, RESULTS 18): a ViT run on digits straight, the same run
# with --checkpoint stopped by SIGTERM during epoch 3, and resumed with --resume; prints the three test accuracies.
# Usage: benchmarks/checkpoint-resume.sh
set -euo pipefail
cd "$(dirname "$0")/.."
L=$PWD/lottalora
t=$(mktemp -d)
cd "$t"
run=(vit train --data digits --rank 4 --epochs 4)
"$L" "${run[@]}" -o straight.lotta --quiet > straight.out 2>&1
"$L" "${run[@]}" -o stopped.lotta --checkpoint v.ckpt > stopped.out 2> stopped.err &
p=$!
until grep -q "epoch 2/4  loss" stopped.err 2>/dev/null; do sleep 0.5; done
kill -TERM $p; wait $p || true
"$L" "${run[@]}" -o resumed.lotta --checkpoint v.ckpt --resume > resumed.out 2> resumed.err
for f in straight stopped resumed; do echo "$f: $(grep -m1 'test accuracy' $f.out)"; done
grep -h "interrupted\|resumed from" stopped.err resumed.err
