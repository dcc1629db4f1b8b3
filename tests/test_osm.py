"""Networks from OpenStreetMap files: reading, countries, border posts, crossings, speeds, snapping, and trips on them."""

from __future__ import annotations

import bz2
import os
import re
import warnings
from pathlib import Path

import networkx as nx
import pytest

pytest.importorskip("osmium")
ox = pytest.importorskip("osmnx")

import transit  # noqa: E402
from transit.datasets import sample_osm  # noqa: E402
from transit.osm import DEFAULT_CONTROLLED, UnmatchedCrossingWarning, graph_from_osm  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
LIECHTENSTEIN = DATA / "liechtenstein-latest.osm.pbf"
#: OSM node ids of the barrier=border_control nodes in the Liechtenstein extract (Schaanwald / Feldkirch).
LI_POSTS = {3256854622, 3256854623, 3256854624}


@pytest.fixture(scope="module")
def li():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = graph_from_osm(LIECHTENSTEIN)
    return graph, [w for w in caught if issubclass(w.category, UnmatchedCrossingWarning)]


@pytest.fixture(scope="module")
def corridor(net):
    # The hand-made corridor's coordinates are approximate (its Dostuk lies 18 km from the real one): a wide match.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedCrossingWarning)
        return graph_from_osm(sample_osm("corridor_kashgar_tashkent_with_admin.osm"), crossings=net, match_km=25)


# -- reading ---------------------------------------------------------------------------------------


def test_osm_bz2_and_pbf_give_the_same_network(tmp_path, net):
    xml = sample_osm("corridor_kashgar_tashkent_with_admin.osm")
    packed = tmp_path / "corridor.osm.bz2"
    packed.write_bytes(bz2.compress(xml.read_bytes()))
    graphs = []
    for path in (xml, packed, sample_osm("corridor_kashgar_tashkent_with_admin.osm.pbf")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnmatchedCrossingWarning)
            graphs.append(graph_from_osm(path, crossings=net, match_km=25))
    summaries = [
        (
            sorted(g.nodes),
            sorted((u, v) for u, v in g.edges()),
            sorted(g.graph["crossings"]),
            sorted((n, d["country"]) for n, d in g.nodes(data=True)),
        )
        for g in graphs
    ]
    assert summaries[0] == summaries[1] == summaries[2]


def test_bad_paths_and_files_say_what_is_expected(tmp_path):
    with pytest.raises(transit.InvalidArgumentError, match=r"expected \.osm, \.osm\.bz2 or \.osm\.pbf"):
        graph_from_osm(tmp_path / "roads.csv")
    with pytest.raises(transit.InvalidArgumentError, match="no OpenStreetMap file at"):
        graph_from_osm(tmp_path / "missing.osm.pbf")
    junk = tmp_path / "junk.osm"
    junk.write_text("this is not xml", encoding="utf-8")
    with pytest.raises(transit.DataError, match=r"junk\.osm"):
        graph_from_osm(junk)
    with pytest.raises(transit.InvalidArgumentError, match="footway"):
        graph_from_osm(sample_osm(), highways=["primary", "footway"])


def test_osmnx_settings_are_restored(net):
    before = (list(ox.settings.useful_tags_node), list(ox.settings.useful_tags_way))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedCrossingWarning)
        graph_from_osm(sample_osm("corridor_kashgar_tashkent_with_admin.osm"))
    assert (list(ox.settings.useful_tags_node), list(ox.settings.useful_tags_way)) == before


# -- Liechtenstein: real borders with Austria and Switzerland --------------------------------------


def test_liechtenstein_countries_posts_and_crossings(li):
    graph, caught = li
    countries = {d["country"] for _, d in graph.nodes(data=True)}
    assert {"LI", "AT", "CH"} <= countries
    # Every mapped post on a road trucks may use survives simplification. (The two Feldkirch posts stand on
    # Liechtensteiner Strasse, tagged hgv=no: not on the truck network, as in Valhalla's truck routing.)
    from transit._osm_read import read_extract
    from transit.osm import TRUCK_HIGHWAYS

    extract = read_extract(LIECHTENSTEIN, frozenset(TRUCK_HIGHWAYS))
    road_nodes = set(extract.road_nodes().tolist())
    on_truck_roads = {n for n in extract.posts if n in road_nodes}
    assert on_truck_roads == {3256854624} and LI_POSTS - on_truck_roads == {3256854622, 3256854623}
    for post in on_truck_roads:
        assert post in graph and graph.nodes[post]["kind"] == "border_post", "border posts must survive simplification"
    found = graph.graph["osm_crossings"]
    pairs = {c["countries"] for c in found}
    assert pairs == {"AT-LI", "CH-LI"}
    controlled = [c for c in found if c["controlled"]]
    assert controlled and all(c["countries"] == "AT-LI" for c in controlled)
    assert any("Schaanwald" in c["name"] for c in controlled)
    for u, v, data in graph.edges(data=True):  # every change of country is a crossing link, and only those are
        changes = graph.nodes[u]["country"] != graph.nodes[v]["country"]
        assert changes == (data.get("kind") == "crossing"), (u, v)
        if changes:
            assert data["crossing_id"] in graph.graph["crossings"]
    assert {w.message.args[0].split("'")[1] for w in caught} == {c["name"] for c in controlled}
    open_border = next(c for c in found if c["countries"] == "CH-LI")
    rule = transit.get_regime(graph, "sco-2017").rule(open_border["crossing_id"])
    assert rule.expected_delay_h("LI>CH") == 0


def test_liechtenstein_graph_follows_the_conventions(li):
    graph, _ = li
    assert graph.graph["crs"] == "EPSG:4326"
    for _, data in graph.nodes(data=True):
        assert {"x", "y", "country", "tz", "kind", "name"} <= data.keys()
    assert {d["tz"] for _, d in graph.nodes(data=True)} == {"Europe/Vaduz", "Europe/Vienna", "Europe/Zurich"}
    for _, _, data in graph.edges(data=True):
        assert data["length"] > 0 and 0 < data["speed_kph"] <= 80
        assert data["travel_time"] == pytest.approx(data["length"] / (data["speed_kph"] / 3.6))
        assert data["geometry"].geom_type == "LineString"
    nodes, edges = ox.graph_to_gdfs(graph)  # osmnx accepts it unchanged
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    vaduz, ruggell = transit.resolve_place(graph, "Vaduz"), transit.resolve_place(graph, "Ruggell")
    assert ox.routing.shortest_path(graph, vaduz, ruggell, weight="travel_time")[-1] == ruggell


def test_liechtenstein_trip_and_snapping(li):
    graph, _ = li
    trip = transit.plan_trip(graph, (47.0667, 9.5000), (47.2375, 9.5325), regime="sco-2017", departure="2024-03-04T08:00")
    assert 20 < trip.distance_km < 26  # Valhalla's truck route Balzers -> Ruggell: about 23.2 km
    assert trip.departure.tzinfo.key == "Europe/Vaduz"
    frame = trip.to_geodataframe()
    assert frame.crs == "EPSG:4326" and len(frame) == 1 and frame.geometry.iloc[0].length > 0.1
    with pytest.raises(transit.UnknownPlaceError, match=r"km from the nearest road node"):
        transit.plan_trip(graph, (40.0, 70.0), "Vaduz", departure="2024-03-04T08:00")
    with pytest.raises(transit.UnknownPlaceError, match="Vaduz"):
        transit.plan_trip(graph, "Vadutz", "Schaan", departure="2024-03-04T08:00")


def test_liechtenstein_trip_into_austria_stops_at_the_controlled_post(li):
    graph, _ = li
    controlled = next(c for c in graph.graph["osm_crossings"] if c["controlled"])
    link_end = next(
        v for u, v, d in graph.edges(data=True) if d.get("crossing_id") == controlled["crossing_id"] and graph.nodes[v]["country"] == "AT"
    )
    beyond = nx.bfs_tree(graph, link_end)  # the first ordinary Austrian node past the post
    austrian = next(n for n in beyond if graph.nodes[n]["country"] == "AT" and graph.nodes[n]["kind"] != "border_post")
    trip = transit.plan_trip(graph, "Vaduz", austrian, regime="sco-2017", departure="2024-03-04T08:00", via=[controlled["name"]])
    assert trip.crossings[0] == controlled["crossing_id"]  # (the extract's Austrian roads are fragments: it may come back)
    hours = {e.activity: e.duration_h for e in trip.events if e.crossing_id == controlled["crossing_id"]}
    assert hours["clearance"] == pytest.approx(DEFAULT_CONTROLLED["clearance_median_h"], abs=1 / 3600)
    assert hours["queue"] == pytest.approx(DEFAULT_CONTROLLED["queue_median_h"], abs=1 / 3600)


# -- the hand-made corridor with the curated crossings ---------------------------------------------


def test_corridor_matches_curated_crossings(corridor, net):
    found = {c["crossing_id"]: c for c in corridor.graph["osm_crossings"]}
    assert found["irkeshtam"]["model"] == "curated" and found["irkeshtam"]["controlled"]
    assert found["dostuk"]["model"] == "curated"
    assert corridor.graph["crossings"]["irkeshtam"] is net.graph["crossings"]["irkeshtam"]
    curated_rule = transit.get_regime(net, "sco-2017").rule("irkeshtam")
    assert transit.get_regime(corridor, "sco-2017").rule("irkeshtam") is curated_rule
    assert {corridor.nodes[3]["kind"], corridor.nodes[4]["kind"]} == {"border_post"}  # both posts survive
    assert (corridor.nodes[3]["country"], corridor.nodes[4]["country"]) == ("CN", "KG")
    assert corridor.nodes[1]["tz"] == "Asia/Shanghai" and corridor.nodes[4]["tz"] == "Asia/Bishkek"


@pytest.mark.parametrize("departure", ["2017-10-30T08:00", "2017-11-03T16:00", "2017-09-30T08:00"])
def test_a_trip_on_the_osm_graph_waits_at_the_crossing_like_on_the_curated_network(corridor, net, departure):
    trip = transit.plan_trip(corridor, "Kashgar", "Osh", regime="sco-2017", departure=departure)
    assert trip.crossings == ("irkeshtam",)
    crossing = net.graph["crossings"]["irkeshtam"]
    rule = transit.get_regime(net, "sco-2017").rule("irkeshtam")
    at = [e for e in trip.events if e.crossing_id == "irkeshtam"]
    arrival = at[0].start if trip.extensions[:1] in ((), (0.0,)) else None
    assert arrival is not None
    clock = crossing.clock("CN>KG", schedules=dict(rule.schedules))
    ready = clock.next_open(arrival + round(rule.queue["CN>KG"].median_h * 3600))
    pieces = clock.work_in_one_go(ready, round(rule.clearance["CN>KG"].median_h * 3600))
    expected_end = pieces[-1][2]
    assert at[-1].end == pytest.approx(expected_end)  # the curated crossing's clock and delays, to the second
    clearance = sum(e.duration_h for e in at if e.activity == "clearance")
    assert clearance == pytest.approx(rule.clearance["CN>KG"].median_h)
    if departure == "2017-11-03T16:00":  # Friday: the Chinese post closes for the weekend
        assert sum(e.duration_h for e in at if e.activity == "closed_wait") > 48
    if departure == "2017-09-30T08:00":  # Golden Week
        assert sum(e.duration_h for e in at if e.activity == "closed_wait") > 24 * 5


def test_sample_osm_names_the_files_there_are():
    with pytest.raises(transit.InvalidArgumentError, match=r"corridor_kashgar_tashkent\.osm"):
        sample_osm("kyrgyzstan.osm.pbf")


def test_copy_of_the_test_data_has_its_licence_note():
    note = (DATA / "README.md").read_text(encoding="utf-8")
    assert "ODbL" in note and "© OpenStreetMap contributors" in note


def test_roads_closed_to_trucks_are_left_out(tmp_path):
    # A straight road that trucks may not use (hgv=no) and a detour they may: the trip takes the detour.
    xml = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="47.10" lon="9.50"><tag k="place" v="town"/><tag k="name" v="Alpha"/></node>
  <node id="2" lat="47.10" lon="9.56"><tag k="place" v="town"/><tag k="name" v="Beta"/></node>
  <node id="3" lat="47.13" lon="9.53"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/><tag k="hgv" v="no"/></way>
  <way id="11"><nd ref="1"/><nd ref="3"/><nd ref="2"/><tag k="highway" v="secondary"/></way>
  <way id="12"><nd ref="3"/><nd ref="1"/><tag k="highway" v="track"/></way>
</osm>"""
    path = tmp_path / "closed.osm"
    path.write_text(xml, encoding="utf-8")
    graph = graph_from_osm(path)
    lengths = [d["length"] for u, v, d in graph.edges(data=True) if {u, v} == {1, 2}]
    assert lengths and min(lengths) > 6000  # only the detour (simplified to one edge); the 4.6 km road is gone
    trip = transit.plan_trip(graph, "Alpha", "Beta", departure="2024-03-04T08:00")
    assert trip.distance_km > 6  # round by node 3, not the 4.6 km straight road


# -- every node routes (issue 10, 4.1) -------------------------------------------------------------


def _write_osm(tmp_path, body, name="roads.osm"):
    path = tmp_path / name
    path.write_text(f"<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n{body}\n</osm>\n", encoding="utf-8")
    return path


#: Two towns on a two-way road, as a base for the bad-input files.
_TOWNS = """
  <node id="1" lat="47.10" lon="9.50"><tag k="place" v="town"/><tag k="name" v="Alpha"/></node>
  <node id="2" lat="47.10" lon="9.56"><tag k="place" v="town"/><tag k="name" v="Beta"/></node>
  <node id="3" lat="47.13" lon="9.53"/>
  <way id="11"><nd ref="1"/><nd ref="3"/><nd ref="2"/><tag k="highway" v="secondary"/></way>"""


def test_liechtenstein_is_one_strongly_connected_network(li):
    graph, _ = li
    assert nx.is_strongly_connected(graph)
    summary = graph.graph["osm_components"]
    assert summary["components"] > 1 and summary["dropped_nodes"] > 0  # the extract has one-way pieces cut at its edge
    assert summary["dropped_posts"] == () and summary["dropped_crossing_links"] == ()  # every post and crossing kept
    assert {c["countries"] for c in graph.graph["osm_crossings"]} == {"AT-LI", "CH-LI"}


def test_liechtenstein_twenty_random_node_pairs_all_route(li):
    import random

    graph, _ = li
    local = sorted(n for n, d in graph.nodes(data=True) if d["country"] == "LI" and d["kind"] != "border_post")
    rng = random.Random(10)  # noqa: S311 - seeded choice of test cases, not cryptography
    pairs = [tuple(rng.sample(local, 2)) for _ in range(20)]
    for a, b in pairs:
        trip = transit.plan_trip(graph, a, b, regime="sco-2017", departure="2024-03-04T08:00")
        assert trip.path[0] == a and trip.path[-1] == b and trip.distance_km > 0


def test_points_snap_to_routable_nodes_and_say_how_far(li):
    graph, _ = li
    from transit.geo import haversine_km

    origin, destination = (47.0667, 9.5000), (47.2375, 9.5325)  # Balzers, Ruggell
    trip = transit.plan_trip(graph, origin, destination, regime="sco-2017", departure="2024-03-04T08:00")
    for point, node, km in zip((origin, destination), (trip.origin, trip.destination), trip.snapped_km, strict=True):
        assert km == pytest.approx(haversine_km(point[1], point[0], graph.nodes[node]["x"], graph.nodes[node]["y"]))
        assert 0 < km < 1
    assert transit.plan_trip(graph, "Vaduz", "Schaan", departure="2024-03-04T08:00").snapped_km == (0.0, 0.0)


def test_a_post_on_a_one_way_stub_is_left_out_with_a_warning(tmp_path):
    # Node 5, a border post, lies on a one-way road out of the network that never comes back (cut by the extract).
    path = _write_osm(
        tmp_path,
        _TOWNS
        + """
  <node id="4" lat="47.11" lon="9.57"/>
  <node id="5" lat="47.12" lon="9.58"><tag k="barrier" v="border_control"/><tag k="name" v="Stub post"/></node>
  <way id="12"><nd ref="2"/><nd ref="4"/><nd ref="5"/><tag k="highway" v="secondary"/><tag k="oneway" v="yes"/></way>""",
    )
    with pytest.warns(transit.osm.UnreachablePostWarning, match=r"Stub post \(node 5\).*extract that reaches further"):
        graph = graph_from_osm(path)
    assert 5 not in graph and 4 not in graph and nx.is_strongly_connected(graph)
    assert graph.graph["osm_components"]["dropped_posts"] == (5,)
    trip = transit.plan_trip(graph, (47.12, 9.58), "Alpha", departure="2024-03-04T08:00")  # snaps onto the kept network
    assert trip.origin in graph and trip.snapped_km[0] > 1


# -- bad input names the value, what was expected and the fix (issue 10, section 2) ----------------


def test_path_none_is_refused():
    with pytest.raises(transit.InvalidArgumentError, match=r"path=None is not a file path; expected a str or pathlib.Path"):
        graph_from_osm(None)


def test_crossings_that_is_not_a_network_is_refused(tmp_path):
    with pytest.raises(transit.InvalidArgumentError, match=r"crossings='yes' is not a transit network.*transit.load_network\(\)"):
        graph_from_osm(_write_osm(tmp_path, _TOWNS), crossings="yes")


@pytest.mark.parametrize(
    ("attrs", "shown"),
    [
        ('lat="1e30" lon="9.56"', "lat='1e30'"),
        ('lat="nan" lon="9.56"', "lat='nan'"),
        ('lat="95" lon="9.56"', "lat='95'"),
        ('lat="47.1" lon="200"', "lon='200'"),
    ],
    ids=["lat-1e30", "lat-nan", "lat-95", "lon-200"],
)
def test_a_node_outside_the_globe_is_named_with_its_file(tmp_path, attrs, shown):
    body = _TOWNS.replace('<node id="2" lat="47.10" lon="9.56">', f'<node id="2" {attrs}>')
    path = _write_osm(tmp_path, body, name="bad.osm")
    with pytest.raises(
        transit.DataError, match=rf"file .*bad.osm, row node 2: node 2 has {re.escape(shown)}.*expected .*lat -90..90.*lon -180..180"
    ) as info:
        graph_from_osm(path)
    assert isinstance(info.value, transit.TransitError) and info.value.row == "node 2"


def test_a_node_outside_the_globe_in_a_pbf_file_is_named(tmp_path):
    import osmium

    path = tmp_path / "bad.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    writer.add_node(osmium.osm.mutable.Node(id=1, location=osmium.osm.Location(9.50, 47.10), tags={}))
    writer.add_node(osmium.osm.mutable.Node(id=2, location=osmium.osm.Location(9.51, 95.0), tags={}))
    writer.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2], tags={"highway": "primary"}))
    writer.close()
    with pytest.raises(transit.DataError, match=r"file .*bad.osm.pbf, row node 2: node 2 has lat=95.*expected lat -90..90"):
        graph_from_osm(path)


def test_implausible_maxspeed_gets_the_default_speed_and_a_warning(tmp_path):
    path = _write_osm(tmp_path, _TOWNS.replace('<tag k="highway" v="secondary"/>', '<tag k="highway" v="secondary"/><tag k="maxspeed" v="1"/>'))
    with pytest.warns(transit.osm.ImplausibleMaxspeedWarning, match=r"maxspeed below 10 km/h.*default truck speed.*way 11 maxspeed='1'"):
        graph = graph_from_osm(path)
    assert {d["speed_kph"] for _, _, d in graph.edges(data=True)} == {transit.osm.TRUCK_SPEED_KPH["secondary"]}
    trip = transit.plan_trip(graph, "Alpha", "Beta", departure="2024-03-04T08:00")
    assert trip.total_h < 1  # not the 1 km/h road's hours


@pytest.mark.parametrize("match_km", [-1, float("nan")], ids=["negative", "nan"])
def test_match_km_must_be_a_finite_distance(tmp_path, match_km):
    with pytest.raises(transit.InvalidArgumentError, match=r"match_km=(-1|nan) is not a distance; expected a finite number of km >= 0"):
        graph_from_osm(_write_osm(tmp_path, _TOWNS), match_km=match_km)


def test_an_empty_osm_bz2_is_refused(tmp_path):
    path = tmp_path / "empty.osm.bz2"
    path.write_bytes(b"")
    with pytest.raises(transit.DataError, match=r"empty.osm.bz2: the file is empty \(0 bytes\).*download or export it again"):
        graph_from_osm(path)


def test_a_truncated_osm_bz2_is_refused(tmp_path):
    whole = bz2.compress(_write_osm(tmp_path, _TOWNS).read_bytes())
    path = tmp_path / "cut.osm.bz2"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(transit.DataError, match=r"cut.osm.bz2: not a whole bzip2 stream.*cut short.*download it again"):
        graph_from_osm(path)


# -- the array builder gives what the old XML + osmnx pipeline gave (issue 10, 4.3) ----------------

#: Every OSM file shipped with transit, and Liechtenstein; built by the new builder and by the old pipeline.
PARITY_FILES = [
    *(sample_osm(p.name) for p in sorted((Path(transit.__file__).parent / "_data" / "osm").iterdir()) if p.name.endswith((".osm", ".pbf"))),
    LIECHTENSTEIN,
]
#: Beyond the truck classes: residential, service and track roads make many more interstitial-node patterns.
ALL_ROADS = (*transit.osm.TRUCK_HIGHWAYS, "residential", "service", "track", "road", "living_street")


def _assert_same_graph(new, old):
    """Same nodes and edges (in the same order, with the same keys), the same attributes and the same graph data."""
    import math

    assert list(new.nodes) == list(old.nodes)
    assert list(new.edges(keys=True)) == list(old.edges(keys=True))  # (u, v) with multiplicity, and the keys
    assert all(list(new.pred[n]) == list(old.pred[n]) for n in new.nodes)
    for n in new.nodes:
        assert dict(new.nodes[n]) == dict(old.nodes[n]), n
    for u, v, k in new.edges(keys=True):
        a, b = dict(new.edges[u, v, k]), dict(old.edges[u, v, k])
        assert a.keys() == b.keys(), (u, v, k)
        for key, value in a.items():
            if key == "geometry":
                assert value.equals_exact(b[key], 1e-9), (u, v, k)
            elif key in ("length", "travel_time", "speed_kph"):
                assert math.isclose(value, b[key], rel_tol=1e-6), (u, v, k, key)
            elif isinstance(value, list):  # merged values: osmnx's list(set()) order is per process, ours sorted
                assert value == sorted(b[key], key=lambda x: (type(x).__name__, str(x))), (u, v, k, key)
            else:
                assert value == b[key], (u, v, k, key)
    # graph data: all but the stamp of the build (osmnx wrote its own name and the time)
    stamp = {"created_date", "created_with"}
    assert {k: v for k, v in new.graph.items() if k not in stamp} == {k: v for k, v in old.graph.items() if k not in stamp}


@pytest.mark.parametrize("path", PARITY_FILES, ids=lambda p: p.name)
def test_the_array_builder_gives_the_old_pipelines_graph(path, net):
    from _osm_old import old_graph_from_osm

    graphs, caught = [], []
    for build in (graph_from_osm, old_graph_from_osm):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            graphs.append(build(path, crossings=net, match_km=25))
        caught.append([(w.category, str(w.message)) for w in seen])
    assert caught[0] == caught[1]  # the same warnings, in the same order
    _assert_same_graph(*graphs)


def test_the_array_builder_gives_the_old_pipelines_graph_with_all_road_classes():
    from _osm_old import old_graph_from_osm

    graphs, caught = [], []
    for build in (graph_from_osm, old_graph_from_osm):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            graphs.append(build(LIECHTENSTEIN, highways=ALL_ROADS))
        caught.append([(w.category, str(w.message)) for w in seen])
    new, old = graphs
    assert caught[0] == caught[1] and any(c is transit.osm.ImplausibleMaxspeedWarning for c, _ in caught[0])
    assert new.number_of_nodes() > 5000
    _assert_same_graph(new, old)


#: Hand-made quirks for the parity test: oneway=-1/reverse/true/1/T, a roundabout, repeated consecutive nodes, parallel
#: ways, a loop hanging off the network, a way with one located node, a pass and a border post.
_QUIRKS = """
  <node id="1" lat="47.100" lon="9.500"><tag k="place" v="town"/><tag k="name" v="Alpha"/></node>
  <node id="2" lat="47.100" lon="9.510"/>
  <node id="3" lat="47.100" lon="9.520"><tag k="mountain_pass" v="yes"/></node>
  <node id="4" lat="47.100" lon="9.530"/>
  <node id="5" lat="47.100" lon="9.540"><tag k="place" v="village"/><tag k="name" v="Beta"/></node>
  <node id="6" lat="47.110" lon="9.540"/>
  <node id="7" lat="47.120" lon="9.540"><tag k="barrier" v="border_control"/></node>
  <node id="8" lat="47.120" lon="9.520"/>
  <node id="9" lat="47.110" lon="9.500"/>
  <node id="10" lat="47.105" lon="9.505"/>
  <node id="11" lat="47.090" lon="9.520"/>
  <node id="12" lat="47.085" lon="9.525"/>
  <node id="13" lat="47.085" lon="9.515"/>
  <node id="14" lat="47.130" lon="9.530"/>
  <node id="15" lat="47.130" lon="9.510"/>
  <node id="16" lat="47.095" lon="9.535"/>
  <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="5"/><tag k="highway" v="primary"/><tag k="name" v="Main"/></way>
  <way id="101"><nd ref="5"/><nd ref="6"/><nd ref="7"/><tag k="highway" v="secondary"/><tag k="oneway" v="-1"/></way>
  <way id="102"><nd ref="7"/><nd ref="6"/><nd ref="5"/><tag k="highway" v="secondary"/><tag k="oneway" v="true"/></way>
  <way id="103"><nd ref="7"/><nd ref="8"/><nd ref="9"/><nd ref="1"/><tag k="highway" v="tertiary"/><tag k="oneway" v="reverse"/></way>
  <way id="104"><nd ref="1"/><nd ref="10"/><nd ref="9"/><tag k="highway" v="tertiary"/><tag k="oneway" v="1"/><tag k="maxspeed" v="30"/></way>
  <way id="105"><nd ref="3"/><nd ref="11"/><nd ref="12"/><nd ref="13"/><nd ref="11"/><tag k="highway" v="unclassified"/><tag k="junction" v="roundabout"/></way>
  <way id="106"><nd ref="11"/><nd ref="3"/><tag k="highway" v="unclassified"/><tag k="oneway" v="T"/></way>
  <way id="107"><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/><tag k="name" v="Main (parallel)"/></way>
  <way id="108"><nd ref="8"/><nd ref="14"/><nd ref="15"/><nd ref="8"/><tag k="highway" v="trunk"/><tag k="incline" v="up"/></way>
  <way id="109"><nd ref="4"/><nd ref="16"/><nd ref="999"/><tag k="highway" v="primary"/></way>
  <way id="110"><nd ref="16"/><nd ref="998"/><tag k="highway" v="primary"/></way>
  <way id="111"><nd ref="9"/><nd ref="9"/><tag k="highway" v="primary"/></way>
  <way id="112"><nd ref="6"/><nd ref="4"/><tag k="highway" v="primary"/><tag k="oneway" v="no"/><tag k="maxspeed" v="2"/></way>"""


@pytest.mark.parametrize("highways", [transit.osm.TRUCK_HIGHWAYS, ("primary", "secondary", "tertiary")], ids=["truck", "some"])
def test_the_array_builder_gives_the_old_pipelines_graph_on_quirks(tmp_path, highways):
    from _osm_old import old_graph_from_osm

    path = _write_osm(tmp_path, _QUIRKS, name="quirks.osm")
    graphs, caught = [], []
    for build in (graph_from_osm, old_graph_from_osm):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            graphs.append(build(path, highways=highways))
        caught.append([(w.category, str(w.message)) for w in seen])
    assert caught[0] == caught[1]
    _assert_same_graph(*graphs)


def test_the_same_file_gives_the_same_graph_in_every_process():
    # osmnx lists the merged values of a simplified edge as list(set(...)), whose order of texts follows the
    # process's hash seed; graph_from_osm sorts them and picks road_class/terrain by rank, never by position.
    import subprocess
    import sys

    code = (
        "import warnings; warnings.simplefilter('ignore'); import transit; from transit._sweep_grid import fingerprint; "
        f"print(fingerprint(transit.graph_from_osm({str(LIECHTENSTEIN)!r})))"
    )
    prints = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert len(prints) == 1
