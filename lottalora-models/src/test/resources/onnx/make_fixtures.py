"""Writes the ONNX fixtures that OnnxImportTest reads, with torch's outputs beside them.

Rerun (from this directory) with Debian's interpreter, which has torch 1.13 and onnx 1.12:

    cd lottalora-models/src/test/resources/onnx && /usr/bin/python3 make_fixtures.py

Each model is exported with opset 13, input "input", output "logits" and a dynamic batch axis.
For every importable model, <name>.expected.json holds a fixed 3-row input batch and torch's output on it,
so the Java tests compare against torch without needing torch. Weights come from fixed seeds, so reruns
give the same files (checked: a rerun left every committed file byte-identical).

Files: mlp, cnn, attention (torch exports the importer runs); gemm_* (single hand-built Gemm nodes for the
alpha / beta / transA / transB=0 / no-bias-unnamed cases torch never exports); and, for the bad-input tests,
unsupported (a Celu node, which the M2.1 importer has no mapping for), attention3d (Linear on [N, T, d], whose
rank-3 by rank-2 MatMul the importer cannot run) and noinput (its only graph input is an initializer).

Simplified for the SameDiff 1.0.0-M2.1 importer (see the classes): cnn flattens with torch.flatten (one Flatten
node) instead of reshape(x.shape[0], -1); attention applies its Linear layers to [N*T, d] rows.
"""
import json
import math

import torch
import torch.nn as nn

OPSET = 13


class Mlp(nn.Module):
    """The digits shape: 64 features in, 10 classes out."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class Cnn(nn.Module):
    """The digits as 8x8 images: one padded 3x3 convolution, then a dense head.

    torch.flatten(h, 1) exports as one ONNX Flatten node. h.reshape(h.shape[0], -1) would export the
    Shape-Gather-Unsqueeze-Concat-Reshape chain, which the M2.1 importer fails on (Unsqueeze needs a constant
    axes array, then Concat fails its shape check).
    """

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        h = torch.relu(self.conv(x))
        return self.fc(torch.flatten(h, 1))


class Attention(nn.Module):
    """One single-head self-attention block over [N, T=4, d=16], mean-pooled over T, then 10 classes.

    Simplified for the M2.1 importer: a Linear applied to [N, T, d] exports as MatMul of a rank-3 activation by a
    rank-2 weight, which SameDiff's matmul refuses while the importer computes shapes. So each projection runs on
    the flattened [N*T, d] rows (exporting as Gemm, a 2-D weight the adapters can target) and is reshaped back
    with constant shapes [-1, T, d]. The attention itself (Q K^T / sqrt(d), softmax, times V) is unchanged.
    """

    def __init__(self, d=16, t=4):
        super().__init__()
        self.d = d
        self.t = t
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.head = nn.Linear(d, 10)

    def forward(self, x):
        t, d = self.t, self.d
        rows = x.reshape(-1, d)
        q = self.q(rows).reshape(-1, t, d)
        k = self.k(rows).reshape(-1, t, d)
        v = self.v(rows).reshape(-1, t, d)
        scores = torch.matmul(q, k.transpose(1, 2)) / math.sqrt(d)
        att = torch.softmax(scores, dim=-1)
        h = self.o(torch.matmul(att, v).reshape(-1, d)).reshape(-1, t, d)
        return self.head(h.mean(dim=1))


class Attention3d(Attention):
    """The unsimplified block: Linear applied to [N, T, d], exported as rank-3 by rank-2 MatMul nodes (with
    torch's "onnx::MatMul_..." weight names). The M2.1 importer cannot run it; the test expects a one-line
    message naming the first such node."""

    def forward(self, x):
        q, k, v = self.q(x), self.k(x), self.v(x)
        scores = torch.matmul(q, k.transpose(1, 2)) / math.sqrt(self.d)
        h = self.o(torch.matmul(torch.softmax(scores, dim=-1), v))
        return self.head(h.mean(dim=1))


class Unsupported(nn.Module):
    """A dense layer followed by an op the SameDiff 1.0.0-M2.1 importer has no mapping for."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return torch.nn.functional.celu(self.fc(x))


def fixed_input(shape):
    """Deterministic, seed-free values in about [-1, 1], easy to regenerate anywhere."""
    n = 1
    for s in shape:
        n *= s
    flat = torch.tensor([math.sin(0.37 * i + 0.1) for i in range(n)], dtype=torch.float32)
    return flat.reshape(shape)


def export(name, model, example_shape, expected=True):
    model.eval()
    example = torch.zeros(example_shape)
    torch.onnx.export(
        model, example, name + ".onnx", input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=OPSET)
    if not expected:
        return
    x = fixed_input([3] + list(example_shape[1:]))
    with torch.no_grad():
        y = model(x)
    with open(name + ".expected.json", "w") as f:
        json.dump({
            "input_shape": list(x.shape), "input": [float(v) for v in x.flatten()],
            "logits_shape": list(y.shape), "logits": [float(v) for v in y.flatten()],
        }, f)
        f.write("\n")


def gemm(name, alpha=1.0, beta=1.0, trans_a=0, trans_b=1, bias=True, node_name="the_gemm"):
    """A single ONNX Gemm node built by hand, for the attribute cases torch never exports.

    Y = alpha * A' B' + beta * C with A = input [N, 6] (transposed in the file when trans_a), B a [4, 6] or
    [6, 4] weight, C a [4] bias (absent when not bias); expected output computed with torch from the same numbers.
    An empty node_name leaves the node unnamed, as some exporters do.
    """
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    g = torch.Generator().manual_seed(7)
    w = torch.randn(4, 6, generator=g)  # [out, in]
    c = torch.randn(4, generator=g)
    w_file = w if trans_b else w.t().contiguous()
    a_shape = ["batch", 6] if not trans_a else [6, "batch"]
    node = helper.make_node("Gemm", ["input", "W", "C"] if bias else ["input", "W"], ["logits"], name=node_name,
                            alpha=alpha, beta=beta, transA=trans_a, transB=trans_b)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, a_shape)],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 4])],
        [numpy_helper.from_array(w_file.numpy(), "W")] + ([numpy_helper.from_array(c.numpy(), "C")] if bias else []))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    onnx.save(model, name + ".onnx")
    x = fixed_input([3, 6])
    y = alpha * x @ w.t() + (beta * c if bias else 0)
    x_file = x.t().contiguous() if trans_a else x
    with open(name + ".expected.json", "w") as f:
        json.dump({
            "input_shape": list(x_file.shape), "input": [float(v) for v in x_file.flatten()],
            "logits_shape": list(y.shape), "logits": [float(v) for v in y.flatten()],
        }, f)
        f.write("\n")


def no_input(name):
    """A valid model whose only graph input is also an initializer, so nothing is left to feed."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    w = numpy_helper.from_array(torch.ones(4, 6).numpy(), "W")
    x = numpy_helper.from_array(torch.ones(1, 6).numpy(), "input")
    node = helper.make_node("Gemm", ["input", "W"], ["logits"], name="the_gemm", transB=1)
    graph = helper.make_graph(
        [node], name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 6])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 4])], [x, w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    onnx.save(model, name + ".onnx")


def main():
    torch.manual_seed(0)
    export("mlp", Mlp(), [1, 64])
    torch.manual_seed(1)
    export("cnn", Cnn(), [1, 1, 8, 8])
    torch.manual_seed(2)
    export("attention", Attention(), [1, 4, 16])
    torch.manual_seed(3)
    export("unsupported", Unsupported(), [1, 64], expected=False)
    torch.manual_seed(2)
    export("attention3d", Attention3d(), [1, 4, 16], expected=False)
    no_input("noinput")
    gemm("gemm_transb0", trans_b=0)
    gemm("gemm_alpha", alpha=0.5)
    gemm("gemm_beta", beta=2.0)
    gemm("gemm_transa", trans_a=1)
    gemm("gemm_nobias_unnamed", alpha=2.0, bias=False, node_name="")


if __name__ == "__main__":
    main()
