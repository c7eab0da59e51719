#!/usr/bin/env bash
# The data and command-line bad inputs of issue 18, each run against the CLI jar, with the first line the
# command printed on stderr and its exit code (0 ok, 1 failure, 2 bad usage). Writes
# benchmarks/results/bad-inputs.md. The trust cases (stripped or foreign signatures, huge string fields) are
# covered elsewhere. Needs the jar (mvn -o -q -B -pl lottalora-cli -am package -DskipTests) and python3;
# the Fashion-MNIST rows need its IDX files ($FASHION_DIR, else the usual folders; skipped when absent).
# About two minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-lottalora-cli/target/lottalora.jar}
[ -f "$JAR" ] || { echo "bad_inputs.sh: $JAR missing; build it with mvn -o -q -B -pl lottalora-cli -am package -DskipTests" >&2; exit 2; }
JAR=$(realpath "$JAR")
OUT=benchmarks/results/bad-inputs.md
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
ROWS="$W/rows.md"
: > "$ROWS"
n=0

lottalora() { java -jar "$JAR" "$@"; }

# row DESCRIPTION EXPECTED_EXIT CMD...: runs CMD (lottalora ..., or env VAR=.. java -jar "$JAR" ...), records
# its exit code and the last line of stderr (the error line comes last; progress is off with --quiet).
row() {
  local desc=$1 want=$2
  shift 2
  local err rc shown msg
  set +e
  "$@" > "$W/stdout" 2> "$W/stderr"
  rc=$?
  set -e
  shown=$(printf '%s' "$*" | sed "s#$W#\$W#g; s#java -jar $JAR#lottalora#g" | LC_ALL=C sed 's/\xff/\\xff/g')
  msg=$(tail -n 1 "$W/stderr")
  if [ "$rc" = 0 ] && [ -z "$msg" ]; then # success: the start of what it printed, other bytes as \xHH
    msg="ok: $(head -n 1 "$W/stdout" | python3 -c 'import sys; b = sys.stdin.buffer.read().rstrip(b"\n")[:90]
print("".join(chr(c) if 32 <= c < 127 and c != 96 else "\\x%02x" % c for c in b))')"
  fi
  add "$desc" "$shown" "$rc" "$msg" "$want"
}

# add DESCRIPTION COMMAND EXIT MESSAGE EXPECTED_EXIT: one table row; '|' escaped, temp paths shortened.
add() {
  n=$((n + 1))
  local msg ok
  msg=$(printf '%s' "$4" | sed "s#$W#\$W#g; s#|#\\\\|#g")
  ok=$([ "$3" = "$5" ] && echo "$3" || echo "$3 (expected $5)")
  printf '| %d | %s | `%s` | %s | %s |\n' "$n" "$1" "$(printf '%s' "$2" | sed 's#|#\\|#g')" "$ok" "$msg" >> "$ROWS"
}

# data: the embedded digits as a CSV file (1,797 rows, 64 features, label last)
gunzip -c lottalora-core/src/main/resources/org/lottalora/core/data/digits.csv.gz > "$W/d.csv"
with_line() { # FILE LINE NEWTEXT -> copy of d.csv with LINE replaced
  awk -v l="$2" -v t="$3" 'NR == l { print t; next } { print }' "$W/d.csv" > "$1"
}
digits_row() { sed -n "${1}p" "$W/d.csv"; }
T=(--family linear --widths 32 --epochs 1 --quiet)

# 1. non-finite values, anywhere
for spec in "1:NaN:1" "1000:NaN:1" "1797:NaN:1" "500:Infinity:10" "42:1e999:64" "300:nan:5" "77::3"; do
  IFS=: read -r line val col <<< "$spec"
  r=$(digits_row "$line" | awk -F, -v c="$col" -v v="$val" 'BEGIN { OFS = "," } { $c = v; print }')
  with_line "$W/nan.csv" "$line" "$r"
  row "${val:-an empty value} in column $col of line $line of a training CSV" 1 lottalora train --dataset "$W/nan.csv" "${T[@]}" --out "$W/n.lotta"
done

# 2. the split does not depend on the file's name
cp "$W/d.csv" "$W/a.csv"
cp "$W/d.csv" "$W/NaN2.csv"
lottalora train --dataset "$W/a.csv" "${T[@]}" --out "$W/a.lotta" > /dev/null
lottalora train --dataset "$W/NaN2.csv" "${T[@]}" --out "$W/b.lotta" > /dev/null
sha() { lottalora inspect "$1" --json | tr ',' '\n' | sed -n 's/.*"dataset_sha256":"\([0-9a-f]*\)".*/\1/p'; }
sa=$(sha "$W/a.lotta")
sb=$(sha "$W/b.lotta")
add "the same bytes as a.csv and as NaN2.csv (split seed 0)" \
  "lottalora train --dataset a.csv ...; lottalora train --dataset NaN2.csv ...; lottalora inspect --json" 0 \
  "training rows SHA-256 ${sa:0:16}... and ${sb:0:16}...: $([ "$sa" = "$sb" ] && echo same split || echo DIFFERENT SPLITS)" 0
lottalora train --dataset "$W/a.csv" "${T[@]}" --split-seed 1 --out "$W/c.lotta" > /dev/null
sc=$(sha "$W/c.lotta")
add "... control: a.csv with --split-seed 1 (the digest sees the split)" \
  "lottalora train --dataset a.csv --split-seed 1 ...; lottalora inspect --json" 0 \
  "training rows SHA-256 ${sc:0:16}...: $([ "$sa" = "$sc" ] && echo "SAME (the comparison cannot fail)" || echo differs)" 0

# 3. labels that are not classes
for lab in 1000000 100000000 2147483647 2147483648 -1 12; do
  r=$(digits_row 7 | awk -F, -v v="$lab" 'BEGIN { OFS = "," } { $NF = v; print }')
  with_line "$W/lab.csv" 7 "$r"
  row "label $lab on line 7 (digits: labels 0..9)" 1 lottalora train --dataset "$W/lab.csv" "${T[@]}" --out "$W/l.lotta"
done

# 4. prompts: the platform's decoding is strict; --prompt-file takes exact bytes
head -c 40000 README.md > "$W/text.txt"
lottalora lm train --data "$W/text.txt" --preset tiny --steps 3 --batch 2 --seq-len 16 -o "$W/lm.lotta" > /dev/null 2>&1
row "generate --prompt café under the C locale (ASCII)" 2 env LC_ALL=C java -jar "$JAR" generate "$W/lm.lotta" --prompt "café" --max-tokens 5
row "generate --prompt with invalid UTF-8 (byte 0xFF) under C.UTF-8" 2 env LC_ALL=C.UTF-8 java -jar "$JAR" generate "$W/lm.lotta" --prompt "$(printf 'ab\xffc')" --max-tokens 5
printf 'caf\xc3\xa9' > "$W/prompt.txt"
row "generate --prompt-file with café's UTF-8 bytes under the C locale" 0 env LC_ALL=C java -jar "$JAR" generate "$W/lm.lotta" --prompt-file "$W/prompt.txt" --max-tokens 5
printf 'ab\xffc' > "$W/prompt.bin"
row "generate --prompt-file with the byte 0xFF (not UTF-8: a byte LM takes it)" 0 lottalora generate "$W/lm.lotta" --prompt-file "$W/prompt.bin" --max-tokens 5

cp "$W/d.csv" "$W/café.csv"
row "a CSV named café.csv under the C locale" 2 env LC_ALL=C java -jar "$JAR" train --dataset "$W/café.csv" "${T[@]}" --out "$W/c2.lotta"

# 5. a refused sweep grid leaves no sweep.json
S=(sweep --out "$W/sw" --widths 32 --seeds 0 --epochs 1 --max-train 200 --no-full --quiet)
row "sweep with rank 100 on a 32-wide layer" 2 lottalora "${S[@]}" --ranks 100
add "... its folder afterwards" "ls \$W/sw" - \
  "$([ -e "$W/sw/sweep.json" ] && echo "sweep.json left behind" || echo "no sweep.json: nothing left behind")" -
row "... the corrected command (rank 4)" 0 lottalora "${S[@]}" --ranks 4

# 6. truncated gzip
lottalora train --dataset "$W/d.csv" "${T[@]}" --out "$W/m.lotta" > /dev/null
row "eval on the model's training CSV with another --split-seed (test rows it trained on)" 0 lottalora eval "$W/m.lotta" --dataset "$W/d.csv" --split-seed 1
gzip -c "$W/d.csv" | head -c 20000 > "$W/rows.csv.gz"
row "predict on a truncated .csv.gz" 1 lottalora predict "$W/m.lotta" "$W/rows.csv.gz"
row "eval on a truncated .csv.gz" 1 lottalora eval "$W/m.lotta" --dataset "$W/rows.csv.gz"
row "train on a truncated .csv.gz" 1 lottalora train --dataset "$W/rows.csv.gz" "${T[@]}" --out "$W/t.lotta"
head -c 5000 "$W/d.csv" > "$W/plain.csv.gz"
row "predict on a .csv.gz that is not gzip" 1 lottalora predict "$W/m.lotta" "$W/plain.csv.gz"

# 7. the wrong IDX dataset (needs the Fashion-MNIST files)
FM=${FASHION_DIR:-}
for d in /usr/share/datasets/fashion-mnist "$HOME/.cache/lottalora/fashion-mnist" /tmp/fmdeb/usr/share/datasets/fashion-mnist; do
  [ -z "$FM" ] && [ -f "$d/train-images-idx3-ubyte.gz" ] && FM=$d
done
if [ -n "$FM" ]; then
  row "--dataset mnist with the Fashion-MNIST files" 1 lottalora train --dataset mnist --data-dir "$FM" --no-download --quiet --out "$W/x.lotta"
  mkdir -p "$W/fm2"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte; do ln -s "$FM/$f.gz" "$W/fm2/$f.gz"; done
  python3 -c "import gzip,sys; b=bytearray(gzip.open(sys.argv[1]).read()); b[8]=(b[8]+1)%10; open(sys.argv[2],'wb').write(b)" \
    "$FM/t10k-labels-idx1-ubyte.gz" "$W/fm2/t10k-labels-idx1-ubyte"
  row "--dataset fashion-mnist with one test label changed" 1 lottalora train --dataset fashion-mnist --data-dir "$W/fm2" --no-download --quiet --out "$W/x.lotta"
  rm "$W/fm2/t10k-labels-idx1-ubyte"
  gunzip -c "$FM/t10k-labels-idx1-ubyte.gz" | gzip -9 > "$W/fm2/t10k-labels-idx1-ubyte.gz"
  row "--dataset fashion-mnist with a file recompressed (gzip -9): accepted" 0 lottalora train --dataset fashion-mnist --data-dir "$W/fm2" --no-download --max-train 500 --epochs 1 --widths 16 --quiet --out "$W/x.lotta"
else
  add "--dataset mnist with the Fashion-MNIST files" "(skipped)" "-" "Fashion-MNIST files not found; set FASHION_DIR" "-"
fi

# 7b. made-up MNIST files (right names and shapes, not the published archives): checked by the archives' MD5
mkdir -p "$W/mn/mnist"
python3 - "$W/mn/mnist" <<'PY'
import gzip, struct, sys
d = sys.argv[1]
for split, n in (("train", 60), ("t10k", 20)):
    with gzip.open(f"{d}/{split}-images-idx3-ubyte.gz", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + bytes(n * 784))
    with gzip.open(f"{d}/{split}-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + bytes(i % 10 for i in range(n)))
PY
row "--dataset mnist with made-up files of the right names and shapes" 1 lottalora train --dataset mnist --data-dir "$W/mn" --no-download --quiet --out "$W/x.lotta"

# 8. kill -9 while the artifact is written: the next write of the same target removes the leftover
big=(train --dataset "$W/d.csv" --full --widths 1024,1024 --epochs 1 --max-train 64 --quiet --out "$W/k.lotta")
caught=""
for attempt in 1 2 3 4 5; do
  lottalora "${big[@]}" > /dev/null 2>&1 &
  pid=$!
  while kill -0 "$pid" 2> /dev/null; do
    if compgen -G "$W/.k.lotta.*.tmp" > /dev/null; then kill -9 "$pid"; caught=yes; break; fi
    sleep 0.002
  done
  wait "$pid" 2> /dev/null || true
  [ -n "$caught" ] && break
done
if [ -n "$caught" ]; then
  left=$(cd "$W" && ls -a | grep -c '^\.k\.lotta\..*\.tmp$' || true)
  how="real kill -9 during the write (attempt $attempt), $left temporary file left"
else
  # the write window was missed every time: leave what a killed writer leaves (its pid is never alive)
  : > "$W/.k.lotta.pid2147483646.1.tmp"
  how="simulated: the write was never caught in 5 tries, so a dead writer's .k.lotta.pid2147483646.1.tmp was made"
fi
lottalora train --dataset "$W/d.csv" "${T[@]}" --out "$W/k.lotta" > /dev/null
left=$(cd "$W" && ls -a | grep -c '^\.k\.lotta\..*\.tmp$' || true)
add "a killed writer's temporary file ($how)" "lottalora train ... --out \$W/k.lotta (again)" 0 \
  "temporary files of k.lotta after the next write: $left" 0

{
  echo "# Bad inputs (issue 18): data and command line"
  echo
  echo "Each input run against the CLI jar by \`benchmarks/bad_inputs.sh\` (regenerate with it); the message is the"
  echo "last line the command printed on stderr (the whole output for a refusal: one line, no stack trace). Exit codes:"
  echo "0 ok, 1 failure (a bad file), 2 bad usage. \`\$W\` is the script's temporary folder; the CSVs are copies of the"
  echo "embedded digits with one line changed. Trust cases (signatures, huge fields) are in another table."
  echo "Generated $(date -u +%Y-%m-%d) with $(java -version 2>&1 | head -n 1)."
  echo
  echo "| # | bad input | command | exit | message |"
  echo "|---|---|---|---|---|"
  cat "$ROWS"
} > "$OUT"
echo "bad_inputs.sh: $n rows in $OUT"
