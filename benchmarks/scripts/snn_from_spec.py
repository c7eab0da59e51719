#!/usr/bin/env python3
"""A small spiking network simulated from lottalora-format/docs/artifact-format.md (section 4, item 7) alone.

Usage: snn_from_spec.py

Builds the network below (adaptive-LIF, IF and Izhikevich layers; dense connection with seeded weights and delays,
lattice, one-to-one and all-but-self connections), encodes a fixed image with the Poisson encoder from the stream
snn.encode/spec/0 of seed -5, runs 50 steps and prints each layer's spike counts and the excitatory layer's firing
order. SnnSpecVectorTest (lottalora-models) asserts that the Java Network gives the same spikes.
"""
import math

import numpy as np

from philox_stream import U, word_list as words

f32 = np.float32


def unit_uniform(seed, name, n):  # backbone family uniform, a = 1, fanin = 0: (a * f) * (2 U - 1)
    return [f32(1.0 * (2.0 * U(w) - 1.0)) for w in words(seed, name, n)]


SEED, T, DT = -5, 50, 1.0
LAYERS = [("input", "input", 12, {}),
          ("exc", "adaptive-lif", 4, dict(rest=-65.0, reset=-65.0, thresh=-62.0, tc_decay=20.0, refrac=2.0,
                                         one_spike=1.0)),
          ("inh", "if", 4, dict(thresh=-60.0, reset=-65.0, refrac=1.0)),
          ("izh", "izhikevich", 3, dict(a=0.02, b=0.2, c=-65.0, d=8.0, thresh=30.0))]
CONNS = [("input_exc", "input", "exc", "dense", dict(w_lo=0.0, w_hi=6.0, delay_min=1, delay_max=3)),
         ("exc_exc", "exc", "exc", "lattice", dict(c=1.5, c_max=2.0, delay_min=1, delay_max=1)),
         ("exc_inh", "exc", "inh", "one-to-one", dict(w=10.0, delay_min=1, delay_max=1)),
         ("inh_exc", "inh", "exc", "all-but-self", dict(w=-3.0, delay_min=1, delay_max=1)),
         ("exc_izh", "exc", "izh", "dense", dict(w=8.0, delay_min=1, delay_max=1))]


def build():
    size = {name: n for name, _, n, _ in LAYERS}
    conns = []
    for name, src, dst, topo, p in CONNS:
        npre, npost = size[src], size[dst]
        exists = [[topo == "dense" or (topo == "one-to-one" and i == j) or (topo in ("all-but-self", "lattice")
                   and i != j) for i in range(npre)] for j in range(npost)]
        w = [[f32(0)] * npre for _ in range(npost)]
        if topo == "lattice":
            side = int(math.isqrt(npost))
            for j in range(npost):
                for i in range(npre):
                    if i != j:
                        d = math.sqrt((i % side - j % side) ** 2 + (i // side - j // side) ** 2)
                        w[j][i] = f32(-min(p["c_max"], p["c"] * math.sqrt(d)))
        elif p.get("w_hi", 0) > p.get("w_lo", 0):
            v = unit_uniform(SEED, "snn." + name + ".weight", npost * npre)
            for j in range(npost):
                for i in range(npre):
                    if exists[j][i]:
                        w[j][i] = f32(p["w_lo"] + (p["w_hi"] - p["w_lo"]) * float(v[j * npre + i] + f32(1)) / 2)
        else:
            for j in range(npost):
                for i in range(npre):
                    if exists[j][i]:
                        w[j][i] = f32(p.get("w", 0.0))
        dmin, dmax = p["delay_min"], p["delay_max"]
        delay = [[1] * npre for _ in range(npost)]
        if dmax > dmin:
            v = unit_uniform(SEED, "snn." + name + ".delay", npost * npre)
            span = dmax - dmin + 1
            for j in range(npost):
                for i in range(npre):
                    q = (v[j * npre + i] + f32(1)) / f32(2) * f32(span)
                    delay[j][i] = dmin + min(span - 1, max(0, math.floor(q)))
        elif dmax > 1:
            delay = [[dmin] * npre for _ in range(npost)]
        conns.append(dict(name=name, src=src, dst=dst, w=w, delay=delay, buffered=dmax > 1, npre=npre, npost=npost,
                          buf={}))
    return conns


def poisson(x, rate, scale, key):
    ws = words(SEED, "snn.encode/" + key, 100000)
    k = 0
    spikes = [[] for _ in range(T)]
    for idx, v in enumerate(x):
        xi = min(1.0, float(v) / scale)
        if xi > 0 and rate > 0:
            mean = 1000.0 / (rate * xi * DT)
            t = 0
            while True:
                u = U(ws[k]); k += 1
                t += max(1, math.ceil(-math.log(u) * mean))
                if t > T:
                    break
                spikes[t - 1].append(idx)
    return [sorted(set(s)) for s in spikes]


def main():
    conns = build()
    image = [f32(((k * 5) % 7) / 6.0) for k in range(12)]
    train = poisson(image, 300.0, 1.0, "spec/0")
    st = {}
    for name, model, n, p in LAYERS:
        s = dict(model=model, n=n, p={k: f32(v) for k, v in p.items()}, spikes=[], count=[0] * n, order=[])
        if model in ("if", "lif", "adaptive-lif"):
            s["v"] = [s["p"]["reset"] if model == "if" else s["p"]["rest"]] * n
            s["refrac"] = [f32(0)] * n
            if model == "adaptive-lif":
                s["decay"] = f32(math.exp(-DT / p["tc_decay"]))
                s["theta"] = [f32(0)] * n
        if model == "izhikevich":
            s["v"] = [s["p"]["c"]] * n
            s["u"] = [s["p"]["b"] * s["p"]["c"]] * n
        st[name] = s
    d = f32(DT)
    for t in range(T):
        inp = {name: [f32(0)] * st[name]["n"] for name in st if st[name]["model"] != "input"}
        for c in conns:
            I = inp[c["dst"]]
            spiking = st[c["src"]]["spikes"]
            if not c["buffered"]:
                for i in spiking:
                    for j in range(c["npost"]):
                        I[j] = f32(I[j] + c["w"][j][i])
            else:
                for i in spiking:
                    for j in range(c["npost"]):
                        at = t - 1 + c["delay"][j][i]
                        b = c["buf"].setdefault(at, [f32(0)] * c["npost"])
                        b[j] = f32(b[j] + c["w"][j][i])
                b = c["buf"].pop(t, None)
                if b is not None:
                    for j in range(c["npost"]):
                        I[j] = f32(I[j] + b[j])
        for name, model, n, _ in LAYERS:
            s, P = st[name], st[name]["p"]
            out = []
            if model == "input":
                out = train[t]
            elif model in ("if", "adaptive-lif"):
                over_best, best = None, -1
                crossing = []
                for j in range(n):
                    x = inp[name][j] if not s["refrac"][j] > 0 else f32(0)
                    s["refrac"][j] = f32(s["refrac"][j] - d)
                    if model == "if":
                        v = f32(s["v"][j] + x)
                        fire = v >= P["thresh"]
                    else:
                        v = f32(f32(s["decay"] * f32(s["v"][j] - P["rest"])) + P["rest"])
                        v = f32(v + x)
                        over = f32(v - f32(P["thresh"] + s["theta"][j]))
                        fire = over >= 0
                        if fire and (best < 0 or over > over_best):
                            best, over_best = j, over
                    if fire:
                        crossing.append(j)
                        v = P["reset"]
                        s["refrac"][j] = P["refrac"]
                    s["v"][j] = v
                out = crossing if model == "if" or P["one_spike"] == 0 else ([best] if best >= 0 else [])
            elif model == "izhikevich":
                h = f32(DT / 2)
                for j in range(n):
                    x, v, u = inp[name][j], s["v"][j], s["u"][j]
                    for _ in range(2):
                        v = f32(v + f32(h * f32(f32(f32(f32(f32(f32(f32(0.04) * v) * v) + f32(f32(5) * v)) + f32(140))
                                                        - u) + x)))
                    u = f32(u + f32(f32(d * P["a"]) * f32(f32(P["b"] * v) - u)))
                    if v >= P["thresh"]:
                        out.append(j)
                        v = P["c"]
                        u = f32(u + P["d"])
                    s["v"][j], s["u"][j] = v, u
            s["spikes"] = out
            for j in out:
                s["count"][j] += 1
                s["order"].append(j)
    for name in ("exc", "inh", "izh"):
        print(name, "counts", st[name]["count"])
    print("exc order", st["exc"]["order"])
    print("input spikes", sum(len(s) for s in train))


if __name__ == "__main__":
    main()
