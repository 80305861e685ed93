"""qutibench.plot: each figure renders headless to a PNG, with the specified labels and as many
points, cells, boxes and bars as the data implies."""
import pathlib

import pytest

import qutibench as qb
from qutibench import plot

THESIS = str(pathlib.Path(qb.data_dir()) / "measurements" / "level3_thesis.csv")


def saved(fig, tmp_path, name):
    path = tmp_path / f"{name}.png"
    fig.savefig(path)
    assert path.stat().st_size > 0
    return path


def with_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def scatter_points(ax, gid):
    return sum(len(c.get_offsets()) for c in with_gid(ax.collections, gid))


def test_roofline_has_a_roof_per_datatype_and_a_marker_per_topology_and_datatype(tmp_path):
    fig, ax = plot.roofline("zcu104-finn", ["cnv", "mlp"])
    saved(fig, tmp_path, "roofline")
    assert ax.get_xlabel() == "operational intensity (ops/byte)"
    assert ax.get_ylabel() == "attainable performance (ops/s)"
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert len(with_gid(ax.lines, "roof")) == 2
    assert len(with_gid(ax.lines, "prediction")) == 4
    assert len(with_gid(ax.lines, "oi")) == 4
    assert "zcu104-finn" in ax.get_title()
    # The markers sit on the roof: the predicted ops/s at the predicted OI.
    p = qb.predict(qb.zoo.get("cnv"), "zcu104-finn", "int2")
    xy = [tuple(line.get_xydata()[0]) for line in with_gid(ax.lines, "prediction")]
    assert (p["operational_intensity"], p["ops_per_s"]) in xy


def test_roofline_takes_a_mode_topology_objects_and_an_axes(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    given = fig.add_subplot()
    out_fig, ax = plot.roofline("tx2:maxq", [qb.zoo.get("resnet50")], ax=given)
    assert out_fig is fig and ax is given
    assert "maxq" in ax.get_title()
    assert [line.get_label().split()[0] for line in with_gid(ax.lines, "roof")] == ["fp16", "fp32"]
    assert len(with_gid(ax.lines, "prediction")) == 2
    saved(fig, tmp_path, "roofline_tx2")


def test_heatmap_annotates_each_defined_cell(tmp_path):
    fig, ax = plot.heatmap("cifar10")
    saved(fig, tmp_path, "heatmap")
    cells = qb.heatmap("cifar10")
    texts = [t.get_text() for t in with_gid(ax.texts, "cell")]
    assert len(cells) == 52 and len([t for t in texts if t]) == len(cells)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(dict.fromkeys(c["topology"] for c in cells))
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[0] == "zcu104-finn int2" and "tx2:maxq fp16" in rows
    assert "12.5k" in texts  # CNV at INT2 on FINN: 12,472 inputs/s


def test_pareto_plots_every_theoretical_point(tmp_path):
    fig, ax = plot.pareto("mnist")
    saved(fig, tmp_path, "pareto")
    assert ax.get_xlabel() == "throughput (inputs/s)"
    assert ax.get_ylabel() == "top-1 accuracy (%)"
    assert ax.get_xscale() == "log"
    assert scatter_points(ax, "predicted") == len(qb.theoretical_pareto("mnist"))
    assert scatter_points(ax, "measured") == 0
    assert len(with_gid(ax.lines, "frontier")) == 1


@pytest.mark.parametrize("x,label", [("latency", "latency (s)"), ("efficiency", "efficiency (inputs/s/W)")])
def test_pareto_other_figures_of_merit(tmp_path, x, label):
    fig, ax = plot.pareto("cifar10", x=x)
    saved(fig, tmp_path, f"pareto_{x}")
    assert ax.get_xlabel() == label
    known = [c for c in qb.theoretical_pareto("cifar10", x) if c[{"latency": "latency_s",
                                                                   "efficiency": "inputs_per_s_per_w"}[x]] is not None]
    assert scatter_points(ax, "predicted") == len(known) > 0


def test_pareto_overlay_adds_the_measured_points_and_frontier(tmp_path):
    fig, ax = plot.pareto_overlay("mnist", THESIS)
    saved(fig, tmp_path, "pareto_overlay")
    assert scatter_points(ax, "predicted") == len(qb.theoretical_pareto("mnist"))
    assert scatter_points(ax, "measured") == len(qb.measured_pareto(THESIS, "mnist")) > 0
    assert len(with_gid(ax.lines, "frontier")) == 2


def test_measurement_boxes_one_box_per_platform(tmp_path):
    records = qb.load_measurements(THESIS)
    fig, ax = plot.measurement_boxes(records)
    saved(fig, tmp_path, "boxes")
    assert len(ax.patches) == 4
    assert sorted(t.get_text() for t in ax.get_xticklabels()) == ["ncs2", "tx2", "ultra96-a53", "zcu104-finn"]
    assert ax.get_ylabel() == "throughput (inputs/s)"
    fig, ax = plot.measurement_boxes(records, by=("platform", "datatype"))
    assert len(ax.patches) == len({(r["platform"], r["datatype"]) for r in records})


def test_latency_vs_throughput_one_line_per_setting(tmp_path):
    records = qb.load_measurements(THESIS)
    fig, ax = plot.latency_vs_throughput(records, annotate=True)
    saved(fig, tmp_path, "latency_vs_throughput")
    assert ax.get_xlabel() == "throughput (inputs/s)" and ax.get_ylabel() == "latency (s)"
    assert ax.get_xscale() == ax.get_yscale() == "log"
    settings = {(r["platform"], r["mode"], r["topology"], r["datatype"]) for r in records}
    assert len(ax.lines) == len(settings)
    assert sum(len(line.get_xdata()) for line in ax.lines) == len(
        {(r["platform"], r["mode"], r["topology"], r["datatype"], r["batch"]) for r in records})


def test_predicted_vs_measured_bars_pairs_with_efficiency(tmp_path):
    points = qb.validate(THESIS, "plain")["points"]
    fig, ax = plot.predicted_vs_measured(points)
    saved(fig, tmp_path, "predicted_vs_measured")
    assert len(ax.patches) == 2 * len(points)
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "throughput (inputs/s)"
    labels = [t.get_text() for t in with_gid(ax.texts, "efficiency")]
    assert len(labels) == len(points)
    assert labels[0] == f"{points[0]['measured'] / points[0]['plain']:.2g}x"
