"""qutibench.interactive.to_plotly: the matplotlib figures of qutibench.plot as Plotly figures
that carry the same numbers (each checked against the artists or the library's records) and
that Plotly itself accepts (plotly.graph_objects.Figure validates every property)."""
import math

import plotly.graph_objects as go
import pytest
from matplotlib.figure import Figure

import qutibench as qb
from qutibench import plot
from qutibench.interactive import to_plotly


def converted(fig):
    spec = to_plotly(fig)
    go.Figure(spec)  # raises on any property Plotly does not know or a value of the wrong kind
    return spec


def test_roofline_lines_reference_lines_and_hover():
    fig, ax = plot.roofline("zcu104-finn", ["cnv", "mlp"], datatypes=["int2", "int8"])
    spec = converted(fig)
    roofs = [line for line in ax.lines if line.get_gid() == "roof"]
    traces = {t["name"]: t for t in spec["data"] if t.get("name")}
    for line in roofs:
        trace = traces[line.get_label()]
        assert trace["x"] == pytest.approx(list(line.get_xdata())) and trace["y"] == pytest.approx(list(line.get_ydata()))
        assert trace["meta"] == {"datatype": line.get_label().split()[0]}
    # A dotted vertical line per point at its operational intensity, over the whole height.
    shapes = spec["layout"]["shapes"]
    oi = sorted(line.get_xdata()[0] for line in ax.lines if line.get_gid() == "oi")
    assert sorted(s["x0"] for s in shapes) == pytest.approx(oi) and all(s["yref"] == "y domain" for s in shapes)
    predictions = [t for t in spec["data"] if t.get("text") and t["mode"] == "markers"]
    assert len(predictions) == len([line for line in ax.lines if line.get_gid() == "prediction"]) >= 2
    cnv = qb.predict("cnv", "zcu104-finn", "int2")
    assert any("cnv on zcu104-finn, int2, batch 1" in t["text"][0] and f"{cnv['bound']} bound" in t["text"][0]
               for t in predictions)
    layout = spec["layout"]
    assert layout["xaxis"]["type"] == layout["yaxis"]["type"] == "log"
    assert layout["xaxis"]["range"] == pytest.approx([math.log10(v) for v in ax.get_xlim()])
    assert layout["title"]["text"] == ax.get_title()


def test_heatmap_cells_are_the_predicted_inputs_per_s():
    fig, ax = plot.heatmap("cifar10", platforms="zcu104-finn,ncs2")
    spec = converted(fig)
    (heat,) = [t for t in spec["data"] if t["type"] == "heatmap"]
    cells = qb.heatmap("cifar10", "zcu104-finn,ncs2")
    rows = list(dict.fromkeys((c["platform"], c["mode"], c["datatype"]) for c in cells))
    columns = list(dict.fromkeys(c["topology"] for c in cells))
    for c in cells:
        i, j = rows.index((c["platform"], c["mode"], c["datatype"])), columns.index(c["topology"])
        assert 10 ** heat["z"][i][j] == pytest.approx(c["inputs_per_s"], rel=1e-9)
        assert heat["text"][i][j].startswith(f"{c['topology']} on {c['platform']}")
    # Each row's keys, by which the report's filters keep rows.
    assert heat["meta"]["rows"] == [{"platform": p, "datatype": d} for p, _, d in rows]
    # Row and column names as the figure's ticks; the colour bar in inputs/s, not exponents.
    assert spec["layout"]["xaxis"]["ticktext"] == columns
    bar = heat["colorbar"]
    assert bar["title"]["text"] == "inputs/s"
    assert all(10 ** v == pytest.approx(float(t.replace("k", "e3").replace("M", "e6")), rel=1e-2)
               for v, t in zip(bar["tickvals"], bar["ticktext"]))
    # Every value printed in its cell, as on the PNG.
    assert len(spec["layout"]["annotations"]) == len(cells)


def test_pareto_legend_groups_each_platforms_points():
    fig, _ = plot.pareto("cifar10", platforms="zcu104-finn,ncs2")
    spec = converted(fig)
    points = [t for t in spec["data"] if t["mode"] == "markers" and t.get("meta") and not t["showlegend"]]
    assert {t["meta"]["platform"] for t in points} == {"zcu104-finn", "ncs2"}
    # Clicking a platform's legend entry hides its points: they share its legend group.
    assert all(t["legendgroup"] == t["meta"]["platform"] for t in points)
    legend = {t["name"]: t for t in spec["data"] if t.get("showlegend")}
    assert list(legend) == ["predicted frontier", "zcu104-finn", "ncs2"]
    # A platform's entry leaves the legend with its points when the page filters them out.
    assert legend["ncs2"]["meta"] == {"platform": "ncs2"} and "meta" not in legend["predicted frontier"]
    cells = qb.theoretical_pareto("cifar10", "throughput", "zcu104-finn,ncs2")
    xs = sorted(x for t in points for x in t["x"])
    assert xs == pytest.approx(sorted(c["inputs_per_s"] for c in cells))


def test_capacity_map_mesh_and_bars():
    fig, ax = plot.llm_capacity_map("llama-3-8b", "h100-sxm", batches=(1, 8), contexts=(1024, 4096))
    spec = converted(fig)
    (heat,) = [t for t in spec["data"] if t["type"] == "heatmap"]
    (mesh,) = ax.collections[:1]
    ratio = mesh.get_array().reshape(2, 2)
    assert [10 ** z for row in heat["z"] for z in row] == pytest.approx(ratio.ravel().tolist(), rel=1e-9)
    assert len(heat["x"]) == 3 and len(heat["y"]) == 3  # cell edges

    points = [{"platform": "tx2", "mode": "maxn", "topology": "cnv", "datatype": "fp16", "batch": 1,
               "plain": 100.0, "measured": 40.0},
              {"platform": "ncs2", "mode": "", "topology": "mlp", "datatype": "fp16", "batch": 8,
               "plain": 2000.0, "measured": 1500.0}]
    spec = converted(plot.predicted_vs_measured(points)[0])
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    assert [b["y"] for b in bars] == [[100.0, 2000.0], [40.0, 1500.0]]
    assert "efficiency 0.4" in bars[1]["text"][0]
    assert spec["layout"]["xaxis"]["ticktext"] == ["tx2:maxn cnv fp16 b1", "ncs2 mlp fp16 b8"]


def test_a_figure_of_several_axes_is_refused():
    fig = Figure()
    fig.add_subplot(1, 2, 1)
    fig.add_subplot(1, 2, 2)
    with pytest.raises(ValueError, match="one axes, not 2"):
        to_plotly(fig)
