#!/usr/bin/env bash
# Bit-exact regeneration: the same named tensors from the same seed hash equal with 1 and 2 threads, on
# Java 17 and Java 25, and numpy's Philox gives the same raw words and float32 values.
# Usage: benchmarks/bitexact.sh   (needs the CLI jar: ./lottalora --help builds it; Java 25 at $JAVA25)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=lottalora-cli/target/lottalora.jar
[[ -f $jar ]] || ./lottalora --help > /dev/null
java17=${JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
fail=0
printf '%-22s %-18s %-9s %-8s %s\n' init tensor java threads sha256
for init in normal orthogonal student_t cauchy spectral_radius quantized4; do
  for spec in "layers.0.weight 512,784" "head.weight 10,64"; do
    set -- $spec
    ref=""
    for java in "$java17" "$java25"; do
      v=$("$java" -version 2>&1 | head -1 | sed -E 's/.*version "([0-9]+).*/\1/')
      for t in 1 2; do
        h=$("$java" -jar "$jar" backbone --seed 1234 --name "$1" --shape "$2" --init "$init" --threads "$t" --json \
          | sed -E 's/.*"sha256":"([0-9a-f]+)".*/\1/')
        printf '%-22s %-18s %-9s %-8s %s\n' "$init" "$1" "java$v" "$t" "$h"
        [[ -z $ref ]] && ref=$h
        [[ $h == "$ref" ]] || { echo "MISMATCH" >&2; fail=1; }
      done
    done
  done
done
if command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  /usr/bin/python3 benchmarks/scripts/philox_numpy_check.py --java-jar "$jar" | tail -1
else
  echo "numpy check skipped: install python3-numpy"
fi
[[ $fail == 0 ]] && echo "bit-exact: all hashes equal across threads and JVMs" || exit 1
