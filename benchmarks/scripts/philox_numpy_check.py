#!/usr/bin/env python3
"""Independent check of the philox4x64-10/v1 backbone stream against numpy's Philox.

Usage: philox_numpy_check.py [--java-jar lottalora.jar]

Prints raw words and float values of named tensors computed with numpy alone. With --java-jar it also asks
`lottalora backbone --raw-words` for the same tensors and exits 1 on any difference.
"""
import json
import math
import subprocess
import sys

import numpy as np

MASK = (1 << 64) - 1


def fnv1a64(name: str) -> int:
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def philox_key(seed: int, name: str):
    # The key must be a uint64 array: numpy turns a plain list [k0, k1] into an array first, and a list with one
    # word >= 2^63 and the other below it becomes float64 (int64 cannot hold the first, uint64 nor int64 both
    # in numpy's eyes), so the key silently loses bits. The single integer k0 + 2^64 k1 is the other exact form.
    return np.array([seed & MASK, fnv1a64(name)], dtype=np.uint64)


def raw_words(seed: int, name: str, n: int):
    g = np.random.Philox(key=philox_key(seed, name), counter=2**256 - 1)
    words = [int(w) for w in g.random_raw(n)]
    other = np.random.Philox(key=(seed & MASK) | (fnv1a64(name) << 64), counter=2**256 - 1)
    assert [int(w) for w in other.random_raw(n)] == words, "numpy's two exact key forms disagree"
    return words


def uniform(w: int) -> float:
    return ((w >> 11) + 0.5) * 2.0**-53


def normal_values(seed: int, name: str, n: int, sigma: float):
    words = raw_words(seed, name, n + (n & 1))
    out = []
    for m in range(0, len(words), 2):
        u1, u2 = uniform(words[m]), uniform(words[m + 1])
        rad = math.sqrt(-2.0 * math.log(u1))
        out += [rad * math.cos(2 * math.pi * u2), rad * math.sin(2 * math.pi * u2)]
    return [float(np.float32(sigma * z)) for z in out[:n]]


# Key words on both sides of 2^63 in both orders, negative seeds (seed -1 is the word 2^64 - 1), both words above.
# FNV of layers.0.weight, layers.0.bias, блок.0 < 2^63 <= FNV of layers.1.weight, head.weight.
CASES = [(0, "layers.0.weight"), (42, "layers.0.weight"), (2**63 + 5, "head.weight"), (7, "блок.0"),
         (42, "layers.1.weight"), (-1, "layers.0.weight"), (-7, "head.weight"), (-2**63, "layers.0.bias")]


def permutation(n: int, seed: int, name: str):
    """Fisher-Yates of backbone-stream.md section 5 (the split and batch-order rule), from the document alone."""
    p = list(range(n))
    words = raw_words(seed, name, n - 1) if n > 1 else []
    for j, i in enumerate(range(n - 1, 0, -1)):
        k = min(math.floor(uniform(words[j]) * (i + 1)), i)
        p[i], p[k] = p[k], p[i]
    return p


def main():
    jar = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--java-jar" else None
    bad = 0
    for seed, name in CASES:
        words = raw_words(seed, name, 12)
        print(f"seed={seed} name={name} fnv={fnv1a64(name):016x}")
        print("  words  " + " ".join(f"{w:016x}" for w in words))
        # normal with fan-in scaling for a [4, 16] tensor: sigma = 1/sqrt(16)
        vals = normal_values(seed, name, 8, 0.25)
        print("  normal[4,16] " + " ".join(repr(v) for v in vals))
        # the published [8, 8] vectors of backbone-stream.md 6.1 (sigma * f = 1 / sqrt 8)
        print("  normal[8,8]  " + " ".join(repr(v) for v in normal_values(seed, name, 4, 1.0 / math.sqrt(8))))
        if jar:
            out = subprocess.run(["java", "-jar", jar, "backbone", "--seed", str(seed - (1 << 64) if seed >= 2**63 else seed),
                                  "--name", name, "--shape", "4,16", "--init", "normal", "--count", "8",
                                  "--raw-words", "12", "--json"], capture_output=True, text=True, check=True)
            got = json.loads(out.stdout)
            jw = [int(x, 16) for x in got["raw_words"]]
            # float32 values compared bit for bit; the numpy side uses the C libm, which agrees with
            # StrictMath to well under one float32 ulp on these inputs
            if jw != words:
                print("  MISMATCH raw words", file=sys.stderr); bad += 1
            # JSON carries each float32 as its exact double value, so equality is bit equality
            if [float(np.float32(v)) for v in got["values"]] != vals:
                print(f"  MISMATCH values {got['values']}", file=sys.stderr); bad += 1
    # split-rule vectors of backbone-stream.md 5.1
    print("permutation(10, 5, split/digits)  ", permutation(10, 5, "split/digits"))
    print("permutation(10, -3, split/digits) ", permutation(10, -3, "split/digits"))
    p = permutation(1797, 0, "split/digits")
    print("digits seed 0: first test rows", p[:8])
    tv = p[int(math.floor(1797 * 0.2 + 0.5)):]
    q = permutation(len(tv), 0, "split/digits/trainval")
    print("digits seed 0: first validation rows", [tv[i] for i in q[:8]])
    if jar:
        print("numpy check:", "ok" if bad == 0 else f"{bad} mismatches")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
