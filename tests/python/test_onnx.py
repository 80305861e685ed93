"""ONNX import (qutibench.onnx.load) against PyTorch and hand-built graphs.

torchvision models with random weights, exported by torch.onnx at opset 13 with a
1x3x224x224 input, must import with exactly the Conv2d/Linear weight elements and MACs
that forward hooks count on the exported module (the oracle of
test_torchvision_oracle.py). Small onnx.helper graphs check what the exporters rarely
produce: unsupported operators listed with their counts, QDQ precision, refused padding,
and models that are not valid ONNX (bad files, window attributes, weight shapes), which
raise SpecError with the ID, the file and the node. The importer is the C++ one
(qutibench/io/onnx/), so these also check what the CLI reads.

Run with ``PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python/test_onnx.py``.
"""
import collections
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import pytest
import torch
import torchvision
from onnx import TensorProto, helper, numpy_helper

import qutibench as qb
import qutibench.onnx as qonnx

MODELS = ["resnet50", "googlenet", "efficientnet_b0", "mobilenet_v2", "vgg16", "alexnet", "resnet18", "mobilenet_v3_small"]
RESNET50_MACS = 4_089_184_256  # torchvision resnet50, Conv2d + Linear, at 224x224


def torch_counts(model, size=224):
    """(weights, MACs) of the Conv2d and Linear modules over one 1x3xSIZExSIZE forward pass."""
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
        model(torch.zeros(1, 3, size, size))
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


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
@pytest.mark.parametrize("name", MODELS)
def test_torchvision_from_the_cli(exported, name):
    # The same exports through `qutibench show`: its totals are PyTorch's weights and 2 x MACs.
    path, weights, macs = exported(name)
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "show", str(path), "--format", "json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)["totals"]
    assert (shown["weights"], shown["ops"]) == (weights, 2 * macs)


def detection_backbone(name):
    from torchvision.models.detection import backbone_utils, ssd300_vgg16, ssdlite320_mobilenet_v3_large
    if name == "resnet50-fpn":
        return backbone_utils.resnet_fpn_backbone(backbone_name="resnet50", weights=None, trainable_layers=5), 224
    if name == "mobilenet_v3_large-fpn":
        return backbone_utils.mobilenet_backbone(backbone_name="mobilenet_v3_large", weights=None, fpn=True, trainable_layers=6), 224
    if name == "ssdlite320":
        return ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None).backbone, 320
    return ssd300_vgg16(weights=None, weights_backbone=None).backbone, 300


@pytest.mark.parametrize("name", ["resnet50-fpn", "mobilenet_v3_large-fpn", "ssdlite320", "ssd300-vgg16"])
def test_detection_backbones_equal_pytorch(tmp_path, name):
    # FPN's top-down path exports Resize; SSD's L2 normalization ReduceL2 and Expand.
    torch.manual_seed(0)
    model, size = detection_backbone(name)
    model.eval()
    path = tmp_path / "backbone.onnx"
    torch.onnx.export(model, torch.zeros(1, 3, size, size), str(path), opset_version=13)
    assert totals(qonnx.load(path)) == torch_counts(model, size)


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
    assert str(e.value) == "[qutibench.spec_error.210] ONNX model 'g': unsupported ONNX operators: Sin x2, TopK x1"
    assert e.value.id == 210 and isinstance(e.value, qb.SpecError) and isinstance(e.value, ValueError)


def test_element_wise_work_without_a_kind_of_its_own():
    # (x - r) / sqrt(r) on 3 x 8 x 8 = 192 elements: a subtraction and a division of two
    # activations and a square root, one operation per output element each.
    model = graph_model([helper.make_node("Relu", ["x"], ["r"], name="relu"),
                         helper.make_node("Sub", ["x", "r"], ["d"], name="sub"),
                         helper.make_node("Sqrt", ["r"], ["q"], name="sqrt"),
                         helper.make_node("Div", ["d", "q"], ["y"], name="div")],
                        [image("x")], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    nodes = {n["name"]: n for n in qonnx.load(model).nodes()}
    assert [(nodes[k]["kind"], nodes[k]["other_ops"]) for k in ("sub", "sqrt", "div")] == [("elementwise", 192)] * 3


def test_unknown_operators_as_element_wise_work_warn():
    model = graph_model([helper.make_node("Sin", ["x"], ["y"], name="sin")], [image("x")],
                        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    with pytest.warns(UserWarning, match=r"counted as element-wise work on their outputs \(--unknown-ops elementwise\): Sin x1"):
        nodes = {n["name"]: n for n in qonnx.load(model, unknown_ops="elementwise").nodes()}
    assert (nodes["sin"]["kind"], nodes["sin"]["other_ops"]) == ("elementwise", 3 * 8 * 8)
    assert spec_error(lambda: qonnx.load(model, unknown_ops="skip")) == (
        503, "[qutibench.spec_error.503] unknown_ops: must be error or elementwise, got 'skip'")


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


def qlinear_model():
    # x -> QuantizeLinear -> QLinearConv (int8 weight, int32 bias) -> DequantizeLinear ->
    # Flatten -> QuantizeLinear -> QLinearMatMul (int8 weight) -> DequantizeLinear -> y.
    w = np.ones((8, 3, 3, 3), np.int8)
    m = np.ones((8 * 8 * 8, 10), np.int8)
    scale, zu, zi = ("s", np.array(0.1, np.float32)), ("zu", np.array(128, np.uint8)), ("zi", np.array(0, np.int8))
    model = graph_model(
        [helper.make_node("QuantizeLinear", ["x", "s", "zu"], ["xq"]),
         helper.make_node("QLinearConv", ["xq", "s", "zu", "w", "s", "zi", "s", "zu", "b"], ["cq"], name="conv", pads=[1, 1, 1, 1]),
         helper.make_node("DequantizeLinear", ["cq", "s", "zu"], ["c"]),
         helper.make_node("Flatten", ["c"], ["f"], name="flatten"),
         helper.make_node("QuantizeLinear", ["f", "s", "zi"], ["fq"]),
         helper.make_node("QLinearMatMul", ["fq", "s", "zi", "m", "s", "zi", "s", "zi"], ["yq"], name="fc"),
         helper.make_node("DequantizeLinear", ["yq", "s", "zi"], ["y"])],
        [image("x")], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [("w", w), ("m", m), ("b", np.zeros(8, np.int32)), scale, zu, zi])
    return model


def test_qlinear_conv_and_matmul_are_int8():
    topology = qonnx.load(qlinear_model())
    nodes = {n["name"]: n for n in topology.nodes()}
    # conv: 8 x 8 x 8 outputs x 27 taps; fc: 512 x 10; both as their float counterparts.
    assert (nodes["conv"]["kind"], nodes["conv"]["macs"], nodes["conv"]["weights"], nodes["conv"]["biases"]) == ("conv2d", 512 * 27, 216, 8)
    assert (nodes["fc"]["kind"], nodes["fc"]["macs"], nodes["fc"]["weights"]) == ("dense", 5120, 5120)
    assert topology.precision["overrides"] == {"x": ("fp32", "int8"), "conv": ("int8", "int8"), "flatten": ("fp32", "int8"),
                                               "fc": ("int8", "int8")}


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
def test_cli_show_uses_a_quantized_models_datatypes(tmp_path):
    # As Python's requirements(): the 216 + 5120 int8 weights at one byte each, unless
    # --datatype says otherwise.
    path = tmp_path / "q.onnx"
    onnx.save(qlinear_model(), str(path))
    expected = qb.requirements(qonnx.load(path))["total"]
    for extra, datatype in [([], "per-node"), (["--datatype", "fp32"], "fp32")]:
        run = subprocess.run([os.environ["QUTIBENCH_CLI"], "show", str(path), "--format", "json", *extra],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        shown = json.loads(run.stdout)
        assert shown["datatype"] == datatype
        if datatype == "per-node":
            assert shown["totals"]["weight_bytes"] == expected["weight_bytes"] == 216 + 5120
        else:
            assert shown["totals"]["weight_bytes"] == 4 * (216 + 5120)


def test_conv_integer_has_int8_weights():
    model = graph_model([helper.make_node("ConvInteger", ["x", "w"], ["y"], name="conv")],
                        [helper.make_tensor_value_info("x", TensorProto.UINT8, ["N", 3, 8, 8])],
                        [helper.make_tensor_value_info("y", TensorProto.INT32, None)], [("w", np.ones((4, 3, 1, 1), np.int8))])
    topology = qonnx.load(model)
    conv = [n for n in topology.nodes() if n["name"] == "conv"][0]
    assert (conv["macs"], conv["weights"]) == (4 * 8 * 8 * 3, 12)
    assert topology.precision["overrides"]["conv"] == ("int8", "fp32")


def test_resize_reductions_and_expand_are_element_wise_work():
    # One operation per element of the largest tensor, on x of 3 x 8 x 8 = 192 elements:
    # Resize by scales 2 makes 3 x 16 x 16 = 768 outputs; to sizes 4 x 4 it reads the 192
    # inputs for 48 outputs; ReduceL2 over the channels visits each of the 192 inputs once
    # (output 1 x 8 x 8); its Expand back to 3 x 8 x 8 copies 192.
    model = graph_model(
        [helper.make_node("Resize", ["x", "", "scales"], ["up"], name="up", mode="nearest"),
         helper.make_node("Resize", ["x", "", "", "sizes"], ["down"], name="down", mode="linear"),
         helper.make_node("ReduceL2", ["x"], ["norm"], name="norm", axes=[1]),
         helper.make_node("Expand", ["norm", "shape"], ["wide"], name="wide"),
         helper.make_node("Div", ["x", "wide"], ["unit"], name="unit")],
        [image("x")], [helper.make_tensor_value_info(t, TensorProto.FLOAT, None) for t in ("up", "down", "unit")],
        [("scales", np.array([1, 1, 2, 2], np.float32)), ("sizes", np.array([1, 3, 4, 4], np.int64)),
         ("shape", np.array([1, 3, 8, 8], np.int64))])
    nodes = {n["name"]: n for n in qonnx.load(model).nodes()}
    got = {k: (nodes[k]["kind"], nodes[k]["out_shape"], nodes[k]["other_ops"]) for k in ("up", "down", "norm", "wide", "unit")}
    assert got == {"up": ("elementwise", (3, 16, 16), 768), "down": ("elementwise", (3, 4, 4), 192),
                   "norm": ("elementwise", (1, 8, 8), 192), "wide": ("elementwise", (3, 8, 8), 192),
                   "unit": ("elementwise", (3, 8, 8), 192)}


def test_resize_keeps_the_aspect_ratio_when_asked():
    # Opset 18: sizes 300 x 300 with not_larger on 480 x 640 scales both axes by
    # min(300/480, 300/640) = 0.46875: 225 x 300.
    node = helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], name="fit", axes=[2, 3], keep_aspect_ratio_policy="not_larger")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 480, 640])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(np.array([300, 300], np.int64), "sizes")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    fit = [n for n in qonnx.load(model).nodes() if n["name"] == "fit"][0]
    assert fit["out_shape"] == (3, 225, 300)


def spec_error(call):
    """(id, message) of the SpecError that ``call()`` raises."""
    with pytest.raises(qb.SpecError) as e:
        call()
    return e.value.id, str(e.value)


def test_zero_strides_are_refused_before_shape_inference(tmp_path):
    # ONNX shape inference divides by the strides: a zero stride killed Python with SIGFPE.
    # The load runs in a subprocess, so that a regression fails this test instead of
    # killing pytest.
    script = "import sys, qutibench, qutibench.onnx\n" \
             "try:\n    qutibench.onnx.load(sys.argv[1])\n" \
             "except qutibench.SpecError as e:\n    print(e.id, e)\n"
    w = np.zeros((4, 3, 3, 3), np.float32)
    for node, initializers in [(helper.make_node("Conv", ["x", "w"], ["y"], name="c", strides=[0, 0]), [("w", w)]),
                               (helper.make_node("MaxPool", ["x"], ["y"], name="c", kernel_shape=[2, 2],
                                                 strides=[0, 0]), [])]:
        path = tmp_path / f"{node.op_type}.onnx"
        onnx.save(graph_model([node], [image("x")], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              initializers), str(path))
        run = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
        expected = f"503 [qutibench.spec_error.503] {path}: node 'c': strides [0, 0]: must be 2 integers >= 1\n"
        assert (run.returncode, run.stdout) == (0, expected), run.stderr


@pytest.mark.parametrize("op, attrs, expected", [
    ("MaxPool", {}, (502, "node 'p': MaxPool needs the attribute kernel_shape")),
    ("Conv", {"kernel_shape": [3, 0]}, (503, "node 'p': kernel_shape [3, 0]: must be 2 integers >= 1")),
    ("Conv", {"pads": [1, 1]},
     (503, "node 'p': pads [1, 1]: must be 4 integers >= 0 (begin and end of each spatial axis)")),
    ("AveragePool", {"kernel_shape": [2, 2], "dilations": [1]},
     (503, "node 'p': dilations [1]: must be 2 integers >= 1")),
    ("Conv", {"group": 0}, (503, "node 'p': group 0: must be an integer >= 1")),
], ids=["pool-without-kernel", "zero-kernel", "pads-of-one-axis", "dilations-of-one-axis", "zero-group"])
def test_invalid_window_attributes_name_the_node(op, attrs, expected):
    inputs, initializers = (["x", "w"], [("w", np.zeros((4, 3, 3, 3), np.float32))]) if op == "Conv" else (["x"], [])
    model = graph_model([helper.make_node(op, inputs, ["y"], name="p", **attrs)], [image("x")],
                        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializers)
    error_id, what = expected
    assert spec_error(lambda: qonnx.load(model)) == (
        error_id, f"[qutibench.spec_error.{error_id}] ONNX model 'g': {what}")


def dense_model(op, w, **attrs):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8])
    return graph_model([helper.make_node(op, ["x", "w"], ["y"], name="fc", **attrs)], [x],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [("w", w)])


def conv_model(w, channels=3, bias=None, **attrs):
    inputs, initializers = ["x", "w"], [("w", w)]
    if bias is not None:
        inputs, initializers = inputs + ["b"], initializers + [("b", bias)]
    return graph_model([helper.make_node("Conv", inputs, ["y"], name="c", **attrs)], [image("x", channels)],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializers)


def lstm_model(w):
    # ONNX's default layout: (sequence 5, batch, features 6); hidden 8, so W is [1, 32, 6].
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, "N", 6])
    return graph_model([helper.make_node("LSTM", ["x", "w", "r"], ["y"], name="rnn", hidden_size=8)], [x],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                       [("w", w), ("r", np.zeros((1, 32, 8), np.float32))])


def test_weights_that_disagree_with_their_input_are_refused():
    # qutibench counts weights from the input's channels: a [16, 5, 3, 3] weight on a
    # 3-channel input was reported as 16*3*3*3 = 432 weights, while it holds 720.
    cases = [
        (conv_model(np.zeros((16, 5, 3, 3), np.float32)),
         "node 'c': weight [16, 5, 3, 3] takes 5 x 1 (group) = 5 input channels, but the input [1, 3, 8, 8] has 3"),
        (conv_model(np.zeros((8, 2, 3, 3), np.float32), group=2),
         "node 'c': weight [8, 2, 3, 3] takes 2 x 2 (group) = 4 input channels, but the input [1, 3, 8, 8] has 3"),
        (conv_model(np.zeros((4, 3, 3, 3), np.float32), kernel_shape=[5, 5]),
         "node 'c': kernel_shape [5, 5] disagrees with the weight [4, 3, 3, 3]"),
        (conv_model(np.zeros((4, 3, 3, 3), np.float32), bias=np.zeros(5, np.float32)),
         "node 'c': bias [5] is not one value per output channel of the weight [4, 3, 3, 3]"),
        (dense_model("Gemm", np.zeros((4, 10), np.float32), transB=1),
         "node 'fc': weight [4, 10] (transB) takes 10 input features, but the input [1, 8] has 8"),
        (dense_model("MatMul", np.zeros((10, 4), np.float32)),
         "node 'fc': weight [10, 4] takes 10 input features, but the input [1, 8] has 8"),
        (lstm_model(np.zeros((1, 32, 7), np.float32)),
         "node 'rnn': W [1, 32, 7] should be [1, 32, 6] for hidden_size 8 and the input [5, 1, 6]"),
    ]
    for model, what in cases:
        assert spec_error(lambda: qonnx.load(model)) == (201, f"[qutibench.spec_error.201] ONNX model 'g': {what}")
    # The consistent forms count what the tensors hold: 8*2*3*3 = 144 on 4 channels in
    # 2 groups, 8*4 = 32 in a dense layer, 4*8*(6 + 8) = 448 in the LSTM.
    weights = {n["name"]: n["weights"] for model in (conv_model(np.zeros((8, 2, 3, 3), np.float32), 4, group=2),
                                                     dense_model("Gemm", np.zeros((4, 8), np.float32), transB=1),
                                                     lstm_model(np.zeros((1, 32, 6), np.float32)))
               for n in qonnx.load(model).nodes()}
    assert (weights["c"], weights["fc"], weights["rnn"]) == (144, 32, 448)


def test_unreadable_files_are_spec_errors_naming_the_file(tmp_path):
    whole = conv_model(np.zeros((4, 3, 3, 3), np.float32)).SerializeToString()
    files = {"empty.onnx": b"", "truncated.onnx": whole[:len(whole) // 2], "random.onnx": bytes(range(7, 256, 3))}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    assert spec_error(lambda: qonnx.load(tmp_path / "empty.onnx")) == (
        501, f"[qutibench.spec_error.501] {tmp_path / 'empty.onnx'}: empty file, not an ONNX model")
    for name in ("truncated.onnx", "random.onnx"):
        error_id, message = spec_error(lambda: qonnx.load(tmp_path / name))
        assert error_id == 501
        assert message.startswith(f"[qutibench.spec_error.501] {tmp_path / name}: not an ONNX model (truncated or not "
                                  "protobuf: ")
    assert spec_error(lambda: qonnx.load(tmp_path / "missing.onnx")) == (
        501, f"[qutibench.spec_error.501] {tmp_path / 'missing.onnx'}: cannot open (not a readable file)")


def test_external_data_imports_without_its_side_files(tmp_path):
    # Costs need only shapes: the importer never opens the side files, so a model whose
    # weights were moved away (or are too large to copy) still imports.
    path = tmp_path / "ext.onnx"
    onnx.save_model(conv_model(np.ones((4, 3, 3, 3), np.float32)), str(path), save_as_external_data=True,
                    location="w.bin", size_threshold=0)
    (tmp_path / "w.bin").unlink()
    assert {n["name"]: n["weights"] for n in qonnx.load(path).nodes()}["c"] == 4 * 3 * 3 * 3


def external_gemm_model(features):
    """x [N, features] -> Gemm with a [features, features] float32 weight stored as external
    data in 'weights.bin', which is never written."""
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[features, features], data_location=TensorProto.EXTERNAL)
    entry = w.external_data.add()
    entry.key, entry.value = "location", "weights.bin"
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", features])
    graph = helper.make_graph([helper.make_node("Gemm", ["x", "w"], ["y"], name="fc", transB=1)], "g", [x],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_a_2_5_gb_external_data_model_imports_without_its_payload(tmp_path):
    # 25000 x 25000 float32 weights are 2.5 GB; the model file holds only their shape
    # (benchmarks/onnx_import.py times this import).
    path = tmp_path / "big.onnx"
    path.write_bytes(external_gemm_model(25000).SerializeToString())
    assert path.stat().st_size < 1000
    fc = {n["name"]: n for n in qonnx.load(path).nodes()}["fc"]
    assert (fc["weights"], fc["macs"]) == (25000 * 25000, 25000 * 25000)


def test_input_without_batch_dimension_is_refused():
    # [3, 224, 224] read as [N, ...] has batch 3. Straight into a Conv, the rank tells.
    w = np.zeros((4, 3, 3, 3), np.float32)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 224, 224])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    model = graph_model([helper.make_node("Conv", ["x", "w"], ["y"], name="c")], [x], [y], [("w", w)])
    assert spec_error(lambda: qonnx.load(model)) == (
        209, "[qutibench.spec_error.209] ONNX model 'g': input 'x': shape [3, 224, 224] has rank 3, but node 'c' "
             "(Conv) takes [N, C, H, W]; is the batch dimension missing? (export it as 1 or symbolic)")
    # Behind another layer, the batch message says what qutibench expects.
    model = graph_model([helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Conv", ["r", "w"], ["y"], name="c")],
                        [x], [y], [("w", w)])
    with pytest.raises(qonnx.OnnxImportError) as e:
        qonnx.load(model)
    assert str(e.value) == (
        "[qutibench.spec_error.210] ONNX model 'g': input 'x': shape [3, 224, 224] has batch 3 in dimension 0; qutibench reads an input as [N, ...] (an image as "
        "[N, C, H, W], a recurrent layer's input as [L, N, D]) with N symbolic or 1: export with batch 1 or a symbolic "
        "batch (qutibench applies the batch at prediction time), or add the missing batch dimension")
