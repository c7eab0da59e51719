#!/usr/bin/env python3
"""The `ring` reservoir's features, computed from lottalora-format/docs/artifact-format.md (section 4, item 6) alone.

Usage: ring_from_spec.py

Prints the 1 + neurons * samples features of one small ring reservoir (the settings below, seed -3) for a fixed
6 x 5 image, as exact hex doubles. RingSpecVectorTest (lottalora-models) asserts that the Java RingReservoir gives
the same values, so the spec's text and the code cannot drift apart.
"""
import math

import numpy as np

from philox_stream import U, word_list as words



def normals(seed, name, n):
    w = words(seed, name, n + (n & 1))
    z = []
    for m in range(0, len(w), 2):
        r = math.sqrt(-2.0 * math.log(U(w[m])))
        t = 2 * math.pi * U(w[m + 1])
        z += [r * math.cos(t), r * math.sin(t)]
    return z[:n]


def sparse_normal(seed, name, n, p):
    z = normals(seed, name, n)
    u = [U(x) for x in words(seed, name + "#1", n)]
    return [float(np.float32(1.0 * z[i])) if u[i] < p else 0.0 for i in range(n)]


def d2xy(n, d):
    x = y = 0
    t = d
    s = 1
    while s < n:
        rx = 1 & (t // 2)
        ry = 1 & (t ^ rx)
        if ry == 0:
            if rx == 1:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
        x += s * rx
        y += s * ry
        t //= 4
        s *= 2
    return x, y


def features(seed, H, W, image, rings, min_ring, max_ring, epsilon, rewire_p, neighbours, tau, threshold, window,
             stride, input_scaling, input_density, samples, settle):
    lo = min_ring if min_ring % 2 == 1 else min_ring + 1
    choices = (max_ring - lo) // 2 + 1
    sw = words(seed, "ring.sizes", rings)
    sizes = [lo + 2 * min(choices - 1, math.floor(U(sw[r]) * choices)) for r in range(rings)]
    start = [sum(sizes[:r]) for r in range(rings + 1)]
    neurons = start[rings]
    pred, ring_of, pos = [], [], []
    for r in range(rings):
        for j in range(sizes[r]):
            pred.append(start[r] + (j - 1) % sizes[r])
            ring_of.append(r)
            pos.append(j)
    # Watts-Strogatz, words of "ring.graph" read with one counter
    n, k = rings, neighbours
    gw = words(seed, "ring.graph", 10000)
    w = 0
    adj = [set() for _ in range(n)]
    for i in range(n):
        for j in range(1, k // 2 + 1):
            t = (i + j) % n
            adj[i].add(t); adj[t].add(i)
    for j in range(1, k // 2 + 1):
        for i in range(n):
            t = (i + j) % n
            u = U(gw[w]); w += 1
            if u < rewire_p and t in adj[i] and len(adj[i]) < n - 1:
                free = [m for m in range(n) if m != i and m not in adj[i]]
                m = free[min(len(free) - 1, math.floor(U(gw[w]) * len(free)))]; w += 1
                adj[i].discard(t); adj[t].discard(i)
                adj[i].add(m); adj[m].add(i)
    coupled = [[start[q] + pos[i] % sizes[q] for q in sorted(adj[ring_of[i]])] for i in range(neurons)]
    win = sparse_normal(seed, "ring.Win", neurons * window, input_density)
    win = [v * input_scaling for v in win]
    side = 1
    while side < max(H, W):
        side *= 2
    order = []
    for d in range(side * side):
        x, y = d2xy(side, d)
        if y < H and x < W:
            order.append(y * W + x)
    windows = (H * W - window) // stride + 1
    steps = settle + windows
    sample_at = [settle + math.floor((s + 1) * windows / samples + 0.5) - 1 for s in range(samples)]
    o = [0] * neurons
    for r in range(rings):
        for j in range(sizes[r]):
            o[start[r] + j] = j % 2
    c = [float(o[pred[i]]) for i in range(neurons)]
    for r in range(rings):
        c[start[r]] = float(1 - o[pred[start[r]]])
    f = [1.0]
    for t in range(steps):
        win_vals = None
        if t >= settle:
            b = (t - settle) * stride
            win_vals = [float(image[order[b + j]]) for j in range(window)]
        nxt = [0] * neurons
        for i in range(neurons):
            I = float(o[pred[i]])
            if coupled[i]:
                I += epsilon * sum(o[q] for q in coupled[i]) / len(coupled[i])
            if win_vals is not None:
                s = 0.0
                for j in range(window):
                    if win[i * window + j] != 0.0:
                        s += win[i * window + j] * win_vals[j]
                I += s
            h = I - c[i]
            c[i] += h * (1.0 / tau)
            nxt[i] = 0 if h > threshold else 1 if h < -threshold else o[i]
        o = nxt
        if t in sample_at:
            f += list(c)
    return sizes, f


def main():
    H, W = 6, 5
    image = [float(np.float32(((k * 7) % 11) / 10.0 - 0.5)) for k in range(H * W)]
    sizes, f = features(-3, H, W, image, rings=5, min_ring=3, max_ring=7, epsilon=0.3, rewire_p=0.5, neighbours=2,
                        tau=3.0, threshold=0.2, window=4, stride=2, input_scaling=0.8, input_density=0.5, samples=3,
                        settle=5)
    print("sizes", sizes)
    print(len(f), "features")
    print(", ".join(v.hex() for v in f))


if __name__ == "__main__":
    main()
