"""Saving and loading networks (transit.save_network / transit.load_network of a file) and the graph check at the public entries."""

from __future__ import annotations

import tomllib
import warnings
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

import transit
from tests.conftest import line_network
from transit._toml import Inline, dumps
from transit._validate import check_network
from transit.io import FORMAT_VERSION, NO_SOURCE, STUB_NOTE, load_saved_network

LIECHTENSTEIN = Path(__file__).resolve().parent / "data" / "liechtenstein-latest.osm.pbf"
DEPARTURE = "2017-10-30T08:00"


def _same_trip(a: transit.Trip, b: transit.Trip) -> None:
    assert a.path == b.path
    assert a.crossings == b.crossings
    assert a.total_h == b.total_h and a.arrival == b.arrival
    assert a.distance_km == b.distance_km
    assert a.cost == b.cost
    assert [(e.activity, e.start, e.end) for e in a.events] == [(e.activity, e.start, e.end) for e in b.events]


def _same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    assert list(a.nodes) == list(b.nodes)
    assert list(a.edges(keys=True)) == list(b.edges(keys=True))
    for node, data in a.nodes(data=True):
        assert dict(b.nodes[node]) == dict(data)
    for u, v, k, data in a.edges(keys=True, data=True):
        other = b.edges[u, v, k]
        assert {x: y for x, y in other.items() if x != "geometry"} == {x: y for x, y in data.items() if x != "geometry"}
        assert list(other["geometry"].coords) == list(data["geometry"].coords)
    assert set(a.graph) == set(b.graph)
    for key in a.graph:
        assert a.graph[key] == b.graph[key], key


@pytest.fixture(scope="module")
def saved(net, tmp_path_factory):
    path = transit.save_network(net, tmp_path_factory.mktemp("io") / "sco.graphml")
    return path, transit.load_network(path)


@pytest.fixture(scope="module")
def li_saved(tmp_path_factory):
    pytest.importorskip("osmium")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", transit.osm.UnmatchedCrossingWarning)
        graph = transit.graph_from_osm(LIECHTENSTEIN)
    path = transit.save_network(graph, tmp_path_factory.mktemp("io") / "li.graphml")
    return graph, transit.load_network(path)


# -- curated network -------------------------------------------------------------------------------


def test_curated_network_round_trips(net, saved):
    _, again = saved
    _same_graph(net, again)
    assert again.graph["regimes"] == net.graph["regimes"]
    for rid, regime in net.graph["regimes"].items():
        back = again.graph["regimes"][rid]
        assert (back.name, back.description, back.in_force_from, back.source) == (
            regime.name,
            regime.description,
            regime.in_force_from,
            regime.source,
        )
        assert dict(back.rules) == dict(regime.rules)  # sides, sources and distributions included
    assert isinstance(again.nodes[transit.resolve_place(again, "Kashgar")]["aliases"], tuple)


@pytest.mark.parametrize(("origin", "destination", "via"), [("Kashgar", "Tashkent", ["Irkeshtam"]), ("Urumqi", "Almaty", []), ("Kashgar", "Osh", [])])
def test_curated_trips_and_comparisons_are_identical_after_loading(net, saved, origin, destination, via):
    _, again = saved
    for regime in ("pre-2017", "sco-2017"):
        _same_trip(
            transit.plan_trip(net, origin, destination, regime=regime, departure=DEPARTURE, via=via),
            transit.plan_trip(again, origin, destination, regime=regime, departure=DEPARTURE, via=via),
        )
    a = transit.compare(net, origin, destination, regimes=["pre-2017", "sco-2017"], departure=DEPARTURE, via=via)
    b = transit.compare(again, origin, destination, regimes=["pre-2017", "sco-2017"], departure=DEPARTURE, via=via)
    for rid in a.trips:
        _same_trip(a.trips[rid], b.trips[rid])


def test_reliability_is_identical_after_loading(net, saved):
    _, again = saved
    a = transit.reliability(net, "Kashgar", "Osh", departure=DEPARTURE, samples=300, rng=7)
    b = transit.reliability(again, "Kashgar", "Osh", departure=DEPARTURE, samples=300, rng=7)
    assert a.percentiles_h == b.percentiles_h


def test_saved_file_is_graphml_with_the_dataset_files(saved):
    import osmnx as ox

    path, _ = saved
    raw = ox.load_graphml(path)  # any GraphML reader can open it
    assert raw.graph["transit:format"] == "transit-network" and raw.graph["transit:format_version"] == str(FORMAT_VERSION)
    files = {k.removeprefix("transit:file:") for k in raw.graph if k.startswith("transit:file:")}
    assert {
        "crossings.toml",
        "regimes/sco-2017.toml",
        "regimes/pre-2017.toml",
        "drivers.toml",
        "costs.toml",
        "routes.toml",
        "sources.csv",
        "clearance.csv",
        "dataset.toml",
    } <= files
    crossings = tomllib.loads(raw.graph["transit:file:crossings.toml"])
    assert crossings["crossing"][0]["post"][0]["schedule"]["weekdays"]


def test_saved_dataset_files_read_with_the_dataset_readers(saved, tmp_path, net):
    """The embedded texts, written out as a folder, are a dataset folder the readers accept."""
    import osmnx as ox

    from transit._regime_files import load_country_clearance, load_regime
    from transit.network import read_crossings, read_sources

    path, _ = saved
    raw = ox.load_graphml(path)
    for key, text in raw.graph.items():
        if key.startswith("transit:file:"):
            target = tmp_path / key.removeprefix("transit:file:")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    sources = read_sources(tmp_path / "sources.csv")
    crossings = {c.id: c for c in read_crossings(tmp_path / "crossings.toml", sources)}
    assert crossings == dict(net.graph["crossings"])
    regime = load_regime(
        tmp_path / "regimes" / "sco-2017.toml", crossings=crossings, country_clearance=load_country_clearance(tmp_path / "clearance.csv")
    )
    assert regime == net.graph["regimes"]["sco-2017"]


def test_network_built_in_code_round_trips(tmp_path):
    """Empty sources, costs without sources, a regime without a rule for a crossing, rules without per-side delays."""
    base = line_network()
    partial = transit.Regime(id="partial", name="partial", rules={}, in_force_from=date(2018, 1, 1))
    net = line_network(extra_regimes=(partial,))
    assert net.graph["cost_model"].sources == {} and net.graph["crossings"]["x"].source == ""
    again = transit.load_network(transit.save_network(net, tmp_path / "toy.graphml"))
    _same_graph(net, again)
    assert dict(again.graph["regimes"]["partial"].rules) == {}
    assert again.graph["regimes"]["partial"].in_force_from == date(2018, 1, 1)
    assert dict(again.graph["regimes"]["toy"].rule("x").sides) == {}
    _same_trip(
        transit.plan_trip(base, "west", "east", regime="toy", departure=DEPARTURE),
        transit.plan_trip(again, "west", "east", regime="toy", departure=DEPARTURE),
    )
    import osmnx as ox

    raw = ox.load_graphml(tmp_path / "toy.graphml")
    assert NO_SOURCE in raw.graph["transit:file:crossings.toml"]


def test_what_if_regime_round_trips(net, tmp_path):
    sco = transit.get_regime(net, "sco-2017")
    fast = sco.with_rule(
        "torugart",
        queue={d: transit.Delay.empirical([0.5, 1, 4], source="survey") for d in ("KG>CN", "CN>KG")},
        transshipment=transit.Delay.fixed(2.0, source="guess"),
        schedules={"KG": transit.PostSchedule.build(tz="Asia/Bishkek", weekdays=["Mon", "Wed"], hours=["08:00-12:00", "13:00-24:00"])},
    )
    graph = net.copy()
    graph.graph = {**net.graph, "regimes": {**net.graph["regimes"], fast.id: fast}}
    again = transit.load_network(transit.save_network(graph, tmp_path / "whatif.graphml"))
    assert again.graph["regimes"][fast.id] == fast
    assert again.graph["regimes"][fast.id].rule("torugart").queue["KG>CN"].values_h == (0.5, 1.0, 4.0)


def test_attribute_types_and_odd_values_round_trip(tmp_path):
    net = transit.editable(line_network())
    node = next(iter(net.nodes))
    net.nodes[node].update(note="None", flag=True, count=3, tags=["a", "b"], odd="[1, 2]", ratio=0.1 + 0.2)
    u, v, k = next(iter(net.edges(keys=True)))
    net.edges[u, v, k].update(lanes="2", maxspeed=["50", "60"], osmid=[1, 2])
    net.graph["note"] = {"made": (2017, "test")}
    again = transit.load_network(transit.save_network(net, tmp_path / "odd.graphml"))
    assert dict(again.nodes[node]) == dict(net.nodes[node])
    assert again.nodes[node]["ratio"] == 0.1 + 0.2 and again.nodes[node]["odd"] == "[1, 2]"
    assert dict(again.edges[u, v, k]) | {"geometry": None} == dict(net.edges[u, v, k]) | {"geometry": None}
    assert again.graph["note"] == {"made": (2017, "test")}


# -- OpenStreetMap network -------------------------------------------------------------------------


def test_osm_network_round_trips(li_saved):
    graph, again = li_saved
    _same_graph(graph, again)
    assert again.graph["regimes"] == graph.graph["regimes"]
    assert again.graph["osm_crossings"] == graph.graph["osm_crossings"]
    assert isinstance(next(iter(again.nodes)), int)
    assert "sources" not in again.graph  # OSM networks have no source list; the stub rows written for their posts are left out


def test_osm_posts_cite_a_stub_source(li_saved, tmp_path):
    import osmnx as ox

    graph, _ = li_saved
    raw = ox.load_graphml(transit.save_network(graph, tmp_path / "li.graphml"))
    assert STUB_NOTE in raw.graph["transit:file:sources.csv"] and "OpenStreetMap" in raw.graph["transit:file:sources.csv"]


def test_osm_trips_are_identical_after_loading(li_saved):
    graph, again = li_saved
    for origin, destination in [((47.0667, 9.5000), (47.2375, 9.5325)), ("Vaduz", "Schaan")]:
        _same_trip(
            transit.plan_trip(graph, origin, destination, regime="sco-2017", departure="2024-03-04T08:00"),
            transit.plan_trip(again, origin, destination, regime="sco-2017", departure="2024-03-04T08:00"),
        )
    a = transit.compare(graph, "Vaduz", "Schaan", regimes=["pre-2017", "sco-2017"], departure="2024-03-04T08:00")
    b = transit.compare(again, "Vaduz", "Schaan", regimes=["pre-2017", "sco-2017"], departure="2024-03-04T08:00")
    for rid in a.trips:
        _same_trip(a.trips[rid], b.trips[rid])


# -- writing safely --------------------------------------------------------------------------------


def test_save_is_atomic_and_refuses_what_it_cannot_keep(net, tmp_path, monkeypatch):
    import osmnx as ox

    target = tmp_path / "net.graphml"
    transit.save_network(net, target)
    before = target.read_bytes()

    def broken(graph, path, **kwargs):
        Path(path).write_text("<graphml", encoding="utf-8")  # half a file, then a crash
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ox, "save_graphml", broken)
    with pytest.raises(OSError, match="No space"):
        transit.save_network(net, target)
    monkeypatch.undo()
    assert target.read_bytes() == before  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.graphml"]  # and no temporary file is left

    with pytest.raises(transit.InvalidArgumentError, match=r"ending in \.graphml"):
        transit.save_network(net, tmp_path / "net.gpkg")
    with pytest.raises(transit.InvalidArgumentError, match="does not exist"):
        transit.save_network(net, tmp_path / "missing" / "net.graphml")
    odd = net.copy()
    odd.graph = dict(net.graph)
    odd.nodes[next(iter(odd.nodes))]["when"] = object()
    with pytest.raises(transit.InvalidArgumentError, match="attribute 'when'"):
        transit.save_network(odd, tmp_path / "odd.graphml")


def test_loading_foreign_or_newer_files_says_what_to_do(tmp_path, saved):
    import osmnx as ox

    plain = nx.MultiDiGraph(crs="EPSG:4326")
    plain.add_node(1, x=9.5, y=47.1)
    ox.save_graphml(plain, tmp_path / "plain.graphml")
    with pytest.raises(transit.InvalidNetworkError, match=r"did not write.*graph_from_osm"):
        transit.load_network(tmp_path / "plain.graphml")
    path, _ = saved
    newer = tmp_path / "newer.graphml"
    newer.write_text(path.read_text(encoding="utf-8").replace(">1</data>", ">99</data>", 1), encoding="utf-8")
    with pytest.raises(transit.DataError, match="upgrade transit"):
        load_saved_network(newer)
    (tmp_path / "junk.graphml").write_text("not xml", encoding="utf-8")
    with pytest.raises(transit.DataError, match="not a GraphML file"):
        transit.load_network(tmp_path / "junk.graphml")


# -- the graph check at the public entries ---------------------------------------------------------


def test_osmnx_load_graphml_then_plan_trip_says_how_to_load(net, tmp_path):
    import osmnx as ox

    plain = net.copy()
    plain.graph = dict(net.graph)
    ox.save_graphml(plain, tmp_path / "osmnx.graphml")
    graph = ox.load_graphml(tmp_path / "osmnx.graphml")
    with pytest.raises(transit.InvalidNetworkError, match=r"osmnx\.load_graphml.*transit\.load_network\(path\)"):
        transit.plan_trip(graph, "Kashgar", "Osh", departure=DEPARTURE)
    path = transit.save_network(net, tmp_path / "transit.graphml")
    with pytest.raises(transit.InvalidNetworkError, match=r"written by transit\.save_network.*transit\.load_network\(path\)"):
        transit.plan_trip(ox.load_graphml(path), "Kashgar", "Osh", departure=DEPARTURE)


def test_an_edge_without_length_is_named(net):
    graph = net.copy()
    graph.graph = dict(net.graph)
    u, v, k = next((u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if d["kind"] == "road")
    del graph.edges[u, v, k]["length"]
    with pytest.raises(transit.InvalidNetworkError, match=rf"no 'length' on edge \({u}, {v}, {k}\)") as caught:
        transit.plan_trip(graph, "Kashgar", "Osh", departure=DEPARTURE)
    assert isinstance(caught.value, transit.TransitError) and isinstance(caught.value, ValueError)
    assert caught.value.problems


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda g: transit.plan_trip(g, "Kashgar", "Osh", departure=DEPARTURE), "lacks the graph attributes"),
        (lambda g: transit.compare(g, "Kashgar", "Osh", departure=DEPARTURE), "lacks the graph attributes"),
        (lambda g: transit.reliability(g, "Kashgar", "Osh", departure=DEPARTURE, samples=10), "lacks the graph attributes"),
        (lambda g: transit.departure_profile(g, "Kashgar", "Osh", start="2017-10-30", days=1, samples=10), "lacks the graph attributes"),
        (lambda g: transit.matrix(g, origins=["Kashgar"], destinations=["Osh"], departure=DEPARTURE), "lacks the graph attributes"),
        (lambda g: transit.simulate(g, [1, 2], regime="sco-2017", departure=DEPARTURE), "lacks the graph attributes"),
        (transit.to_gdfs, "lacks the graph attributes"),
        (lambda g: transit.get_regime(g, "sco-2017"), "lacks the graph attributes"),
        (lambda g: transit.resolve_place(g, "Kashgar"), "lacks the graph attributes"),
    ],
)
def test_every_public_entry_checks_the_graph(call, match):
    plain = nx.MultiDiGraph(crs="EPSG:4326")
    plain.add_edge(1, 2, length=10.0)
    with pytest.raises(transit.InvalidNetworkError, match=match):
        call(plain)


def test_projected_and_partial_graphs_are_explained(net):
    graph = net.copy()
    graph.graph = {**net.graph, "crs": "EPSG:32643"}
    with pytest.raises(transit.InvalidNetworkError, match=r"to_latlong=True"):
        check_network(graph)
    graph.graph = {k: v for k, v in net.graph.items() if k != "cost_model"}
    with pytest.raises(transit.InvalidNetworkError, match=r"lacks the graph attribute 'cost_model'"):
        check_network(graph)
    with pytest.raises(transit.InvalidNetworkError, match="expected a network"):
        check_network({"nodes": []})


def test_check_is_cached_and_sees_a_new_graph_dict(net):
    graph = net.copy()
    graph.graph = dict(net.graph)
    check_network(graph)
    graph.graph = {k: v for k, v in net.graph.items() if k != "regimes"}  # a new dict: checked again
    with pytest.raises(transit.InvalidNetworkError, match="'regimes'"):
        check_network(graph)


# -- the TOML writer -------------------------------------------------------------------------------


def test_toml_writer_reads_back_equal():
    doc = {
        "text": 'a "quoted"\\ line\nand a second\ttab \x01',
        "numbers": [0, -1, 1.5, 0.1 + 0.2, float("inf"), 1e-300],
        "day": date(2017, 1, 20),
        "inline": Inline({"*": Inline({"hours": ["10:00-14:00"], "seasonal": [Inline({"from": "05-01"})]})}),
        "empty": [],
        "table": {"KG>CN": {"source": "x"}},
        "rule": [{"crossings": ["a"], "delays": {"KG>CN": {"queue_median_h": 1.0}}}, {"crossings": ["b"]}],
    }
    assert tomllib.loads(dumps(doc, header="two\nlines")) == doc
    with pytest.raises(TypeError, match="None"):
        dumps({"x": None})
