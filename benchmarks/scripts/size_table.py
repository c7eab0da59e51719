"""Markdown table from benchmarks/results/sizes.jsonl (see benchmarks/size_table.sh)."""
import json
import sys


def kib(n):
    return f"{n / 1024:,.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):,.2f} MiB"


rows = [json.loads(line) for line in open(sys.argv[1])]
print(f"Artifact size by storage dtype vs the dense model (safetensors), Fashion-MNIST test set ({sys.argv[2]})\n")
print("| model | rank | trainable | dense fp32 | dense fp16 | artifact fp32 | fp16 | bf16 | int8 | "
      "x smaller (fp32 / int8 vs dense fp32) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    d32 = r["dense_fp32_safetensors_bytes"]
    print(f"| {r['layout']} | {r['rank']} | {r['trainable_params']:,} ({100 * r['trainable_params'] / r['model_params']:.2f}%) "
          f"| {kib(d32)} | {kib(r['dense_fp16_safetensors_bytes'])} | {kib(r['fp32']['bytes'])} | "
          f"{kib(r['fp16']['bytes'])} | {kib(r['bf16']['bytes'])} | {kib(r['int8']['bytes'])} | "
          f"{d32 / r['fp32']['bytes']:.1f} / {d32 / r['int8']['bytes']:.1f} |")
print("\nTest accuracy at fp32 and the change each storage dtype causes (predictions changed of the test set):\n")
print("| model | rank | fp32 accuracy | fp16 | bf16 | int8 |")
print("|---|---|---|---|---|---|")
for r in rows:
    cells = []
    for d in ["fp16", "bf16", "int8"]:
        c = r[d]
        cells.append(f"{c['accuracy_change']:+.4f} ({c['predictions_changed']}/{c['test_samples']})")
    print(f"| {r['layout']} | {r['rank']} | {r['fp32']['test_accuracy']:.4f} | " + " | ".join(cells) + " |")
