"""The model zoo: the thesis's 17 network variants and more, by stable id."""
from __future__ import annotations

from . import _core
from .tables import Table

__all__ = ["catalogue", "get", "ids", "table"]


def catalogue() -> Table:
    """Every zoo network: ``id``, ``task`` ("" for none), ``thesis_name`` (Table 6.1)."""
    return Table(_core.zoo_catalogue())


def ids() -> list[str]:
    """The stable ids, thesis variants first."""
    return [e["id"] for e in _core.zoo_catalogue()]


def get(id: str) -> _core.Topology:
    """Build the zoo network ``id`` (SpecError 301 listing the valid ids)."""
    return _core.zoo_get(id)


def table() -> Table:
    """The `qutibench zoo` table: task, gops, model_me, t_total_me, peak_live_me, oi_* per network."""
    rows = []
    for e in _core.zoo_catalogue():
        row = {"topology": e["id"], "task": e["task"]}
        row.update({k: v for k, v in get(e["id"]).summary().items() if k != "topology"})
        rows.append(row)
    return Table(rows)
