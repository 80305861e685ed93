"""The report's page: sections of interactive figures (Plotly, its JavaScript written beside the
page, so it works offline) and tables, with filters by task, platform and datatype, a CSV
download under every table and an SVG download in every figure's toolbar.

Figures render when they scroll into view (a report holds a hundred); ``qutibench.render(figure)``
renders one now, ``qutibench.renderAll()`` renders them all and resolves when done, ``qutibench.apply()`` applies the filter bar's
choices (resolving when the figures are redrawn), ``qutibench.errors`` lists what failed to draw.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

__all__ = ["Figure", "Html", "Section", "html_table", "render", "write_plotly_js"]

PLOTLY_JS = "plotly.js"


@dataclass
class Figure:
    """A figure: its name (the anchor, the downloads' file name), caption, Plotly figure dict,
    filter keys (``task``, ``platform``, ``datatype``) and static files written beside the page."""
    name: str
    caption: str
    plot: dict
    keys: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


@dataclass
class Html:
    """Ready HTML (a table, a paragraph) placed between the figures."""
    text: str


@dataclass
class Section:
    title: str
    intro: str
    items: list


def _keys(keys: dict) -> str:
    return "".join(f' data-{k}="{html.escape(str(v))}"' for k, v in keys.items() if v)


def html_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 0, name: str = "table",
               keys: Sequence[dict] | None = None) -> str:
    """A table whose columns from ``numeric_from`` on are right-aligned numbers, each row with
    its filter ``keys``, and a button that downloads it (the rows the filters show) as
    ``name``.csv."""
    def cell(tag: str, i: int, text: str) -> str:
        cls = ' class="num"' if i >= numeric_from else ""
        return f"<{tag}{cls}>{html.escape(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    keys = keys or [{}] * len(rows)
    body = "\n".join(f"<tr{_keys(k)}>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>"
                     for r, k in zip(rows, keys))
    return (f'<div class="table"><table data-name="{html.escape(name)}">\n<thead><tr>{head}</tr></thead>\n'
            f'<tbody>\n{body}\n</tbody>\n</table>\n<button type="button" class="csv">download {html.escape(name)}.csv'
            "</button></div>")


_CSS = """body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222;
       line-height: 1.45; }
figure { margin: 1.5em 0; }
figure .plot { min-height: 380px; border: 1px solid #ddd; }
figcaption { font-size: 0.95em; color: #333; margin-top: 0.3em; }
figcaption a { margin-left: 0.6em; }
.table { overflow-x: auto; margin: 0.8em 0 1.6em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; }
th { background: #f0f0f0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
button.csv { margin-top: 0.3em; }
#filters { position: sticky; top: 0; background: #fff; padding: 0.5em 0; border-bottom: 1px solid #ccc; z-index: 10; }
#filters label { margin-right: 1.2em; }
nav li { margin: 0.1em 0; }"""

# Figures render when near the viewport; filters hide figures and table rows whose keys
# differ and the traces whose meta (set by qutibench.plot.tag) differs.
_JS = """(function () {
  const filters = {task: "", platform: "", datatype: ""};
  const figures = Array.from(document.querySelectorAll("figure.interactive"));
  const drawn = new Map();
  const errors = [];
  function matches(keys) {
    return Object.keys(filters).every(k => !filters[k] || !keys || !keys[k] || keys[k] === filters[k]);
  }
  const whole = new Map();
  function keepRows(div) {
    // A heatmap whose rows carry keys (meta.rows): only the rows the filters match, their
    // labels and cell values renumbered; the whole heatmap kept to come back to.
    const index = div.data.findIndex(t => t.type === "heatmap" && t.meta && t.meta.rows);
    if (index < 0) return Promise.resolve();
    if (!whole.has(div)) {
      whole.set(div, {z: div.data[index].z, text: div.data[index].text, labels: div.layout.yaxis.ticktext,
                      notes: div.layout.annotations || []});
    }
    const all = whole.get(div);
    const rows = div.data[index].meta.rows;
    const kept = rows.map((r, i) => i).filter(i => matches(rows[i]));
    const at = new Map(kept.map((i, j) => [i, j]));
    const notes = kept.length ? all.notes.filter(a => a.yref !== "y" || at.has(Math.round(a.y)))
      .map(a => a.yref === "y" ? Object.assign({}, a, {y: at.get(Math.round(a.y))}) : a)
      : [{text: "no row matches the filters", xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false}];
    return Plotly.update(div, {z: [kept.map(i => all.z[i])], text: [all.text ? kept.map(i => all.text[i]) : null],
                               y: [kept.map((i, j) => j)]},
                         {"yaxis.tickvals": kept.map((i, j) => j), "yaxis.ticktext": kept.map(i => all.labels[i]),
                          "yaxis.range": [kept.length - 0.5, -0.5], annotations: notes}, [index]);
  }
  function showTraces(div) {
    return Plotly.restyle(div, {visible: div.data.map(t => matches(t.meta))}).then(() => keepRows(div));
  }
  function render(figure) {
    if (!drawn.has(figure)) {
      const spec = JSON.parse(figure.querySelector("script").textContent);
      const div = figure.querySelector(".plot");
      const config = {responsive: true, displaylogo: false,
                      toImageButtonOptions: {format: "svg", filename: figure.id}};
      drawn.set(figure, Plotly.newPlot(div, spec.data, spec.layout, config).then(() => showTraces(div))
        .catch(e => { errors.push(figure.id + ": " + e); }));
    }
    return drawn.get(figure);
  }
  const watcher = new IntersectionObserver(entries => entries.forEach(e => {
    if (e.isIntersecting) { render(e.target); watcher.unobserve(e.target); }
  }), {rootMargin: "800px"});
  figures.forEach(f => watcher.observe(f));
  function apply() {
    Object.keys(filters).forEach(k => { filters[k] = document.getElementById("filter-" + k).value; });
    document.querySelectorAll("figure.interactive, tbody tr").forEach(el => { el.hidden = !matches(el.dataset); });
    return Promise.all(Array.from(drawn, ([figure, done]) =>
      done.then(() => showTraces(figure.querySelector(".plot")))));
  }
  document.querySelectorAll("#filters select").forEach(s => s.addEventListener("change", apply));
  function quote(text) { return /[",\\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text; }
  document.querySelectorAll("button.csv").forEach(button => button.addEventListener("click", () => {
    const table = button.parentNode.querySelector("table");
    const lines = Array.from(table.rows).filter(r => !r.hidden).map(r => Array.from(r.cells).map(c => {
      const numeric = c.classList.contains("num") && c.tagName === "TD";
      return quote(numeric ? c.textContent.replace(/,/g, "") : c.textContent);
    }).join(","));
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([lines.join("\\n") + "\\n"], {type: "text/csv"}));
    link.download = table.dataset.name + ".csv";
    link.click();
  }));
  window.qutibench = {errors: errors, apply: apply, render: render,
                      renderAll: () => Promise.all(figures.map(render))};
})();"""


def _select(name: str, values: Sequence[str]) -> str:
    options = "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in values)
    return (f'<label>{name} <select id="filter-{name}"><option value="">all</option>{options}</select></label>')


def _figure(figure: Figure) -> str:
    # "</" inside a script element would end it early.
    spec = json.dumps(figure.plot, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    links = "".join(f'<a href="{html.escape(f)}">{html.escape(Path(f).suffix[1:].upper())}</a>' for f in figure.files)
    return (f'<figure class="interactive" id="{html.escape(figure.name)}"{_keys(figure.keys)}>\n'
            f'<div class="plot"></div>\n<script type="application/json">{spec}</script>\n'
            f"<figcaption>{html.escape(figure.caption)}{links}</figcaption>\n</figure>")


def render(sections: list[Section], title: str, intro: str) -> str:
    """The page: title, intro, filters (the values the figures and table rows carry), contents, sections."""
    found: dict[str, set] = {"task": set(), "platform": set(), "datatype": set()}
    for s in sections:
        for item in s.items:
            if isinstance(item, Figure):
                for k, v in item.keys.items():
                    found[k].add(v)
                for trace in item.plot["data"]:
                    meta = trace.get("meta") or {}
                    for keys in [meta, *meta.get("rows", [])]:
                        for k in found:
                            if keys.get(k):
                                found[k].add(keys[k])
    filters = "".join(_select(k, sorted(found[k])) for k in ("task", "platform", "datatype"))
    toc = "\n".join(f'<li><a href="#s{i}">{html.escape(s.title)}</a></li>' for i, s in enumerate(sections))
    parts = [f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             f"<title>{html.escape(title)}</title>\n<style>\n{_CSS}\n</style>\n"
             f'<script src="{PLOTLY_JS}"></script>\n</head>\n<body>\n'
             f"<h1>{html.escape(title)}</h1>\n{intro}\n<nav><ol>\n{toc}\n</ol></nav>\n"
             f'<div id="filters">Show only: {filters}</div>']
    for i, s in enumerate(sections):
        parts.append(f'<h2 id="s{i}">{html.escape(s.title)}</h2>\n<p>{s.intro}</p>')
        parts += [_figure(item) if isinstance(item, Figure) else item.text for item in s.items]
    parts.append(f"<script>\n{_JS}\n</script>\n</body>\n</html>\n")
    return "\n".join(parts)


def write_plotly_js(out: Path) -> None:
    """Plotly's JavaScript beside the page (from Debian's python3-plotly): no network needed."""
    from plotly.offline import get_plotlyjs

    (out / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")
