"""The level-0 report (qutibench.report): every figure on the page as an interactive Plotly
figure carrying the library's numbers, the static files when asked for, one roofline per
shipped platform, the validation tables, and the frontier summary on stdout. The page in a
browser: tests/report_browser."""
import json
import re

import pytest

import qutibench as qb
from qutibench import report

TASKS = ("imagenet", "cifar10", "mnist")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    # PNGs at a low resolution: the files and their links are checked, not their looks.
    index = report.write_report(out, measurements=report.SHIPPED_MEASUREMENTS, platforms="thesis", progress=False,
                                static=["png"], dpi=30)
    return out, index.read_text(encoding="utf-8")


def figures(page: str) -> dict[str, dict]:
    """Each figure's name and its Plotly figure, as the page holds them."""
    found = re.findall(r'<figure class="interactive" id="([^"]+)"[^>]*>\n<div class="plot"></div>\n'
                       r'<script type="application/json">(.*?)</script>', page, re.S)
    return {name: json.loads(spec) for name, spec in found}


def test_every_figure_is_interactive_and_has_its_static_file(written):
    out, page = written
    shown = figures(page)
    assert len(shown) == page.count('<figure class="interactive"') and "<img " not in page
    for name, spec in shown.items():
        values = [v for t in spec["data"] for v in (t.get("y") or t.get("z") or []) if v is not None]
        assert values, name  # something to draw
        assert f'<a href="{name}.png">PNG</a>' in page and (out / f"{name}.png").stat().st_size > 0
    assert sorted(p.name for p in out.glob("*.png")) == sorted(f"{n}.png" for n in shown)
    # Plotly's JavaScript beside the page, no CDN; no folder of the machine that wrote it.
    assert '<script src="plotly.js"></script>' in page and "cdn" not in page.lower()
    assert (out / "plotly.js").read_text(encoding="utf-8").lstrip().startswith("/**")
    assert str(out) not in page and str(qb.data_dir()) not in page


def test_heatmaps_rooflines_and_pareto_charts(written):
    _, page = written
    shown = figures(page)
    for task in TASKS:
        assert f"pareto-{task}" in shown
        # Every heatmap cell as the library predicts it: log10(inputs/s) on the page, hover
        # naming the network, platform, datatype and bound.
        heat = shown[f"heatmap-{task}"]["data"][0]
        cells = qb.heatmap(task, "thesis")
        values = sorted(10 ** z for row in heat["z"] for z in row if z is not None)
        assert values == pytest.approx(sorted(c["inputs_per_s"] for c in cells), rel=1e-9)
        text = [t for row in heat["text"] for t in row if t]
        assert len(text) == len(cells) and all(" bound" in t and " on " in t for t in text)
    rooflines = {n.removeprefix("roofline-") for n in shown if n.startswith("roofline-")}
    assert rooflines == {pf.id for pf in qb.load_platforms()}
    # The pareto chart's legend names platforms; its points hover with what ran where.
    cifar = shown["pareto-cifar10"]["data"]
    assert {t["name"] for t in cifar if t.get("showlegend")} >= {"zcu104-finn", "predicted frontier"}
    assert any("cnv" in h and "zcu104-finn" in h for t in cifar for h in t.get("text", []))


def test_measured_figures_and_validation_tables(written):
    _, page = written
    shown = figures(page)
    for task in ("cifar10", "mnist", "imagenet"):
        assert f"overlay-{task}" in shown
    assert "predicted-vs-measured" in shown
    for pid in ("tx2", "zcu104-finn", "ultra96-a53", "ncs2"):  # the platforms with shipped measurements
        assert f"latency-vs-throughput-{pid}" in shown
    for model in ("plain", "refined", "calibrated", "realistic"):
        assert f"<h3>{model} model</h3>" in page
        assert f"download validation-{model}.csv</button>" in page
    # Table 7.1's FINN CIFAR-10 coefficient beside ours.
    assert re.search(r"<td>zcu104-finn</td><td>cifar10</td><td class=\"num\">8</td>"
                     r"<td class=\"num\">[0-9.]+</td><td class=\"num\">0.96</td>", page)
    assert "Blott" in page and page.count("<figcaption>") == len(shown)


def test_published_measurements_per_device(written):
    _, page = written
    assert "<h2 id=\"s5\">Published measurements of current devices</h2>" in page
    # Every device of the shipped public table with a spec and a setting of a mode it has.
    for pid in ("hailo-8", "zcu102-dpu", "kv260-dpu", "a100-sxm", "jetson-agx-orin", "raspberry-pi-5",
                "jetson-tx2-nx", "epyc-7742"):
        row = re.search(rf"<tr[^>]*><td>{pid}</td><td>imagenet</td>(.*?)</tr>", page)
        assert row, pid
        cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
        assert len(cells) == 5 and int(cells[0]) >= 3  # settings, then plain, refined, calibrated, realistic
        assert all(0 <= float(c) < 3 for c in cells[1:])  # |log10 error| below a factor of 1000
        if pid in ("zcu102-dpu", "kv260-dpu"):
            # The deployed DPU design (cores, PP x ICP x OCP, clock, depthwise ALU) takes the published
            # Vitis AI figures from a factor of 4.5-5 (plain) to within a factor of 1.6.
            assert float(cells[4]) < 0.2 < float(cells[1])


def test_llm_section_has_each_figure_and_the_requests_table(written):
    _, page = written
    assert '<h2 id="s6">Decoder LLMs</h2>' in page  # last, after the published measurements
    shown = figures(page)
    for name in ("llm-tokens-vs-batch", "llm-ttft-vs-prompt", "llm-roofline", "llm-throughput-latency",
                 "llm-capacity"):
        assert name in shown

    def row(model, platform, weights, tp):
        """Fits, then memory, capacity, TTFT, TPOT, decode tokens/s and energy per token."""
        found = re.search(rf"<tr[^>]*><td>{model}</td><td>{platform}</td><td>{weights}</td><td>(\w+)</td>"
                          rf'<td class="num">{tp}</td>(.*?)</tr>', page)
        assert found, (model, platform, weights, tp)
        return [found.group(1)] + re.findall(r'<td class="num">([^<]*)</td>', found.group(2))

    # Llama-3-8B FP16 on one H100 at batch 1: a decode step reads the 7,504,924,672 weights
    # outside the embedding table (2 B each) and 576 tokens of KV cache (2 x 32 layers x 8 KV
    # heads x 128 x 2 B = 131,072 B each) over 3.35 TB/s: 4.50 ms per token.
    cells = row("llama-3-8b", "h100-sxm", "f16", 1)
    assert cells[0] == "yes"
    assert float(cells[4]) == pytest.approx((2 * 7_504_924_672 + 576 * 131_072) / 3.35e12 * 1e3, rel=2e-3)
    # Llama-3-70B's 70,553,706,496 FP16 weights (141.1 GB) fit no single 80 GB H100; on four
    # each holds a quarter of the projections.
    cells = row("llama-3-70b", "h100-sxm", "f16", 1)
    assert cells[0] == "no" and float(cells[1]) > 141.1 and cells[3:7] == ["", "", "", ""]
    assert row("llama-3-70b", "h100-sxm", "f16", 4)[0] == "yes"


def test_main_prints_the_frontiers_and_shows_progress(tmp_path, capsys):
    assert report.main(["--output", str(tmp_path / "r"), "--no-measurements"]) == 0
    captured = capsys.readouterr()
    index = tmp_path / "r" / "index.html"
    assert "overlay-" not in index.read_text(encoding="utf-8")
    assert not list((tmp_path / "r").glob("*.png"))  # no static files unless asked for
    assert captured.err.rstrip().endswith(f"wrote {index.resolve().as_uri()}")
    for title in ("ImageNet", "CIFAR-10", "MNIST"):
        assert f"{title}: predicted pareto frontier" in captured.out
    header = next(line for line in captured.out.splitlines() if line.startswith("topology"))
    assert header.split() == ["topology", "platform", "mode", "datatype", "accuracy_top1", "inputs_per_s"]
    assert re.search(r"^cnv-p12\.5 +zcu104-finn +int2 +73\.64 +785,983$", captured.out, re.M)
    assert re.search(r"^\[1/\d+\] heatmap imagenet$", captured.err, re.M)


def test_a_bad_measurement_file_fails_before_drawing(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("not,a,measurement,file\n")
    assert report.main(["--output", str(tmp_path / "r"), "--measurements", str(bad)]) == 1
    assert "error" in capsys.readouterr().err
    assert not list((tmp_path / "r").iterdir())


@pytest.mark.parametrize("argument", [["--static", "gif"], ["--static", "png,"], ["--dpi", "0"], ["--dpi", "x"]])
def test_bad_static_options_are_usage_errors(tmp_path, capsys, argument):
    with pytest.raises(SystemExit) as stop:
        report.main(["--output", str(tmp_path / "r"), *argument])
    assert stop.value.code == 2
    assert ("valid: png, svg, pdf" if argument[0] == "--static" else "at least 1") in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
