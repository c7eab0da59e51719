#!/usr/bin/env python3
"""A .lotta reader for the hand-written engine's families, written from the documents alone (numpy only).

Sources: lottalora-format/docs/artifact-format.md (container, tensors), lotta.proto (field numbers),
lottalora-core/docs/backbone-stream.md (the generator) and lottalora-format/docs/families.md (backbone tensor
lists, stored tensors, forward passes). No protobuf library: the payload is decoded from the wire format.

For each FIXTURE.json given (written by SpecReaderFixturesTest in lottalora-models, next to FIXTURE's .lotta), it
  1. checks the container (magic, version, length, SHA-256),
  2. builds the family's backbone tensor list from families.md and checks it against the file's records (name,
     shape, init family, fans), regenerates every tensor with numpy's Philox and checks its fingerprint,
  3. runs the forward pass of families.md on the fixture's inputs (binary64 arithmetic on the binary32 values),
     using every stored tensor exactly once, and compares with the Java outputs in the JSON.

Usage: python3 benchmarks/scripts/spec_reader.py lottalora-models/target/spec-reader/*.json
Exit status 1 on any mismatch.
"""
import hashlib
import json
import math
import os
import struct
import sys

import numpy as np

from philox_stream import uniforms, varint, wire_fields


# ---------------------------------------------------------------- protobuf wire format (lotta.proto)


def fields(buf):
    """field number -> list of raw values (int for varints, bytes otherwise)."""
    out = {}
    for num, _, v in wire_fields(buf):
        out.setdefault(num, []).append(v)
    return out


def one(f, n, default=None):
    return f[n][-1] if n in f else default


def s(f, n):
    return one(f, n, b"").decode("utf-8")


def i64(f, n):
    v = one(f, n, 0)
    return v - (1 << 64) if v >= 1 << 63 else v


def dbl(f, n):
    v = one(f, n)
    return struct.unpack("<d", v)[0] if v is not None else 0.0


def ints(f, n):
    """repeated int32/int64, packed or not."""
    out = []
    for v in f.get(n, []):
        if isinstance(v, int):
            out.append(v)
        else:
            i = 0
            while i < len(v):
                x, i = varint(v, i)
                out.append(x)
    return out


def floats(f, n):
    out = []
    for v in f.get(n, []):
        out += list(struct.unpack(f"<{len(v) // 4}f", v))
    return out


def init_spec(buf):
    f = fields(buf)
    params = {}
    for e in f.get(2, []):
        ef = fields(e)
        params[s(ef, 1)] = dbl(ef, 2)
    return s(f, 1), params


def read_artifact(path):
    raw = open(path, "rb").read()
    assert raw[:8] == b"LOTTA\r\n\x1a", "magic"
    version, length = struct.unpack("<IQ", raw[8:20])
    assert version == 1, f"version {version}"
    payload = raw[20:20 + length]
    assert hashlib.sha256(raw[:20 + length]).digest() == raw[20 + length:52 + length], "digest"
    return fields(payload)


def decode_tensor(buf):
    f = fields(buf)
    shape = ints(f, 2)
    dtype = one(f, 3, 0)
    data = one(f, 4, b"")
    n = int(np.prod(shape))
    if dtype == 1:
        v = np.frombuffer(data, "<f4").astype(np.float32)
    elif dtype == 2:
        v = np.frombuffer(data, "<f2").astype(np.float32)
    elif dtype == 3:
        v = (np.frombuffer(data, "<u2").astype(np.uint32) << 16).view(np.float32)
    elif dtype == 4:
        q = np.frombuffer(data, "i1").astype(np.float32)
        scales = np.frombuffer(one(f, 5, b""), "<f4")
        rows = shape[0] if len(shape) >= 2 else 1
        v = (q.reshape(rows, -1) * scales[:, None]).astype(np.float32).reshape(-1)
    else:
        raise ValueError(f"dtype {dtype}")
    assert v.size == n, (s(f, 1), v.size, shape)
    return s(f, 1), shape, v


# ---------------------------------------------------------------- the generator (backbone-stream.md)


def normals(seed, name, n):
    u = uniforms(seed, name, n + (n & 1))
    r = np.sqrt(-2.0 * np.log(u[0::2]))
    t = 2 * math.pi * u[1::2]
    z = np.empty(u.size)
    z[0::2] = r * np.cos(t)
    z[1::2] = r * np.sin(t)
    return z[:n]


def regenerate(seed, name, shape, family, params, fan_in):
    n = int(np.prod(shape))
    f = 1.0 / math.sqrt(fan_in) if params.get("fanin", 0) == 1 else 1.0
    if family == "normal":
        v = (params["sigma"] * f) * normals(seed, name, n)
    elif family == "uniform":
        v = (params["a"] * f) * (2 * uniforms(seed, name, n) - 1)
    elif family == "kaiming_uniform":
        a = params["a"]
        v = (math.sqrt(2 / (1 + a * a)) * math.sqrt(3 / fan_in)) * (2 * uniforms(seed, name, n) - 1)
    else:
        raise ValueError(f"init family {family} is not implemented by this reader")
    return v.astype(np.float32)


def fingerprint(v):
    n = v.size
    idx = range(n) if n <= 64 else [k * n // 64 for k in range(64)]
    return hashlib.sha256(np.asarray([v[i] for i in idx], "<f4").tobytes()).digest()


# ---------------------------------------------------------------- families.md: backbone lists


DEFAULTS = {"normal": {"fanin": 1.0, "sigma": 1.0}, "uniform": {"a": 1.0, "fanin": 1.0},
            "kaiming_uniform": {"a": math.sqrt(5)}}


def linear(prefix, d_in, d_out, init="model"):
    """a weight [d_out, d_in] (model init unless named) and its bias [d_out] (uniform, fan-in d_in)."""
    return [(prefix + ".weight", [d_out, d_in], init, d_in, d_out), (prefix + ".bias", [d_out], "uniform", d_in, d_out)]


def mat(name, shape, init):
    fan_out = shape[0]
    for x in shape[2:]:
        fan_out *= x
    return (name, shape, init, int(np.prod(shape[1:])) if len(shape) > 1 else 1, fan_out)


def head(classes, d):
    return [mat("head.weight", [classes, d], "kaiming_uniform"), ("head.bias", [classes], "uniform", d, classes)]


def encoder_blocks(L, d, F):
    out = []
    for l in range(L):
        for m in "qkvo":
            out += linear(f"blocks.{l}.attn.{m}", d, d)
        out += linear(f"blocks.{l}.mlp.fc1", d, F) + linear(f"blocks.{l}.mlp.fc2", F, d)
    return out


def backbone_list(family, m, cfg):
    if family == "byte-lm":
        d, L, F = cfg["width"], cfg["layers"], cfg["mlp_hidden"]
        out = [mat("tok.embedding", [256, d], "normal")]
        for l in range(L):
            for x in "qkvo":
                out += linear(f"blocks.{l}.attn.{x}", d, d)
            out += linear(f"blocks.{l}.mlp.gate", d, F) + linear(f"blocks.{l}.mlp.up", d, F)
            out += linear(f"blocks.{l}.mlp.down", F, d)
        return out
    if family == "vit":
        d, P = cfg["width"], cfg["patch"]
        n = (cfg["side"] // P) ** 2
        out = [mat("patch.weight", [d, P * P], "kaiming_uniform"), ("patch.bias", [d], "uniform", P * P, d),
               mat("cls", [1, d], "normal"), mat("pos", [n + 1, d], "normal")]
        return out + encoder_blocks(cfg["layers"], d, cfg["mlp_hidden"]) + head(m["classes"], d)
    if family == "text-encoder":
        d = cfg["width"]
        out = [mat("tok.embedding", [256, d], "normal"), mat("pos", [cfg["max_len"], d], "normal")]
        return out + encoder_blocks(cfg["layers"], d, cfg["mlp_hidden"]) + head(m["classes"], d)
    if family in ("gcn", "gin"):
        out, d = [], m["input_dim"]
        for l, h in enumerate(cfg["hidden"]):
            if family == "gcn":
                out += linear(f"gcn.{l}", d, h)
            else:
                out += linear(f"gin.{l}.0", d, h) + linear(f"gin.{l}.1", h, h)
            d = h
        return out + head(m["classes"], d)
    if family in ("cfc", "lstm"):
        D, S, U = m["input_dim"], cfg["hidden"], cfg["units"]
        if family == "cfc":
            out = linear("cfc.backbone", D + S, U)
            for g in ("ff1", "ff2", "time_a", "time_b"):
                out += linear(f"cfc.{g}", U, S)
        else:
            out = []
            for g in "ifgo":
                out += linear(f"lstm.{g}", D + S, S)
        return out + head(m["classes"], S)
    raise ValueError(family)


# ---------------------------------------------------------------- the model


class Model:
    def __init__(self, path):
        a = read_artifact(path)
        bb = fields(one(a, 3))
        assert s(bb, 1) == "philox4x64-10/v1"
        self.seed = i64(bb, 2)
        model_init = init_spec(one(bb, 3))
        mf = fields(one(a, 4))
        self.family = s(mf, 1)
        self.m = {"input_dim": one(mf, 2, 0), "classes": one(mf, 3, 0), "full": bool(one(mf, 4, 0))}
        self.cfg = self.config(mf)
        af = fields(one(a, 5, b""))
        self.ac = {"rank": one(af, 1, 0), "alpha": dbl(af, 2), "rs_lora": bool(one(af, 3, 0)),
                   "train_beta": bool(one(af, 4, 0)), "dora": bool(one(af, 8, 0)),
                   "residual": bool(one(af, 9, 0)), "layer_norm": bool(one(af, 10, 0))}
        assert 11 not in a, "these families write no Adapter records"
        # backbone: the list of families.md against the file's records, then regenerate and fingerprint
        records = [fields(t) for t in bb.get(4, [])]
        want = backbone_list(self.family, self.m, self.cfg)
        assert [s(r, 1) for r in records] == [w[0] for w in want], (
            "backbone names differ", [s(r, 1) for r in records], [w[0] for w in want])
        self.W = {}
        for r, (name, shape, init, fan_in, fan_out) in zip(records, want):
            fam, params = init_spec(one(r, 3))
            exp_fam, exp_params = model_init if init == "model" else (init, DEFAULTS[init])
            assert ints(r, 2) == shape, (name, ints(r, 2), shape)
            assert fam == exp_fam and params == exp_params, (name, fam, params, exp_fam, exp_params)
            assert (one(r, 4), one(r, 5)) == (fan_in, fan_out), (name, one(r, 4), one(r, 5), fan_in, fan_out)
            v = regenerate(self.seed, name, shape, fam, params, fan_in)
            assert fingerprint(v) == one(r, 6), f"fingerprint of {name}"
            self.W[name] = v.astype(np.float64).reshape(shape)
        self.T = {}
        for t in a.get(6, []):
            name, shape, v = decode_tensor(t)
            self.T[name] = v.astype(np.float64)
        self.used = set()

    def config(self, mf):
        if self.family == "byte-lm":
            f = fields(one(mf, 15))
            return {"width": one(f, 1), "heads": one(f, 2), "layers": one(f, 3), "mlp_hidden": one(f, 4),
                    "context": one(f, 5), "attention_mode": s(f, 6).lower(), "mlp_mode": s(f, 12).lower()}
        if self.family == "vit":
            f = fields(one(mf, 16))
            return {"side": one(f, 1), "patch": one(f, 2), "width": one(f, 3), "heads": one(f, 4),
                    "layers": one(f, 5), "mlp_hidden": one(f, 6), "attention_mode": s(f, 7).lower(),
                    "pixel_mean": dbl(f, 11), "pixel_std": dbl(f, 12), "mlp_mode": s(f, 13).lower()}
        if self.family == "text-encoder":
            f = fields(one(mf, 17))
            return {"max_len": one(f, 1), "width": one(f, 2), "heads": one(f, 3), "layers": one(f, 4),
                    "mlp_hidden": one(f, 5), "attention_mode": s(f, 6).lower(),
                    "classes": [c.decode() for c in f.get(7, [])], "truncate": bool(one(f, 10, 0)),
                    "mlp_mode": s(f, 11).lower()}
        if self.family in ("gcn", "gin"):
            f = fields(one(mf, 13))
            return {"hidden": ints(f, 1)}
        if self.family in ("cfc", "lstm"):
            f = fields(one(mf, 14))
            return {"hidden": one(f, 1), "units": one(f, 2, 0), "mean": floats(f, 8), "std": floats(f, 9)}
        raise ValueError(self.family)

    def t(self, name):
        self.used.add(name)
        return self.T[name]

    # the adapted linear layer (families.md section 1): returns (W' [d_out, d_in], b [d_out])
    def layer(self, p, d_in, d_out, mode):
        w0, b = self.W[p + ".weight"], self.W[p + ".bias"]
        if mode == "frozen":
            return w0, b
        if mode == "full":
            return self.t(p + ".weight").reshape(d_out, d_in), b
        r = self.ac["rank"]
        rr = min(r, d_in, d_out)
        s_ = float(np.float32(self.ac["alpha"] / (math.sqrt(r) if self.ac["rs_lora"] else r)))
        A = self.t(p + ".lora_A").reshape(rr, d_in)
        B = self.t(p + ".lora_B").reshape(d_out, rr)
        beta = self.t(p + ".beta")[0] if self.ac["train_beta"] else 1.0
        w = beta * w0 + s_ * (B @ A)
        if self.ac["dora"]:
            w = self.t(p + ".dora_m")[:, None] * w / np.linalg.norm(w, axis=1, keepdims=True)
        return w, b

    def dense(self, x, p, d_in, d_out, mode):
        w, b = self.layer(p, d_in, d_out, mode)
        return x @ w.T + b

    def close(self, q, h_in, y):
        if self.ac["residual"] and h_in.shape[-1] == y.shape[-1]:
            y = y + h_in
        if self.ac["layer_norm"]:
            y = layer_norm(y, self.t(q + ".ln.gain"), self.t(q + ".ln.bias"))
        return y

    # ------------------------------------------------------------ transformers (sections 2-6)
    def attention(self, a, pre, d, H, causal, rope, T):
        mode = self.cfg["attention_mode"]
        Q = self.dense(a, pre + ".q", d, d, mode)
        K = self.dense(a, pre + ".k", d, d, mode)
        V = self.dense(a, pre + ".v", d, d, mode)
        dh = d // H
        if rope:
            Q, K = rope_rotate(Q, H, dh), rope_rotate(K, H, dh)
        C = np.zeros_like(Q)
        n = a.shape[0]
        for h in range(H):
            cols = slice(h * dh, (h + 1) * dh)
            S = Q[:, cols] @ K[:, cols].T / math.sqrt(dh)
            allowed = np.arange(n)[None, :] < T if not causal else np.tril(np.ones((n, n), bool))
            S = np.where(allowed, S, -np.inf)
            C[:, cols] = softmax(S) @ V[:, cols]
        return self.dense(C, pre + ".o", d, d, mode)

    def encoder(self, x, T):
        d, H, F, L = self.cfg["width"], self.cfg["heads"], self.cfg["mlp_hidden"], self.cfg["layers"]
        for l in range(L):
            b = f"blocks.{l}"
            a = layer_norm(x, self.t(b + ".attn_norm.gain"), self.t(b + ".attn_norm.bias"))
            x = x + self.attention(a, b + ".attn", d, H, False, False, T)
            m = layer_norm(x, self.t(b + ".mlp_norm.gain"), self.t(b + ".mlp_norm.bias"))
            u = gelu(self.dense(m, b + ".mlp.fc1", d, F, self.cfg["mlp_mode"]))
            x = x + self.dense(u, b + ".mlp.fc2", F, d, self.cfg["mlp_mode"])
        return x

    def classify(self, c):
        d = self.cfg["width"]
        z = layer_norm(c, self.t("final_norm.gain"), self.t("final_norm.bias"))
        z = z @ self.t("head.weight").reshape(-1, d).T + self.t("head.bias")
        return softmax(z)

    def byte_lm(self, tokens):
        c = self.cfg
        d, H, F = c["width"], c["heads"], c["mlp_hidden"]
        assert 1 <= len(tokens) <= c["context"]
        E = self.t("tok.embedding").reshape(256, d)
        h = E[tokens]
        for l in range(c["layers"]):
            b = f"blocks.{l}"
            h = h + self.attention(rms_norm(h, self.t(b + ".attn_norm.gain")), b + ".attn", d, H, True, True,
                                   len(tokens))
            m = rms_norm(h, self.t(b + ".mlp_norm.gain"))
            mode = c["mlp_mode"]
            g = self.dense(m, b + ".mlp.gate", d, F, mode)
            u = self.dense(m, b + ".mlp.up", d, F, mode)
            h = h + self.dense(g / (1 + np.exp(-g)) * u, b + ".mlp.down", F, d, mode)
        return rms_norm(h, self.t("final_norm.gain")) @ E.T

    def vit(self, image):
        c = self.cfg
        d, P, side = c["width"], c["patch"], c["side"]
        x = (np.asarray(image, np.float32) - np.float32(c["pixel_mean"])) / np.float32(c["pixel_std"])
        x = x.astype(np.float64).reshape(side, side)
        a = side // P
        patches = np.stack([x[(k // a) * P:(k // a + 1) * P, (k % a) * P:(k % a + 1) * P].reshape(-1)
                            for k in range(a * a)])
        pos = self.t("pos").reshape(a * a + 1, d)
        tokens = np.vstack([self.t("cls").reshape(1, d) + pos[0],
                            patches @ self.t("patch.weight").reshape(d, P * P).T + self.t("patch.bias") + pos[1:]])
        h = self.encoder(tokens, a * a + 1)
        return self.classify(h[0])

    def text(self, text):
        c = self.cfg
        b = list(text.encode("utf-8"))
        assert b, "empty text"
        if len(b) > c["max_len"]:
            assert c["truncate"], "longer than the context"
            b = b[:c["max_len"]]
        d = c["width"]
        x = self.t("tok.embedding").reshape(256, d)[b] + self.t("pos").reshape(-1, d)[:len(b)]
        h = self.encoder(x, len(b))
        return self.classify(h.mean(axis=0))

    # ------------------------------------------------------------ graphs (section 7)
    def graph(self, g):
        n = g["nodes"]
        nb = [set() for _ in range(n)]
        for i, j in zip(g["src"], g["dst"]):
            if i != j:
                nb[i].add(j)
                nb[j].add(i)
        H = np.asarray(g["features"], np.float64)
        deg = np.array([len(x) for x in nb], np.float64)
        mode = "full" if self.m["full"] else "adapter"
        d = self.m["input_dim"]
        for l, h in enumerate(self.cfg["hidden"]):
            if self.family == "gcn":
                AH = np.array([H[i] / (deg[i] + 1) + sum(H[j] / math.sqrt((deg[i] + 1) * (deg[j] + 1))
                                                         for j in nb[i]) for i in range(n)])
                Y = relu(self.dense(AH, f"gcn.{l}", d, h, mode))
                H = self.close(f"gcn.{l}", H, Y)
            else:
                S = np.array([H[i] + sum((H[j] for j in nb[i]), np.zeros(d)) for i in range(n)])
                U = relu(self.dense(S, f"gin.{l}.0", d, h, mode))
                Y = relu(self.dense(U, f"gin.{l}.1", h, h, mode))
                H = self.close(f"gin.{l}", H, Y)
            d = h
        if self.family == "gin":
            H = H.sum(axis=0)
        return softmax(H @ self.t("head.weight").reshape(-1, d).T + self.t("head.bias"))

    # ------------------------------------------------------------ recurrent (section 8)
    def sequence(self, x, dt, length):
        D, S, U = self.m["input_dim"], self.cfg["hidden"], self.cfg["units"]
        mode = "full" if self.m["full"] else "adapter"
        x = np.asarray(x, np.float32)
        if self.cfg["mean"]:
            x = (x - np.asarray(self.cfg["mean"], np.float32)) / np.asarray(self.cfg["std"], np.float32)
        x = x.astype(np.float64)
        h, c = np.zeros(S), np.zeros(S)
        for t in range(length):
            xh = np.concatenate([x[t], h])
            if self.family == "cfc":
                z = np.tanh(self.dense(xh, "cfc.backbone", D + S, U, mode))
                f1 = np.tanh(self.dense(z, "cfc.ff1", U, S, mode))
                f2 = np.tanh(self.dense(z, "cfc.ff2", U, S, mode))
                g = sigmoid(self.dense(z, "cfc.time_a", U, S, mode) * dt[t] + self.dense(z, "cfc.time_b", U, S, mode))
                y = f1 * (1 - g) + g * f2
            else:
                i, f, o = (sigmoid(self.dense(xh, f"lstm.{k}", D + S, S, mode)) for k in "ifo")
                g = np.tanh(self.dense(xh, "lstm.g", D + S, S, mode))
                c = f * c + i * g
                y = o * np.tanh(c)
            h = self.close(self.family, h, y)
        return softmax(h @ self.t("head.weight").reshape(-1, S).T + self.t("head.bias"))


def softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def relu(x):
    return np.maximum(x, 0)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def gelu(v):
    return 0.5 * v * (1 + np.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))


def rms_norm(x, gain):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + 1e-6) * gain


def layer_norm(x, gain, bias):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5) * gain + bias


def rope_rotate(x, H, dh):
    out = x.copy()
    for p in range(x.shape[0]):
        for i in range(dh // 2):
            ang = p * 10000.0 ** (-2.0 * i / dh)
            cs, sn = math.cos(ang), math.sin(ang)
            for h in range(H):
                a = h * dh + 2 * i
                x0, x1 = x[p, a], x[p, a + 1]
                out[p, a], out[p, a + 1] = x0 * cs - x1 * sn, x0 * sn + x1 * cs
    return out


def run(fixture):
    spec = json.load(open(fixture, encoding="utf-8"))
    model = Model(os.path.join(os.path.dirname(fixture), spec["artifact"]))
    inp = spec["inputs"]
    f = model.family
    if f == "byte-lm":
        got, want = model.byte_lm(inp["tokens"]), spec["logits"]
        assert list(inp["text"].encode("utf-8")) == inp["tokens"]
    elif f == "vit":
        got, want = np.array([model.vit(im) for im in inp["images"]]), spec["probabilities"]
    elif f == "text-encoder":
        got, want = np.array([model.text(t) for t in inp["texts"]]), spec["probabilities"]
    elif f == "gcn":
        got, want = model.graph(inp["graphs"][0]), spec["probabilities"]
    elif f == "gin":
        got, want = np.array([model.graph(g) for g in inp["graphs"]]), spec["probabilities"]
    else:
        got = np.array([model.sequence(x, dt, n) for x, dt, n in zip(inp["x"], inp["dt"], inp["lengths"])])
        want = spec["probabilities"]
    unused = set(model.T) - model.used
    assert not unused, f"stored tensors the reader never used: {sorted(unused)}"
    want = np.asarray(want, np.float64)
    err = float(np.max(np.abs(got - want)))
    scale = float(np.max(np.abs(want)))
    ok = err <= 1e-5 * max(1.0, scale)
    print(f"{os.path.basename(fixture)}: {f}, {len(model.W)} backbone tensors regenerated (fingerprints match), "
          f"{len(model.T)} stored tensors used, outputs {list(want.shape)}, max |numpy - java| = {err:.2e} "
          f"({'ok' if ok else 'MISMATCH'})")
    return ok


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    results = []
    for path in sys.argv[1:]:
        try:
            results.append(run(path))
        except AssertionError as e:
            print(f"{os.path.basename(path)}: FAILED: {e}")
            results.append(False)
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
