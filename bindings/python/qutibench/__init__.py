"""qutibench: predict, measure and compare how fast neural networks run on heterogeneous
hardware (the QuTiBench method, M. Blott, PhD thesis, 2021).

Level-0 roofline predictions from a network's compute and memory requirements, platform
specs, heatmaps and pareto frontiers, measurement records and validation, and the
reference executor on this CPU. Numbers are SI: ops, bytes, seconds, inputs per second;
names carry their unit (``latency_s``, ``inputs_per_s``). Tables are lists of dicts with
``to_pandas()``. Errors raise ``SpecError`` (bad input, a ValueError) or ``MeasureError``
(a RuntimeError), each with the library's numeric ``id``.
"""
from __future__ import annotations

import math
import numbers
import os
from typing import Any, Iterable, Sequence

from . import _core
from ._core import (Datatype, MeasureError, Platform, SpecError, Topology, TopologyBuilder, __version__, data_dir,
                    load_platforms, pareto_frontier, select_platforms)
from ._core import orthogonality as _orthogonality
from .tables import Sweep, Table

__all__ = [
    "__version__", "Datatype", "MeasureError", "Platform", "SpecError", "Table", "Topology", "TopologyBuilder", "batch_summaries",
    "data_dir", "few_shot", "few_shot_points", "fit_few_shot", "heatmap", "host_roofline", "kernels", "llm", "llm_few_shot",
    "llm_parameters", "llm_sweep", "load_measurements", "load_platforms", "measure",
    "measured_pareto", "orthogonality", "pareto_frontier", "platform", "predict", "requirements", "select_platforms",
    "sweep", "theoretical_pareto", "topology", "training", "validate", "zoo", "onnx", "plot", "report",
]

from . import zoo  # noqa: E402  (zoo uses the names above)

_core_nodes = Topology.nodes


def _nodes(self: Topology) -> Table:
    return Table(_core_nodes(self))


_nodes.__doc__ = (_core_nodes.__doc__ or "").strip() + "; a Table (``to_pandas()``)"
Topology.nodes = _nodes


def __getattr__(name: str):
    """`qutibench.onnx`, `qutibench.plot` and `qutibench.report` load on first use: they pull
    in onnx and matplotlib, which a plain prediction never needs."""
    if name in ("onnx", "plot", "report"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _path(value: Any) -> Any:
    """A path argument as the extension takes it: an os.PathLike as its str; anything else as
    given, for the extension to refuse by name."""
    return os.fspath(value) if isinstance(value, os.PathLike) else value


def topology(ref: str | os.PathLike | Topology) -> Topology:
    """The network ``ref`` names, as the CLI reads ``--topology``: a Topology as it is, a zoo
    id, a topology file (``.json``) or an ONNX model (``.onnx``, imported as
    ``qutibench.onnx.load`` does with its defaults, its precision kept)."""
    if isinstance(ref, Topology):
        return ref
    from . import onnx

    return onnx._finish(lambda: _core.find_topology(_path(ref)))


_topology = topology  # the parameters named topology hide the function



def platform(ref: str | os.PathLike | Platform) -> tuple[Platform, str]:
    """A platform and mode from ``"id"``, ``"id:mode"``, ``"file.json"`` or ``"file.json:mode"``
    (a path object too)."""
    if isinstance(ref, Platform):
        return ref, ""
    return _core.find_platform(_path(ref))


def _precision(topology: Topology, precision: Any) -> Any:
    if precision is not None:
        return precision
    # A topology imported from a quantized (QDQ) ONNX model carries its own precision.
    return getattr(topology, "precision", None) or "fp32"


def requirements(topology: Topology | str, precision: Any = None, batch: int = 1) -> dict:
    """Level-0 requirements (thesis eqs. 2.2, 2.4, 2.5): ``total`` (a dict) and ``layers``
    (a Table). ``topology``: a Topology or what ``qutibench.topology()`` reads. ``precision``: a
    datatype name (uniform), or ``{"fallback": (w, a), "overrides": {node: (w, a)}}``;
    default: the topology's own, else fp32."""
    net = _topology(topology)
    r = _core.requirements(net, _precision(net, precision), batch)
    r["layers"] = Table(r["layers"])
    return r


def training(topology: Topology | str, inputs_per_epoch: int, epochs: int, precision: Any = None, batch: int = 1) -> dict:
    """Training requirements (thesis eq. 2.6, Table 2.2); ``topology`` as in ``requirements``."""
    net = _topology(topology)
    return _core.training(net, _precision(net, precision), batch, inputs_per_epoch=inputs_per_epoch,
                          epochs=epochs)


def predict(topology: Topology | str, platform_ref: str | Platform, datatype: str, batch: int = 1, mode: str | None = None,
            memory_model: str = "thesis", efficiency: float | tuple[float, float] | None = None,
            per_layer: bool = False, model: str | None = None, threads: int | None = None,
            calibrate: str | os.PathLike | None = None, metric: str | None = None) -> dict:
    """Roofline prediction (thesis eqs. 4.1, 4.2): ``status`` ("ok" or "unsupported"),
    ``inputs_per_s``, ``ops_per_s``, ``latency_s`` (of the batch), ``operational_intensity``,
    ``ridge_point``, ``bound``, ...; ``per_layer`` adds ``layers`` (a Table) and sums each
    layer's own roofline time. ``model``: "plain" (the ceiling) or "realistic" (the spec's
    deployed design: engine mapping, memory levels, fixed costs; ``memory_model`` and
    ``efficiency`` do not apply). ``threads`` (realistic only): runtime threads, each driving
    one unit of an engine whose units take whole inputs (a DPU core) or one CPU core of a
    spec with a design (no effect otherwise); None takes the threads the design's runtime
    runs where its spec states them (one on ultra96-a53, gemmlowp's default), else keeps
    every unit busy. ``model`` None is "plain", or "realistic" with ``calibrate``: a
    measurement CSV (as ``--calibrate``) whose rows of this platform (the best row per
    network, datatype, mode and batch) fit its efficiency and, from two networks on, its
    time per layer dispatch on the realistic model, which then predict (``model``
    "calibrated", the factors under ``calibration_efficiency``, ``calibration_dispatch_s``,
    with ``calibration_settings``, ``calibration_networks``, and the rows skipped, for no
    batch, a mode the spec lacks or a datatype the model cannot run, under
    ``calibration_skipped_rows`` and ``calibration_skipped``); ``metric`` "compute" (None)
    or "system": which measured throughput they fit. ``topology``: a Topology or what ``qutibench.topology()`` reads;
    ``platform_ref``: a Platform or "id[:mode]" / "file.json[:mode]"."""
    pf, ref_mode = platform(platform_ref)
    r = _core.predict(_topology(topology), pf, datatype, batch, mode if mode is not None else ref_mode, memory_model, efficiency,
                      per_layer, model, threads, _path(calibrate), metric)
    if per_layer:
        r["layers"] = Table(r["layers"])
    return r


def llm(topology: str, platform_ref: str | Platform, weights: str = "f16", kv: str = "f16", activations: str = "fp16",
        batch: int = 1, prompt: int = 512, output: int = 128, tp: int = 1, pp: int = 1, ep: int = 1, micro_batches: int = 1,
        model: str = "realistic", fused_attention: bool = True, per_layer: bool = False, mode: str | None = None,
        calibrate: str | os.PathLike | None = None) -> dict:
    """A decoder LLM request on a platform, as ``qutibench llm``: ``topology`` an LLM zoo id
    (``llama-3-8b``, ``mixtral-8x7b``, ...) or a Hugging Face config.json; ``weights`` and
    ``kv`` storage formats (f16, bf16, fp8, int8, q8_0, q4_0, q4_k_m, int4-g128, int4-g32,
    nvfp4, mxfp4); ``activations`` a datatype; ``tp`` devices in tensor parallelism, ``pp``
    pipeline stages the batch passes through in ``micro_batches``, ``ep`` devices in expert
    parallelism (memory per device, collectives over the spec's interconnect). Keys: ``status`` ("ok", "does-not-fit",
    "unsupported"), ``ttft_s``, ``tpot_s``, ``prefill_tokens_per_s`` and
    ``decode_tokens_per_s`` (per sequence), ``throughput_tokens_per_s``, ``latency_s``,
    ``memory_bytes``, ``capacity_bytes``, ``energy_per_token_j``, ...; ``per_layer`` adds
    ``operations`` (a Table of both phases). ``calibrate``: a CSV of requests measured on
    this platform mode (as ``--calibrate``): each phase's efficiency and time per dispatch
    are fitted on the realistic model and predict the request (``model`` "calibrated", the
    factors under ``prefill_efficiency``, ``decode_dispatch_s``, ...). docs/llm.md."""
    pf, ref_mode = platform(platform_ref)
    r = _core.llm(topology, pf, mode if mode is not None else ref_mode, weights, kv, activations, batch, prompt, output, tp,
                  pp, ep, micro_batches, model, fused_attention, per_layer,
                  _path(calibrate))
    if per_layer:
        r["operations"] = Table(r["operations"])
    return r


def llm_sweep(topology: str, platform_ref: str | Platform, batches: Iterable[int] = (1,), contexts: Iterable[int] = (512,),
              devices: Iterable[int] = (1,), weights: str = "f16", kv: str = "f16", activations: str = "fp16", output: int = 128,
              model: str = "realistic", fused_attention: bool = True, mode: str | None = None,
              calibrate: str | os.PathLike | None = None) -> dict:
    """``llm`` over batches x contexts (prompt tokens) x devices (tensor parallelism) in one
    call, as ``qutibench llm`` with lists: numpy arrays of shape (batches, contexts, devices)
    under ``status`` ("ok", "does-not-fit", "unsupported"; a device count that does not
    split the heads evenly is unsupported), ``ttft_s``, ``tpot_s``, ``decode_tokens_per_s``,
    ``throughput_tokens_per_s``, ``latency_s``, ``memory_bytes`` (per device),
    ``energy_per_token_j``; NaN where the status is not ok; ``reason`` (strings: why a
    point is not ok, as ``llm``'s, "" where it is); the axes under ``batches``,
    ``contexts``, ``devices``; ``model``. Each point equals ``llm``'s, with ``calibrate``
    too: every point calibrated on the CSV's requests (``model`` "calibrated", the file
    and the factors under ``calibration``, ``prefill_efficiency``, ...)."""
    pf, ref_mode = platform(platform_ref)
    return _core.llm_sweep(topology, pf, mode if mode is not None else ref_mode, weights, kv, activations, batches, contexts, devices,
                           output, model, fused_attention, _path(calibrate))


def llm_parameters(topology: str) -> dict:
    """Exact parameter counts of an LLM zoo id or config.json: ``embedding``, ``attention``,
    ``mlp``, ``norms``, ``lm_head``, ``total`` (as stored; a tied table once) and ``active``
    (what one token reads: a mixture of experts' chosen experts)."""
    return _core.llm_parameters(topology)


def sweep(topology: Topology | str, platforms: str | Platform | Sequence[Platform | str], batches: Iterable[int],
          datatypes: Sequence[str], memory_model: str = "thesis", per_layer: bool = False, model: str = "plain",
          threads: int | None = None) -> Sweep:
    """Latency and throughput over platforms (first or selected mode each) x batches x
    datatypes in one call: a ``Sweep`` (a dict) with arrays ``latency_s`` and
    ``inputs_per_s`` of shape (platforms, batches, datatypes), NaN where a platform cannot
    run a datatype, the axes' labels ``platforms``, ``modes``, ``batches``, ``datatypes``,
    and ``rows()`` / ``to_pandas()``. Each point equals ``predict``'s with the same
    arguments (``per_layer`` False: the whole network, as predict's default). No Python per
    point. ``platforms``: a selection as the CLI's ``--platforms`` ("thesis", "all",
    "id[:mode],file.json[:mode],..."), a Platform, or a sequence of both. ``model``:
    "plain" (the flat fast path) or "realistic" (layer by layer through each spec's design;
    ``memory_model`` and ``per_layer`` do not apply); ``threads`` as in predict."""
    return Sweep(_core.sweep(_topology(topology), platforms, batches, datatypes, memory_model, per_layer, model, threads))


def heatmap(task: str, platforms: str | Platform | Sequence[Platform | str] = "thesis", batch: int = 1,
            memory_model: str = "thesis", model: str = "plain", threads: int | None = None) -> Table:
    """Predicted inputs/s of every (platform, mode, datatype) x (topology, datatype) pair of a
    task that has a published accuracy (thesis Section 4.5); ``platforms`` as in ``sweep``;
    ``model``: "plain" or "realistic"; ``threads`` as in predict."""
    return Table(_core.heatmap(task, platforms, batch, memory_model, model, threads))


def theoretical_pareto(task: str, x: str = "throughput", platforms: str | Platform | Sequence[Platform | str] = "thesis", batch: int = 1,
                       memory_model: str = "thesis", model: str = "plain", threads: int | None = None) -> Table:
    """Heatmap cells with ``on_frontier``: top-1 accuracy (max) against throughput (max),
    latency (min) or efficiency = inputs/s/W (max) (thesis Section 6.5.2); ``model``: "plain"
    or "realistic"; ``threads`` as in predict."""
    cells = heatmap(task, platforms, batch, memory_model, model, threads)
    key = {"throughput": "inputs_per_s", "latency": "latency_s", "efficiency": "inputs_per_s_per_w"}.get(x, "")
    values = [math.nan if c.get(key) is None else c[key] for c in cells]
    for c, f in zip(cells, _core.accuracy_frontier([c["accuracy_top1"] for c in cells], values, x)):
        c["on_frontier"] = f
    return cells


def load_measurements(path: str | os.PathLike) -> Table:
    """Records of a QuTiBench measurement CSV, thesis names mapped onto the stable ids."""
    return Table(_core.load_measurements(_path(path)))


def validate(path: str | os.PathLike, model: str = "plain", metric: str = "compute") -> dict:
    """Predictions against a measured dataset (thesis Table 7.1's method): ``groups`` per
    platform and task (Pearson, Spearman, median and max |log10 error|, efficiency, and the
    plain model's figures under ``plain``) and ``points`` (best measured and predicted
    inputs/s per setting), both Tables. ``model``: plain, refined, calibrated or realistic."""
    r = _core.validate_dataset(_path(path), model, metric)
    r["groups"] = Table(r["groups"])
    r["points"] = Table(r["points"])
    return r


def few_shot(path: str | os.PathLike, k: int | Sequence[int] = (1, 2, 3), metric: str = "compute") -> Table:
    """Few-shot calibration on a measured dataset (the CLI's ``validate --few-shot``): per
    device and network count k, an efficiency (k = 1) and a fixed time per layer dispatch (k >= 2)
    over the realistic model, fitted on every k of the device's networks, and the median |log10(predicted /
    measured)| on its other networks, with the plain model's on the same points. ``k``:
    counts 1..5."""
    return Table(_core.few_shot_calibration(_path(path), [k] if isinstance(k, numbers.Integral) else k, metric))


def few_shot_points(points: Sequence[dict], k: int | Sequence[int] = (1, 2, 3)) -> Table:
    """``few_shot`` over measurements you hold as dicts instead of a measurement file (for
    LLM requests in a file, ``llm_few_shot``). Each point: ``platform`` (the device its
    factors belong to), ``network`` (what k counts: a model, or a model in a weight format),
    ``measured``, ``realistic`` and ``plain`` rates per unit of work (inputs/s, tokens/s),
    and ``dispatches`` per unit under the realistic model (an LLM step's
    ``decode_dispatches`` over its batch). Rows as ``few_shot``'s, and ``errors``: each
    held-out prediction's |log10(predicted / measured)|."""
    return Table(_core.few_shot_points(points, [k] if isinstance(k, numbers.Integral) else k))


def llm_few_shot(platform_ref: str | Platform, path: str | os.PathLike, k: int | Sequence[int] = (1, 2, 3),
                 mode: str | None = None) -> Table:
    """Few-shot calibration on LLM requests measured on one platform mode (a CSV as
    ``llm(..., calibrate=)`` takes): per phase (``phase``: "prefill", "decode") and network
    count k, the factors fitted on every k of its networks (a model in a weight format)
    predict its other rows; fields as ``few_shot``'s, with ``errors``. docs/llm.md."""
    pf, ref_mode = platform(platform_ref)
    return Table(_core.llm_few_shot(pf, mode if mode is not None else ref_mode, _path(path),
                                    [k] if isinstance(k, numbers.Integral) else k))


def fit_few_shot(points: Sequence[dict]) -> dict:
    """The few-shot factors fitted on one device's points (dicts as ``few_shot_points``):
    ``efficiency`` and ``dispatch_s``. Another setting on that device is then predicted at
    ``1 / (efficiency / realistic + dispatch_s * dispatches)`` per unit of work, from its
    realistic rate and dispatches per unit. With one network the efficiency alone is fitted
    (``dispatch_s`` 0), and so it is where two factors would need one at or below zero.
    docs/validation.md."""
    return _core.fit_few_shot(points)


def measured_pareto(path: str | os.PathLike, task: str) -> Table:
    """Measured pareto points of a task with ``on_frontier`` (accuracy vs inputs/s)."""
    points = Table(_core.measured_pareto_points(_path(path), task))
    front = _core.accuracy_frontier([p["accuracy_top1"] for p in points], [p["inputs_per_s"] for p in points])
    for p, f in zip(points, front):
        p["on_frontier"] = f
    return points


def orthogonality(original: float, quantized: float, pruned: float, both: float) -> dict:
    """Gains of quantization and pruning from the throughput of A, B, C, D (thesis Section
    8.3.2): p1, q1, p2, q2, complementary, interaction (1 = perfectly orthogonal) and
    distance_log10 = |log10 interaction|."""
    return _orthogonality(original, quantized, pruned, both)


def batch_summaries(path: str) -> Table:
    """Per setting of a measurement CSV: batches, best throughput, latency, system/compute overhead."""
    return Table(_core.batch_summaries(path))


def kernels(topology: Topology | str, level: int, datatype: str = "int8") -> list[list[str]]:
    """The layer lists of a level's kernels (1: each layer with MACs, 2: stacks of 2 and 4, 3: all)."""
    return _core.kernels(_topology(topology), level, datatype)


def measure(topology: Topology | str, level: int = 3, datatype: str = "int8", batch: int = 1, threads: int = 1,
            repeats: int = 5, min_time: float = 0.05) -> Table:
    """Measure a level's kernels on this CPU with the reference executor (gemmlowp 8-bit,
    Eigen fp32; each kernel checked against a naive loop on its first run), the kernels
    interleaved in groups of 16 (docs/measurement.md). Level 1..3,
    threads 1..1024, repeats 1..100000 and min_time 0..3600 s are checked as the CLI's
    (SpecError 503); Ctrl-C stops it within a step with KeyboardInterrupt."""
    return Table(_core.measure(_topology(topology), level, datatype, batch, threads, repeats, min_time))


def host_roofline(threads: Sequence[int] = (1,)) -> Platform:
    """This CPU's empirical roofline (INT8 and FP32 GEMM rates, triad bandwidth) as a Platform:
    one mode per thread count (at least one, each 1..1024, none twice; SpecError 503 otherwise)."""
    return _core.host_roofline(list(threads))
