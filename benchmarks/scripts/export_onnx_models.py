"""Exports the PyTorch models benchmarks/adapt.sh wraps, as ONNX, into the folder given (default /tmp/lottalora-onnx).

Run with Debian's interpreter (torch 1.13, onnx 1.12): /usr/bin/python3 benchmarks/scripts/export_onnx_models.py DIR

- mlp-medium.onnx: the medium MLP 784-512-256-128-64-10 (ReLU), PyTorch's default init, seed 0 (2.3 MB).
- cnn-small.onnx: Conv2d(1,16,3,p=1)-ReLU-MaxPool2-Conv2d(16,32,3,p=1)-ReLU-MaxPool2-flatten-Linear(1568,128)-ReLU-
  Linear(128,10) on [N,1,28,28], seed 0.
Opset 13, input "input", output "logits", dynamic batch axis (the same conventions as the test fixtures).
"""
import os
import sys

import torch
import torch.nn as nn


class MlpMedium(nn.Module):
    def __init__(self):
        super().__init__()
        w = [784, 512, 256, 128, 64, 10]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(w, w[1:]))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i + 1 < len(self.layers):
                x = torch.relu(x)
        return x


class CnnSmall(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        h = torch.max_pool2d(torch.relu(self.c1(x)), 2)
        h = torch.max_pool2d(torch.relu(self.c2(h)), 2)
        return self.fc2(torch.relu(self.fc1(torch.flatten(h, 1))))


def export(model, example, path):
    torch.onnx.export(model.eval(), example, path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    print(path, os.path.getsize(path))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/lottalora-onnx"
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    export(MlpMedium(), torch.zeros(1, 784), os.path.join(out, "mlp-medium.onnx"))
    torch.manual_seed(0)
    export(CnnSmall(), torch.zeros(1, 1, 28, 28), os.path.join(out, "cnn-small.onnx"))
