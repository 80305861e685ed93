"""The level-0 report: one interactive HTML page with the thesis's prediction figures.

``python3 -m qutibench.report [--output report] [--measurements FILE | --no-measurements]
[--published FILE] [--platforms thesis|all|ID[:MODE],FILE.json[:MODE],...] [--static png,svg,pdf
[--dpi N]] [--open]`` writes ``index.html`` and ``plotly.js`` (the page works offline; with
``--static``, every figure also as a file linked under it) into the output folder: the
heatmaps of the three tasks (ImageNet, CIFAR-10, MNIST), the roofline of every shipped
platform with the task networks it can run, the predicted pareto frontiers and, with a
measurement CSV (default: the thesis's level-3 tables shipped under ``data_dir()``),
predicted-vs-measured overlays, bar and latency charts and the validation tables of the
plain, refined, calibrated and realistic models, and the same models against the published
measurements of current devices (``data/measurements/public_cnn_dev.csv``) (M. Blott, *Benchmarking Neural Networks on
Heterogeneous Hardware*, PhD thesis, Trinity College Dublin, 2021); last, decoder LLM
requests of ``LLM_SETTINGS`` (tokens/s vs batch, TTFT vs prompt, a roofline with prefill and
decode, the throughput-latency frontier, a capacity map and a table). The predicted pareto
frontiers go to stdout as a text table, progress to stderr. The page's figures are those of
``qutibench.plot`` (``qutibench.interactive``): hover reads any cell or point, drag zooms, the
legend shows and hides series, the filters show one task, platform or datatype, the toolbar
downloads a figure as SVG and a button under each table downloads it as CSV.
"""
from __future__ import annotations

import argparse
import functools
import html
import math
import os
import re
import sys
import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import qutibench

from .report_page import Figure as _Figure, Html as _Html, Section as _Section, html_table as _html_table
from .report_page import render as _render_page, write_plotly_js

__all__ = ["LLM_SETTINGS", "SHIPPED_MEASUREMENTS", "SHIPPED_PUBLIC_MEASUREMENTS", "TASKS", "main", "write_report"]

TASKS = ("imagenet", "cifar10", "mnist")
TASK_TITLES = {"imagenet": "ImageNet", "cifar10": "CIFAR-10", "mnist": "MNIST"}
MODELS = ("plain", "refined", "calibrated", "realistic")
SHIPPED_MEASUREMENTS = Path(qutibench.data_dir()) / "measurements" / "level3_thesis.csv"
SHIPPED_PUBLIC_MEASUREMENTS = Path(qutibench.data_dir()) / "measurements" / "public_cnn_dev.csv"
# More networks than this make a roofline's labels overlap.
MAX_ROOFLINE_TOPOLOGIES = 6
MAX_ROOFLINE_DATATYPES = 2
# Published tables mostly give end-to-end figures: their validation uses the system metric.
_PUBLIC_METRIC = "system"
# Narrow datatypes first, as the thesis orders its ceilings.
_DATATYPE_ORDER = ("int2", "int4", "int8", "int16", "fp8_e4m3", "fp8_e5m2", "fp16", "bf16", "fp32", "fp64")
_PRUNED = re.compile(r"-p[\d.]+$")
#: The LLM section's settings: Llama-3-8B on current devices in a weight format each serves it
#: in (llama.cpp's Q4_K_M and Q4_0 on the edge devices), and Llama-3-70B in FP16 on one H100
#: (it does not fit) and on four, whose NVLink carries the tensor-parallel all-reduces.
LLM_SETTINGS = (
    ("llama-3-8b", "h100-sxm", "f16"),
    ("llama-3-8b", "h100-sxm", "fp8"),
    ("llama-3-8b", "a100-sxm", "f16"),
    ("llama-3-8b", "jetson-agx-orin", "q4_k_m"),
    ("llama-3-8b", "jetson-orin-nano", "q4_k_m"),
    ("llama-3-8b", "apple-m2-gpu", "q4_0"),
    ("llama-3-70b", "h100-sxm", "f16"),
    {"topology": "llama-3-70b", "platform": "h100-sxm", "weights": "f16", "tp": 4},
)
#: Static figure formats (``--static``): matplotlib writes them.
STATIC_FORMATS = ("png", "svg", "pdf")
_THESIS = ("M. Blott, <em>Benchmarking Neural Networks on Heterogeneous Hardware</em>, PhD thesis, "
           "Trinity College Dublin, 2021")


@dataclass
class _Step:
    label: str
    run: Callable[[], None]


def _emit(fig, out: Path, name: str, static: Sequence[str], dpi: int) -> tuple[dict, list[str]]:
    """A matplotlib figure as the page's Plotly figure, and the static files of it written."""
    from .interactive import to_plotly

    files = []
    for fmt in static:
        fig.savefig(out / f"{name}.{fmt}", dpi=dpi, bbox_inches="tight")
        files.append(f"{name}.{fmt}")
    return to_plotly(fig), files


def _datatype_rank(name: str) -> int:
    return _DATATYPE_ORDER.index(name) if name in _DATATYPE_ORDER else len(_DATATYPE_ORDER)


def _roofline_selection(pf: qutibench.Platform) -> tuple[list[str], list[str]]:
    """The task networks a platform's first mode runs (a datatype of theirs with a published
    accuracy that it supports, as the heatmaps define it), unpruned first, alternating tasks,
    at most MAX_ROOFLINE_TOPOLOGIES; and at most MAX_ROOFLINE_DATATYPES of their datatypes."""
    mode = pf.modes[0]
    # The zoo's order puts the thesis's best-known networks (GoogLeNet, MobileNet, ResNet50) first.
    order = qutibench.zoo.ids()
    ranked, datatypes = [], {}
    for task_index, task in enumerate(TASKS):
        runs = {}
        for cell in qutibench.heatmap(task, [pf]):
            if cell["mode"] == mode:
                runs.setdefault(cell["topology"], set()).add(cell["datatype"])
        datatypes.update(runs)
        for pruned in (False, True):
            group = sorted((t for t in runs if bool(_PRUNED.search(t)) == pruned), key=order.index)
            ranked += [((pruned, rank, task_index), t) for rank, t in enumerate(group)]
    chosen = [t for _, t in sorted(ranked)][:MAX_ROOFLINE_TOPOLOGIES]
    # The roofline marks every network at every datatype given: a few datatypes keep the points
    # legible. Those that cover the networks' own come first (most new networks, then native
    # before carried, then most networks, then narrowest), then more by the same order.
    candidates = set().union(*(datatypes[t] for t in chosen)) if chosen else set()
    runs = {d: {t for t in chosen if d in datatypes[t]} for d in candidates}
    picked, uncovered = [], set(chosen)
    while len(picked) < min(MAX_ROOFLINE_DATATYPES, len(candidates)):
        best = min(candidates - set(picked), key=lambda d: (-len(runs[d] & uncovered), pf.carrier(d, mode) != d,
                                                            -len(runs[d]), _datatype_rank(d)))
        picked.append(best)
        uncovered -= runs[best]
    return chosen, sorted(picked, key=_datatype_rank)


def _roofline(plot, pf: qutibench.Platform, topologies: list[str], datatypes: list[str]) -> tuple:
    fig, ax = plot.roofline(pf, topologies, datatypes=datatypes or None, mode=pf.modes[0])
    # Beside the axes, the legend hides no roof or network (the figure's layout makes room).
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.set_size_inches(10.5, 5)
    return fig, ax


def _thesis_table_7_1() -> dict[tuple[str, str], float]:
    return {(r["platform"], r["task"]): r["pearson"] for r in qutibench._core.thesis_table_7_1()}


def _number(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def _rate(value) -> str:
    """inputs/s: whole numbers with thousands separators, small rates with 3 significant digits."""
    if value is None or math.isnan(value):
        return ""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 0) -> str:
    """Rows as aligned plain text: text columns left-aligned, numeric ones right-aligned."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i >= numeric_from else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


_FRONTIER_HEADERS = ("topology", "platform", "mode", "datatype", "accuracy_top1", "inputs_per_s")


def _frontier_rows(task: str, platforms: str) -> list[list[str]]:
    """The predicted pareto frontier of a task (accuracy vs throughput), fastest first, as text cells."""
    cells = [c for c in qutibench.theoretical_pareto(task, "throughput", platforms) if c["on_frontier"]]
    cells.sort(key=lambda c: -c["inputs_per_s"])
    return [[c["topology"], c["platform"], c["mode"], c["datatype"], f"{c['accuracy_top1']:.2f}",
             _rate(c["inputs_per_s"])] for c in cells]


def _heatmap_text(task: str, platforms: str) -> tuple[list[str], list[list[str]]]:
    """A task's heatmap as text: rows platform[:mode] datatype, columns its topologies,
    predicted inputs/s ("-" where the pair is not defined)."""
    cells = qutibench.heatmap(task, platforms)
    columns = list(dict.fromkeys(c["topology"] for c in cells))
    rows: dict[tuple[str, str], list[str]] = {}
    for c in cells:
        key = (c["platform"] + (":" + c["mode"] if c["mode"] else ""), c["datatype"])
        rows.setdefault(key, ["-"] * len(columns))[columns.index(c["topology"])] = _rate(c["inputs_per_s"])
    return ["platform", "datatype", *columns], [[k[0], k[1], *v] for k, v in rows.items()]


def _validation_table(path: str, model: str, thesis: dict[tuple[str, str], float]) -> str:
    groups = qutibench.validate(path, model)["groups"]
    headers = ("platform", "task", "n", "Pearson r", "Table 7.1 r", "median |log10 error|", "median efficiency")
    rows = [[g["platform"], g["task"], str(g["n"]), _number(g["pearson"]),
             _number(thesis.get((g["platform"], g["task"])), 2), _number(g["median_abs_log10_error"]),
             _number(g["efficiency_median"])] for g in groups]
    return _html_table(headers, rows, 2, f"validation-{model}", _group_keys(groups))


def _group_keys(groups: Sequence[dict]) -> list[dict]:
    """The page's filter keys of validation groups' rows (an aggregate task matches any)."""
    return [{"platform": g["platform"], "task": g["task"] if g["task"] in TASKS else ""} for g in groups]


def _models_table(path: str, metric: str) -> str:
    """Per platform and task: settings and each model's median |log10(predicted / measured)|."""
    by_model = {model: qutibench.validate(path, model, metric)["groups"] for model in MODELS}
    error = {(model, g["platform"], g["task"]): g["median_abs_log10_error"]
             for model, groups in by_model.items() for g in groups}
    headers = ("platform", "task", "n", *(f"{model} median |log10 error|" for model in MODELS))
    groups = by_model["plain"]
    rows = [[g["platform"], g["task"] or "-", str(g["n"]),
             *(_number(error[(model, g["platform"], g["task"])]) for model in MODELS)] for g in groups]
    return _html_table(headers, rows, 2, "published-models", _group_keys(groups))


def _figure(out: Path, static: Sequence[str], dpi: int, steps: list[_Step], section: _Section, label: str,
            name: str, caption: str, make: Callable[[], tuple], **keys: str) -> None:
    """A step that draws a figure with ``make`` and adds it to ``section`` as ``name`` (its
    anchor, and with ``static`` formats its files ``out / name.FORMAT``), filtered by ``keys``."""
    def run() -> None:
        fig, _ = make()
        plot, files = _emit(fig, out, name, static, dpi)
        section.items.append(_Figure(name, caption, plot, keys, files))

    steps.append(_Step(label, run))


def _plan(out: Path, static: Sequence[str], dpi: int, measurements: str | None, platforms: str,
          published: str | None) -> tuple[list[_Section], list[_Step]]:
    """The report's sections (filled in as the steps run) and the steps that make them: the
    thesis's figures and tables, then the LLM section."""
    steps: list[_Step] = []
    figure = functools.partial(_figure, out, static, dpi, steps)
    sections = _thesis_sections(figure, steps, measurements, platforms, published)
    return sections + [_llm_section(figure, steps)], steps


def _thesis_sections(figure: Callable, steps: list[_Step], measurements: str | None, platforms: str,
                     published: str | None) -> list[_Section]:
    """The sections of the thesis's method (Chapters 4 to 7), their steps appended to ``steps``."""
    from . import plot

    # Resolved now so that a bad selection fails before the first step.
    selected = qutibench.select_platforms(platforms)
    # One roofline per shipped platform in its first mode, where the selection names it (a mode,
    # or a user's file under that id) the selection's entries instead, then its other files.
    chosen = {}
    for pf in selected:
        chosen.setdefault(pf.id, []).append(pf)
    shipped = qutibench.load_platforms()
    shipped_ids = {pf.id for pf in shipped}
    drawn = [entry for pf in shipped for entry in chosen.get(pf.id, [pf])]
    drawn += [pf for pf in selected if pf.id not in shipped_ids]
    ids = [pf.id for pf in drawn]
    scope = {"thesis": "the thesis's nine platforms of Table 6.2", "all": "every shipped platform"}.get(
        platforms, f"the platforms {platforms}")

    heatmaps = _Section("Heatmaps", "Predicted throughput (inputs/s, batch 1, weights off-chip and activations "
                        "on chip) of every pair of a platform's datatype and a network variant with a published "
                        f"accuracy, on {html.escape(scope)} (Section 4.5).", [])
    for task in TASKS:
        figure(heatmaps, f"heatmap {task}", f"heatmap-{task}",
               f"Predicted inputs/s of every {TASK_TITLES[task]} network variant (columns) on every platform, "
               "mode and datatype (rows) at batch 1. A blank cell: that network has no variant in the row's "
               "datatype with a published accuracy.",
               lambda task=task: plot.heatmap(task, platforms=platforms), task=task)

    rooflines = _Section("Rooflines", "Each shipped platform's roofline in its first operating mode, or in "
                         "each mode the selection names, and each selected spec file's (thesis "
                         "Section 4.3.1): one compute ceiling per datatype and the memory slope, with the task "
                         f"networks it can run (at most {MAX_ROOFLINE_TOPOLOGIES}, unpruned first) at their "
                         "operational intensity.", [])
    for pf in drawn:
        topologies, datatypes = _roofline_selection(pf)
        mode = f", mode {pf.modes[0]}" if pf.modes[0] else ""
        shown = (f"{', '.join(topologies)} at {'/'.join(d.upper() for d in datatypes)}" if topologies
                 else "no task network (none of their datatypes is supported)")
        name = pf.id if ids.count(pf.id) == 1 else f"{pf.id}-{pf.modes[0]}"  # two modes of one platform: two files
        figure(rooflines, f"roofline {name}", f"roofline-{name}", f"Roofline of {pf.name}{mode}, with {shown}.",
               lambda pf=pf, t=topologies, d=datatypes: _roofline(plot, pf, t, d), platform=pf.id)

    pareto = _Section("Predicted pareto frontiers", "Top-1 accuracy against predicted throughput; the frontier "
                      "holds the points no other point beats on both (thesis Section 6.5.2). The tables list the "
                      "frontier, fastest first.", [])
    for task in TASKS:
        figure(pareto, f"pareto {task}", f"pareto-{task}",
               f"Predicted {TASK_TITLES[task]} accuracy against inputs/s of every heatmap cell, the pareto "
               "frontier highlighted; click a platform in the legend to hide or show it.",
               lambda task=task: plot.pareto(task, "throughput", platforms=platforms), task=task)

        def table(task=task) -> None:
            rows = _frontier_rows(task, platforms)
            keys = [{"task": task, "platform": r[1], "datatype": r[3]} for r in rows]
            pareto.items.append(_Html(f"<h3>{TASK_TITLES[task]} frontier</h3>\n"
                                      + _html_table(_FRONTIER_HEADERS, rows, 4, f"frontier-{task}", keys)))

        steps.append(_Step(f"frontier {task}", table))
    sections = [heatmaps, rooflines, pareto]
    if measurements is None:
        return sections

    name = html.escape(Path(measurements).name)
    measured = _Section("Predicted against measured", f"Measured level-3 throughput from <code>{name}</code> "
                        "(best compute throughput per setting over batch sizes, threads and modes) against the "
                        "level-0 predictions (thesis Chapter 7).", [])
    for task in ("cifar10", "mnist", "imagenet"):
        figure(measured, f"pareto overlay {task}", f"overlay-{task}",
               f"{TASK_TITLES[task]} accuracy against inputs/s: predicted points and frontier with the measured "
               "points and their frontier overlaid.",
               lambda task=task: plot.pareto_overlay(task, measurements, platforms=platforms), task=task)
    # Loaded here so that a bad file fails before any figure is drawn.
    records = qutibench.load_measurements(measurements)
    points = qutibench.validate(measurements, "plain")["points"]
    figure(measured, "predicted vs measured", "predicted-vs-measured",
           "Plain level-0 prediction and best measured inputs/s per setting, with the efficiency "
           "(measured / predicted) of each.", lambda: plot.predicted_vs_measured(points, model="plain"))
    # One chart per platform: all settings in one chart are too many lines to tell apart.
    for pid in dict.fromkeys(r["platform"] for r in records):
        figure(measured, f"latency vs throughput {pid}", f"latency-vs-throughput-{pid}",
               f"Measured latency against throughput over batch sizes on {pid}, one line per mode, network and "
               "datatype: batching trades latency for throughput (thesis Section 7.5).",
               lambda pid=pid: plot.latency_vs_throughput([r for r in records if r["platform"] == pid]),
               platform=pid)
    figure(measured, "measurement boxes", "measurement-boxes",
           "Distribution of the measured inputs/s per platform over all recorded settings.",
           lambda: plot.measurement_boxes(records, by="platform", value="inputs_per_s"))

    validation = _Section("Validation", "Per platform and task (<code>all</code>: aggregated): the Pearson "
                          "correlation of predicted and best measured throughput, thesis Table 7.1's where it "
                          "gives one, the median |log10(predicted / measured)| and the median efficiency, for "
                          "the plain model (the thesis's level-0), the refined one (on-chip-if-fits memory at "
                          "the measured batch, FPGA utilization), the calibrated one (per platform, fitted "
                          "leave-one-topology-out) and the realistic one (each spec's deployed design, engine "
                          "mapping, memory levels and fixed costs; docs/prediction.md); see docs/validation.md.", [])
    thesis = _thesis_table_7_1()
    for model in MODELS:
        def table(model=model) -> None:
            validation.items.append(_Html(f"<h3>{model} model</h3>\n"
                                          + _validation_table(measurements, model, thesis)))

        steps.append(_Step(f"validation {model}", table))
    sections += [measured, validation]
    if published is None:
        return sections

    qutibench.load_measurements(published)  # a bad file fails before any figure is drawn
    current = _Section("Published measurements of current devices", "Best measured system throughput per "
                       f"setting in <code>{html.escape(Path(published).name)}</code> (vendors' model-zoo tables, "
                       "MLPerf and community benchmarks, each row with its source) against the four models: the "
                       "median |log10(predicted / measured)| per platform and task (0.3 is a factor of 2). "
                       "Settings whose mode the platform's spec lacks are left out; see docs/validation.md.", [])
    steps.append(_Step("published measurements",
                       lambda: current.items.append(_Html(_models_table(published, _PUBLIC_METRIC)))))
    return sections + [current]


def _llm_table(settings: Sequence[tuple | dict]) -> str:
    """Each setting's request at the defaults of qutibench.llm (batch 1, prompt 512, output 128):
    whether it fits, memory against capacity, TTFT, TPOT, decode tokens/s and energy per token."""
    headers = ("model", "platform", "weights", "fits", "tp", "memory per device (GB)", "capacity (GB)", "TTFT (ms)",
               "TPOT (ms)", "decode tokens/s", "energy (J/token)")
    fits = {"ok": "yes", "does-not-fit": "no"}
    from .llm_plot import _request

    rows = []
    for setting in settings:
        r = _request(setting)
        ms = [None if r[k] is None else r[k] * 1e3 for k in ("ttft_s", "tpot_s")]
        rows.append([r["topology"], r["platform"], r["weights"], fits.get(r["status"], r["status"]), str(r["tp"]),
                     _number(r["memory_bytes"] / 1e9, 1), _number(r["capacity_bytes"] / 1e9, 0), _number(ms[0], 2),
                     _number(ms[1], 2), _rate(r["decode_tokens_per_s"]), _number(r["energy_per_token_j"], 3)])
    return _html_table(headers, rows, 4, "llm-requests", [{"platform": r[1]} for r in rows])


def _llm_section(figure: Callable, steps: list[_Step]) -> _Section:
    """Decoder LLM requests (docs/llm.md): a figure of each kind of qutibench.llm_plot and a
    table of LLM_SETTINGS, their steps appended to ``steps``."""
    from . import plot

    section = _Section("Decoder LLMs", "Predicted requests of decoder LLMs (the realistic model, docs/llm.md): "
                       "Llama-3-8B on current devices in a weight format each serves it in, and Llama-3-70B in "
                       "FP16, which does not fit one 80 GB H100 and runs on four in tensor parallelism over "
                       "NVLink. Requests that do not fit a device's memory are left out of the figures. These "
                       "predictions are not yet validated against measurements.", [])
    figure(section, "llm tokens vs batch", "llm-tokens-vs-batch",
           "Decode tokens/s against the batch (prompt 512, output 128): aggregate and per sequence, with the "
           "largest batch that fits where the sweep runs out of memory.",
           lambda: plot.llm_tokens_vs_batch(LLM_SETTINGS))
    figure(section, "llm ttft vs prompt", "llm-ttft-vs-prompt",
           "Time to first token against the prompt length at batch 1.", lambda: plot.llm_ttft_vs_prompt(LLM_SETTINGS))
    figure(section, "llm roofline", "llm-roofline",
           "Roofline of the H100 SXM with the prefill and decode phases of a Llama-3-8B FP16 request at batches "
           "1, 16 and 128: decode reads every weight once per step, so its intensity grows with the batch.",
           lambda: plot.llm_roofline("llama-3-8b", "h100-sxm", batch=(1, 16, 128)))
    figure(section, "llm throughput vs latency", "llm-throughput-latency",
           "Llama-3-70B on H100 SXMs: request throughput against time per output token over batches 1 to 128, "
           "FP16, FP8 and INT4 (group 128) weights and 1, 2, 4 or 8 devices, with the frontier of the "
           "configurations no other beats on both.",
           lambda: plot.llm_throughput_latency("llama-3-70b", "h100-sxm", weights=("f16", "fp8", "int4-g128"),
                                               tp=(1, 2, 4, 8)))
    figure(section, "llm capacity map", "llm-capacity",
           "Which batches and contexts of Llama-3-8B in FP16 fit the H100 SXM's 80 GB: memory (weights, KV "
           "cache, peak activations) over capacity, with the longest context that fits per batch.",
           lambda: plot.llm_capacity_map("llama-3-8b", "h100-sxm"))
    steps.append(_Step("llm table", lambda: section.items.append(
        _Html("<h3>Requests at batch 1, prompt 512, output 128</h3>\n" + _llm_table(LLM_SETTINGS)))))
    return section


def write_report(output_dir: str | os.PathLike = "report",
                 measurements: str | os.PathLike | None = SHIPPED_MEASUREMENTS,
                 platforms: str = "thesis", progress: bool = True,
                 published: str | os.PathLike | None = SHIPPED_PUBLIC_MEASUREMENTS, static: Sequence[str] = (),
                 dpi: int = 150) -> Path:
    """Write the level-0 report (``index.html`` and ``plotly.js``) into ``output_dir`` and return
    the path of ``index.html``. ``static``: formats of STATIC_FORMATS each figure is also
    written in (``NAME.png`` at ``dpi``, ...), linked under it; ``measurements``: a QuTiBench measurement CSV, None for
    predictions only; ``published``: a table of published measurements validated per device
    (system throughput), None to leave that section out (as with no ``measurements``); ``platforms``: the heatmaps' and pareto charts' selection ("thesis",
    "all", ids and spec files, comma-separated, an id or file optionally with ":mode"; the
    rooflines cover every shipped platform, in the modes the selection names, and the selection's
    spec files, a file under a shipped id in place of that platform); ``progress``:
    "[i/n] step" lines on stderr."""
    static = list(dict.fromkeys(static))
    if unknown := [f for f in static if f not in STATIC_FORMATS]:
        raise ValueError(f"static format '{unknown[0]}': valid: {', '.join(STATIC_FORMATS)}")
    if dpi < 1:
        raise ValueError(f"dpi {dpi}: must be at least 1")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    measurements = None if measurements is None else str(measurements)
    published = None if published is None or measurements is None else str(published)
    sections, steps = _plan(out, static, dpi, measurements, platforms, published)
    start = time.perf_counter()
    for i, step in enumerate(steps, 1):
        if progress:
            print(f"[{i}/{len(steps)}] {step.label}", file=sys.stderr, flush=True)
        step.run()
    # The file's name only: the page names no folder of the machine that wrote it.
    source = (f"measurements from <code>{html.escape(Path(measurements).name)}</code>" if measurements
              else "no measurements")
    intro = (f"<p>Level-0 (roofline) predictions of neural-network throughput on heterogeneous hardware after "
             f"the QuTiBench method ({_THESIS}): each network's compute and memory requirements against each "
             f"platform's peak and memory bandwidth, batch 1, the thesis's memory model (weights off-chip, "
             f"activations on chip); the last section predicts decoder LLM requests. Heatmaps and pareto charts: "
             f"{html.escape(platforms)} platforms; "
             f"{source}. Generated by <code>python3 -m qutibench.report</code> in "
             f"{time.perf_counter() - start:.0f} s.</p>")
    index = out / "index.html"
    write_plotly_js(out)
    index.write_text(_render_page(sections, "qutibench level-0 report", intro), encoding="utf-8")
    return index


def _formats(text: str) -> list[str]:
    """``--static``'s comma-separated formats, each one of STATIC_FORMATS."""
    formats = [f.strip() for f in text.split(",")]
    if unknown := [f for f in formats if f not in STATIC_FORMATS]:
        raise argparse.ArgumentTypeError(f"'{unknown[0]}': valid: {', '.join(STATIC_FORMATS)}")
    return formats


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}': a whole number of at least 1")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: write the report, print each task's heatmap and predicted pareto
    frontier on stdout;
    0 on success, 1 on a bad measurement file or platform selection."""
    parser = argparse.ArgumentParser(prog="python3 -m qutibench.report", description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="report", help="output folder (default: report)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--measurements", default=str(SHIPPED_MEASUREMENTS),
                        help="QuTiBench measurement CSV (default: the shipped level3_thesis.csv)")
    source.add_argument("--no-measurements", action="store_true", help="predictions only")
    parser.add_argument("--published", default=str(SHIPPED_PUBLIC_MEASUREMENTS),
                        help="published measurements of current devices to validate per device "
                             "(default: the shipped public_cnn_dev.csv)")
    parser.add_argument("--platforms", default="thesis",
                        help="comma-separated: thesis (default), all, platform ids and spec files (FILE.json), "
                             "an id or file optionally with :MODE")
    parser.add_argument("--static", type=_formats, default=[], metavar="FORMAT[,FORMAT...]",
                        help=f"also write every figure as a file ({', '.join(STATIC_FORMATS)}), linked under it")
    parser.add_argument("--dpi", type=_positive, default=150, help="resolution of --static png (default: 150)")
    parser.add_argument("--open", action="store_true", help="open the page in the default browser when written")
    args = parser.parse_args(argv)
    try:
        index = write_report(args.output, None if args.no_measurements else args.measurements, args.platforms,
                             published=args.published, static=args.static, dpi=args.dpi)
        for task in TASKS:
            headers, rows = _heatmap_text(task, args.platforms)
            print(f"{TASK_TITLES[task]}: heatmap of predicted inputs/s (batch 1)")
            print(_text_table(headers, rows, numeric_from=2))
            print()
            print(f"{TASK_TITLES[task]}: predicted pareto frontier (accuracy vs inputs/s, batch 1)")
            print(_text_table(_FRONTIER_HEADERS, _frontier_rows(task, args.platforms), numeric_from=4))
            print()
    except (qutibench.SpecError, qutibench.MeasureError, OSError) as e:
        print(f"qutibench.report: error: {e}", file=sys.stderr)
        return 1
    url = index.resolve().as_uri()
    print(f"wrote {url}", file=sys.stderr)
    if args.open:
        webbrowser.open(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
