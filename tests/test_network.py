"""The network follows osmnx's conventions; GeoDataFrames; loading from a path."""

import networkx as nx
import osmnx as ox
import pytest
from shapely.geometry import LineString

import transit
from transit.datasets import routes_dir
from transit.model import node_id


def test_graph_conventions(net):
    assert isinstance(net, nx.MultiDiGraph)
    assert net.graph["crs"] == "EPSG:4326" and net.graph["name"] and net.graph["dataset_version"]
    for node, data in net.nodes(data=True):
        assert {"x", "y", "name", "country", "kind", "tz"} <= set(data), node
        assert -180 <= data["x"] <= 180 and -90 <= data["y"] <= 90
        assert data["kind"] in ("city", "town", "port", "junction", "border_post")
        assert (data["kind"] == "border_post") == ("crossing_id" in data)
    for u, v, data in net.edges(data=True):
        assert data["length"] > 0 and data["speed_kph"] > 0
        assert data["travel_time"] == pytest.approx(data["length"] / (data["speed_kph"] / 3.6))
        assert isinstance(data["geometry"], LineString)
        assert data["geometry"].coords[0] == pytest.approx((net.nodes[u]["x"], net.nodes[u]["y"]))
        assert data["geometry"].coords[-1] == pytest.approx((net.nodes[v]["x"], net.nodes[v]["y"]))
        if data["kind"] == "crossing":
            assert net.nodes[u]["country"] != net.nodes[v]["country"] and data["crossing_id"]
        else:
            assert net.nodes[u]["country"] == net.nodes[v]["country"] == data["country"]
            assert data["segment_id"] and data["road_class"] and data["terrain"] in ("plain", "hill", "mountain")


def test_osmnx_accepts_the_graph(net):
    nodes, edges = ox.graph_to_gdfs(net)
    assert len(nodes) == net.number_of_nodes() and len(edges) == net.number_of_edges()
    assert nodes.crs.to_string() == "EPSG:4326"
    path = ox.routing.shortest_path(net, node_id("kashgar"), node_id("osh"), weight="travel_time")
    assert [net.nodes[n]["ref"] for n in (path[0], path[-1])] == ["kashgar", "osh"]
    assert node_id("irkeshtam-cn") in path


def test_to_gdfs(net):
    places, crossings, segments = transit.to_gdfs(net)
    for frame in (places, crossings, segments):
        assert frame.crs.to_string() == "EPSG:4326" and len(frame) > 0
    assert len(crossings) == len(net.graph["crossings"])
    assert "border_post" not in set(places["kind"])
    assert set(segments["country"]) <= set(places["country"])
    assert segments.loc["cn-kashgar-artux", "distance_km"] == pytest.approx(46)
    irk = crossings.loc["irkeshtam"]
    assert "Mon-Fri" in irk["schedule_CN"] and "Asia/Shanghai" in irk["schedule_CN"]


def test_segment_geometry_follows_waypoints(net):
    data = next(d for _, _, d in net.edges(data=True) if d.get("segment_id") == "kg-sarytash-gulcha")
    assert len(data["geometry"].coords) == 3  # through the Taldyk pass
    assert data["via"] == ("Taldyk pass",)


def test_load_network_from_a_path_is_shared_frozen_and_copies_are_independent(tmp_path):
    a = transit.load_network(routes_dir())
    b = transit.load_network()
    assert a is b and nx.is_frozen(a)
    c = transit.editable(a)
    c.remove_node(node_id("kashgar"))
    assert node_id("kashgar") in transit.load_network()


def test_scale_of_the_dataset(net):
    places = [n for n, d in net.nodes(data=True) if d["kind"] != "border_post"]
    assert len(places) >= 50
    assert len(net.graph["crossings"]) >= 20
    countries = {d["country"] for _, d in net.nodes(data=True)}
    assert {"CN", "KG", "KZ", "UZ", "TJ", "RU"} <= countries


def test_every_place_is_connected(net):
    reach = nx.descendants(net, node_id("kashgar")) | {node_id("kashgar")}
    missing = [d["ref"] for n, d in net.nodes(data=True) if n not in reach]
    assert missing == []
