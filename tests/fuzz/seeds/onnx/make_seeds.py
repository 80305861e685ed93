"""Writes the seed corpus of the ONNX fuzz target (tests/fuzz/fuzz_onnx.cpp): small
models, one per family of operators the importer maps or folds. Run from this directory
with Debian's python3 (python3-onnx); the .onnx files are committed."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(name, nodes, inputs, initializers, opset=13):
    graph = helper.make_graph(nodes, name, inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(np.asarray(a), n) for n, a in initializers.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), f"{name}.onnx")


def image(channels=3, size=8):
    return [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", channels, size, size])]


f32 = np.float32
save("convnet", [
    helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
    helper.make_node("Clip", ["c", "lo", "hi"], ["r"]),
    helper.make_node("Shape", ["r"], ["s"]),
    helper.make_node("Gather", ["s", "zero"], ["n"]),
    helper.make_node("Unsqueeze", ["n", "axes"], ["n1"]),
    helper.make_node("Concat", ["n1", "minus_one"], ["target"], axis=0),
    helper.make_node("Reshape", ["r", "target"], ["f"]),
    helper.make_node("MatMul", ["f", "w2"], ["m"]),
    helper.make_node("Add", ["m", "b2"], ["y"])], image(),
    {"w": np.zeros((4, 3, 3, 3), f32), "b": np.zeros(4, f32), "lo": f32(0), "hi": f32(6), "zero": np.int64(0),
     "axes": np.array([0], np.int64), "minus_one": np.array([-1], np.int64), "w2": np.zeros((256, 10), f32),
     "b2": np.zeros(10, f32)})
save("qdq", [
    helper.make_node("QuantizeLinear", ["x", "s", "zu"], ["xq"]),
    helper.make_node("DequantizeLinear", ["xq", "s", "zu"], ["xd"]),
    helper.make_node("DequantizeLinear", ["wq", "s", "zi"], ["wd"]),
    helper.make_node("Conv", ["xd", "wd"], ["c"], strides=[2, 2], group=1),
    helper.make_node("Sigmoid", ["c"], ["g"]),
    helper.make_node("Mul", ["c", "g"], ["y"])], image(),
    {"wq": np.ones((8, 3, 3, 3), np.int8), "s": f32(0.1), "zu": np.uint8(128), "zi": np.int8(0)})
save("pools", [
    helper.make_node("MaxPool", ["x"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("AveragePool", ["x"], ["a"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("Concat", ["p", "a"], ["c"], axis=1),
    helper.make_node("BatchNormalization", ["c", "g", "b", "m", "v"], ["n"]),
    helper.make_node("GlobalAveragePool", ["n"], ["gp"]),
    helper.make_node("Flatten", ["gp"], ["f"]),
    helper.make_node("Softmax", ["f"], ["y"])], image(),
    {k: np.ones(6, f32) for k in ("g", "b", "m", "v")})
save("lstm", [
    helper.make_node("LSTM", ["x", "w", "r", "bias"], ["seq"], hidden_size=8),
    helper.make_node("Squeeze", ["seq", "one"], ["y"])],
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, "N", 6])],
    {"w": np.zeros((1, 32, 6), f32), "r": np.zeros((1, 32, 8), f32), "bias": np.zeros((1, 64), f32),
     "one": np.array([1], np.int64)})
save("tokens", [
    helper.make_node("Gather", ["table", "x"], ["e"]),
    helper.make_node("LayerNormalization", ["e", "gamma"], ["l"], axis=-1),
    helper.make_node("Transpose", ["l"], ["t"], perm=[0, 2, 1]),
    helper.make_node("MatMul", ["l", "t"], ["scores"]),
    helper.make_node("Softmax", ["scores"], ["p"], axis=-1),
    helper.make_node("MatMul", ["p", "l"], ["ctx"]),
    helper.make_node("Slice", ["ctx", "start", "end", "axis"], ["s"]),
    helper.make_node("Reshape", ["s", "flat"], ["s2"]),
    helper.make_node("Gemm", ["s2", "w"], ["y"], transB=1)],
    [helper.make_tensor_value_info("x", TensorProto.INT64, ["N", 4])],
    {"table": np.zeros((100, 16), f32), "gamma": np.ones(16, f32), "start": np.array([0], np.int64),
     "end": np.array([1], np.int64), "axis": np.array([1], np.int64), "w": np.zeros((10, 16), f32),
     "flat": np.array([1, 16], np.int64)})
save("qlinear", [
    helper.make_node("QuantizeLinear", ["x", "s", "zu"], ["xq"]),
    helper.make_node("QLinearConv", ["xq", "s", "zu", "w", "s", "zi", "s", "zu", "b"], ["cq"], pads=[1, 1, 1, 1]),
    helper.make_node("DequantizeLinear", ["cq", "s", "zu"], ["c"]),
    helper.make_node("Resize", ["c", "", "scales"], ["up"], mode="nearest"),
    helper.make_node("ReduceL2", ["up"], ["n"], axes=[1]),
    helper.make_node("Expand", ["n", "shape"], ["e"]),
    helper.make_node("Div", ["up", "e"], ["d"]),
    helper.make_node("Flatten", ["d"], ["f"]),
    helper.make_node("QuantizeLinear", ["f", "s", "zi"], ["fq"]),
    helper.make_node("QLinearMatMul", ["fq", "s", "zi", "m", "s", "zi", "s", "zi"], ["yq"]),
    helper.make_node("DequantizeLinear", ["yq", "s", "zi"], ["y"])], image(),
    {"w": np.ones((4, 3, 3, 3), np.int8), "b": np.zeros(4, np.int32), "s": f32(0.1), "zu": np.uint8(128),
     "zi": np.int8(0), "scales": np.array([1, 1, 2, 2], f32), "shape": np.array([1, 4, 16, 16], np.int64),
     "m": np.ones((1024, 10), np.int8)})
