"""ONNX import of transformer exports (qutibench.onnx.load, the C++ importer): torch's
TransformerEncoder at opsets 13 (decomposed LayerNorm) and 17, and BERT-base and GPT-2
shaped models built from torch modules (BERT-base's width, heads and feed-forward size,
two layers and a small vocabulary to keep the files small). Each must import without
unknown operators, with MatMul/Gemm MACs and weights equal to the hand count below.

Run with ``PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python/test_onnx_transformers.py``.
"""
import collections
import json
import os
import subprocess
import warnings

import pytest
import torch

import qutibench.onnx as qonnx

E, HEADS, FF, LAYERS, L, VOCAB = 768, 12, 3072, 2, 128, 1000


def layer_macs(tokens=L):
    """One encoder layer at batch 1: the packed QKV projection (E x 3E), the output
    projection (E x E), the two feed-forward layers (E x FF, FF x E), and per head the
    scores (L x d x L) and the weighted values (L x L x d), d = E / HEADS."""
    d = E // HEADS
    return tokens * E * 3 * E + tokens * E * E + 2 * tokens * E * FF + 2 * HEADS * tokens * tokens * d


LAYER_WEIGHTS = 3 * E * E + E * E + 2 * E * FF  # the same four matrices


def totals(topology):
    nodes = topology.nodes()
    return sum(n["weights"] for n in nodes), sum(n["macs"] for n in nodes)


def encoder(norm_first=False, activation="relu", batch_first=False):
    layer = torch.nn.TransformerEncoderLayer(E, HEADS, FF, dropout=0.0, activation=activation, batch_first=batch_first,
                                             norm_first=norm_first)
    return torch.nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False)


class Bert(torch.nn.Module):
    """Token and position embeddings, a LayerNorm, post-norm GELU encoder layers and the
    pooler (tanh of a dense layer on the first token)."""

    def __init__(self):
        super().__init__()
        self.tok, self.pos, self.ln = torch.nn.Embedding(VOCAB, E), torch.nn.Embedding(L, E), torch.nn.LayerNorm(E)
        self.enc, self.pool = encoder(activation="gelu", batch_first=True), torch.nn.Linear(E, E)

    def forward(self, ids):
        x = self.enc(self.ln(self.tok(ids) + self.pos.weight[: ids.shape[1]]))
        return torch.tanh(self.pool(x[:, 0]))


class Gpt2(torch.nn.Module):
    """Token and position embeddings, pre-norm GELU layers under a causal mask, a final
    LayerNorm and the language-model head."""

    def __init__(self):
        super().__init__()
        self.tok, self.pos = torch.nn.Embedding(VOCAB, E), torch.nn.Embedding(L, E)
        self.blocks = encoder(norm_first=True, activation="gelu", batch_first=True)
        self.ln, self.head = torch.nn.LayerNorm(E), torch.nn.Linear(E, VOCAB, bias=False)
        self.register_buffer("mask", torch.nn.Transformer.generate_square_subsequent_mask(L))

    def forward(self, ids):
        x = self.blocks(self.tok(ids) + self.pos.weight[: ids.shape[1]], mask=self.mask)
        return self.head(self.ln(x))


def export(module, example, path, opset=13, **kwargs):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module.eval(), example, str(path), opset_version=opset, **kwargs)
    return path


@pytest.mark.parametrize("opset", [13, 17])
def test_transformer_encoder(tmp_path, opset):
    # Sequence-first [L, N, E]: the batch is the unit axis after the sequence.
    path = export(encoder(), torch.zeros(L, 1, E), tmp_path / "enc.onnx", opset)
    topology = qonnx.load(path)
    assert totals(topology) == (LAYERS * LAYER_WEIGHTS, LAYERS * layer_macs())
    kinds = collections.Counter(n["kind"] for n in topology.nodes())
    # Two layer norms a layer, decomposed into ReduceMean/Sub/Pow/Sqrt/Div at opset 13.
    assert (kinds["layer_norm"], kinds["softmax"], kinds["matmul"]) == (2 * LAYERS, LAYERS, 2 * LAYERS)


def test_bert_base_shaped(tmp_path):
    path = export(Bert(), torch.zeros(1, L, dtype=torch.long), tmp_path / "bert.onnx")
    topology = qonnx.load(path)
    weights = VOCAB * E + LAYERS * LAYER_WEIGHTS + E * E  # the position table is a constant added: no weight
    assert totals(topology) == (weights, LAYERS * layer_macs() + E * E)
    kinds = collections.Counter(n["kind"] for n in topology.nodes())
    assert (kinds["layer_norm"], kinds["gelu"], kinds["tanh"]) == (1 + 2 * LAYERS, LAYERS, 1)


def test_gpt2_shaped(tmp_path):
    path = export(Gpt2(), torch.zeros(1, L, dtype=torch.long), tmp_path / "gpt2.onnx")
    topology = qonnx.load(path)
    assert totals(topology) == (VOCAB * E + LAYERS * LAYER_WEIGHTS + E * VOCAB, LAYERS * layer_macs() + L * E * VOCAB)


def test_symbolic_sequence_length(tmp_path):
    path = export(Bert(), torch.zeros(1, L, dtype=torch.long), tmp_path / "bert_dynamic.onnx",
                  input_names=["ids"], dynamic_axes={"ids": {0: "batch", 1: "sequence"}})
    with pytest.raises(qonnx.OnnxImportError) as e:
        qonnx.load(path)
    assert str(e.value) == (
        f"[qutibench.spec_error.210] {path}: input 'ids': dimension 1 ('sequence') of [batch, sequence] is symbolic: give "
        "its size as the sequence length (--sequence-length; Python: sequence_length=)")
    assert totals(qonnx.load(path, sequence_length=L)) == totals(qonnx.load(export(
        Bert(), torch.zeros(1, L, dtype=torch.long), tmp_path / "bert.onnx")))
    with pytest.raises(qonnx.SpecError, match=r"\[qutibench.spec_error.503\] sequence_length: must be 1..2\^31, got 0"):
        qonnx.load(path, sequence_length=0)


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
def test_cli_reads_the_same_model(tmp_path):
    # One importer: the CLI's totals are Python's, and it takes --sequence-length too.
    path = export(Bert(), torch.zeros(1, L, dtype=torch.long), tmp_path / "bert_dynamic.onnx",
                  input_names=["ids"], dynamic_axes={"ids": {0: "batch", 1: "sequence"}})
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "show", str(path), "--sequence-length", str(L), "--format", "json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)["totals"]
    weights, macs = totals(qonnx.load(path, sequence_length=L))
    assert (shown["weights"], shown["ops"]) == (weights, 2 * macs)
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "show", str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "dimension 1 ('sequence') of [batch, sequence] is symbolic" in run.stderr
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "show", str(path), "--sequence-length", "8", "--unknown-ops", "skip"],
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stderr) == (
        2, "qutibench: [qutibench.spec_error.503] unknown_ops: must be error or elementwise, got 'skip'\n")
