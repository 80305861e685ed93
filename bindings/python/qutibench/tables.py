"""Tables: lists of dicts, one per row, with ``to_pandas()`` for notebooks."""
from __future__ import annotations


class Table(list):
    """Rows (dicts with the same keys) as a list; ``to_pandas()`` gives a DataFrame."""

    @property
    def columns(self) -> list[str]:
        return list(self[0]) if self else []

    def to_pandas(self):
        """The rows as a pandas DataFrame (columns in row order)."""
        import pandas as pd

        return pd.DataFrame(list(self), columns=self.columns or None)
