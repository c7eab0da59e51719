#!/usr/bin/python3
"""Writes a text,label CSV of KJV verses labelled by testament (old / new) from `bible "Gen1:1-Rev22:21"` output on
stdin: chapter headers "Book N", verses "  N text" with wrapped continuation lines. Keeps every STRIDE-th verse of
each testament, at most MAX_BYTES bytes each (longer verses are skipped, so nothing is cut), balanced by taking the
same number from both. Usage: bible "Gen1:1-Rev22:21" | kjv_testament_csv.py STRIDE MAX_BYTES > verses.csv"""
import csv
import re
import sys

stride, max_bytes = int(sys.argv[1]), int(sys.argv[2])
verses = {"old": [], "new": []}
testament, current = "old", None
for line in sys.stdin:
    line = line.rstrip("\n")
    if re.fullmatch(r"[1-3]? ?[A-Z][A-Za-z ]+ \d+", line.strip()) and not line.startswith(" "):
        if line.startswith("Matthew 1") and line.strip() == "Matthew 1":
            testament = "new"
        if current:
            verses[current[0]].append(current[1])
        current = None
        continue
    m = re.match(r"^\s+\d+ (.*)$", line)
    if m:
        if current:
            verses[current[0]].append(current[1])
        current = [testament, m.group(1)]
    elif current and line.strip():
        current[1] += " " + line.strip()
if current:
    verses[current[0]].append(current[1])
picked = {k: [v for v in vs[::stride] if len(v.encode()) <= max_bytes] for k, vs in verses.items()}
n = min(len(v) for v in picked.values())
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["text", "label"])
for i in range(n):
    for k in ("old", "new"):
        w.writerow([picked[k][i], k])
print(f"{n} verses per testament (of {len(verses['old'])} old, {len(verses['new'])} new)", file=sys.stderr)
