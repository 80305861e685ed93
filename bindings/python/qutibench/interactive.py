"""The figures of ``qutibench.plot`` as interactive Plotly figures (the report's page).

Every figure is drawn once, with matplotlib, by ``qutibench.plot`` or ``qutibench.llm_plot``;
``to_plotly`` reads what its axes hold (lines, markers, bars, boxes, images, meshes, texts,
reference lines, the legend, scales, ticks and labels) into a Plotly figure, so the page
shows the same figures as the PNGs, with zoom and hover. The figure functions give their
points hover text and filter keys (platform, datatype) with ``qutibench.plot.tag``; a point
without them hovers with its series' name and its x and y. Clicking a legend entry shows or
hides its series (all of one platform, one datatype, ...).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["to_plotly"]

#: matplotlib markers and their Plotly symbols.
_SYMBOLS = {"o": "circle", "s": "square", "D": "diamond", "^": "triangle-up", "v": "triangle-down", "P": "cross",
            "*": "star", "X": "x", "h": "hexagon", "p": "pentagon", "|": "line-ns", "_": "line-ew"}
_DASHES = {"-": "solid", "--": "dash", ":": "dot", "-.": "dashdot"}
_SHAPES = {"steps-pre": "vh", "steps-post": "hv", "steps-mid": "hvh"}
#: matplotlib sizes are in points (1/72 in), Plotly's in CSS pixels (1/96 in).
_PX = 96 / 72
_NONE = (None, "", " ", "None", "none")


def _rgba(colour: Any, alpha: float | None = None) -> str:
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(colour, alpha)
    return f"rgba({round(r * 255)},{round(g * 255)},{round(b * 255)},{a:.3g})"


def _symbol(path: Any) -> str:
    """The Plotly symbol of a scatter's marker path (matplotlib keeps only the path)."""
    from matplotlib.markers import MarkerStyle

    for marker, symbol in _SYMBOLS.items():
        style = MarkerStyle(marker)
        own = style.get_path().transformed(style.get_transform()).vertices
        if own.shape == path.vertices.shape and np.allclose(own, path.vertices):
            return symbol
    return "circle"


def _floats(values: Any) -> list:
    """JSON-ready numbers: NaN and masked values become None (a gap)."""
    array = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan)
    return [None if not math.isfinite(v) else float(v) for v in array.ravel()]


def _hover(artist: Any, trace: dict, names: tuple[str, str]) -> None:
    """Hover text: the figure function's (``qutibench.plot.tag``), else series name, x and y."""
    info = getattr(artist, "qutibench", {})
    if info.get("hover") is not None:
        trace["text"] = list(info["hover"])
        trace["hovertemplate"] = "%{text}<extra></extra>"
    else:
        series = f"{trace['name']}<br>" if trace.get("name") else ""
        trace["hovertemplate"] = f"{series}{names[0]}: %{{x:.4~g}}<br>{names[1]}: %{{y:.4~g}}<extra></extra>"


def _line(line: Any) -> dict:
    """A Line2D in data coordinates as a scatter trace."""
    ls, marker = line.get_linestyle(), line.get_marker()
    modes = [m for m, on in (("lines", ls not in _NONE), ("markers", marker not in _NONE)) if on]
    trace = {"type": "scatter", "x": _floats(line.get_xdata()), "y": _floats(line.get_ydata()),
             "mode": "+".join(modes) or "none", "opacity": line.get_alpha() or 1.0,
             "line": {"color": _rgba(line.get_color()), "width": line.get_linewidth() * _PX,
                      "dash": _DASHES.get(ls, "solid"), "shape": _SHAPES.get(line.get_drawstyle(), "linear")}}
    if marker not in _NONE:
        trace["marker"] = {"symbol": _SYMBOLS.get(marker, "circle"), "size": line.get_markersize() * _PX,
                           "color": _rgba(line.get_markerfacecolor()),
                           "line": {"color": _rgba(line.get_markeredgecolor()),
                                    "width": line.get_markeredgewidth() * _PX}}
    return trace


def _reference_line(ax: Any, line: Any) -> dict | None:
    """axvline/axhline (x or y in data, the other in axes fraction) as a layout shape."""
    xs, ys = line.get_xdata(), line.get_ydata()
    style = {"color": _rgba(line.get_color()), "width": line.get_linewidth() * _PX,
             "dash": _DASHES.get(line.get_linestyle(), "solid")}
    if line.get_transform() == ax.get_xaxis_transform():
        return {"type": "line", "xref": "x", "yref": "y domain", "x0": float(xs[0]), "x1": float(xs[-1]),
                "y0": float(ys[0]), "y1": float(ys[-1]), "line": style}
    if line.get_transform() == ax.get_yaxis_transform():
        return {"type": "line", "xref": "x domain", "yref": "y", "x0": float(xs[0]), "x1": float(xs[-1]),
                "y0": float(ys[0]), "y1": float(ys[-1]), "line": style}
    return None


def _scatter(collection: Any) -> dict:
    offsets = collection.get_offsets()
    faces = collection.get_facecolors()
    edges = collection.get_edgecolors()
    sizes = collection.get_sizes()
    n = len(offsets)

    def each(values: Any, convert: Any) -> Any:
        return convert(values[0]) if len(values) == 1 else [convert(v) for v in values[:n]]

    return {"type": "scatter", "mode": "markers", "x": _floats(offsets[:, 0]), "y": _floats(offsets[:, 1]),
            "marker": {"symbol": _symbol(collection.get_paths()[0]),
                       "size": each(sizes, lambda s: math.sqrt(s) * _PX) if len(sizes) else 6,
                       "color": each(faces, _rgba) if len(faces) else "rgba(0,0,0,0)",
                       "line": {"color": each(edges, _rgba) if len(edges) else "rgba(0,0,0,0)",
                                "width": float(collection.get_linewidths()[0]) * _PX}}}


def _colour_scale(mappable: Any) -> tuple[dict, Any]:
    """A mappable's values as Plotly z (log10 under a LogNorm) and its colour scale, range and bar."""
    from matplotlib.colors import LogNorm

    norm, cmap = mappable.norm, mappable.get_cmap()
    values = np.ma.masked_invalid(np.ma.asarray(mappable.get_array(), dtype=float))
    log = isinstance(norm, LogNorm)
    to_z = (lambda v: np.ma.log10(np.ma.masked_less_equal(v, 0))) if log else (lambda v: v)
    lo, hi = float(norm.vmin), float(norm.vmax)
    scale = [[i / 10, _rgba(cmap(i / 10))] for i in range(11)]
    spec = {"colorscale": scale, "zmin": float(to_z(lo)), "zmax": float(to_z(hi)), "hoverongaps": False}
    bar = getattr(mappable, "colorbar", None)
    if bar is not None:
        ticks = [t for t in bar.get_ticks() if lo <= t <= hi]
        formatter = bar.ax.yaxis.get_major_formatter()
        spec["colorbar"] = {"title": {"text": bar.ax.get_ylabel(), "side": "right"},
                            "tickvals": [float(to_z(t)) for t in ticks],
                            "ticktext": [formatter(t, i) for i, t in enumerate(ticks)]}
    else:
        spec["showscale"] = False
    return spec, to_z(values)


def _image(image: Any, names: tuple[str, str]) -> dict:
    spec, z = _colour_scale(image)
    rows, cols = z.shape
    trace = {"type": "heatmap", "x": list(range(cols)), "y": list(range(rows)), "z": _grid(z), **spec}
    _hover(image, trace, names)
    if "text" in trace:
        trace["text"] = [list(row) for row in trace["text"]]
    return trace


def _grid(z: Any) -> list:
    return [_floats(row) for row in np.ma.filled(z.astype(float), np.nan)]


def _mesh(mesh: Any, names: tuple[str, str]) -> dict:
    spec, z = _colour_scale(mesh)
    corners = mesh.get_coordinates()
    z = np.ma.asarray(z).reshape(corners.shape[0] - 1, corners.shape[1] - 1)
    trace = {"type": "heatmap", "x": _floats(corners[0, :, 0]), "y": _floats(corners[:, 0, 1]), "z": _grid(z), **spec}
    _hover(mesh, trace, names)
    return trace


def _patch(patch: Any) -> dict:
    """A filled patch (a box of a box plot) as a closed scatter outline."""
    vertices = patch.get_patch_transform().transform(patch.get_path().vertices)
    return {"type": "scatter", "mode": "lines", "x": _floats(vertices[:, 0]), "y": _floats(vertices[:, 1]),
            "fill": "toself", "fillcolor": _rgba(patch.get_facecolor()),
            "line": {"color": _rgba(patch.get_edgecolor()), "width": patch.get_linewidth() * _PX},
            "hoverinfo": "skip", "showlegend": False}


def _bars(container: Any) -> dict:
    bars = container.patches
    trace = {"type": "bar", "x": [r.get_x() + r.get_width() / 2 for r in bars], "y": [r.get_height() for r in bars],
             "width": [r.get_width() for r in bars], "name": container.get_label(),
             "marker": {"color": _rgba(bars[0].get_facecolor()),
                        "line": {"color": _rgba(bars[0].get_edgecolor()), "width": bars[0].get_linewidth() * _PX}}}
    return trace


def _log_coordinate(ax: Any, which: str, value: float) -> float:
    """Plotly places annotations on a log axis by the value's log10."""
    scale = ax.get_xscale() if which == "x" else ax.get_yscale()
    return math.log10(value) if scale == "log" and value > 0 else value


_ANCHORS = {"center": "center", "left": "left", "right": "right", "top": "top", "bottom": "bottom",
            "baseline": "bottom", "center_baseline": "middle"}


def _text(ax: Any, text: Any) -> dict | None:
    """A Text or Annotation placed in data coordinates (or axes fraction) as an annotation."""
    if not text.get_visible() or not text.get_text():
        return None
    from matplotlib.text import Annotation

    x, y = (text.xy if isinstance(text, Annotation) else text.get_position())
    note = {"text": text.get_text().replace("\n", "<br>"), "showarrow": False,
            "font": {"size": text.get_fontsize() * _PX, "color": _rgba(text.get_color())},
            "textangle": -text.get_rotation(), "xanchor": _ANCHORS.get(text.get_horizontalalignment(), "center"),
            "yanchor": {"center": "middle"}.get(text.get_verticalalignment(),
                                                _ANCHORS.get(text.get_verticalalignment(), "middle"))}
    coords = text.xycoords if isinstance(text, Annotation) else "data"
    xcoords, ycoords = coords if isinstance(coords, tuple) else (coords, coords)
    for which, value, system in (("x", x, xcoords), ("y", y, ycoords)):
        if system == "data":
            note[which], note[f"{which}ref"] = _log_coordinate(ax, which, value), which
        elif system == "axes fraction":
            note[which], note[f"{which}ref"] = value, f"{which} domain"
        else:
            return None
    if isinstance(text, Annotation) and text.anncoords == "offset points":
        dx, dy = text.xyann
        note["xshift"], note["yshift"] = dx * _PX, dy * _PX
    return note


def _axis(ax: Any, which: str) -> dict:
    from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter

    axis = ax.xaxis if which == "x" else ax.yaxis
    lo, hi = ax.get_xlim() if which == "x" else ax.get_ylim()
    log = axis.get_scale() == "log"
    out = {"title": {"text": axis.get_label().get_text()}, "type": "log" if log else "linear",
           "range": [math.log10(lo), math.log10(hi)] if log else [lo, hi], "showline": True, "mirror": True,
           "linecolor": "#444", "ticks": "outside", "zeroline": False, "automargin": True,
           "showgrid": any(line.get_visible() for line in axis.get_gridlines()), "gridcolor": "#e3e3e3",
           "exponentformat": "SI"}
    if log and abs(math.log10(hi / lo)) > 3:
        out["dtick"] = 1  # over many decades, label the powers of ten only
    # Ticks the figure chose (names of heatmap rows, swept batches): the same on the page.
    if isinstance(axis.get_major_locator(), FixedLocator) or isinstance(
            axis.get_major_formatter(), (FixedFormatter, FuncFormatter)):
        locs = [v for v in axis.get_majorticklocs() if min(lo, hi) <= v <= max(lo, hi)]
        formatter = axis.get_major_formatter()
        formatter.set_locs(locs)
        out.pop("dtick", None)
        out["tickmode"], out["tickvals"] = "array", [float(v) for v in locs]
        out["ticktext"] = [formatter(v, i) for i, v in enumerate(locs)]
        labels = axis.get_majorticklabels()
        if labels and labels[0].get_rotation():
            out["tickangle"] = -labels[0].get_rotation()
    return out


def _key_colour(trace: dict) -> str | None:
    """The colour a legend key shows (markers' fill, else the line's), without its alpha."""
    colour = trace.get("marker", {}).get("color") if trace.get("mode") == "markers" else \
        trace.get("line", {}).get("color")
    return colour.rsplit(",", 1)[0] if isinstance(colour, str) else None


def _legend(ax: Any, traces: list[tuple[Any, dict]]) -> list[dict]:
    """The matplotlib legend's entries: a series whose artist carries the entry's label takes it;
    an entry drawn from a proxy (a colour key, a line style) becomes a legend-only series, and
    the unnamed series of its colour (and line style) join its group, so a click hides them."""
    legend = ax.get_legend()
    if legend is None:
        return []
    handles = getattr(legend, "legend_handles", None) or getattr(legend, "legendHandles", [])
    labels = [t.get_text() for t in legend.get_texts()]
    named = {artist.get_label() for artist, _ in traces}
    extra = []
    for handle, label in zip(handles, labels):
        if label in named:
            continue
        proxy = _line(handle) if hasattr(handle, "get_xdata") else _scatter(handle)
        proxy.update(x=[None], y=[None], name=label, legendgroup=label, showlegend=True, hoverinfo="skip")
        extra.append(proxy)
        colour = _key_colour(proxy)
        for _, trace in traces:
            if trace.get("legendgroup") or trace["type"] not in ("scatter", "bar"):
                continue
            same_dash = proxy["mode"] == "markers" or trace.get("line", {}).get("dash") == proxy["line"]["dash"]
            if colour is not None and _key_colour(trace) == colour and same_dash:
                trace.update(legendgroup=label, name=label)
                # The entry goes with its series when the page's filters hide them.
                if "meta" in trace:
                    proxy.setdefault("meta", trace["meta"])
    return extra


def to_plotly(fig: Any) -> dict:
    """A matplotlib figure of ``qutibench.plot`` (one axes, with or without a colour bar) as a
    Plotly figure dict (``plotly.graph_objects.Figure(result)`` or ``plotly.io.to_html``).
    Raises ValueError for a figure of several axes."""
    bars = {id(getattr(m, "colorbar", None).ax) for ax in fig.axes for m in ax.images + ax.collections
            if getattr(m, "colorbar", None) is not None}
    axes = [ax for ax in fig.axes if id(ax) not in bars]
    if len(axes) != 1:
        raise ValueError(f"to_plotly converts a figure of one axes, not {len(axes)}")
    ax = axes[0]
    names = (ax.get_xlabel() or "x", ax.get_ylabel() or "y")
    traces: list[tuple[Any, dict]] = []
    shapes, notes = [], []
    for image in ax.images:
        traces.append((image, _image(image, names)))
    for collection in ax.collections:
        kind = type(collection).__name__
        if kind == "QuadMesh":
            traces.append((collection, _mesh(collection, names)))
        elif kind == "PathCollection":
            traces.append((collection, _scatter(collection)))
    boxes = [p for p in ax.patches if type(p).__name__ == "PathPatch"]
    traces += [(p, _patch(p)) for p in boxes]
    traces += [(c, _bars(c)) for c in ax.containers if type(c).__name__ == "BarContainer"]
    for line in ax.get_lines():
        if line.get_transform() == ax.transData:
            traces.append((line, _line(line)))
        elif (shape := _reference_line(ax, line)) is not None:
            shapes.append(shape)
    for artist, trace in traces:
        keys = {k: v for k, v in getattr(artist, "qutibench", {}).items() if k != "hover"}
        if keys:
            trace["meta"] = keys  # the page's filters read these
        label = artist.get_label()
        if trace["type"] != "heatmap" and "showlegend" not in trace:
            shown = bool(label) and not label.startswith("_")
            trace.update(name=label if shown else "", showlegend=shown)
            if shown:
                trace["legendgroup"] = label
    extra = _legend(ax, traces)
    for artist, trace in traces:
        if trace["type"] in ("scatter", "bar") and "hovertemplate" not in trace and trace.get("hoverinfo") != "skip":
            _hover(artist, trace, names)
    notes = [n for n in (_text(ax, t) for t in ax.texts) if n is not None]
    _, height = fig.get_size_inches()
    entries = sum(1 for t in [t for _, t in traces] + extra if t.get("showlegend"))
    layout = {"title": {"text": ax.get_title().replace("\n", "<br>"), "x": 0.02, "xanchor": "left",
                        "font": {"size": 15}},
              "xaxis": _axis(ax, "x"), "yaxis": _axis(ax, "y"), "shapes": shapes, "annotations": notes,
              # Tall enough for the legend beside the axes (about 30 px an entry) to need no scrolling.
              "height": max(380, int(height * 80), 30 * entries + 180), "plot_bgcolor": "white", "hovermode": "closest",
              "legend": {"font": {"size": 12}, "groupclick": "togglegroup"}, "barmode": "overlay",
              "margin": {"t": 70 + 18 * ax.get_title().count("\n"), "r": 20}, "font": {"size": 13}}
    return {"data": [t for _, t in traces] + extra, "layout": layout}
