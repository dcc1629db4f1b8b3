"""Everyday use: the version, missing extras that say what to install, tables with headers and room, listings that say when they are empty, short reprs."""

import importlib
import json
import re
import sys

import pytest

import transit
from tests.conftest import run_cli as run
from transit.errors import MissingExtraError


def test_version(capsys):
    code, out, err = run(capsys, "--version")
    assert code == 0 and err == "" and out.strip() == f"transit {transit.__version__}"


def test_serve_help_shows_the_api_extra(capsys):
    code, out, _ = run(capsys, "serve", "--help")
    assert code == 0
    assert "pip install 'sco-transit[api]'" in " ".join(out.split())
    assert "\\[" not in out


# -- a missing extra names the command that installs it ----------------------------------------------------------


def test_transit_plot_without_matplotlib_names_the_plot_extra(monkeypatch):
    monkeypatch.delitem(sys.modules, "transit.plot", raising=False)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(MissingExtraError, match=re.escape("pip install 'sco-transit[plot]'")) as info:
        importlib.import_module("transit.plot")
    err = info.value
    assert err.extra == "plot" and err.name == "matplotlib" and "matplotlib is missing" in str(err)
    assert isinstance(err, ImportError) and isinstance(err, transit.TransitError)


def test_map_without_folium_names_the_plot_extra(monkeypatch, net):
    tplot = pytest.importorskip("transit.plot")
    trip = transit.plan_trip(net, "Kashgar", "Osh", departure="2017-10-30T08:00")
    monkeypatch.setitem(sys.modules, "folium", None)
    with pytest.raises(MissingExtraError, match=re.escape("pip install 'sco-transit[plot]'")) as info:
        tplot.map(trip, offline=True)
    assert info.value.name == "folium"


def test_graph_from_osm_without_pyosmium_names_the_osm_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "osmium", None)
    with pytest.raises(MissingExtraError, match=re.escape("pip install 'sco-transit[osm]'")) as info:
        transit.graph_from_osm(tmp_path / "kyrgyzstan-latest.osm.pbf")
    assert info.value.extra == "osm" and info.value.name == "osmium"


@pytest.mark.parametrize("module", ["uvicorn", "fastapi"])
def test_serve_without_the_api_extra(capsys, monkeypatch, module):
    # transit.api may already be imported by other tests: drop it so that `serve` imports it again.
    for name in [m for m in sys.modules if m == "transit.api" or m.startswith("transit.api.")]:
        monkeypatch.delitem(sys.modules, name)
    # A submodule already in sys.modules (uvicorn.protocols...) would be found without its parent: drop those too.
    for name in [m for m in sys.modules if m.startswith(f"{module}.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)
    code, out, err = run(capsys, "serve")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and f"({module} is missing): pip install 'sco-transit[api]'" in err and len(err.splitlines()) == 1


# -- tables -------------------------------------------------------------------------------------------------------


def test_plan_table_has_a_header_for_every_column(capsys):
    code, out, _ = run(capsys, "plan", "Tashkent", "Kashgar", "--depart", "2017-10-30T06:00")
    assert code == 0
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("local start"))
    header = lines[at]
    assert re.split(r"\s{2,}", header) == ["local start", "time zone", "activity", "hours", "km", "where"]
    zone = header.index("time zone")
    rows = lines[at + 1 : lines.index("", at)]
    cities = {row[zone:].split()[0] for row in rows}
    assert {"Tashkent", "Bishkek", "Shanghai"} <= cities
    assert all(row[zone - 2 : zone] == "  " for row in rows)  # the column before ends in time


def test_compare_columns_are_as_wide_as_their_longest_cell(capsys):
    code, out, _ = run(capsys, "compare", "Urumqi", "Moscow", "--depart", "2017-10-30T08:00", "--regimes", "pre-2017,history")
    assert code == 0
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("pre-2017"))
    header, rows = lines[at], lines[at + 1 : lines.index("", at)]
    edges = [header.index(name) + len(name) for name in ("pre-2017", "history", "saving")]
    routes = next(row for row in rows if row.startswith("crossings"))
    assert len(routes) > 24 + 24 + len("crossings")  # long enough to have run together in fixed 24-character columns
    for row in rows:
        cells = re.split(r"\s{2,}", row.strip())
        assert len(cells) in (3, 4), row  # label, two regimes and maybe the saving: never two cells run together
        for edge in edges[: len(cells) - 1]:
            assert row[edge - 1] != " " and (len(row) == edge or row[edge] == " "), (row, edge)


# -- listings -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["places", "crossings"])
def test_unknown_country_is_an_error_listing_the_countries(capsys, command):
    code, out, err = run(capsys, command, "--country", "XX")
    assert code == 2 and out == ""
    assert f"no {command} in XX; countries are " in err and "KG" in err and "CN" in err and len(err.splitlines()) == 1


def test_country_code_is_case_insensitive(capsys):
    code, out, _ = run(capsys, "places", "--country", "kg", "--format", "json")
    assert code == 0 and {row["country"] for row in json.loads(out)} == {"KG"}


def test_known_country_without_places_says_so_and_succeeds(capsys, monkeypatch):
    from transit import cli

    real = cli.to_gdfs

    def without_afghan_places(net):
        places, crossings, segments = real(net)
        return places[places["country"] != "AF"], crossings, segments

    monkeypatch.setattr(cli, "to_gdfs", without_afghan_places)
    code, out, err = run(capsys, "places", "--country", "AF")
    assert (code, out.strip(), err) == (0, "no places in AF", "")
    code, out, err = run(capsys, "places", "--country", "AF", "--format", "json")
    assert code == 0 and json.loads(out) == [] and err.strip() == "no places in AF"


# -- reprs --------------------------------------------------------------------------------------------------------


def test_regime_repr_is_one_short_line(net):
    regime = net.graph["regimes"]["sco-2017"]
    text = repr(regime)
    assert "\n" not in text and len(text) < 300
    assert "'sco-2017'" in text and regime.name in text and "in force from 2017-01-20" in text
    assert f"{len(regime.rules)} crossing rules" in text
    closed = sum(not rule.open_to_freight for rule in regime.rules.values())
    assert f"({closed} closed to freight)" in text
    assert f"({closed + 1} closed to freight)" in repr(regime.with_rule("torugart", open_to_freight=False))
    assert "no in_force_from" in repr(net.graph["regimes"]["pre-2017"])
