#!/usr/bin/env bash
# Issue 20: the same Fashion-MNIST rank sweep run by the local runner (sweep --workers 2) and by an embedded
# Spark (sweep --spark local[2]) into two folders: identical per-run results (runs.csv without its wall-time
# column), wall times and Spark's overhead ratio; then a Spark sweep killed (kill -9 of its JVM) after a few runs
# finished and rerun with the same command: nothing finished reruns, nothing is lost.
# Grid: medium MLP 784-512-256-128-64-10, ranks 1,2,4,8,16,32 plus the full baseline, seeds 0,1,2 = 21 runs,
# $EPOCHS epochs (default 3, to fit the benchmark window; the paper sweeps use 20).
# Usage: benchmarks/spark_sweep.sh   (sweep folders in $SPARK_SWEEP_DIR, default /tmp/lottalora-spark-sweep;
#        logs and figures in benchmarks/results/spark)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${EPOCHS:-3}
kill_after=${KILL_AFTER:-4}
dir=${SPARK_SWEEP_DIR:-/tmp/lottalora-spark-sweep}
res=benchmarks/results/spark
jar=lottalora-cli/target/lottalora.jar
[[ -f $jar ]] || ./lottalora --version >/dev/null
lottalora-spark/lottalora-spark --version >/dev/null # builds the class path once, outside the timings
grid=(--dataset fashion-mnist --widths 784-512-256-128-64-10 --ranks 1,2,4,8,16,32 --seeds 0,1,2
  --epochs "$epochs" --batch 128 --lr 1e-3 --wd 1e-2)
if [[ -n ${SMOKE:-} ]]; then # the script's own check, in seconds: digits, width 32 (results go to $res/smoke)
  grid=(--dataset digits --widths 32 --ranks 1,2,4,8,16,32 --seeds 0,1,2 --epochs 2 --batch 128 --lr 1e-3 --wd 1e-2)
  res=$res/smoke
fi
rm -rf "$dir"
mkdir -p "$dir" "$res"
now() { date +%s.%N; }
figures=$res/figures.txt
: > "$figures"
note() { echo "$*" | tee -a "$figures"; }
note "grid: ${grid[*]} (21 runs); machine: $(nproc) cores, $(java -version 2>&1 | head -1)"

# fixed costs: a one-run sweep (digits, width 16, 1 epoch) by each runner, JVM start and report included
tiny=(--dataset digits --widths 16 --ranks 1 --seeds 0 --epochs 1 --no-full --quiet)
t0=$(now); java -Xmx4g -jar "$jar" sweep --out "$dir/tiny-local" "${tiny[@]}" --workers 1 > /dev/null 2>&1; t1=$(now)
t2=$(now); lottalora-spark/lottalora-spark sweep --out "$dir/tiny-spark" "${tiny[@]}" --spark 'local[2]' \
  > /dev/null 2>&1; t3=$(now)
note "one-run digits sweep (fixed costs): local $(echo "$t1 - $t0" | bc) s, spark local[2] $(echo "$t3 - $t2" | bc) s"

note "load before local: $(uptime)"
t0=$(now)
java -Xmx4g -jar "$jar" sweep --out "$dir/local" "${grid[@]}" --workers 2 > "$res/local.out" 2> "$res/local.log"
t1=$(now)
note "local --workers 2: wall $(echo "$t1 - $t0" | bc) s"

note "load before spark: $(uptime)"
t0=$(now)
lottalora-spark/lottalora-spark sweep --out "$dir/spark" "${grid[@]}" --spark 'local[2]' > "$res/spark.out" \
  2> "$res/spark.log"
t1=$(now)
note "spark local[2]: wall $(echo "$t1 - $t0" | bc) s"

# runs.csv without the wall_seconds column (the only one allowed to differ)
strip() {
  python3 -c 'import csv,sys
r=list(csv.reader(open(sys.argv[1])));i=r[0].index("wall_seconds")
w=csv.writer(sys.stdout,lineterminator="\n")
[w.writerow(x[:i]+x[i+1:]) for x in r]' "$1"
}
strip "$dir/local/runs.csv" > "$res/runs-local-no-time.csv"
strip "$dir/spark/runs.csv" > "$res/runs-spark-no-time.csv"
if diff -q "$res/runs-local-no-time.csv" "$res/runs-spark-no-time.csv" >/dev/null; then
  note "runs.csv minus wall_seconds: IDENTICAL ($(($(wc -l < "$res/runs-local-no-time.csv") - 1)) runs)"
else
  note "runs.csv minus wall_seconds: DIFFERENT"; diff "$res/runs-local-no-time.csv" "$res/runs-spark-no-time.csv" | head -20 | tee -a "$figures"
fi
cp "$dir/local/runs.csv" "$res/runs-local.csv"
cp "$dir/spark/runs.csv" "$res/runs-spark.csv"
cp "$dir/spark/report.md" "$res/report-spark.md"

# kill -9 the Spark JVM after $kill_after runs finished, then rerun the same command
note "load before kill/rerun: $(uptime)"
lottalora-spark/lottalora-spark sweep --out "$dir/killed" "${grid[@]}" --spark 'local[2]' > "$res/killed.out" \
  2> "$res/killed.log" &
pid=$!
while (( $(find "$dir/killed/runs" -name result.json 2>/dev/null | wc -l) < kill_after )); do sleep 0.5; done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
find "$dir/killed/runs" -name result.json | sort | xargs sha256sum > "$res/killed-before.sha256"
done_before=$(wc -l < "$res/killed-before.sha256")
artifacts=$(find "$dir/killed/runs" -name model.lotta | wc -l)
temps=$(find "$dir/killed" -name '*.tmp' | wc -l)
note "killed (kill -9) with $done_before records, $artifacts artifacts, $temps temporary files left"
t0=$(now)
lottalora-spark/lottalora-spark sweep --out "$dir/killed" "${grid[@]}" --spark 'local[2]' > "$res/rerun.out" \
  2> "$res/rerun.log"
t1=$(now)
note "rerun: wall $(echo "$t1 - $t0" | bc) s; $(grep -o '[0-9]* runs ([0-9]* run now, [0-9]* already done, [0-9]* rerun)' "$res/rerun.out")"
if sha256sum --quiet -c "$res/killed-before.sha256" >/dev/null 2>&1; then
  note "records finished before the kill: unchanged (sha256) after the rerun"
else
  note "records finished before the kill: CHANGED"
fi
strip "$dir/killed/runs.csv" > "$res/runs-killed-no-time.csv"
if diff -q "$res/runs-local-no-time.csv" "$res/runs-killed-no-time.csv" >/dev/null; then
  note "killed+rerun runs.csv minus wall_seconds: IDENTICAL to the local sweep ($(($(wc -l < "$res/runs-killed-no-time.csv") - 1)) runs)"
else
  note "killed+rerun runs.csv minus wall_seconds: DIFFERENT from the local sweep"
fi
note "temporary files left after the rerun: $(find "$dir/killed" -name '*.tmp' | wc -l)"
python3 - "$dir" <<'PY' | tee -a "$figures"
import csv, sys
for name in ("local", "spark", "killed"):
    rows = list(csv.DictReader(open(f"{sys.argv[1]}/{name}/runs.csv")))
    w = [float(r["wall_seconds"]) for r in rows]
    print(f"{name}: {len(rows)} runs, per-run training wall mean {sum(w)/len(w):.2f} s, sum {sum(w):.1f} s")
PY
