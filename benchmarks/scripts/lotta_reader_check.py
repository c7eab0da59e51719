#!/usr/bin/env python3
"""A .lotta reader written from the documents alone, for the families mlp, linear, cnn and cfc on images.

Usage: lotta_reader_check.py MODEL.lotta ROWS.csv [--java-jar lottalora.jar]

Decodes the container and the protobuf payload by hand (field numbers from lotta.proto), regenerates the backbone
(backbone-stream.md, families normal / uniform / kaiming_uniform), rebuilds the model as artifact-format.md
section 4 says (adapters from `Adapter` records or by name, DoRA, residual, LayerNorm, BatchNorm, convolutions, the
CfC cell) and prints class probabilities for each CSV row (raw features, optionally followed by a label). With
--java-jar it also runs `lottalora predict --json -k <classes>` and exits 1 when a probability differs by more than
1e-4 or the top class differs.
"""
import hashlib
import json
import math
import struct
import subprocess
import sys

import numpy as np

from philox_stream import uniforms, varint, wire_fields



# ---- protobuf wire format -------------------------------------------------------------------------------------
fields = wire_fields


def signed64(x):
    return x - (1 << 64) if x >= 1 << 63 else x


def packed_ints(wt, v):
    if wt == 0:
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(signed64(x))
    return out


def dbl(v):
    return struct.unpack("<d", v)[0]


def parse_init(buf):
    fam, params = "", {}
    for f, wt, v in fields(buf):
        if f == 1:
            fam = v.decode()
        elif f == 2:
            k, val = "", 0.0
            for g, _, w in fields(v):
                if g == 1:
                    k = w.decode()
                elif g == 2:
                    val = dbl(w)
            params[k] = val
    return fam, params


def parse(path):
    raw = open(path, "rb").read()
    assert raw[:8] == b"LOTTA\r\n\x1a", "magic"
    version, length = struct.unpack("<IQ", raw[8:20])
    assert version == 1
    payload = raw[20:20 + length]
    assert hashlib.sha256(raw[:20 + length]).digest() == raw[20 + length:52 + length], "digest"
    a = dict(tensors={}, adapters=[], backbone=[], seed=0, model={}, adapter={}, mean=0.0, std=1.0)
    for f, wt, v in fields(payload):
        if f == 3:
            for g, gwt, w in fields(v):
                if g == 2:
                    a["seed"] = signed64(w)
                elif g == 4:
                    t = dict(shape=[])
                    for h, hwt, x in fields(w):
                        if h == 1:
                            t["name"] = x.decode()
                        elif h == 2:
                            t["shape"] += packed_ints(hwt, x)
                        elif h == 3:
                            t["init"] = parse_init(x)
                        elif h == 4:
                            t["fan_in"] = x
                        elif h == 5:
                            t["fan_out"] = x
                    a["backbone"].append(t)
        elif f == 4:
            m = dict(widths=[], full=False)
            for g, gwt, w in fields(v):
                if g == 1:
                    m["family"] = w.decode()
                elif g == 2:
                    m["input_dim"] = w
                elif g == 3:
                    m["classes"] = w
                elif g == 4:
                    m["full"] = bool(w)
                elif g == 10:
                    for h, hwt, x in fields(w):
                        if h == 1:
                            m["widths"] += packed_ints(hwt, x)
            a["model"] = m
        elif f == 5:
            names = {1: "rank", 2: "alpha", 3: "rs_lora", 4: "train_beta", 6: "train_bias", 8: "dora", 9: "residual",
                     10: "layer_norm"}
            ac = dict(rank=0, alpha=0.0, rs_lora=False, train_beta=False, train_bias=False, dora=False,
                      residual=False, layer_norm=False)
            for g, gwt, w in fields(v):
                if g in names:
                    ac[names[g]] = dbl(w) if g == 2 else (w if g == 1 else bool(w))
            a["adapter"] = ac
        elif f == 6:
            t = dict(shape=[], scales=b"", dtype=1)
            for g, gwt, w in fields(v):
                if g == 1:
                    t["name"] = w.decode()
                elif g == 2:
                    t["shape"] += packed_ints(gwt, w)
                elif g == 3:
                    t["dtype"] = w
                elif g == 4:
                    t["data"] = w
                elif g == 5:
                    t["scales"] = w
            a["tensors"][t["name"]] = decode(t)
        elif f == 7:
            for g, gwt, w in fields(v):
                if g == 1:
                    a["mean"] = struct.unpack("<f", w)[0]
                elif g == 2:
                    a["std"] = struct.unpack("<f", w)[0]
        elif f == 11:
            r = dict(beta="")
            for g, gwt, w in fields(v):
                r[{1: "target", 2: "rank", 3: "alpha", 4: "rule", 5: "a", 6: "b", 7: "beta"}[g]] = (
                    w.decode() if g in (1, 5, 6, 7) else dbl(w) if g == 3 else w)
            a["adapters"].append(r)
    return a


def decode(t):
    n = int(np.prod(t["shape"])) if t["shape"] else 1
    d = t["dtype"]
    if d == 1:
        v = np.frombuffer(t["data"], "<f4")
    elif d == 2:
        v = np.frombuffer(t["data"], "<f2").astype(np.float32)
    elif d == 3:
        v = (np.frombuffer(t["data"], "<u2").astype(np.uint32) << 16).view(np.float32)
    else:  # int8, every code including -128, times the row's scale (artifact-format.md section 3)
        rows = t["shape"][0] if len(t["shape"]) >= 2 else 1
        q = np.frombuffer(t["data"], "i1").astype(np.float32).reshape(rows, -1)
        v = (q * np.frombuffer(t["scales"], "<f4").reshape(rows, 1)).astype(np.float32)
    return np.asarray(v, np.float32).reshape(t["shape"] if t["shape"] else [n])


# ---- backbone stream -------------------------------------------------------------------------------------------
def regenerate(seed, t):
    fam, p = t["init"]
    n = int(np.prod(t["shape"]))
    f = 1.0 / math.sqrt(t["fan_in"]) if p.get("fanin", 0.0) == 1.0 else 1.0
    if fam == "normal":
        u = uniforms(seed, t["name"], n + (n & 1))
        r = np.sqrt(-2.0 * np.log(u[0::2]))
        th = 2 * math.pi * u[1::2]
        z = np.empty(n + (n & 1))
        z[0::2], z[1::2] = r * np.cos(th), r * np.sin(th)
        v = (p["sigma"] * f) * z[:n]
    elif fam == "uniform":
        v = (p["a"] * f) * (2.0 * uniforms(seed, t["name"], n) - 1.0)
    else:
        raise SystemExit("this reader regenerates normal and uniform only, not " + fam)
    return v.astype(np.float32).reshape(t["shape"])


# ---- the model (artifact-format.md section 4) ------------------------------------------------------------------
def build(a):
    ac, tensors = a["adapter"], a["tensors"]
    bb = {t["name"]: regenerate(a["seed"], t) for t in a["backbone"]}
    s = ac["alpha"] / math.sqrt(ac["rank"]) if ac["rs_lora"] else ac["alpha"] / ac["rank"] if ac["rank"] else 0
    s = np.float32(s)
    records = {r["target"]: r for r in a["adapters"]}

    def weight(prefix, shape2):
        """The weight of backbone tensor prefix.weight as a [rows, cols] matrix, adapted (item 3) and DoRA (item 8)."""
        name = prefix + ".weight"
        if name in tensors:  # full mode
            return tensors[name].reshape(shape2)
        w = bb[name].reshape(shape2)
        r = records.get(name)
        an, bn, betan = (r["a"], r["b"], r["beta"]) if r else (prefix + ".lora_A", prefix + ".lora_B", prefix + ".beta")
        if an not in tensors:
            return w
        beta = tensors[betan][0] if betan in tensors else np.float32(1)
        v = (beta * w + s * (tensors[bn] @ tensors[an])).astype(np.float32)
        if prefix + ".dora_m" in tensors:
            v = tensors[prefix + ".dora_m"][:, None] * v / np.sqrt((v * v).sum(1, keepdims=True))
        return v.astype(np.float32)

    def bias(prefix):
        return tensors.get(prefix + ".bias", bb.get(prefix + ".bias"))

    def close(prefix, x_in, y):  # item 8: residual where shapes agree, then LayerNorm over each sample's values
        if ac["residual"] and x_in.shape == y.shape:
            y = y + x_in
        if ac["layer_norm"]:
            axes = tuple(range(1, y.ndim))
            mu = y.mean(axes, keepdims=True)
            var = ((y - mu) ** 2).mean(axes, keepdims=True)
            shp = (1, -1) + (1,) * (y.ndim - 2)
            y = (y - mu) / np.sqrt(var + 1e-5) * tensors[prefix + ".ln.gain"].reshape(shp) \
                + tensors[prefix + ".ln.bias"].reshape(shp)
        return y.astype(np.float32)

    m = a["model"]
    fam, widths = m["family"], m["widths"]

    def forward(x):  # x: [batch, input_dim], normalised
        if fam in ("mlp", "linear"):
            h = x
            for i, w in enumerate(widths):
                p = "layers.%d" % i
                y = np.maximum(h @ weight(p, (w, h.shape[1])).T + bias(p), 0)
                h = close(p, h, y)
        elif fam == "cnn":
            side = int(round(math.sqrt(m["input_dim"])))
            h = x.reshape(-1, 1, side, side)
            for i, c in enumerate(widths):
                p = "convs.%d" % i
                cin = h.shape[1]
                st = 2 if i > 0 and widths[i] != widths[i - 1] else 1
                k = weight(p, (c, cin * 9)).reshape(c, cin, 3, 3)
                s_in = h.shape[2]
                s_out = (s_in - 1) // st + 1
                hp = np.pad(h, ((0, 0), (0, 0), (1, 1), (1, 1)))
                y = np.zeros((h.shape[0], c, s_out, s_out), np.float32)
                for u in range(3):
                    for v in range(3):
                        patch = hp[:, :, u:u + st * (s_out - 1) + 1:st, v:v + st * (s_out - 1) + 1:st]
                        y += np.einsum("bcpq,oc->bopq", patch, k[:, :, u, v])
                g, sh = tensors[p + ".bn.gamma"], tensors[p + ".bn.shift"]
                mu, var = tensors[p + ".bn.mean"], tensors[p + ".bn.var"]
                y = g[None, :, None, None] * (y - mu[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5) \
                    + sh[None, :, None, None]
                h = close(p, h, np.maximum(y, 0).astype(np.float32))
            h = h.mean((2, 3))
        elif fam == "cfc":
            side = int(round(math.sqrt(m["input_dim"])))
            hidden, units = widths
            W = {g: weight("cfc." + g, (units if g == "backbone" else hidden, side + hidden if g == "backbone"
                                        else units)) for g in ("backbone", "ff1", "ff2", "time_a", "time_b")}
            B = {g: bias("cfc." + g) for g in W}
            h = np.zeros((x.shape[0], hidden), np.float32)
            sig = lambda q: 1 / (1 + np.exp(-q))
            for t in range(side):
                xt = x[:, t * side:(t + 1) * side]
                z = np.tanh(np.concatenate([xt, h], 1) @ W["backbone"].T + B["backbone"])
                f1 = np.tanh(z @ W["ff1"].T + B["ff1"])
                f2 = np.tanh(z @ W["ff2"].T + B["ff2"])
                g = sig((z @ W["time_a"].T + B["time_a"]) * 1.0 + (z @ W["time_b"].T + B["time_b"]))
                h = close("cfc", h, (f1 * (1 - g) + g * f2).astype(np.float32))
        else:
            raise SystemExit("this reader covers mlp, linear, cnn and cfc, not " + fam)
        logits = h @ tensors["head.weight"].T + tensors["head.bias"]
        e = np.exp(logits - logits.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    return forward


def main():
    model, rows = sys.argv[1], sys.argv[2]
    jar = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--java-jar" else None
    a = parse(model)
    forward = build(a)
    d = a["model"]["input_dim"]
    X = np.array([[float(v) for v in line.split(",")[:d]] for line in open(rows) if line.strip()], np.float32)
    inv = np.float32(1) / np.float32(a["std"])
    P = forward(((X - np.float32(a["mean"])) * inv).astype(np.float32))
    for p in P:
        print(" ".join("%.6f" % v for v in p))
    if not jar:
        return
    out = subprocess.run(["java", "-jar", jar, "predict", model, rows, "--json", "-k", str(a["model"]["classes"])],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    worst, top_bad, n = 0.0, 0, 0
    for line, p in zip([l for l in out if '"top"' in l or '"classes"' in l or '"predictions"' in l], P):
        o = json.loads(line)
        top = o.get("top") or o.get("predictions") or o.get("classes")
        got = np.zeros(len(p))
        for e in top:
            got[e["class"]] = e["probability"]
        worst = max(worst, float(np.abs(got - p).max()))
        top_bad += int(np.argmax(got) != np.argmax(p))
        n += 1
    print("rows compared: %d, largest probability difference: %.2e, top-class disagreements: %d" % (n, worst, top_bad))
    sys.exit(0 if n == len(P) and worst <= 1e-4 and top_bad == 0 else 1)


if __name__ == "__main__":
    main()
