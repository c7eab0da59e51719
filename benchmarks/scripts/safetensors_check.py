"""Independent check of `lottalora export`: read the merged safetensors with a 20-line reader written from
the safetensors spec (numpy only; Debian has no `safetensors` package), run the MLP in PyTorch, and compare
with `lottalora predict --json` on the same rows. Also rebuild the merged weights from `--format base` plus
`--format peft` (beta * W + alpha/r * B A).

Usage (Debian python with python3-torch): /usr/bin/python3 benchmarks/scripts/safetensors_check.py MODEL.lotta merged.safetensors base.safetensors PEFT_DIR
       INPUT.csv PREDICT.jsonl
"""
import json
import struct
import sys

import numpy as np
import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    dt = {"F32": np.float32, "F16": np.float16, "BF16": None}
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=dt[info["dtype"]]).astype(np.float32).reshape(info["shape"])
    return out, meta


model, merged_path, base_path, peft_dir, csv_path, pred_path = sys.argv[1:7]
w, meta = read_safetensors(merged_path)
print("metadata:", {k: v for k, v in meta.items() if k != "lottalora.source_sha256"})
layers = sorted({k.rsplit(".", 1)[0] for k in w if k.startswith("layers.")}, key=lambda s: int(s.split(".")[1]))
rows = np.loadtxt(csv_path, delimiter=",", dtype=np.float32, ndmin=2)
x = torch.from_numpy(rows)
mean, std = float(meta["lottalora.input_mean"]), float(meta["lottalora.input_std"])
h = (x - mean) / std
for name in layers:
    h = torch.relu(h @ torch.from_numpy(w[name + ".weight"]).T + torch.from_numpy(w[name + ".bias"]))
logits = h @ torch.from_numpy(w["head.weight"]).T + torch.from_numpy(w["head.bias"])
probs = torch.softmax(logits, dim=1).numpy()
java = [json.loads(line) for line in open(pred_path) if line.startswith('{"index"')]
agree = sum(int(np.argmax(probs[i]) == j["class"]) for i, j in enumerate(java))
maxdiff = max(abs(probs[i][j["top"][0]["class"]] - j["top"][0]["probability"]) for i, j in enumerate(java))
print(f"PyTorch on the merged safetensors vs lottalora predict: top-1 agrees on {agree}/{len(java)} rows, "
      f"max |p diff| of the top class {maxdiff:.2e}")
base, _ = read_safetensors(base_path)
ad, ameta = read_safetensors(peft_dir + "/adapter_model.safetensors")
cfg = json.load(open(peft_dir + "/adapter_config.json"))
s = cfg["lora_alpha"] / (cfg["r"] ** 0.5 if cfg.get("use_rslora") else cfg["r"])
worst = 0.0
for name in cfg["target_modules"]:
    beta = float(ameta["lottalora.beta." + name])
    a = ad[f"base_model.model.{name}.lora_A.weight"]
    b = ad[f"base_model.model.{name}.lora_B.weight"]
    rebuilt = beta * base[name + ".weight"] + s * (b @ a)
    worst = max(worst, float(np.max(np.abs(rebuilt - w[name + ".weight"]))))
print(f"base + PEFT adapters rebuild the merged weights of {len(cfg['target_modules'])} layers within {worst:.2e}")
