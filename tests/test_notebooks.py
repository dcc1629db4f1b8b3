"""The example notebooks: committed with real outputs and no machine paths, and they still run (offline, seeded).

Each notebook holds ``assert`` cells on its key numbers, so a notebook that silently drifts fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def builder():
    spec = importlib.util.spec_from_file_location("_build_notebooks", EXAMPLES / "_build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stories_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01_kashgar_tashkent_regimes.ipynb",
        "02_route_alternatives.ipynb",
        "03_what_if.ipynb",
        "04_reliability.ipynb",
        "06_history.ipynb",
        "07_road_or_rail.ipynb",
    ]
    assert sorted(builder().NOTEBOOKS) == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_outputs_and_no_machine_paths(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert all(c.get("execution_count") for c in code), "run every cell before committing (examples/_build_notebooks.py)"
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "a story without a picture"
    assert not [c for c in code if "execution" in c.metadata]
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) + str(o.get("data", {}).get("text/html", "")) for o in outputs
    )
    found = builder()._MACHINE_PATH.search(text)
    assert found is None, f"machine path {found.group(0)!r} in an output"
    assert _same_sources(nb, path.name), "the committed notebook differs from examples/_build_notebooks.py: rebuild it"


def _same_sources(nb, name) -> bool:
    """The committed cells are the builder's cells (sources match), so the notebooks and their source agree."""
    fresh = builder().build(builder().NOTEBOOKS[name])
    return [c.source for c in nb.cells] == [c.source for c in fresh.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_offline(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    builder().execute(nb, cwd=EXAMPLES, timeout=600)  # raises CellExecutionError, naming the cell, if an assert fails
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
