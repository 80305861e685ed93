"""ONNX import: a qutibench Topology from an ONNX model, like ``qutibench.zoo.get``.

The C++ importer does the work (``qutibench/io/onnx/import.hpp``, the one the CLI uses
too; docs/onnx.md lists the operators and how each is counted). It reads tensor shapes,
never weight payloads, so a model with external data imports without its side files.
An operator it cannot map is never dropped silently: ``load`` raises OnnxImportError
(a SpecError with ID 210) listing every such operator with its count. A file or model
that is not a valid ONNX model raises SpecError naming the file and node (IDs in
docs/errors.md).

Shapes follow qutibench's convention: per input, batch excluded. The batch dimension of
each graph input must be symbolic or 1; every other dimension must be static.
"""
from __future__ import annotations

import os
import warnings
from typing import Any, Callable

from . import _core
from ._core import SpecError, Topology

__all__ = ["OnnxImportError", "load"]

_UNSUPPORTED = 210  # qutibench::error_id::unsupported_operator


class OnnxImportError(SpecError):
    """An ONNX model that qutibench cannot represent (ID 210); the message names the
    operators or the node at fault."""


def load(path_or_model: str | os.PathLike | Any, name: str | None = None, sequence_length: int | None = None,
         unknown_ops: str = "error") -> Topology:
    """A qutibench Topology from an ONNX file or an ``onnx.ModelProto``.

    ``name`` defaults to the file's stem, else the graph's name. ``sequence_length`` is the
    size of every symbolic input dimension other than the batch (a transformer's tokens);
    without it such a dimension is an error naming it. ``unknown_ops="elementwise"`` counts
    each operator qutibench cannot map as one operation per element of its largest input
    or output instead of raising, and warns (UserWarning) which it counted. A quantized (QDQ or QLinear) model's
    topology carries ``precision`` (``{"fallback": ("fp32", "fp32"), "overrides": {node:
    (weight_dtype, activation_dtype)}}``), which ``qutibench.requirements`` uses when given
    no precision."""
    if hasattr(path_or_model, "SerializeToString"):
        graph = path_or_model.graph.name or "onnx"
        return _finish(lambda: _core.onnx_import_bytes(path_or_model.SerializeToString(), f"ONNX model '{graph}'",
                                                       name or "", sequence_length, unknown_ops))
    return _finish(lambda: _core.onnx_import_file(os.fspath(path_or_model), name or "", sequence_length, unknown_ops))


def _finish(importer: Callable[[], tuple[Topology, Any, list[str]]]) -> Topology:
    """The Topology of an importer's (topology, precision, warnings): an unmappable operator
    raised as OnnxImportError, each warning a UserWarning, the precision kept on it."""
    try:
        topology, precision, notes = importer()
    except SpecError as e:
        if getattr(e, "id", None) != _UNSUPPORTED:
            raise
        error = OnnxImportError(str(e))
        error.id = e.id
        raise error from None
    for note in notes:
        warnings.warn(note, stacklevel=3)
    if precision is not None:
        topology.precision = precision
    return topology
