"""The example scripts run (offline) and print what they promise."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted(p for p in (Path(__file__).resolve().parents[1] / "examples").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, capsys):
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert len(out.splitlines()) >= 4


def test_there_are_examples():
    assert len(EXAMPLES) >= 2


def test_readme_picture_is_made_by_the_script(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.image

    root = Path(__file__).resolve().parents[1]
    written = runpy.run_path(str(root / "docs" / "figures.py"))["main"](tmp_path)
    image = matplotlib.image.imread(str(written))
    assert image.shape[0] > 400 and image.shape[1] > 700 and image[..., :3].std() > 0.05
    assert "docs/img/time_distance.png" in (root / "README.md").read_text(encoding="utf-8")
    assert (root / "docs" / "img" / "time_distance.png").stat().st_size > 20_000
