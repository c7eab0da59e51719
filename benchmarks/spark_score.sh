#!/usr/bin/env bash
# Batch scoring on Spark (issue 20): the 70,000 Fashion-MNIST images (train + test) scored by a trained rank-8
# medium MLP (784-512-256-128-64-10), Spark local[2] (`lottalora predict --spark`) against the single JVM
# (`lottalora predict IMAGES --labels LABELS`) on the same rows; 3 runs each, alternating, medians reported.
# Spark: 1 ND4J thread per task, 2 tasks at once; the single JVM runs with --threads 1 and --threads 2.
# Rates: Spark's is its job (load on the executor, score, write Parquet); the JVM's is rows over the whole
# command's wall time (start, load, read IDX, score, print) - each is what a user waits for.
# Usage: benchmarks/spark_score.sh [runs]   (needs dataset-fashion-mnist and a build:
#   mvn -o -q -B -pl lottalora-spark -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=/tmp/lottalora-spark.cp)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
work=${WORK:-/tmp/lottalora-spark-score}
data=/usr/share/datasets/fashion-mnist
jar=lottalora-cli/target/lottalora.jar
cp="lottalora-spark/target/classes:$(cat /tmp/lottalora-spark.cp)"
opens="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
 --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
 --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
 --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
 --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
 --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
 --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false
 -Dio.netty.tryReflectionSetAccessible=true"
mkdir -p "$work"
model=$work/m.lotta
if [ ! -f "$model" ]; then
  java -jar "$jar" train --dataset fashion-mnist --no-download --widths 784-512-256-128-64-10 --rank 8 --epochs 2 \
    --out "$model" --json > "$work/train.json"
fi
if [ ! -d "$work/fm.parquet" ]; then
  # 8 files: 4 tasks per core, so the two task slots stay busy to the end
  java -Xmx6g $opens -cp "$cp" org.lottalora.spark.IdxTable "$work/fm.parquet" "$work/fm" 8 \
    $data/train-images-idx3-ubyte.gz $data/train-labels-idx1-ubyte.gz $data/t10k-images-idx3-ubyte.gz $data/t10k-labels-idx1-ubyte.gz
fi
log=benchmarks/results/spark/score.log
: > "$log"
for run in $(seq 1 "$runs"); do
  rm -rf "$work/out"
  t0=$(date +%s.%N)
  java -Xmx4g $opens -cp "$cp" org.lottalora.cli.LottaLoraCli predict "$model" --spark 'local[2]' \
    --table "$work/fm.parquet" --out "$work/out" --top-k 3 --threads 1 --json 2>/dev/null | tail -1 > "$work/spark.json"
  t1=$(date +%s.%N)
  echo "spark $(python3 -c "print($t1-$t0)") $(cat "$work/spark.json")" | tee -a "$log"
  for t in 1 2; do
    t0=$(date +%s.%N)
    java -Xmx4g -jar "$jar" predict "$model" "$work/fm-images.idx" --labels "$work/fm-labels.idx" --merged -k 3 \
      --threads $t | tail -1 > "$work/jvm.txt"
    t1=$(date +%s.%N)
    echo "jvm$t $(python3 -c "print($t1-$t0)") $(cat "$work/jvm.txt")" | tee -a "$log"
  done
done
python3 - "$log" "$model" "$work/train.json" <<'PY' > benchmarks/results/spark/score.md
import json, os, statistics, subprocess, sys
log, model, train = sys.argv[1:4]
spark, jvms = [], {'jvm1': [], 'jvm2': []}
for line in open(log):
    kind, rest = line.split(' ', 1)
    if kind == 'spark':
        secs, js = rest.split(' ', 1)
        spark.append(json.loads(js))
        spark[-1]['wall'] = float(secs)
    else:
        secs, *tail = rest.split()
        jvms[kind].append((float(secs), ' '.join(tail)))
n = spark[0]['rows']
sr = statistics.median(s['rows_per_second'] for s in spark)
t = json.load(open(train))
art = os.path.getsize(model)
dense = spark[0]['full_model_fp32_bytes']
print('# Batch scoring on Spark: 70,000 Fashion-MNIST rows, rank-8 medium MLP\n')
print('Machine: %d cores (2 shared with other builds), %s; ND4J threads 1 per Spark task (2 tasks at once), 1 or 2 for the single JVM; Spark 4.0.1 local[2] '
      '(2 tasks at once, 8 Parquet files). Median of %d runs each, alternating. `benchmarks/spark_score.sh`.\n'
      % (os.cpu_count(), subprocess.run(['java', '-version'], capture_output=True, text=True).stderr.splitlines()[0],
         len(spark)))
sw = statistics.median(n / s['wall'] for s in spark)
print('| path | rows | rows/s, job (median) | rows/s, whole command (median) | runs, whole command (s) | accuracy |')
print('|---|---|---|---|---|---|')
print('| Spark local[2], `predict --spark` (job: executor load + score + Parquet write; command adds JVM and Spark start, accuracy pass) | %d | %.0f (%s) | %.0f | %s | %.4f |'
      % (n, sr, ', '.join('%.0f' % s['rows_per_second'] for s in spark), sw,
         ', '.join('%.1f' % s['wall'] for s in spark), spark[0]['accuracy']))
for kind, jvm in jvms.items():
    jr = statistics.median(n / t for t, _ in jvm)
    print('| one JVM, `predict IDX --labels --merged --threads %s` (start, load, read IDX, score, print 70,000 lines) | %d | - | %.0f | %s | %s |'
          % (kind[3:], n, jr, ', '.join('%.1f' % t for t, _ in jvm), jvm[0][1]))
print('\nShipped to each executor: the artifact, %d bytes, against %d bytes for the dense fp32 model (%.0fx smaller); '
      'model loads in executor JVMs per job: %s.' % (art, dense, dense / art, ', '.join(str(s['executor_loads']) for s in spark)))
print('\nModel: `train --dataset fashion-mnist --widths 784-512-256-128-64-10 --rank 8 --epochs 2`, test accuracy %.4f.'
      % t['test_accuracy'])
PY
cat benchmarks/results/spark/score.md
