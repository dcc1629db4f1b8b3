"""A non-editable install of the built wheel finds the full dataset, from any directory."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    src = tmp_path_factory.mktemp("src")
    for name in ("setup.cfg", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("transit", "routes"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "_routes"))
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index", "-q", "-w", str(out), str(src)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("transit-*.whl")
    return built


def test_wheel_installed_with_no_deps_loads_the_full_network(wheel, tmp_path):
    target = tmp_path / "site"
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import transit; "
        "net = transit.load_network(); "
        "print(json.dumps({'file': transit.__file__, 'nodes': net.number_of_nodes(), 'crossings': len(net.graph['crossings']), "
        "'regimes': sorted(net.graph['regimes']), 'routes': len(net.graph['routes']), "
        "'data': str(transit.datasets.routes_dir())}))"
    )
    result = subprocess.run([sys.executable, "-c", script, str(target)], cwd=elsewhere, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["file"].startswith(str(target))
    assert info["data"].startswith(str(target)) and info["data"].endswith("_routes")
    import transit

    net = transit.load_network()
    assert info["nodes"] == net.number_of_nodes()
    assert info["crossings"] == len(net.graph["crossings"])
    assert info["regimes"] == sorted(net.graph["regimes"])
    assert info["routes"] == len(net.graph["routes"])
    shipped = {p.relative_to(target / "transit" / "_routes").as_posix() for p in (target / "transit" / "_routes").rglob("*") if p.is_file()}
    source = {p.relative_to(ROOT / "routes").as_posix() for p in (ROOT / "routes").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert source <= shipped


def test_wheel_ships_the_api_and_its_offline_docs_assets(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"):
        assert f"transit/api/static/swagger-ui/{asset}" in names
    assert {"transit/api/__init__.py", "transit/api/app.py", "transit/api/models.py", "transit/api/problems.py"} <= names
