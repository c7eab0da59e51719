#!/usr/bin/env python3
"""A reader for the spiking image networks (diehl-cook, lm-snn, lc-snn) written from the documents alone.

Usage: snn_reader_check.py MODEL.lotta DIGITS.csv N [--java-jar lottalora.jar]

Decodes the artifact by hand (lotta_reader_check.py's wire-format helpers), rebuilds the network as
artifact-format.md section 4 item 7 says, splits the digits CSV by backbone-stream.md section 5.1 (split seed 0),
presents the first N test rows with keys test/<r> (Poisson retries included) and scores the three readout rules.
With --java-jar it runs `lottalora snn eval --json --test-examples N` and exits 1 unless the three accuracies, the
mean spike count and the silent count are equal.
"""
import json
import math
import subprocess
import sys

import numpy as np

import lotta_reader_check as lr

f32 = np.float32


def smap(buf):  # a map<string, double> entry
    k, v = "", 0.0
    for g, _, w in lr.fields(buf):
        if g == 1:
            k = w.decode()
        elif g == 2:
            v = lr.dbl(w)
    return k, v


def parse_snn(path):
    a = lr.parse(path)  # seed, tensors, backbone records
    raw = open(path, "rb").read()
    length = int.from_bytes(raw[12:20], "little")
    cfg = dict(layers=[], conns=[], inhibition="", c_max=0.0, min_spikes=0, retries=0, rate_step=0.0, ngram=1)
    for f, _, v in lr.fields(raw[20:20 + length]):
        if f != 4:
            continue
        for g, _, w in lr.fields(v):
            if g == 1:
                cfg["family"] = w.decode()
            if g != 12:
                continue
            for h, hwt, x in lr.fields(w):
                if h == 1:
                    cfg["dt"] = lr.dbl(x)
                elif h == 2:
                    cfg["time"] = x
                elif h == 3:
                    layer = dict(params={})
                    for i, _, y in lr.fields(x):
                        if i == 1:
                            layer["name"] = y.decode()
                        elif i == 2:
                            layer["model"] = y.decode()
                        elif i == 3:
                            layer["n"] = y
                        elif i == 4:
                            k, val = smap(y)
                            layer["params"][k] = val
                    cfg["layers"].append(layer)
                elif h == 4:
                    c = dict(params={}, rule="none")
                    for i, _, y in lr.fields(x):
                        if i in (1, 2, 3, 4, 6):
                            c[{1: "name", 2: "source", 3: "target", 4: "topology", 6: "rule"}[i]] = y.decode()
                        elif i == 5:
                            k, val = smap(y)
                            c["params"][k] = val
                    cfg["conns"].append(c)
                elif h == 5:
                    e = dict(rate=0.0, scale=1.0)
                    for i, _, y in lr.fields(x):
                        if i == 1:
                            e["kind"] = y.decode()
                        elif i == 2:
                            e["rate"] = lr.dbl(y)
                        elif i == 3:
                            e["scale"] = lr.dbl(y)
                    cfg["encoder"] = e
                elif h in (6, 7, 11, 12):
                    cfg[{6: "min_spikes", 7: "retries", 11: "classes", 12: "ngram"}[h]] = x
                elif h == 8:
                    cfg["rate_step"] = lr.dbl(x)
                elif h == 13:
                    cfg["inhibition"] = x.decode()
                elif h == 15:
                    cfg["c_max"] = lr.dbl(x)
    return a, cfg


def build(a, cfg):
    seed, T = a["seed"], a["tensors"]
    size = {l["name"]: l["n"] for l in cfg["layers"]}
    conns = []
    for c in cfg["conns"]:
        p, npre, npost, topo = c["params"], size[c["source"]], size[c["target"]], c["topology"]
        J, I = np.meshgrid(np.arange(npost), np.arange(npre), indexing="ij")  # [post, pre]
        if topo == "dense":
            exists = np.ones((npost, npre), bool)
        elif topo == "one-to-one":
            exists = I == J
        elif topo in ("all-but-self", "lattice"):
            exists = I != J
        elif topo == "local-competition":
            P = npost // int(p["filters"])
            exists = (I != J) & (I % P == J % P)
        else:  # local
            h, w, k, st, fl = (int(p[q]) for q in ("in_height", "in_width", "kernel", "stride", "filters"))
            ph, pw = (h - k) // st + 1, (w - k) // st + 1
            exists = np.zeros((npost, npre), bool)
            for fi in range(fl):
                for py in range(ph):
                    for px in range(pw):
                        for dy in range(k):
                            for dx in range(k):
                                exists[fi * ph * pw + py * pw + px, (py * st + dy) * w + px * st + dx] = True
        w = np.zeros((npost, npre), np.float32)
        if topo == "lattice":
            cval = cfg["c_max"] if cfg["inhibition"] and c["name"] == "exc_exc" else p["c"]
            side = math.isqrt(npost)
            for j in range(npost):
                for i in range(npre):
                    if i != j:
                        d = math.sqrt((i % side - j % side) ** 2 + (i // side - j // side) ** 2)
                        w[j, i] = f32(-min(p.get("c_max", math.inf), cval * math.sqrt(d)))
        elif p.get("w_hi", 0.0) > p.get("w_lo", 0.0):
            rec = {t["name"]: t for t in a["backbone"]}["snn." + c["name"] + ".weight"]
            v = lr.regenerate(seed, rec)
            vals = (p.get("w_lo", 0.0) + (p["w_hi"] - p.get("w_lo", 0.0)) * (v + f32(1)).astype(np.float64) / 2)
            w = np.where(exists, vals.astype(np.float32), f32(0))
        else:
            w = np.where(exists, f32(p.get("w", 0.0)), f32(0)).astype(np.float32)
        if c["rule"] not in ("none", "delay-stdp"):
            w = np.where(exists, T[c["name"] + ".weight"].reshape(npost, npre), f32(0)).astype(np.float32)
        dmin, dmax = int(p["delay_min"]), int(p["delay_max"])
        delay = np.ones((npost, npre), int) * (dmin if dmax > 1 else 1)
        if dmax > dmin:
            rec = {t["name"]: t for t in a["backbone"]}["snn." + c["name"] + ".delay"]
            v = lr.regenerate(seed, rec)
            q = np.floor((v + f32(1)) / f32(2) * f32(dmax - dmin + 1))
            delay = dmin + np.minimum(dmax - dmin, np.maximum(0, q)).astype(int)
        if c["rule"] == "delay-stdp":
            delay = T[c["name"] + ".delay"].reshape(npost, npre).astype(int)
        conns.append(dict(c=c, w=w, delay=delay, buffered=dmax > 1))
    return conns


def present(a, cfg, conns, x, key):
    e, dt, steps = cfg["encoder"], cfg["dt"], cfg["time"]
    readout = "exc"
    attempt = 0
    while True:
        rate = e["rate"] + attempt * cfg["rate_step"]
        ws = lr.uniforms(a["seed"], "snn.encode/%s/%d" % (key, attempt), 200000)
        k = 0
        train = [[] for _ in range(steps)]
        for idx, v in enumerate(x):
            xi = min(1.0, float(v) / e["scale"])
            if xi > 0 and rate > 0:
                mean = 1000.0 / (rate * xi * dt)
                t = 0
                while True:
                    t += max(1, math.ceil(-math.log(ws[k]) * mean)); k += 1
                    if t > steps:
                        break
                    train[t - 1].append(idx)
        counts, order = run(a, cfg, conns, train, readout)
        if sum(counts) >= cfg["min_spikes"] or attempt >= cfg["retries"]:
            return counts, order
        attempt += 1


def run(a, cfg, conns, train, readout):
    dt, steps = cfg["dt"], cfg["time"]
    d = f32(dt)
    st = {}
    for l in cfg["layers"]:
        P = {k: f32(v) for k, v in l["params"].items()}
        s = dict(l=l, P=P, spikes=np.zeros(0, int), n=l["n"])
        if l["model"] in ("if", "lif", "adaptive-lif"):
            s["v"] = np.full(l["n"], P["reset"] if l["model"] == "if" else P["rest"], np.float32)
            s["refrac"] = np.zeros(l["n"], np.float32)
            if l["model"] != "if":
                s["decay"] = f32(math.exp(-dt / l["params"]["tc_decay"]))
            if l["model"] == "adaptive-lif":
                s["theta"] = a["tensors"][l["name"] + ".theta"].astype(np.float32)
        elif l["model"] == "izhikevich":
            s["v"] = np.full(l["n"], P["c"], np.float32)
            s["u"] = np.full(l["n"], P["b"] * P["c"], np.float32)
        st[l["name"]] = s
    for c in conns:
        c["buf"] = {}
    counts = np.zeros(st[readout]["n"], int)
    order = []
    for t in range(steps):
        inp = {n: np.zeros(s["n"], np.float32) for n, s in st.items() if s["l"]["model"] != "input"}
        for c in conns:
            I = inp[c["c"]["target"]]
            for i in st[c["c"]["source"]]["spikes"]:
                if not c["buffered"]:
                    I += c["w"][:, i]
                else:
                    for j in range(len(I)):
                        b = c["buf"].setdefault(t - 1 + c["delay"][j, i], np.zeros(len(I), np.float32))
                        b[j] = f32(b[j] + c["w"][j, i])
            if c["buffered"] and t in c["buf"]:
                I += c["buf"].pop(t)
        for name, s in st.items():
            m, P = s["l"]["model"], s["P"]
            if m == "input":
                s["spikes"] = np.array(train[t], int)
                continue
            x = np.where(s.get("refrac", np.zeros(1)) > 0, f32(0), inp[name]).astype(np.float32) \
                if m in ("if", "lif", "adaptive-lif") else inp[name]
            if m in ("if", "lif", "adaptive-lif"):
                s["refrac"] = (s["refrac"] - d).astype(np.float32)
                if m == "if":
                    v = (s["v"] + x).astype(np.float32)
                else:
                    v = ((s["decay"] * (s["v"] - P["rest"])).astype(np.float32) + P["rest"]).astype(np.float32)
                    v = (v + x).astype(np.float32)
                if m == "adaptive-lif":
                    over = (v - (P["thresh"] + s["theta"]).astype(np.float32)).astype(np.float32)
                    fire = over >= 0
                else:
                    fire = v >= P["thresh"]
                s["v"] = np.where(fire, P["reset"], v).astype(np.float32)
                s["refrac"] = np.where(fire, P["refrac"], s["refrac"]).astype(np.float32)
                idx = np.nonzero(fire)[0]
                if m == "adaptive-lif" and P["one_spike"] != 0 and len(idx):
                    idx = np.array([int(np.argmax(np.where(fire, over, -np.inf)))])
                s["spikes"] = idx
            elif m == "mcculloch-pitts":
                s["spikes"] = np.nonzero(inp[name] >= P["thresh"])[0]
            else:
                raise SystemExit("this check covers input, if, lif, adaptive-lif and mcculloch-pitts layers")
        for j in st[readout]["spikes"]:
            counts[j] += 1
            order.append(int(j))
    return counts, order


def argmax_pos(score):
    best, b = -1, 0.0
    for k, v in enumerate(score):
        if v > b:
            best, b = k, v
    return best


def main():
    model, csv, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    jar = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--java-jar" else None
    a, cfg = parse_snn(model)
    conns = build(a, cfg)
    rows = [[float(v) for v in l.split(",")] for l in open(csv) if l.strip()]
    # backbone-stream.md 5.1: the test part of digits is the first round(0.2 n) entries of perm(n, 0, "split/digits")
    import philox_numpy_check as pc
    perm = pc.permutation(len(rows), 0, "split/digits")
    test = [rows[i] for i in perm[:math.floor(len(rows) * 0.2 + 0.5)]][:n]
    C = cfg["classes"]
    rates = a["tensors"]["readout.rates"].reshape(-1, C)
    assign, prop = [], []
    for r in rates:
        total = sum(float(v) for v in r)
        assign.append(argmax_pos([float(v) for v in r]))
        prop.append([f32(float(v) / total) if total != 0 else f32(0) for v in r])
    keys = a["tensors"].get("readout.ngram_keys")
    table = {}
    if keys is not None:
        sc = a["tensors"]["readout.ngram_scores"].reshape(-1, C)
        for kk, row in zip(keys.reshape(-1, cfg["ngram"]), sc):
            table[tuple(int(q) for q in kk)] = row
    hits = [0, 0, 0]
    spikes, silent = 0, 0
    for r, row in enumerate(test):
        counts, order = present(a, cfg, conns, np.array(row[:-1], np.float32), "test/%d" % r)
        y = int(row[-1])
        spikes += int(counts.sum())
        silent += int(counts.sum() == 0)
        members = [sum(1 for q in assign if q == k) for k in range(C)]
        s1 = [0.0] * C
        s2 = [0.0] * C
        for j, k in enumerate(assign):
            if k >= 0:
                s1[k] += counts[j]
                s2[k] += float(f32(prop[j][k] * f32(counts[j])))
        s1 = [s1[k] / members[k] if members[k] else 0.0 for k in range(C)]
        s2 = [s2[k] / members[k] if members[k] else 0.0 for k in range(C)]
        s3 = [0.0] * C
        g = cfg["ngram"]
        for q in range(len(order) - g + 1):
            row3 = table.get(tuple(order[q:q + g]))
            if row3 is not None:
                s3 = [s3[k] + float(row3[k]) for k in range(C)]
        for i, s in enumerate((s1, s2, s3)):
            hits[i] += int(argmax_pos(s) == y)
    mine = dict(accuracy_all_activity=hits[0] / len(test), accuracy_proportion=hits[1] / len(test),
                accuracy_ngram=hits[2] / len(test), mean_spikes=spikes / len(test), silent=silent)
    print(json.dumps(mine))
    if jar:
        out = subprocess.run(["java", "-jar", jar, "snn", "eval", model, "--json", "--test-examples", str(n)],
                             capture_output=True, text=True, check=True).stdout
        theirs = json.loads(out.strip().splitlines()[-1])
        bad = [k for k in mine if abs(mine[k] - theirs[k]) > 1e-12]
        print("java:", json.dumps({k: theirs[k] for k in mine}))
        print("equal" if not bad else "DIFFERENT: " + ", ".join(bad))
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
