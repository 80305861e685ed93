"""Figures of the QuTiBench method (thesis Section 4.5, METHOD.md section 8) with matplotlib.

Rooflines, heatmaps, pareto graphs (with the predicted-vs-measured overlay), box-and-whisker
plots over deployment settings, latency-vs-throughput lines over batch sizes, and bars of
predicted vs measured throughput. Every function returns ``(Figure, Axes)``; given ``ax``,
it draws into it and returns ``(ax.figure, ax)``. Figures are built with
``matplotlib.figure.Figure`` rather than pyplot, so nothing leaks between calls and no
display is needed; save them with ``fig.savefig(path)``.

Artists carry a ``gid`` (``"roof"``, ``"oi"``, ``"prediction"``, ``"cell"``, ``"predicted"``,
``"measured"``, ``"frontier"``, ``"efficiency"``) so that callers and tests can find them, and
points their hover text and filter keys (``tag``) for ``qutibench.interactive.to_plotly``,
which turns any of these figures into an interactive Plotly figure. Colours are Paul Tol's
colour-blind-safe "muted" set (up to nine series) and viridis for values.

The figures of decoder LLM requests (``llm_tokens_vs_batch``, ``llm_ttft_vs_prompt``,
``llm_roofline``, ``llm_throughput_latency``, ``llm_capacity_map``) live in
``qutibench.llm_plot`` and are reached from here too.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Sequence

import qutibench as _qb

#: The figures of qutibench.llm_plot, which imports this module's helpers: they load on first
#: use (``__getattr__``), so neither module imports the other while it is being initialized.
_LLM_FIGURES = ("llm_capacity_map", "llm_roofline", "llm_throughput_latency", "llm_tokens_vs_batch",
                "llm_ttft_vs_prompt")

__all__ = ["heatmap", "latency_vs_throughput", "measurement_boxes", "pareto", "pareto_overlay",
           "predicted_vs_measured", "roofline", "tag", *_LLM_FIGURES]


def __getattr__(name: str):
    if name in _LLM_FIGURES:
        from . import llm_plot

        return getattr(llm_plot, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: Datatypes a roofline shows by default, narrowest first.
ROOFLINE_DATATYPES = ("int2", "int4", "int8", "fp16", "fp32")

#: The pareto graph's x axes: record key, axis label, log scale, frontier sense of x.
_PARETO_X = {
    "throughput": ("inputs_per_s", "throughput (inputs/s)", True, "max"),
    "latency": ("latency_s", "latency (s)", True, "min"),
    "efficiency": ("inputs_per_s_per_w", "efficiency (inputs/s/W)", False, "max"),
}

_INPUTS_PER_S = "throughput (inputs/s)"


def _axes(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    """``ax``'s figure and ``ax``, or a new pyplot-free figure of ``size`` inches with one axes."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _si(value: float) -> str:
    """``value`` with 3 significant digits and an SI suffix: 12472 -> "12.5k"."""
    rounded = abs(float(f"{value:.3g}"))  # 999.6 rounds up to "1k", not "1e+03"
    for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if rounded >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def _setting(platform: str, mode: str) -> str:
    return f"{platform}:{mode}" if mode else platform


#: P. Tol's "muted" qualitative scheme, distinct under the common colour-vision deficiencies
#: (https://personal.sron.nl/~pault/data/colourschemes.pdf).
_MUTED = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")


def _colours(keys: Iterable[Any]) -> dict[Any, Any]:
    """A colour per key in order of first appearance: Tol's muted set, repeating after nine
    (figures with more series tell them apart by marker too)."""
    keys = list(dict.fromkeys(keys))
    return {k: _MUTED[i % len(_MUTED)] for i, k in enumerate(keys)}


def tag(artist: Any, hover: Sequence[Any] | None = None, **keys: Any) -> Any:
    """Gives ``artist`` the hover text of each of its points (a sequence, or rows of cells for
    an image) and filter keys (``platform=``, ``datatype=``, ``task=``; for an image,
    ``rows=``: the keys of each row) that the interactive report shows and filters by
    (``qutibench.interactive``); returns ``artist``."""
    artist.qutibench = {"hover": hover, **keys}
    return artist


def _number(value: float) -> str:
    """4 significant digits with thousands separators: 12,472, 752.9, 0.0123."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


# --- roofline -----------------------------------------------------------------------------

def _roofs(ax: Any, pf: _qb.Platform, mode: str, datatypes: Sequence[str], intensities: Sequence[float],
           label: Callable[[str, float, float], str]) -> dict[str, Any]:
    """Makes ``ax`` log-log, draws a roof min(peak, bandwidth x OI) per datatype (gid ``"roof"``,
    labelled ``label(datatype, peak, ridge)``) and returns the colour of each datatype. The x
    range spans every ridge point and every one of ``intensities`` with a decade either side,
    so each roof shows its slope and its flat part."""
    bandwidth = pf.bandwidth(mode)
    ax.set_xscale("log")
    ax.set_yscale("log")
    xs = [pf.peak(d, mode) / bandwidth for d in datatypes] + list(intensities)
    lo, hi = (min(xs) / 10, max(xs) * 10) if xs else (0.1, 1e4)
    colour = _colours(datatypes)
    for dt in datatypes:
        peak = pf.peak(dt, mode)
        ridge = peak / bandwidth
        tag(ax.plot([lo, ridge, hi], [bandwidth * lo, peak, peak], color=colour[dt], lw=2, gid="roof",
                    label=label(dt, peak, ridge))[0], datatype=dt)
    ax.set_xlim(lo, hi)
    return colour


def roofline(platform: Any, topologies: Sequence[Any] = (), datatypes: Sequence[str] | None = None,
             mode: str | None = None, batch: int = 1, memory_model: str = "thesis", ax: Any = None):
    """The roofline of a platform mode (thesis Figures 4.4, 6.2), log-log.

    One roof per datatype, min(peak, bandwidth x OI); ``datatypes`` defaults to those of
    int2, int4, int8, fp16, fp32 the platform runs natively or through a carrier. For each
    topology (a Topology or what ``qutibench.topology`` reads: a zoo id, FILE.json, FILE.onnx)
    and datatype: a dotted vertical line at its operational
    intensity and a marker at its predicted performance. ``platform``: a Platform or a ref
    such as ``"zcu104-finn"`` or ``"tx2:maxq"``; ``mode`` overrides the ref's mode.
    """
    pf, ref_mode = _qb.platform(platform)
    mode = ref_mode if mode is None else mode
    # '' selects the first (fastest) mode; name it in the title.
    shown_mode = mode or (pf.modes[0] if pf.modes and pf.modes[0] else "")
    if datatypes is None:
        datatypes = [d for d in ROOFLINE_DATATYPES if pf.peak(d, mode) is not None]
    datatypes = [d for d in datatypes if pf.peak(d, mode) is not None]
    bandwidth = pf.bandwidth(mode)
    nets = [(t, _qb.topology(t)) if isinstance(t, str) else (t.name, t) for t in topologies]

    points = []  # (topology name, datatype, OI, ops/s)
    for name, net in nets:
        for dt in datatypes:
            p = _qb.predict(net, pf, dt, batch=batch, mode=mode, memory_model=memory_model)
            oi = p["operational_intensity"]
            if p["status"] == "ok" and oi is not None and math.isfinite(oi):
                points.append((name, dt, oi, p["ops_per_s"], p))

    fig, ax = _axes(ax, (7.5, 5))

    def label(dt: str, peak: float, ridge: float) -> str:
        carrier = pf.carrier(dt, mode)
        via = f" via {carrier}" if carrier and carrier != dt else ""
        return f"{dt} roof{via}: {_si(peak)}ops/s"

    colour = _roofs(ax, pf, mode, datatypes, [p[2] for p in points], label)
    markers = dict(zip(dict.fromkeys(p[0] for p in points), "osD^vP*Xhp" * 3))
    for name, dt, oi, ops, p in points:
        ax.axvline(oi, color=colour[dt], ls=":", lw=1, gid="oi")
        # Open markers: two networks of one intensity stay visible one over the other.
        tag(ax.plot([oi], [ops], ls="none", marker=markers[name], ms=9, mew=1.6, mfc="none", mec=colour[dt],
                    gid="prediction", label=f"{name} {dt}: OI {oi:.3g}, {_si(ops)}ops/s")[0],
            [f"{name} on {_setting(pf.id, shown_mode)}, {dt}, batch {batch}<br>OI {_number(oi)} ops/B, "
             f"{_si(ops)}ops/s, {_number(p['inputs_per_s'])} inputs/s, {p['bound']} bound"], datatype=dt)
    ax.set_xlabel("operational intensity (ops/byte)")
    ax.set_ylabel("attainable performance (ops/s)")
    ax.set_title(f"{pf.id}" + (f" ({shown_mode})" if shown_mode else "")
                 + f": roofline, {_si(bandwidth)}B/s, batch {batch}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    return fig, ax


# --- heatmap ------------------------------------------------------------------------------

def heatmap(task: str, platforms: Any = "thesis", batch: int = 1, memory_model: str = "thesis", ax: Any = None):
    """Predicted inputs/s of a task's networks on platforms (thesis Figures 6.3-6.5).

    Rows "platform[:mode] datatype", columns the task's topologies (in the order of
    ``qutibench.heatmap``); colour inputs/s on a log viridis scale (colour-blind safe), the
    value printed in each cell, blank where the pair is not defined (the network has no
    variant of that datatype with a published accuracy, or the platform cannot run it).
    """
    import matplotlib
    import numpy as np
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import FuncFormatter

    cells = _qb.heatmap(task, platforms, batch, memory_model)
    rows = list(dict.fromkeys((c["platform"], c["mode"], c["datatype"]) for c in cells))
    cols = list(dict.fromkeys(c["topology"] for c in cells))
    values = np.full((len(rows), len(cols)), np.nan)
    hover = np.full(values.shape, "", dtype=object)
    for c in cells:
        i, j = rows.index((c["platform"], c["mode"], c["datatype"])), cols.index(c["topology"])
        values[i, j] = c["inputs_per_s"]
        hover[i, j] = (f"{c['topology']} on {_setting(c['platform'], c['mode'])}, {c['datatype']}, batch {batch}"
                       f"<br>{_number(c['inputs_per_s'])} inputs/s, {c['bound']} bound")

    fig, ax = _axes(ax, (2.5 + 1.1 * len(cols), 1.2 + 0.38 * len(rows)))
    positive = values[values > 0]
    norm = LogNorm(*(positive.min(), positive.max()) if positive.size else (1, 10))
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="white")
    # Each row's platform and datatype: the report's filters keep the rows they match.
    image = tag(ax.imshow(np.ma.masked_invalid(np.where(values > 0, values, np.nan)), cmap=cmap, norm=norm,
                          aspect="auto"), hover, rows=[{"platform": p, "datatype": d} for p, _, d in rows])
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            # Dark text on the light (fast) end of viridis, white on the dark end.
            light = v > 0 and norm(v) > 0.55
            ax.text(j, i, _si(v), ha="center", va="center", fontsize="small", gid="cell",
                    color="black" if light else "white")
    # Many (long) topology names only fit slanted.
    slant = len(cols) > 5
    ax.set_xticks(range(len(cols)), cols, rotation=30 if slant else 0, ha="right" if slant else "center")
    ax.set_yticks(range(len(rows)), [f"{_setting(p, m)} {d}" for p, m, d in rows])
    ax.tick_params(top=False, bottom=False, left=False)
    ax.set_xlabel("topology")
    ax.set_ylabel("platform[:mode] datatype")
    ax.set_title(f"{task}: predicted inputs/s, batch {batch}")
    ax.figure.colorbar(image, ax=ax, label="inputs/s", format=FuncFormatter(lambda v, _: _si(v)))
    return fig, ax


# --- pareto -------------------------------------------------------------------------------

def _frontier(ax: Any, xs: Sequence[float], ys: Sequence[float], sense: str, **style: Any) -> None:
    """The frontier as a staircase: between two frontier points the best accuracy reachable is
    that of the point further along x's good direction."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ax.step([xs[i] for i in order], [ys[i] for i in order], where="pre" if sense == "max" else "post",
            gid="frontier", **style)


def _pareto_hover(kind: str, point: dict, value: str, label: str) -> str:
    """A pareto point's hover text: what ran where, its accuracy, its x and (predicted) its bound."""
    batch = f", batch {point['batch']}" if point.get("batch") is not None else ""
    bound = f", {point['bound']} bound" if point.get("bound") else ""
    return (f"{kind}: {point['topology']} on {_setting(point['platform'], point.get('mode', ''))}, "
            f"{point['datatype']}{batch}<br>top-1 {point['accuracy_top1']:.2f} %, {label} {_number(point[value])}"
            f"{bound}" + (" (on the frontier)" if point.get("on_frontier") else ""))


def pareto(task: str, x: str = "throughput", platforms: Any = "thesis", measurements: str | None = None,
           ax: Any = None):
    """Top-1 accuracy against throughput, latency or efficiency (thesis Section 6.5.2).

    Predicted points ("o", colour = platform) of ``qutibench.theoretical_pareto`` with their
    frontier as a step line; with ``measurements`` (a CSV path), the measured points ("^")
    of ``qutibench.measured_pareto`` and their own frontier: the predicted-vs-measured
    overlay (Section 4.5.5, Figures 7.9-7.11). Points without a value for ``x`` (no power
    figure for efficiency) are left out.
    """
    import numpy as np
    from matplotlib.lines import Line2D

    if x not in _PARETO_X:
        raise ValueError(f"x '{x}': valid: {', '.join(_PARETO_X)}")
    key, label, log, sense = _PARETO_X[x]
    predicted = [c for c in _qb.theoretical_pareto(task, x, platforms) if c[key] is not None]
    measured = []
    if measurements is not None:
        for p in _qb.measured_pareto(measurements, task):
            # Measured records carry throughput, latency and full power, not inputs/s/W.
            value = p["inputs_per_s"] / p["full_power_w"] if x == "efficiency" and p.get("full_power_w") else p.get(key)
            if value is not None:
                measured.append(dict(p, value=value))
        if measured:
            # measured_pareto marks the throughput frontier; recompute it for this x.
            front = _qb.pareto_frontier(np.array([[p["accuracy_top1"], p["value"]] for p in measured]), ["max", sense])
            for p, f in zip(measured, front):
                p["on_frontier"] = bool(f)

    fig, ax = _axes(ax, (8, 5))
    colour = _colours([c["platform"] for c in predicted] + [p["platform"] for p in measured])
    order = list(colour)
    handles = []
    for kind, points, marker, value in (("predicted", predicted, "o", key), ("measured", measured, "^", "value")):
        # Platforms with the same specs (FINN and BISMO on the ZCU104) predict the same points:
        # a point covered by later platforms' is drawn larger, a ring around each one on top.
        above: dict[tuple, set] = {}
        size = {}
        for i in sorted(range(len(points)), key=lambda i: -order.index(points[i]["platform"])):
            covering = above.setdefault((points[i][value], points[i]["accuracy_top1"]), set())
            size[i] = 40 * (1 + 1.5 * len(covering - {points[i]["platform"]}))
            covering.add(points[i]["platform"])
        for pid, c in colour.items():
            mine = [i for i, p in enumerate(points) if p["platform"] == pid]
            if mine:
                tag(ax.scatter([points[i][value] for i in mine], [points[i]["accuracy_top1"] for i in mine],
                               s=[size[i] for i in mine], marker=marker, color=c, alpha=0.8, edgecolors="black",
                               linewidths=0.5, gid=kind, zorder=3),
                    [_pareto_hover(kind, points[i], value, label) for i in mine], platform=pid)
        front = [p for p in points if p["on_frontier"]]
        if front:
            _frontier(ax, [p[value] for p in front], [p["accuracy_top1"] for p in front], sense, color="black",
                      ls="-" if kind == "predicted" else "--", lw=1.2, zorder=2)
            handles.append(Line2D([], [], color="black", ls="-" if kind == "predicted" else "--",
                                  marker=marker, mfc="white", label=f"{kind} frontier"))
    handles += [Line2D([], [], ls="none", marker="s", color=c, label=pid) for pid, c in colour.items()]
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(label)
    ax.set_ylabel("top-1 accuracy (%)")
    ax.set_title(f"{task}: accuracy vs {x}" + (", predicted (o) vs measured (^)" if measurements else ""))
    ax.grid(True, alpha=0.3)
    ax.legend(handles=handles, fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig, ax


def pareto_overlay(task: str, measurements: str, x: str = "throughput", platforms: Any = "thesis", ax: Any = None):
    """The predicted-vs-measured pareto overlay: ``pareto(task, x, platforms, measurements)``."""
    return pareto(task, x=x, platforms=platforms, measurements=measurements, ax=ax)


# --- measurements -------------------------------------------------------------------------

def _network_records(records: Iterable[dict]) -> list[dict]:
    """Whole-network (level 3) records: a level 1 or 2 kernel's rate is no network's."""
    return [r for r in records if r.get("level", 3) == 3]


def _inputs_per_s(record: dict) -> float:
    """Measured compute throughput: the dataset's own figure, else batch / median latency."""
    if record.get("fps_comp") is not None:
        return record["fps_comp"]
    return record["batch"] / record["compute_median_s"]


def measurement_boxes(records: Iterable[dict], by: str | tuple[str, ...] = "platform", value: str = "inputs_per_s",
                      ax: Any = None):
    """Box-and-whisker plots of a measured value over deployment settings, one box per group.

    ``records``: rows of ``qutibench.load_measurements`` (whole-network ones are used);
    ``by``: a record key or a tuple of keys; ``value``: ``"inputs_per_s"`` (from
    ``fps_comp``, else batch / ``compute_median_s``) or any numeric record key.
    """
    keys = (by,) if isinstance(by, str) else tuple(by)
    groups: dict[str, list[float]] = {}
    for r in _network_records(records):
        v = _inputs_per_s(r) if value == "inputs_per_s" else r.get(value)
        if v is not None:
            groups.setdefault(" ".join(str(r[k]) for k in keys if r[k] != ""), []).append(v)

    fig, ax = _axes(ax, (max(5.0, 1.0 + 0.8 * len(groups)), 4.5))
    ax.boxplot(list(groups.values()), patch_artist=True, boxprops={"facecolor": "#9ecae1"},
               medianprops={"color": "black"})
    # Tick labels set apart: boxplot's own keyword was renamed in matplotlib 3.9.
    ax.set_xticks(range(1, len(groups) + 1), list(groups))
    # Measured rates span orders of magnitude across platforms and networks.
    ax.set_yscale("log")
    ax.set_xlabel(" x ".join(keys))
    ax.set_ylabel(_INPUTS_PER_S if value == "inputs_per_s" else value)
    ax.set_title(f"measured, by {' x '.join(keys)}")
    if len(groups) > 6:
        ax.tick_params(axis="x", labelrotation=45)
    ax.grid(True, axis="y", alpha=0.3)
    return fig, ax


def latency_vs_throughput(records: Iterable[dict], ax: Any = None, *, annotate: bool = False):
    """Latency against throughput over batch sizes, one line per (platform, mode, topology,
    datatype), both log (thesis Section 4.5). ``records``: rows of
    ``qutibench.load_measurements``; latency is the batch's median compute latency;
    ``annotate`` prints each point's batch size."""
    lines: dict[tuple, dict[int, tuple[float, float]]] = {}
    for r in _network_records(records):
        key = (r["platform"], r["mode"], r["topology"], r["datatype"])
        lines.setdefault(key, {})[r["batch"]] = (_inputs_per_s(r), r["compute_median_s"])

    fig, ax = _axes(ax, (11, 7))
    colour = _colours(lines)
    for n, (key, by_batch) in enumerate(lines.items()):
        batches = sorted(by_batch)
        name = f"{_setting(key[0], key[1])} {key[2]} {key[3]}"
        # Colours repeat after nine lines: a new marker each round keeps every line distinct.
        tag(ax.plot([by_batch[b][0] for b in batches], [by_batch[b][1] for b in batches],
                    marker="os^DvP*X"[n // len(_MUTED) % 8], ms=4, lw=1, color=colour[key], label=name)[0],
            [f"{name}, batch {b}<br>{_number(by_batch[b][0])} inputs/s, latency {_number(by_batch[b][1] * 1e3)} ms"
             for b in batches], platform=key[0], datatype=key[3])
        if annotate:
            for b in batches:
                ax.annotate(str(b), by_batch[b], textcoords="offset points", xytext=(3, 3), fontsize="x-small")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(_INPUTS_PER_S)
    ax.set_ylabel("latency (s)")
    platforms = list(dict.fromkeys(key[0] for key in lines))
    ax.set_title("measured latency vs throughput over batch sizes"
                 + (f": {', '.join(platforms)}" if 0 < len(platforms) <= 3 else ""))
    ax.grid(True, which="major", alpha=0.3)
    # Dozens of settings: a legend beside the axes, in columns, keeps the data visible.
    ax.legend(fontsize="xx-small", ncol=max(1, math.ceil(len(lines) / 30)), loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    return fig, ax


def predicted_vs_measured(points: Sequence[dict], model: str = "plain", ax: Any = None):
    """Grouped bars of predicted (``point[model]``) and measured inputs/s per setting, log y,
    each pair annotated with its efficiency = measured / predicted (thesis Section 7.2).
    ``points``: ``qutibench.validate(path, model)["points"]``."""
    import numpy as np

    points = list(points)
    fig, ax = _axes(ax, (max(6.0, 1.5 + 0.32 * len(points)), 6))
    at = np.arange(len(points))
    width = 0.4
    predicted = [p[model] for p in points]
    measured = [p["measured"] for p in points]
    names = [f"{_setting(p['platform'], p['mode'])} {p['topology']} {p['datatype']} b{p['batch']}" for p in points]
    for offset, values, colours, label in ((-width / 2, predicted, ("#88CCEE", "#332288"), f"predicted ({model})"),
                                           (width / 2, measured, ("#DDCC77", "#882255"), "measured")):
        tag(ax.bar(at + offset, values, width, color=colours[0], edgecolor=colours[1], label=label),
            [f"{n}<br>{label}: {_number(v)} inputs/s" + (f", efficiency {me / pr:.2g}" if pr else "")
             for n, v, pr, me in zip(names, values, predicted, measured)])
    ax.set_yscale("log")
    for i, (pr, me) in enumerate(zip(predicted, measured)):
        if pr:
            ax.annotate(f"{me / pr:.2g}x", (i, max(pr, me)), textcoords="offset points", xytext=(0, 3),
                        ha="center", va="bottom", rotation=90, fontsize="x-small", gid="efficiency")
    # Room above the tallest bar for its rotated annotation.
    top = max(predicted + measured, default=1)
    ax.set_ylim(top=top * 30)
    ax.set_xticks(at, names, rotation=90, fontsize="x-small")
    ax.set_xlim(-0.6, len(points) - 0.4)
    ax.set_xlabel("setting (platform[:mode] topology datatype batch)")
    ax.set_ylabel(_INPUTS_PER_S)
    ax.set_title(f"predicted ({model}) vs measured inputs/s; efficiency = measured / predicted")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper right")
    return fig, ax
