"""ONNX import (qutibench.onnx.load) against PyTorch and hand-built graphs.

torchvision models with random weights, exported by torch.onnx at opset 13 with a
1x3x224x224 input, must import with exactly the Conv2d/Linear weight elements and MACs
that forward hooks count on the exported module (the oracle of
test_torchvision_oracle.py). Small onnx.helper graphs check what the exporters rarely
produce: unsupported operators listed with their counts, QDQ precision, refused padding.

Run with ``PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python/test_onnx.py``.
"""
import collections

import numpy as np
import pytest
import torch
import torchvision
from onnx import TensorProto, helper, numpy_helper

import qutibench as qb
import qutibench.onnx as qonnx

MODELS = ["resnet50", "googlenet", "efficientnet_b0", "mobilenet_v2", "vgg16", "alexnet"]
RESNET50_MACS = 4_089_184_256  # torchvision resnet50, Conv2d + Linear, at 224x224


def torch_counts(model):
    """(weights, MACs) of the Conv2d and Linear modules over one 1x3x224x224 forward pass."""
    weights, macs = 0, 0

    def hook(module, _inputs, output):
        nonlocal weights, macs
        weights += module.weight.numel()
        if isinstance(module, torch.nn.Conv2d):
            kh, kw = module.kernel_size
            macs += output.numel() * (module.in_channels // module.groups) * kh * kw
        else:
            macs += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    for h in handles:
        h.remove()
    return weights, macs


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Exports each model once per test module: name -> (ONNX path, torch weights, torch MACs)."""
    cache = {}
    directory = tmp_path_factory.mktemp("onnx")

    def get(name):
        if name not in cache:
            torch.manual_seed(0)
            extra = {"aux_logits": False, "init_weights": False} if name == "googlenet" else {}
            model = getattr(torchvision.models, name)(weights=None, **extra).eval()
            path = directory / f"{name}.onnx"
            torch.onnx.export(model, torch.zeros(1, 3, 224, 224), str(path), opset_version=13)
            cache[name] = (path, *torch_counts(model))
        return cache[name]

    return get


def totals(topology):
    nodes = topology.nodes()
    return sum(n["weights"] for n in nodes), sum(n["macs"] for n in nodes)


@pytest.mark.parametrize("name", MODELS)
def test_torchvision_weights_and_macs_equal_pytorch(exported, name):
    path, weights, macs = exported(name)
    topology = qonnx.load(path)
    assert topology.name == name
    assert totals(topology) == (weights, macs)


def test_resnet50_summary(exported):
    topology = qonnx.load(exported("resnet50")[0])
    _, macs = totals(topology)
    assert macs == RESNET50_MACS
    s = topology.summary()
    assert s["gops"] == pytest.approx(2 * RESNET50_MACS / 1e9) and s["gops"] == pytest.approx(8.178, abs=1e-3)
    assert s["model_me"] == 25.502912
    assert {"t_total_me", "peak_live_me", "oi_int8", "oi_fp32"} <= set(s)
    assert not hasattr(topology, "precision")  # a float model: requirements() defaults to fp32


def test_gated_activations_and_clip(exported):
    # EfficientNet's SiLU exports as x * Sigmoid(x): one swish each; its squeeze-excite
    # gates (x * Sigmoid(fc(pool(x)))) stay a sigmoid and a broadcasting mul.
    kinds = collections.Counter(n["kind"] for n in qonnx.load(exported("efficientnet_b0")[0]).nodes())
    assert (kinds["swish"], kinds["sigmoid"], kinds["mul"]) == (49, 16, 16)
    # MobileNetV2's ReLU6 exports as Clip(0, 6).
    kinds = collections.Counter(n["kind"] for n in qonnx.load(exported("mobilenet_v2")[0]).nodes())
    assert kinds["relu6"] == 35 and kinds["relu"] == 0


# torch warns that tracing an LSTM fixes its batch size: what qutibench assumes anyway.
@pytest.mark.filterwarnings("ignore")
def test_lstm_with_batch_first_transposes(tmp_path):
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm, self.fc = torch.nn.LSTM(32, 64, batch_first=True), torch.nn.Linear(64, 10)

        def forward(self, x):
            return self.fc(self.lstm(x)[0])

    path = tmp_path / "lstm.onnx"
    torch.onnx.export(Net().eval(), torch.zeros(1, 20, 32), str(path), opset_version=13)
    nodes = {n["kind"]: n for n in qonnx.load(path).nodes()}
    assert nodes["input"]["out_shape"] == (20, 32)
    assert nodes["lstm"]["weights"] == 4 * 64 * (32 + 64) and nodes["lstm"]["out_shape"] == (20, 64)
    assert nodes["dense"]["weights"] == 64 * 10 and nodes["dense"]["biases"] == 10  # MatMul + Add = dense with bias


def graph_model(nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, [numpy_helper.from_array(a, n) for n, a in initializers])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def image(name, channels=3, size=8):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", channels, size, size])


def test_unsupported_operators_are_listed_with_counts():
    w = np.zeros((4, 3, 3, 3), np.float32)
    model = graph_model(
        [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
         helper.make_node("Sin", ["c"], ["s1"]),
         helper.make_node("Sin", ["s1"], ["s2"]),
         helper.make_node("Relu", ["s2"], ["r"]),
         helper.make_node("Flatten", ["c"], ["f"]),
         helper.make_node("TopK", ["f", "k"], ["values", "indices"])],
        [image("x")], [helper.make_tensor_value_info("r", TensorProto.FLOAT, None),
                       helper.make_tensor_value_info("values", TensorProto.FLOAT, None)],
        [("w", w), ("k", np.array([5], np.int64))])
    with pytest.raises(qonnx.OnnxImportError) as e:
        qonnx.load(model)
    assert str(e.value) == "unsupported ONNX operators: Sin x2, TopK x1"
    assert isinstance(e.value, ValueError)


def test_asymmetric_padding_and_non_square_kernels_are_refused():
    for attrs, w, what in [({"pads": [0, 0, 1, 1]}, np.zeros((4, 3, 2, 2), np.float32), "asymmetric"),
                           ({}, np.zeros((4, 3, 1, 3), np.float32), "not square")]:
        model = graph_model([helper.make_node("Conv", ["x", "w"], ["y"], name="odd", **attrs)], [image("x")],
                            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [("w", w)])
        with pytest.raises(qonnx.OnnxImportError, match=f"'odd'.*{what}"):
            qonnx.load(model)


def test_qdq_conv_is_int8():
    # x -> Q/DQ (uint8) -> Conv with a DQ'd int8 weight and a float bias -> Q/DQ -> y
    w = np.arange(8 * 3 * 3 * 3, dtype=np.int8).reshape(8, 3, 3, 3)
    model = graph_model(
        [helper.make_node("QuantizeLinear", ["x", "s", "zu"], ["xq"]),
         helper.make_node("DequantizeLinear", ["xq", "s", "zu"], ["xd"]),
         helper.make_node("DequantizeLinear", ["wq", "s", "zi"], ["wd"]),
         helper.make_node("Conv", ["xd", "wd", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
         helper.make_node("QuantizeLinear", ["c", "s", "zu"], ["cq"]),
         helper.make_node("DequantizeLinear", ["cq", "s", "zu"], ["y"])],
        [image("x")], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [("wq", w), ("s", np.array(0.1, np.float32)), ("zu", np.array(128, np.uint8)), ("zi", np.array(0, np.int8)),
         ("b", np.zeros(8, np.float32))])
    topology = qonnx.load(model)
    assert [n["name"] for n in topology.nodes()] == ["x", "conv"]
    assert topology.precision == {"fallback": ("fp32", "fp32"),
                                  "overrides": {"x": ("fp32", "int8"), "conv": ("int8", "int8")}}
    r = qb.requirements(topology)
    assert r["total"]["weights"] == w.size and r["total"]["weight_bytes"] == w.size  # one byte per weight
    assert qb.requirements(topology, "fp32")["total"]["weight_bytes"] == 4 * w.size
    conv = [row for row in r["layers"] if row["name"] == "conv"][0]
    assert (conv["weight_datatype"], conv["activation_datatype"]) == ("int8", "int8")
