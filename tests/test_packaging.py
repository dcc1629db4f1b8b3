"""The distribution is sco-transit (package and command transit); a non-editable install of the built wheel finds the full dataset, from any directory."""

import email.parser
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import zipfile
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
    (built,) = out.glob("*.whl")
    return built


def test_wheel_installed_with_no_deps_loads_the_full_network(wheel, tmp_path):
    target = tmp_path / "site"
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import importlib.metadata, json, sys; sys.path.insert(0, sys.argv[1]); import transit; "
        "net = transit.load_network(); "
        "print(json.dumps({'file': transit.__file__, 'nodes': net.number_of_nodes(), 'crossings': len(net.graph['crossings']), "
        "'regimes': sorted(net.graph['regimes']), 'routes': len(net.graph['routes']), "
        "'data': str(transit.datasets.routes_dir()), "
        "'dists': [d.metadata['Name'] for d in importlib.metadata.distributions(path=[sys.argv[1]])]}))"
    )
    result = subprocess.run([sys.executable, "-c", script, str(target)], cwd=elsewhere, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["file"].startswith(str(target))
    assert info["dists"] == ["sco-transit"]
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
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"):
        assert f"transit/api/static/swagger-ui/{asset}" in names
    assert {"transit/api/__init__.py", "transit/api/app.py", "transit/api/models.py", "transit/api/problems.py"} <= names


def test_wheel_is_sco_transit_with_the_transit_package_and_command(wheel):
    import transit

    version = transit.__version__
    assert wheel.name.startswith(f"sco_transit-{version}-")
    archive = zipfile.ZipFile(wheel)
    dist_info = f"sco_transit-{version}.dist-info"
    meta = email.parser.Parser().parsestr(archive.read(f"{dist_info}/METADATA").decode("utf-8"))
    assert meta["Name"] == "sco-transit" and meta["Version"] == version
    assert {"api", "osm", "plot"} <= set(meta.get_all("Provides-Extra"))
    assert "pip install sco-transit" in meta.get_payload()  # the README is the long description
    assert re.search(r"^transit = transit\.cli:main$", archive.read(f"{dist_info}/entry_points.txt").decode("utf-8"), re.MULTILINE)
    packages = {name.split("/")[0] for name in archive.namelist() if not name.startswith(dist_info)}
    assert packages == {"transit"}


def test_installed_distribution_is_sco_transit():
    assert importlib.metadata.version("sco-transit") == __import__("transit").__version__
    assert "transit = transit.cli:main" in {f"{e.name} = {e.value}" for e in importlib.metadata.entry_points(group="console_scripts")}


# "pip install" then options, then a requirement: `transit`, `transit[api]` or `'transit[plot]'` is the wrong package.
_WRONG_NAME = re.compile(r"pip install(?:\s+--?[\w-]+)*\s+['\"]?transit(?![\w-])")
_HINT = re.compile(r"pip install(?:\s+--?[\w-]+)*\s+['\"]?sco-transit\b")


def _text_files():
    for pattern in (
        "README.md",
        "Makefile",
        "setup.cfg",
        "docs/**/*.md",
        "docs/**/*.py",
        "examples/**/*.py",
        "examples/**/*.ipynb",
        "bench/**/*.py",
        "transit/**/*.py",
    ):
        yield from ROOT.glob(pattern)


def test_every_pip_install_hint_names_sco_transit():
    wrong, hints = [], 0
    for path in _text_files():
        text = path.read_text(encoding="utf-8")
        wrong += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in _WRONG_NAME.finditer(text)]
        hints += len(_HINT.findall(text))
    assert wrong == []
    assert hints >= 6  # README (core and three extras), the dataset's reinstall hint, `transit serve --help`
    from transit._extras import EXTRAS, install_hint

    assert {extra: install_hint(extra) for extra in EXTRAS} == {
        extra: f"pip install 'sco-transit[{extra}]'" for extra in ("api", "osm", "plot", "sweep")
    }
