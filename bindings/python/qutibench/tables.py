"""Tables: lists of dicts, one per row, with ``to_pandas()`` for notebooks; sweeps: numpy
arrays with the labels of their axes."""
from __future__ import annotations

import html
import itertools


class Table(list):
    """Rows (dicts with the same keys) as a list; ``to_pandas()`` gives a DataFrame, and a
    notebook shows it as an HTML table."""

    @property
    def columns(self) -> list[str]:
        return list(self[0]) if self else []

    def to_pandas(self):
        """The rows as a pandas DataFrame (columns in row order)."""
        import pandas as pd

        return pd.DataFrame(list(self), columns=self.columns or None)

    def _repr_html_(self) -> str:
        # Plain HTML without pandas: a notebook shows a Table even where pandas is not installed.
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_text(row.get(c)))}</td>" for c in self.columns) + "</tr>"
                       for row in self)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class Sweep(dict):
    """``qutibench.sweep``'s result: arrays of shape (platforms, batches, datatypes) under
    ``latency_s`` and ``inputs_per_s`` (NaN where unsupported) and their axes' labels under
    ``platforms``, ``modes``, ``batches`` and ``datatypes``."""

    def rows(self) -> Table:
        """One row per point: platform, mode, batch, datatype, latency_s, inputs_per_s (None
        where unsupported, as ``predict`` gives it)."""
        out = Table()
        axes = (range(len(self["platforms"])), range(len(self["batches"])), range(len(self["datatypes"])))
        for i, j, k in itertools.product(*axes):
            latency = float(self["latency_s"][i, j, k])
            out.append({"platform": self["platforms"][i], "mode": self["modes"][i], "batch": self["batches"][j],
                        "datatype": self["datatypes"][k], "latency_s": None if latency != latency else latency,
                        "inputs_per_s": None if latency != latency else float(self["inputs_per_s"][i, j, k])})
        return out

    def to_pandas(self):
        """The points as a long DataFrame (``rows()``; NaN where unsupported)."""
        return self.rows().to_pandas()
