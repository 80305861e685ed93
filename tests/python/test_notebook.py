"""examples/notebooks/level0_tour.ipynb runs headlessly without a cell error, and is stored
without outputs. The kernel inherits PYTHONPATH and MPLBACKEND=Agg from this process."""
import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("torchvision")

NOTEBOOK = pathlib.Path(__file__).resolve().parents[2] / "examples" / "notebooks" / "level0_tour.ipynb"


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_notebook_runs(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": tmp_path}}).execute()  # CellExecutionError on failure
    assert all(not any(o.get("output_type") == "error" for o in c.get("outputs", [])) for c in nb.cells)
