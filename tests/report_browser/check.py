"""The report in a real browser: writes the default report, opens it in headless Chromium
(Debian's ``chromium``) and fails on any JavaScript error, a figure missing from the page, or
a figure that draws nothing (no plot, or a plot without a drawn point, line, bar or cell).
Then saves a screenshot of each whole section (``section-N.png``, as tall as the section;
a section past 15,000 pixels continues in ``section-N-part2.png`` and on, figure by figure)
and of the filters at work (``filtered.png``: the page with the filter bar set to ImageNet
and zcu104-finn: the ImageNet heatmap, zcu104-finn's roofline, ImageNet pareto charts
without other platforms' points) into the output folder.

``check.py OUTPUT_DIR``; exit 0 when the page holds, 1 with the reasons otherwise.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import qutibench
from qutibench import report

# Recorded before the page's own scripts run, so that no error escapes.
_CATCH = """<script>window.__errors = [];
window.addEventListener("error", e => window.__errors.push(String(e.message)));
window.addEventListener("unhandledrejection", e => window.__errors.push(String(e.reason)));</script>"""

# After the page's scripts: render every figure, then describe what each drew.
_PROBE = """<script>
window.qutibench.renderAll().then(() => {
  const figures = Array.from(document.querySelectorAll("figure.interactive")).map(f => {
    const drawn = Array.from(f.querySelectorAll(".cartesianlayer .plot path, .cartesianlayer .plot image"))
      .filter(e => e.tagName === "image" || (e.getAttribute("d") || "").length > 8);
    return {id: f.id, svg: f.querySelectorAll(".main-svg").length, drawn: drawn.length,
            legend: f.querySelectorAll(".legend .traces").length};
  });
  // The height of each section's elements (title first) with the figures drawn, and the filter
  // bar's: the screenshots' sizes.
  const top = e => e.getBoundingClientRect().top + window.scrollY;
  const kids = Array.from(document.body.children).filter(e => e.tagName !== "SCRIPT" && e.id !== "filters");
  const sections = [];
  kids.forEach((e, k) => {
    if (e.tagName === "H2") sections.push([]);
    if (sections.length) sections.at(-1).push((k + 1 < kids.length ? top(kids[k + 1]) : document.body.scrollHeight) - top(e));
  });
  const bar = document.getElementById("filters").offsetHeight;
  // The filter bar: one platform leaves its roofline and, in a pareto chart, its points.
  document.getElementById("filter-platform").value = "zcu104-finn";
  return window.qutibench.apply().then(() => {
    const rooflines = Array.from(document.querySelectorAll("figure[id^='roofline-']")).filter(f => !f.hidden);
    const pareto = document.querySelector("#pareto-cifar10 .plot").data;
    const out = document.createElement("pre");
    out.id = "probe";
    out.textContent = JSON.stringify({
      errors: window.__errors.concat(window.qutibench.errors), figures: figures, sections: sections, bar: bar,
      rooflines: rooflines.map(f => f.id),
      heatmapRows: document.querySelector("#heatmap-cifar10 .plot").layout.yaxis.ticktext,
      paretoPlatforms: Array.from(new Set(pareto.filter(t => t.meta && t.visible !== false).map(t => t.meta.platform))),
      rows: Array.from(document.querySelectorAll("tbody tr")).filter(r => !r.hidden).map(r => r.dataset.platform || "")
    });
    document.body.appendChild(out);
  });
});
</script>"""

# One section alone (the page's others hidden), so that its screenshot starts at its title;
# of a section taller than a screenshot, its elements [first, end) in a part of their own.
_SECTION = """<script>
let section = -1, index = 0;
for (const element of Array.from(document.body.children)) {
  if (element.tagName === "SCRIPT" || element.id === "filters") continue;
  if (element.tagName === "H2") [section, index] = [Number(element.id.slice(1)), 0];
  if (section !== %d || index < %d || index >= %d) element.hidden = true;
  index++;
}
// Drawn now: a screenshot does not wait for figures to scroll into view.
document.querySelectorAll("figure.interactive").forEach(f => { if (!f.hidden) window.qutibench.render(f); });
</script>"""
# Chromium's screenshots stop at 16k pixels (and paint nothing far below the top when
# scrolled): a taller section is taken in parts of at most PART pixels each.
PART = 15_000

# Show one task and platform, as a reader choosing in the filter bar would.
_FILTER = """<script>
for (const [id, value] of [["filter-task", "imagenet"], ["filter-platform", "zcu104-finn"]]) {
  const select = document.getElementById(id);
  select.value = value;
  select.dispatchEvent(new Event("change"));
}
document.querySelectorAll("figure.interactive").forEach(f => { if (!f.hidden) window.qutibench.render(f); });
</script>"""


def _chromium(*args: str, timeout: int = 300) -> str:
    browser = shutil.which("chromium")
    if browser is None:
        raise SystemExit("check.py: chromium not found (Debian's chromium package)")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise SystemExit(f"check.py: chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def _variant(index: Path, name: str, head: str = "", tail: str = "") -> Path:
    """A copy of the page beside it (its plotly.js resolves) with scripts added."""
    page = index.read_text(encoding="utf-8")
    page = page.replace("<head>", "<head>\n" + head, 1).replace("</body>", tail + "\n</body>", 1)
    path = index.with_name(name)
    path.write_text(page, encoding="utf-8")
    return path


def expected_figures() -> set[str]:
    """Every figure the default report holds (report.py's names)."""
    names = {f"{kind}-{t}" for kind in ("heatmap", "pareto", "overlay") for t in report.TASKS}
    names |= {f"roofline-{pf.id}" for pf in qutibench.load_platforms()}
    names |= {f"latency-vs-throughput-{r['platform']}" for r in qutibench.load_measurements(report.SHIPPED_MEASUREMENTS)}
    names |= {"predicted-vs-measured", "measurement-boxes", "llm-tokens-vs-batch", "llm-ttft-vs-prompt",
              "llm-roofline", "llm-throughput-latency", "llm-capacity"}
    return names


def _drawn_rows(png: Path) -> float:
    """The share of a screenshot's rows that hold a dark pixel (text, a line, a cell)."""
    pixels = matplotlib.image.imread(png)[:, :, :3]
    return float((pixels < 0.9).any(axis=(1, 2)).mean())


def _parts(heights: list[float]) -> list[tuple[int, int, float]]:
    """A section's elements in runs [first, end) of at most PART pixels (an element taller
    than that alone), each with its height."""
    parts: list[tuple[int, int, float]] = []
    first, height = 0, 0.0
    for k, h in enumerate(heights):
        if k > first and height + h > PART:
            parts.append((first, k, height))
            first, height = k, 0.0
        height += h
    return parts + [(first, len(heights), height)]


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "report-browser")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.png"):  # a previous run's parts
        stale.unlink()
    index = report.write_report(out / "report", progress=False)

    probe = _variant(index, "probe.html", _CATCH, _PROBE)
    dom = _chromium("--virtual-time-budget=120000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    problems = []
    heights: list[list[float]] = []  # each section's elements' heights, from the probe
    bar = 0.0  # the filter bar's height, above each screenshot
    if found is None:
        problems.append("the page never finished rendering its figures (no probe result)")
    else:
        result = json.loads(found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
                            .replace("&amp;", "&"))
        problems += [f"JavaScript error: {e}" for e in result["errors"]]
        figures = {f["id"]: f for f in result["figures"]}
        problems += [f"figure missing: {name}" for name in sorted(expected_figures() - set(figures))]
        problems += [f"blank figure: {f['id']} ({f['svg']} svg, {f['drawn']} drawn marks)"
                     for f in figures.values() if not f["svg"] or not f["drawn"]]
        if result["rooflines"] != ["roofline-zcu104-finn"]:
            problems.append(f"platform filter zcu104-finn shows the rooflines {result['rooflines']}")
        if result["paretoPlatforms"] != ["zcu104-finn"]:
            problems.append(f"platform filter zcu104-finn shows pareto points of {result['paretoPlatforms']}")
        rows = [f"{c['platform']} {c['datatype']}" for c in qutibench.heatmap("cifar10", "thesis")
                if c["platform"] == "zcu104-finn"]
        if result["heatmapRows"] != list(dict.fromkeys(rows)):
            problems.append(f"platform filter zcu104-finn leaves the CIFAR-10 heatmap rows {result['heatmapRows']}")
        if set(result["rows"]) - {"zcu104-finn", ""}:
            problems.append(f"platform filter zcu104-finn shows table rows of {sorted(set(result['rows']))}")
        bar, heights = result["bar"], result["sections"]
        print(f"check.py: {len(figures)} figures drawn, {sum(f['drawn'] for f in figures.values())} marks, "
              f"{len(result['errors'])} JavaScript errors")

    sections = len(re.findall(r'<h2 id="s\d+">', index.read_text(encoding="utf-8")))
    for i in range(sections):
        for part, (first, end, height) in enumerate(_parts(heights[i] if i < len(heights) else [2400])):
            name = f"section-{i}" + (f"-part{part + 1}" if part else "")
            alone = _variant(index, f"{name}.html", tail=_SECTION % (i, first, end))
            _chromium(f"--window-size=1280,{round(bar + height + 64)}", "--virtual-time-budget=30000",
                      f"--screenshot={out / f'{name}.png'}", alone.as_uri())
    filtered = _variant(index, "filtered.html", tail=_FILTER)
    _chromium("--window-size=1280,2400", "--virtual-time-budget=30000", f"--screenshot={out / 'filtered.png'}",
              filtered.as_uri())
    shots = sorted(p.name for p in out.glob("*.png"))
    problems += [f"blank screenshot: {p} ({share:.0%} of its rows drawn)" for p in shots
                 if (share := _drawn_rows(out / p)) < 0.3]
    print(f"check.py: screenshots in {out}: {', '.join(shots)}")
    for p in problems:
        print(f"check.py: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
