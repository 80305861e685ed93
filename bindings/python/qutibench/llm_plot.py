"""Figures of decoder LLM requests (docs/llm.md) with matplotlib, from ``qutibench.llm_sweep``
(the roofline from ``qutibench.llm``'s operations).

Decode tokens/s against the batch, the time to first token against the prompt, a platform's
roofline with the prefill and decode points of a request, the throughput-latency frontier
over batches, weight formats and tensor parallelism, and the capacity map of batch x context.
Every function returns ``(Figure, Axes)`` and draws into ``ax`` when given one, as the
figures of ``qutibench.plot`` do; ``qutibench.plot`` gives the same functions under the same
names. Requests that do not fit the device's memory (or that it cannot run) are left out and
each figure says so.

Artists carry a ``gid`` (``"aggregate"``, ``"per_sequence"``, ``"ttft"``, ``"capacity"``,
``"roof"``, ``"prefill"``, ``"decode"``, ``"configuration"``, ``"frontier"``, ``"cell"``,
``"boundary"``) so that callers and tests can find them.

A setting (of ``llm_tokens_vs_batch`` and ``llm_ttft_vs_prompt``) is a tuple ``(topology,
platform[, weights])`` or a dict with ``"topology"``, ``"platform"`` and any of ``"tp"`` (the
devices), ``"batch"``, ``"prompt"`` and the keywords of ``qutibench.llm_sweep`` (``"kv"``,
``"mode"``, ...), which override the function's own.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import qutibench as _qb

# One way only: qutibench.plot reaches this module on first use, never at import.
from .plot import _axes, _colours, _frontier, _roofs, _si, tag

__all__ = ["BATCHES", "CONTEXTS", "PROMPTS", "llm_capacity_map", "llm_roofline", "llm_throughput_latency",
           "llm_tokens_vs_batch", "llm_ttft_vs_prompt"]

#: Default batch sizes (sequences decoded together): 1 .. 256.
BATCHES = tuple(2 ** i for i in range(9))
#: Default prompt lengths (tokens): 128 .. 32768.
PROMPTS = tuple(2 ** i for i in range(7, 16))
#: Default contexts of the capacity map (prompt + output tokens per sequence): 512 .. 131072.
CONTEXTS = tuple(2 ** i for i in range(9, 18))

#: Weight formats whose products run in a datatype of their own where the device has a peak
#: for it (docs/llm.md, Storage formats). The FP4 formats' E2M1 has no datatype name a spec
#: can give a peak for, so their products run at the activations' like the weight-only ones.
_NATIVE_WEIGHTS = {"fp8": "fp8_e4m3"}


def _setting(setting: tuple | dict) -> dict:
    """A setting as a dict of keywords with ``topology`` and ``platform``."""
    if isinstance(setting, dict):
        return dict(setting)
    return dict(zip(("topology", "platform", "weights"), setting))


def _platform_id(platform: Any) -> str:
    return platform.id if isinstance(platform, _qb.Platform) else str(platform)


def _label(setting: dict, defaults: dict) -> str:
    """``"topology platform weights"`` (weights: qutibench.llm's default f16 unless given), with
    ``tp N`` where the setting uses more than one device and ``calibrated`` where it calibrates."""
    merged = {**defaults, **setting}
    tp = merged.get("tp", 1)
    return (f"{merged['topology']} {_platform_id(merged['platform'])} {merged.get('weights', 'f16')}"
            + (f" tp {tp}" if tp > 1 else "") + (" calibrated" if merged.get("calibrate") is not None else ""))


def _model_words(settings: Sequence[tuple | dict], model: str) -> str:
    """The model a sweep figure's title names: ``model``, unless its settings calibrate on
    their measurements (``calibrate``), whose points are then the calibrated model's."""
    calibrated = [_setting(s).get("calibrate") is not None for s in settings]
    if calibrated and all(calibrated):
        return "calibrated model"
    return f"{model} model" + (", calibrated where marked" if any(calibrated) else "")


def _request(setting: tuple | dict) -> dict:
    """``qutibench.llm`` of a setting: its own keywords, qutibench.llm's defaults for the rest."""
    args = _setting(setting)
    return _qb.llm(args.pop("topology"), args.pop("platform"), **args)


def _ticks_125(axis: Any) -> None:
    """Log ticks at 1, 2 and 5 of each decade, labelled as plain numbers: an axis spanning about
    a decade has one decade tick or none."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_locator(NullLocator())


def _largest(fits: Callable[[int], bool], good: int, bad: int) -> int:
    """The largest n in [good, bad) that fits, given that ``good`` fits and ``bad`` does not:
    memory grows with the batch, the prompt and the context, so one bisection finds it."""
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits(middle):
            good = middle
        else:
            bad = middle
    return good


def _sweep(settings: Sequence[tuple | dict], key: str, values: Sequence[int], defaults: dict) -> list[tuple]:
    """Per setting: its label, ``qutibench.llm_sweep``'s arrays along ``values`` (ascending) of
    ``key`` ("batch" or "prompt"), and the largest value that fits where the sweep crosses the
    device's capacity (else None). The function's ``defaults`` lie under the setting's own
    keywords; its ``tp`` is the sweep's one device count."""
    import numpy as np

    axis = {"batch": "batches", "prompt": "contexts"}[key]
    out = []
    for setting in map(_setting, settings):
        args = {**defaults, **setting}
        axes = {"batches": [args.pop("batch", None)], "contexts": [args.pop("prompt", None)],
                "devices": [args.pop("tp", 1)]}
        topology, platform = args.pop("topology"), args.pop("platform")

        def along(swept: Sequence[int]) -> dict:
            grid = _qb.llm_sweep(topology, platform, **{**axes, axis: swept}, **args)
            return {k: v.reshape(-1) for k, v in grid.items() if getattr(v, "ndim", 0) == 3}

        results = along(values)
        fit = results["status"] != "does-not-fit"
        limit = None
        if fit.any() and not fit.all():
            last = np.flatnonzero(fit)[-1]
            limit = _largest(lambda n: along([n])["status"][0] != "does-not-fit", values[last], values[last + 1])
        out.append((_label(setting, defaults), results, limit))
    return out


def _status_note(status: Any, key: str, values: Sequence[int]) -> str:
    """A legend's note on a setting: why none of its requests run (from the first status),
    or from which value of ``key`` on they are unsupported (a prompt past GPT-2's learned
    positions; what does not fit has its dotted line instead)."""
    import numpy as np

    if not (status == "ok").any():
        return " (unsupported)" if len(status) and status[0] == "unsupported" else f" (does not fit at any {key})"
    unsupported = np.flatnonzero(status == "unsupported")
    if not len(unsupported):
        return ""
    if unsupported[0] + len(unsupported) == len(status):  # a tail of the sweep
        return f" (unsupported from {key} {values[unsupported[0]]:,})"
    return f" (unsupported at {len(unsupported)} {key} values)"


def _mark_limit(ax: Any, at: float, colour: Any, text: str) -> None:
    """A dotted vertical line at the largest value that fits, labelled at the top of the axes."""
    ax.axvline(at, color=colour, ls=":", lw=1.2, gid="capacity")
    ax.annotate(text, (at, 1.0), xycoords=("data", "axes fraction"), xytext=(-5, -4), textcoords="offset points",
                rotation=90, ha="right", va="top", fontsize="x-small", color=colour,
                bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})  # legible over the lines it crosses


def _swept_axis(ax: Any, which: str, values: Sequence[int]) -> None:
    """A log2 axis (``which``: "x" or "y") ticked at the swept values only, written out (256,
    not 2^8), slanted when long numbers would touch."""
    from matplotlib.ticker import NullLocator

    getattr(ax, f"set_{which}scale")("log", base=2)
    slant = which == "x" and len(values) > 6 and max(values) >= 10_000
    getattr(ax, f"set_{which}ticks")(values, [f"{v:,}" for v in values], rotation=30 if slant else 0)
    getattr(ax, f"{which}axis").set_minor_locator(NullLocator())


def _sweep_figure(settings: Sequence[tuple | dict], key: str, values: Sequence[int], defaults: dict, ax: Any,
                  draw: Callable[[Any, Any, Any, dict], None], *, handle: dict, keys: Sequence[Any],
                  limit_label: str, xlabel: str, ylabel: str, title: str):
    """The figure of a sweep along ``key`` (``_sweep``), log y over a log2 x at ``values``:
    ``draw(ax, colour, xs, results)`` draws a setting's requests that run (``xs`` their values
    of ``key``, ``results`` their arrays), a dotted line marks its largest value that fits,
    and the legend has a ``handle``-styled entry per setting, then ``keys``."""
    import numpy as np
    from matplotlib.lines import Line2D

    values = sorted(values)
    lines = _sweep(settings, key, values, defaults)
    fig, ax = _axes(ax, (9, 5.5))
    colour = _colours(label for label, *_ in lines)
    handles = []
    drawn = False
    for label, results, limit in lines:
        ok = results["status"] == "ok"
        drawn = drawn or bool(ok.any())
        draw(ax, colour[label], np.array(values)[ok], {k: v[ok] for k, v in results.items()})
        if limit is not None:
            _mark_limit(ax, limit, colour[label], f"max {key} {limit:,}")
        handles.append(Line2D([], [], color=colour[label], **handle,
                              label=label + _status_note(results["status"], key, values)))
    handles += keys
    if any(limit is not None for *_, limit in lines):
        handles.append(Line2D([], [], color="black", ls=":", lw=1.2, label=limit_label))
    _swept_axis(ax, "x", values)
    if drawn:  # a log axis over no positive value cannot be drawn (the legend says why)
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(handles=handles, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig, ax


# --- tokens/s vs batch --------------------------------------------------------------------

def llm_tokens_vs_batch(settings: Sequence[tuple | dict], batches: Sequence[int] = BATCHES, prompt: int = 512,
                        output: int = 128, kv: str = "f16", activations: str = "fp16", model: str = "realistic",
                        ax: Any = None):
    """Decode tokens/s against the batch, log-log, one colour per setting: the aggregate
    (batch / TPOT, solid) and per sequence (1 / TPOT, dashed). A batch that does not fit is
    left out; where the sweep crosses the device's memory, a dotted line marks the largest
    batch that fits (found exactly, between the swept batches)."""
    from matplotlib.lines import Line2D

    def draw(ax: Any, colour: Any, xs: Any, results: dict) -> None:
        ax.plot(xs, xs / results["tpot_s"], color=colour, marker="o", ms=4, gid="aggregate")
        ax.plot(xs, 1 / results["tpot_s"], color=colour, marker="o", ms=3, ls="--", lw=1, gid="per_sequence")

    defaults = {"prompt": prompt, "output": output, "kv": kv, "activations": activations, "model": model}
    return _sweep_figure(settings, "batch", batches, defaults, ax, draw, handle={"lw": 2},
                         keys=[Line2D([], [], color="black", label="aggregate: batch / TPOT"),
                               Line2D([], [], color="black", ls="--", lw=1, label="per sequence: 1 / TPOT")],
                         limit_label="largest batch that fits", xlabel="batch (sequences decoded together)",
                         ylabel="decode throughput (tokens/s)",
                         title=f"decode tokens/s vs batch: prompt {prompt}, output {output}, {_model_words(settings, model)}")


# --- TTFT vs prompt -----------------------------------------------------------------------

def llm_ttft_vs_prompt(settings: Sequence[tuple | dict], prompts: Sequence[int] = PROMPTS, batch: int = 1,
                       output: int = 128, kv: str = "f16", activations: str = "fp16", model: str = "realistic",
                       ax: Any = None):
    """Time to first token (the prefill) against the prompt length, log-log, one line per
    setting. ``output`` counts only towards memory (the KV cache holds prompt + output
    tokens). A prompt that does not fit is left out; where the sweep crosses the device's
    memory, a dotted line marks the longest prompt that fits."""
    def draw(ax: Any, colour: Any, xs: Any, results: dict) -> None:
        ax.plot(xs, results["ttft_s"], color=colour, marker="o", ms=4, gid="ttft")

    defaults = {"batch": batch, "output": output, "kv": kv, "activations": activations, "model": model}
    return _sweep_figure(settings, "prompt", prompts, defaults, ax, draw, handle={"marker": "o", "ms": 4}, keys=[],
                         limit_label="longest prompt that fits", xlabel="prompt (tokens)",
                         ylabel="time to first token (s)", title=f"TTFT vs prompt: batch {batch}, {_model_words(settings, model)}")


# --- roofline -----------------------------------------------------------------------------

def llm_roofline(topology: str, platform: Any, weights: str = "f16", kv: str = "f16", activations: str = "fp16",
                 batch: int | Sequence[int] = 1, prompt: int = 512, output: int = 128, tp: int = 1,
                 model: str = "realistic", mode: str | None = None, datatypes: Sequence[str] | None = None,
                 ax: Any = None):
    """The roofline of a platform mode with the prefill and decode points of a request at each
    ``batch``, log-log. A phase's operational intensity is the ops over the bytes of its
    operations (``per_layer``: the whole prompt for the prefill, one step for decode), its
    attained performance the ops over its time (TTFT, TPOT); both per device under ``tp``.
    Roofs: min(peak, bandwidth x OI) of each of ``datatypes``, by default the activations'
    and, for fp8 weights, FP8 E4M3 where the device has a peak for it (their products run
    there). A batch whose request does not fit or is unsupported is left out (the title
    says so)."""
    pf, ref_mode = _qb.platform(platform)
    mode = ref_mode if mode is None else mode
    shown_mode = mode or (pf.modes[0] if pf.modes and pf.modes[0] else "")
    if datatypes is None:
        datatypes = [activations] + [d for d in (_NATIVE_WEIGHTS.get(weights),) if d and d != activations]
    datatypes = [d for d in datatypes if pf.peak(d, mode) is not None]
    bandwidth = pf.bandwidth(mode)
    batches = [batch] if isinstance(batch, int) else list(batch)

    points = []  # (phase, batch, OI, ops/s)
    left_out = []
    for b in batches:
        r = _qb.llm(topology, pf, weights=weights, kv=kv, activations=activations, batch=b, prompt=prompt,
                    output=output, tp=tp, model=model, per_layer=True, mode=mode)
        if r["status"] != "ok":
            left_out.append(f"batch {b} {r['status']}")
            continue
        for phase, seconds in (("prefill", r["ttft_s"]), ("decode", r["tpot_s"])):
            rows = [o for o in r["operations"] if o["phase"] == phase]
            ops = sum(o["ops"] for o in rows)
            points.append((phase, b, ops / sum(o["traffic_bytes"] for o in rows), ops / seconds))

    fig, ax = _axes(ax, (9, 5.5))
    _roofs(ax, pf, mode, datatypes, [p[2] for p in points],
           lambda dt, peak, ridge: f"{dt} roof: {_si(peak)}ops/s, ridge {_si(ridge)} ops/B")
    shade = _colours(batches)
    for phase, b, oi, ops in points:
        ax.plot([oi], [ops], ls="none", marker="s" if phase == "prefill" else "o", ms=8, mec="black",
                color=shade[b], gid=phase, label=f"{phase}, batch {b}: OI {_si(oi)}, {_si(ops)}ops/s")
    ax.set_xlabel("operational intensity (ops/byte)")
    ax.set_ylabel("attained performance (ops/s" + (" per device)" if tp > 1 else ")"))
    ax.set_title(f"{topology} on {pf.id}" + (f" ({shown_mode})" if shown_mode else "")
                 + f": weights {weights}, KV {kv}, prompt {prompt}, output {output}"
                 + (f", tp {tp}" if tp > 1 else "") + f", {_si(bandwidth)}B/s"
                 + (f"\nleft out: {', '.join(left_out)}" if left_out else ""), fontsize="medium")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig, ax


# --- throughput-latency frontier ----------------------------------------------------------

#: The frontier's x axes: result key and axis label.
_LATENCY = {"tpot": ("tpot_s", "time per output token (s)"),
            "latency": ("latency_s", "request latency: TTFT + (output - 1) x TPOT (s)")}


def llm_throughput_latency(topology: str, platform: Any, batches: Sequence[int] = BATCHES[:8],
                           weights: Sequence[str] = ("f16", "fp8", "int4-g128"), tp: Sequence[int] = (1,),
                           prompt: int = 512, output: int = 128, kv: str = "f16", activations: str = "fp16",
                           model: str = "realistic", mode: str | None = None, latency: str = "tpot", ax: Any = None):
    """Request throughput (batch x output / latency, tokens/s) against TPOT (``latency=
    "tpot"``) or the request's latency (``"latency"``) over every configuration of batches x
    weight formats x tensor-parallel degrees, log-log: colour = weights, marker = tp, the
    non-dominated configurations (lower latency, higher throughput) joined by a step line and
    labelled with their batch. Configurations that do not fit or are unsupported are left
    out and counted in the title."""
    import numpy as np
    from matplotlib.lines import Line2D

    if latency not in _LATENCY:
        raise ValueError(f"latency '{latency}': valid: {', '.join(_LATENCY)}")
    key, label = _LATENCY[latency]
    points = []  # (weights, tp, batch, latency, throughput) of the configurations that run
    for w in weights:
        grid = _qb.llm_sweep(topology, platform, batches=batches, contexts=(prompt,), devices=tp, weights=w, kv=kv,
                             activations=activations, output=output, model=model, mode=mode)
        for n, t in enumerate(tp):
            points += [(w, t, b, grid[key][i, 0, n], grid["throughput_tokens_per_s"][i, 0, n])
                       for i, b in enumerate(batches) if grid["status"][i, 0, n] == "ok"]

    fig, ax = _axes(ax, (9, 5.5))
    colour = _colours(weights)
    marker = dict(zip(tp, "osD^vP*Xhp" * 3))
    for w in weights:
        for t in tp:
            mine = [p for p in points if p[0] == w and p[1] == t]
            if mine:
                ax.scatter([p[3] for p in mine], [p[4] for p in mine], marker=marker[t], color=colour[w], s=36,
                           edgecolors="black", linewidths=0.5, alpha=0.85, gid="configuration", zorder=3)
    if points:
        front = _qb.pareto_frontier(np.array([[p[3], p[4]] for p in points]), ["min", "max"])
        best = [p for p, f in zip(points, front) if f]
        _frontier(ax, [p[3] for p in best], [p[4] for p in best], "min", color="black", lw=1.2, zorder=2)
        for *_, b, x, y in best:
            ax.annotate(f"b{b}", (x, y), textcoords="offset points", xytext=(4, -10), fontsize="x-small")
    handles = [Line2D([], [], ls="none", marker="s", color=colour[w], label=f"weights {w}") for w in weights]
    if len(tp) > 1:
        handles += [Line2D([], [], ls="none", marker=marker[t], mfc="white", mec="black", label=f"tp {t}") for t in tp]
    handles.append(Line2D([], [], color="black", lw=1.2, label="frontier (b: batch)"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    _ticks_125(ax.xaxis)
    _ticks_125(ax.yaxis)
    ax.set_xlabel(label)
    ax.set_ylabel("throughput: batch x output / latency (tokens/s)")
    total = len(weights) * len(tp) * len(batches)
    left_out = total - len(points)
    ax.set_title(f"{topology} on {_platform_id(platform)}: throughput vs {latency}, prompt {prompt}, output {output}"
                 + (f"\n{left_out} of {total} configurations left out (do not fit or unsupported)" if left_out else ""),
                 fontsize="medium")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(handles=handles, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig, ax


# --- capacity map -------------------------------------------------------------------------

def _edges(values: Sequence[int]) -> list[float]:
    """Cell edges on a log axis: geometric means between neighbours, half a step beyond the ends
    (a factor of 1.5 either side of a single value)."""
    if len(values) == 1:
        return [values[0] / 1.5, values[0] * 1.5]
    inner = [math.sqrt(a * b) for a, b in zip(values, values[1:])]
    return [values[0] ** 2 / inner[0]] + inner + [values[-1] ** 2 / inner[-1]]


def llm_capacity_map(topology: str, platform: Any, batches: Sequence[int] = BATCHES,
                     contexts: Sequence[int] = CONTEXTS, weights: str = "f16", kv: str = "f16",
                     activations: str = "fp16", output: int = 128, tp: int = 1, mode: str | None = None,
                     fused_attention: bool = True, ax: Any = None):
    """Which (batch, context) fit the device: each cell a request of ``batch`` sequences of
    ``context`` tokens (a prompt of context - output, then ``output`` tokens), coloured and
    labelled by memory / capacity (weights, the KV cache of every token, peak activations;
    per device under ``tp``); blue fits, red does not (a colour-blind-safe diverging scale). The black line is the fit boundary:
    in each batch's row, the longest context that fits, found exactly where it lies within
    the swept contexts."""
    import numpy as np
    from matplotlib.colors import LogNorm

    batches, contexts = sorted(batches), sorted(contexts)
    if contexts[0] <= output:
        raise ValueError(f"contexts must exceed output ({output}): a prompt has at least one token")
    capacity = _qb.platform(platform)[0].memory_capacity_bytes
    if capacity is None:
        raise ValueError(f"{_platform_id(platform)}: the spec gives no memory capacity")

    def requests(bs: Sequence[int], cs: Sequence[int]) -> dict:
        """The sweep at batches x contexts (each context prompt + output tokens)."""
        return _qb.llm_sweep(topology, platform, batches=bs, contexts=[c - output for c in cs], devices=(tp,),
                             weights=weights, kv=kv, activations=activations, output=output, mode=mode,
                             fused_attention=fused_attention)

    grid = requests(batches, contexts)
    # A cell that cannot run at all (a split the heads refuse, a context past a learned
    # position table) has no place on a map of what fits: the sweep's reason says why.
    refused = grid["status"][:, :, 0] == "unsupported"
    if refused.any():
        i, j = np.argwhere(refused)[0]
        raise ValueError(f"batch {batches[i]:,}, context {contexts[j]:,}: {grid['reason'][i, j, 0]}")
    cells = grid["memory_bytes"][:, :, 0]
    ratio = cells / capacity
    boundary = []  # (longest context that fits, batch)
    for b, row in zip(batches, cells):
        fit = row <= capacity
        if fit[0] and not fit[-1]:
            last = np.flatnonzero(fit)[-1]
            boundary.append((_largest(lambda c: requests([b], [c])["memory_bytes"][0, 0, 0] <= capacity, contexts[last], contexts[last + 1]),
                             b))

    fig, ax = _axes(ax, (2.5 + 0.8 * len(contexts), 1.8 + 0.45 * len(batches)))
    # Log colours centred on 1: as far into red as the worst cell is over, as far into green
    # as the emptiest is under.
    spread = max(float(ratio.max()), 1 / float(ratio.min()), 1.5)
    mesh = tag(ax.pcolormesh(_edges(contexts), _edges(batches), ratio, cmap="RdBu_r",
                             norm=LogNorm(vmin=1 / spread, vmax=spread)),
               [[f"batch {b:,}, context {c:,}<br>memory / capacity {v:.3g}" + (" (does not fit)" if v > 1 else "")
                 for c, v in zip(contexts, row)] for b, row in zip(batches, ratio)])
    for (i, j), v in np.ndenumerate(ratio):
        ax.text(contexts[j], batches[i], f"{v:.2g}", ha="center", va="center", fontsize="x-small", gid="cell")
    if boundary:
        ax.plot([c for c, _ in boundary], [b for _, b in boundary], color="black", lw=2, marker="|", ms=12,
                gid="boundary")
        for c, b in boundary:
            ax.annotate(f"{c:,}", (c, b), textcoords="offset points", xytext=(3, 5), fontsize="x-small",
                        fontweight="bold")
    _swept_axis(ax, "x", contexts)
    _swept_axis(ax, "y", batches)
    ax.set_xlabel(f"context (tokens per sequence: prompt + {output} output)")
    ax.set_ylabel("batch (sequences)")
    ax.set_title(f"{topology} on {_platform_id(platform)}" + (f" x {tp}" if tp > 1 else "")
                 + f": memory / capacity ({_si(capacity)}B" + (" per device" if tp > 1 else "")
                 + f"), weights {weights}, KV {kv}"
                 + ("\nblack line: the longest context that fits, per batch" if boundary else ""), fontsize="medium")
    fig.colorbar(mesh, ax=ax, label="memory / capacity (> 1: does not fit)")
    return fig, ax
