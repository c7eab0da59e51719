#!/usr/bin/env bash
# Bad inputs for trust on load and reader limits (issue 18): signed, stripped, re-signed and unsigned artifacts
# under --public-key / --trusted-keys / $LOTTALORA_TRUSTED_KEYS / --require-signed, and crafted files with a
# 500 MB string field, a tensor declared larger than the file, 70,000 empty tensors and 24 MiB of history lines.
# Each row: the command, its exit code and its stderr (one line). Writes benchmarks/results/bad-inputs-trust.md.
# BEFORE_JAR=path BEFORE_LABEL=text adds the main cases run through an older build, for comparison.
# Needs the CLI jar (mvn -pl lottalora-cli -am package -DskipTests), python3, about 1.1 GB of free disk in $TMPDIR.
set -uo pipefail
cd "$(dirname "$0")/.."
jar=lottalora-cli/target/lottalora.jar
[ -f "$jar" ] || { echo "build $jar first: mvn -pl lottalora-cli -am package -DskipTests" >&2; exit 2; }
craft=benchmarks/scripts/craft_artifact.py
out=benchmarks/results/bad-inputs-trust.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
L() { java -Xmx1g -jar "$jar" "$@"; }

L train --epochs 1 --widths 32 --rank 2 --quiet --out "$tmp/model.lotta" > /dev/null
python3 -c "import gzip,sys; [print(l.rsplit(',',1)[0]) for l in gzip.open(sys.argv[1],'rt').read().split()[-5:]]" \
  lottalora-core/src/main/resources/org/lottalora/core/data/digits.csv.gz > "$tmp/rows.csv"
L keygen -o "$tmp/ours" > /dev/null && L keygen -o "$tmp/theirs" > /dev/null
mkdir -p "$tmp/trusted" "$tmp/empty" && cp "$tmp/ours.pub.pem" "$tmp/trusted/"
L sign "$tmp/model.lotta" --key "$tmp/ours.pem" -o "$tmp/signed.lotta" > /dev/null
python3 "$craft" strip "$tmp/signed.lotta" "$tmp/stripped.lotta"
L sign "$tmp/signed.lotta" --key "$tmp/theirs.pem" -o "$tmp/resigned.lotta" > /dev/null
L reservoir train --units 50 --steps 1200 -o "$tmp/esn.lotta" > /dev/null 2>&1
L sign "$tmp/esn.lotta" --key "$tmp/theirs.pem" -o "$tmp/esn-theirs.lotta" > /dev/null
python3 "$craft" bigstring "$tmp/big.lotta" 500
python3 "$craft" bigtensor "$tmp/bigtensor.lotta"
python3 "$craft" manytensors "$tmp/many.lotta" 70000
python3 "$craft" manystrings "$tmp/lines.lotta" 24

{
  echo "# Bad inputs: trust on load and reader limits"
  echo
  echo "Made by \`benchmarks/bad_inputs_trust.sh\` ($(date -u +%Y-%m-%d), $(java -version 2>&1 | head -1)). Every"
  echo "command runs as \`java -Xmx1g -jar lottalora.jar ...\` unless the row says otherwise; \`model.lotta\` is a"
  echo "digits MLP, \`signed\` is it signed by key \`ours\`, \`stripped\` the same file with the trailer cut off,"
  echo "\`resigned\` re-signed by \`theirs\`; \`trusted/\` holds ours.pub.pem, \`empty/\` nothing. Wall time and"
  echo "peak RSS from /usr/bin/time."
  echo
  echo "| case | command | exit | s | peak MB | stderr |"
  echo "|---|---|---|---|---|---|"
} > "$out"

row() { # row CASE ENV... -- ARGS...   (env assignments before --, then lottalora arguments)
  local name=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  local xmx=-Xmx1g
  if [[ "$1" == -Xmx* ]]; then xmx=$1; shift; fi
  local err code secs rss
  env "${envs[@]}" /usr/bin/time -f "%e %M" -o "$tmp/time" java "$xmx" -jar "$jar" "$@" < /dev/null \
    > /dev/null 2> "$tmp/err"
  code=$?
  read -r secs rss < <(tail -1 "$tmp/time") # time -o puts "Command exited ..." first on failure
  err=$(grep -v '^Command exited' "$tmp/err" | head -3 | tr '\n' ' ' | sed "s#$tmp/##g; s/|/\\\\|/g; s/ *$//")
  local shown
  shown=$(printf '%s ' "${envs[@]}" "$@" | sed "s#$tmp/##g; s/ *$//")
  [ "$xmx" != -Xmx1g ] && shown="$xmx $shown"
  echo "| $name | \`$shown\` | $code | $secs | $((rss / 1024)) | ${err:-(none)} |" >> "$out"
  echo "$name: exit $code" >&2
}

row "signed, its key trusted" -- predict "$tmp/signed.lotta" "$tmp/rows.csv" -k 1 --public-key "$tmp/ours.pub.pem"
row "signature stripped, key trusted" -- predict "$tmp/stripped.lotta" "$tmp/rows.csv" --public-key "$tmp/ours.pub.pem"
row "re-signed by another key" -- eval "$tmp/resigned.lotta" --public-key "$tmp/ours.pub.pem"
row "unsigned, no policy" -- predict "$tmp/model.lotta" "$tmp/rows.csv" -k 1
row "unsigned, --require-signed" -- inspect "$tmp/model.lotta" --require-signed --public-key "$tmp/ours.pub.pem"
row "--require-signed, no key" -- inspect "$tmp/signed.lotta" --require-signed
row "env folder, signed by it" LOTTALORA_TRUSTED_KEYS="$tmp/trusted" -- verify "$tmp/signed.lotta"
row "env folder, re-signed" LOTTALORA_TRUSTED_KEYS="$tmp/trusted" -- export "$tmp/resigned.lotta" -o "$tmp/x.safetensors"
row "env folder, stripped" LOTTALORA_TRUSTED_KEYS="$tmp/trusted" -- diff "$tmp/signed.lotta" "$tmp/stripped.lotta"
row "env require, empty folder" LOTTALORA_TRUSTED_KEYS="$tmp/empty" LOTTALORA_REQUIRE_SIGNED=1 -- convert \
  "$tmp/signed.lotta" --dtype fp16 -o "$tmp/c.lotta"
row "--public-key given a private key" -- inspect "$tmp/signed.lotta" --public-key "$tmp/ours.pem"
row "reservoir, another key's signature" -- reservoir eval "$tmp/esn-theirs.lotta" --trusted-keys "$tmp/trusted"
row "reservoir, no policy" -- reservoir eval "$tmp/esn-theirs.lotta"
# the file swapped after a successful verify: the next use checks again, on the bytes it parses
cp "$tmp/signed.lotta" "$tmp/swap.lotta"
row "verify, then the file is swapped" -- verify "$tmp/swap.lotta" --public-key "$tmp/ours.pub.pem"
cp "$tmp/resigned.lotta" "$tmp/swap.lotta"
row "... and then used" -- predict "$tmp/swap.lotta" "$tmp/rows.csv" --public-key "$tmp/ours.pub.pem"
for cmd in inspect eval verify; do
  row "500 MB string field" -- $cmd "$tmp/big.lotta"
done
row "500 MB string field" -- predict "$tmp/big.lotta" "$tmp/rows.csv"
row "500 MB file, small heap" -- -Xmx256m inspect "$tmp/big.lotta"
row "tensor declared 1 GiB in 40 bytes" -- eval "$tmp/bigtensor.lotta"
row "70,000 empty tensors" -- inspect "$tmp/many.lotta"
row "24 history lines of 1 MiB, small heap" -- -Xmx48m inspect "$tmp/lines.lotta"
row "24 history lines of 1 MiB" -- inspect "$tmp/lines.lotta"
if [ -n "${BEFORE_JAR:-}" ]; then # the same inputs through an older build, e.g. one of the commit before issue 18
  { echo; echo "## Before: \`BEFORE_JAR\` ($BEFORE_LABEL)"; echo
    echo "| case | command | exit | s | peak MB | stderr (first lines) |"; echo "|---|---|---|---|---|---|"; } >> "$out"
  jar=$BEFORE_JAR
  row "500 MB string field" -- inspect "$tmp/big.lotta"
  row "500 MB string field" -- eval "$tmp/big.lotta"
  row "24 history lines of 1 MiB, small heap" -- -Xmx48m inspect "$tmp/lines.lotta"
  row "re-signed by another key" -- predict "$tmp/resigned.lotta" "$tmp/rows.csv" -k 1
  row "signature stripped" -- predict "$tmp/stripped.lotta" "$tmp/rows.csv" -k 1
  row "--public-key on predict" -- predict "$tmp/resigned.lotta" "$tmp/rows.csv" --public-key "$tmp/ours.pub.pem"
fi
echo "wrote $out" >&2
