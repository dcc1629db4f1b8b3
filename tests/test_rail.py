"""The rail layer and door-to-door trips by road, rail or both, on toy networks built in code (issue 13).

Each toy is a road line ``west`` (KZ) -- crossing ``x`` -- ``east`` (CN) with a rail line beside it:
``west-st`` (terminal) -- ``bx-kz`` (gauge change) == border == ``bx-cn`` -- ``east-st`` (terminal), written to
files and read by :func:`transit.rail.read_rail` (so the reader's checks run too).
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pytest

import transit
from tests.conftest import FREE_COSTS, aetr_rules, crossing, place, rule, segment
from transit.errors import DataError, InvalidArgumentError
from transit.model import Source
from transit.network import build_network
from transit.rail import read_rail
from transit.regimes import Regime

SOURCES = {"test": Source(id="test", title="test", url="", year="", note="")}

STATIONS = """id,name,country,kind,gauge_mm,lon,lat,tz,road_place,source
west-st,West station,KZ,terminal,1520,74.0,40.0,Asia/Almaty,west,test
mid-st,Mid station,KZ,junction,1520,{mid_lon},40.0,Asia/Almaty,{mid_place},test
bx-kz,Border KZ,KZ,gauge_change,1520,{x_lon_w},40.0,Asia/Almaty,,test
bx-cn,Border CN,CN,border,{cn_gauge},{x_lon_e},40.0,Asia/Shanghai,,test
east-st,East station,CN,terminal,{cn_gauge},{east_lon},40.0,Asia/Shanghai,east,test
"""

RAIL_TOML = """
[speed_kph]
KZ = [{{kph = {speed}, source = "test"}}]
CN = [{{kph = {speed}, source = "test"}}]

[departures]
local_times = ["10:00", "22:00"]
source = "test"

[transfer]
h = 2.0
usd = 100.0
source = "test"

[cost]
usd_per_km = [{{usd = 1.0, source = "test"}}]
gauge_change_usd = 300.0
gauge_change_source = "test"

[[border]]
countries = ["KZ", "CN"]
h = [{{h = 5.0, source = "test"}}, {{from = "2020-01-01", h = 30.0, source = "test"}}]

[[gauge_change]]
station = "bx-kz"
h = [{{h = 4.0, source = "test"}}]
"""


def toy(tmp_path: Path, *, road_km: float, rail_speed: float = 60.0, cn_gauge: int = 1435, mid_place: bool = False, x_closed: bool = False):
    """The toy network: ``road_km`` on each side of the border by road and by rail."""
    span = road_km / 85.0  # degrees of longitude at 40 N, so that the lines are not shorter than the straight line
    x_lon = 74.0 + span
    west, east = place("west", "KZ", 74.0), place("east", "CN", x_lon + span)
    mid = place("mid", "KZ", 74.0 + span / 2)
    x = crossing("x", "KZ", "CN", x_lon)
    kz_post, cn_post = x.posts
    segments = [
        segment("w1", ("west", 74.0, 40.0), ("mid", mid.lon, 40.0), road_km / 2),
        segment("w2", ("mid", mid.lon, 40.0), (kz_post.id, kz_post.lon, 40.0), road_km / 2),
        segment("e", (cn_post.id, cn_post.lon, 40.0), ("east", east.lon, 40.0), road_km),
    ]
    regime = Regime(
        id="toy", name="toy", rules={"x": rule("x", x.directions, open_to_freight=not x_closed, queue_h=10.0, reason="closed" if x_closed else "")}
    )
    folder = tmp_path / "rail"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stations.csv").write_text(
        STATIONS.format(
            mid_lon=mid.lon, mid_place="mid" if mid_place else "", x_lon_w=x_lon - 0.01, x_lon_e=x_lon + 0.01, east_lon=east.lon, cn_gauge=cn_gauge
        )
    )
    (folder / "segments.csv").write_text(
        "from,to,distance_km,line,gauge_mm,opened,source\n"
        f"west-st,mid-st,{road_km / 2},toy line,1520,,test\n"
        f"mid-st,bx-kz,{road_km / 2},toy line,1520,,test\n"
        f"bx-kz,bx-cn,2,toy border,{cn_gauge},,test\n"
        f"bx-cn,east-st,{road_km},toy line,{cn_gauge},,test\n"
    )
    (folder / "rail.toml").write_text(RAIL_TOML.format(speed=rail_speed))
    rail = read_rail(folder, sources=SOURCES, places={"west": "KZ", "east": "CN", "mid": "KZ"})
    return build_network([west, mid, east], [x], segments, regimes=[regime], driver_rules=aetr_rules(), cost_model=FREE_COSTS, name="toy", rail=rail)


DEPART = "2019-06-03T08:00"


def test_rail_wins_a_long_haul(tmp_path):
    """1,200 km a side: the train (60 km/h, no rests) beats a one-driver truck that must rest, and says why."""
    net = toy(tmp_path, road_km=1200)
    road = transit.plan_multimodal(net, "west", "east", modes=("road",), departure=DEPART)
    best = transit.plan_multimodal(net, "west", "east", modes=("road", "rail"), departure=DEPART)
    assert best.modes == ("rail",)
    assert best.total_h < road.total_h
    activities = list(best.timeline["activity"])
    assert activities.count("transfer") == 2 and activities.count("gauge_change") == 1 and activities.count("rail_border") == 1
    assert best.km_by_mode["rail"] == pytest.approx(2 * 1200 + 2)
    assert set(best.timeline["mode"]) == {"transfer", "rail"}  # west and east are the terminals' own places: no truck at all
    # the time adds up: transfers, the wait for the 10:00 train, running, border and gauge change
    b = best.breakdown_h
    assert b["rail"] == pytest.approx(2402 / 60, abs=0.01)
    assert b["transfer"] == 4.0 and b["rail_border"] == 5.0 and b["gauge_change"] == 4.0
    assert sum(b.values()) == pytest.approx(best.total_h, abs=1e-6)
    cost = best.cost
    assert cost.rail_usd == pytest.approx(2402 * 1.0 + 300) and cost.transfer_usd == 200 and cost.road_usd == 0


def test_road_wins_a_short_haul(tmp_path):
    """100 km a side: the truck is there before the train has left."""
    net = toy(tmp_path, road_km=100)
    best = transit.plan_multimodal(net, "west", "east", modes=("road", "rail"), departure=DEPART)
    road = transit.plan_trip(net, "west", "east", departure=DEPART)
    assert best.modes == ("road",)
    assert best.total_h == pytest.approx(road.total_h)
    assert best.crossings == ("x",)


def test_rail_only_when_asked_even_if_slower(tmp_path):
    """modes=('rail',): the main haul by train even where the truck would be faster; by road it is the road trip itself."""
    net = toy(tmp_path, road_km=100)
    rail = transit.plan_multimodal(net, "west", "east", modes=("rail",), departure=DEPART)
    road = transit.plan_multimodal(net, "west", "east", modes=("road",), departure=DEPART)
    assert rail.modes == ("rail",) and road.modes == ("road",)
    assert rail.total_h > road.total_h
    assert road.total_h == pytest.approx(transit.plan_trip(net, "west", "east", departure=DEPART).total_h)


def test_a_transfer_happens_only_at_a_terminal(tmp_path):
    """A junction on the line serves a road place, and leaving the train there would be faster: it is not a terminal, so no."""
    net = toy(tmp_path, road_km=1200, mid_place=True)
    trip = transit.plan_multimodal(net, "mid", "east", modes=("road", "rail"), departure=DEPART)
    terminals = {"West station", "East station"}
    transfers = trip.timeline[trip.timeline["activity"] == "transfer"]
    assert len(transfers) >= 2 and set(transfers["place"]) <= terminals
    assert trip.timeline.iloc[0]["mode"] == "road"  # the first mile: a truck back to the West terminal


def test_gauge_change_is_charged_only_where_gauges_differ(tmp_path):
    """The same toy with broad gauge on both sides: a border stop, no gauge change, no gauge-change price."""
    same = transit.plan_multimodal(toy(tmp_path / "a", road_km=1200, cn_gauge=1520), "west", "east", modes=("rail",), departure=DEPART)
    diff = transit.plan_multimodal(toy(tmp_path / "b", road_km=1200, cn_gauge=1435), "west", "east", modes=("rail",), departure=DEPART)
    assert "gauge_change" not in set(same.timeline["activity"]) and "rail_border" in set(same.timeline["activity"])
    assert list(diff.timeline["activity"]).count("gauge_change") == 1
    assert diff.cost.rail_usd - same.cost.rail_usd == pytest.approx(300)


def test_rail_border_time_follows_the_year(tmp_path):
    """The border time changes on 2020-01-01 in the toy's rail.toml: a train in 2020 waits 30 h, in 2019 5 h."""
    net = toy(tmp_path, road_km=1200)
    before = transit.plan_multimodal(net, "west", "east", modes=("rail",), departure="2019-06-03T08:00")
    after = transit.plan_multimodal(net, "west", "east", modes=("rail",), departure="2020-06-01T08:00")
    assert before.breakdown_h["rail_border"] == 5.0 and after.breakdown_h["rail_border"] == 30.0


def test_rail_runs_when_the_road_border_is_closed(tmp_path):
    """The road crossing is closed to freight; the train is the only way, and modes=('road',) says so."""
    net = toy(tmp_path, road_km=300, x_closed=True)
    with pytest.raises(transit.NoRouteError):
        transit.plan_multimodal(net, "west", "east", modes=("road",), departure=DEPART)
    assert transit.plan_multimodal(net, "west", "east", departure=DEPART).modes == ("rail",)


def test_later_ready_never_arrives_earlier(tmp_path):
    """FIFO door to door: a container ready later is never delivered earlier (every 3 h over two days)."""
    net = toy(tmp_path, road_km=600)
    arrivals = [transit.plan_multimodal(net, "west", "east", departure=f"2019-06-{3 + h // 24:02d}T{h % 24:02d}:00").arrival for h in range(0, 48, 3)]
    assert arrivals == sorted(arrivals)


def test_bad_modes_and_no_rail_layer_are_clear(tmp_path, net):
    toy_net = toy(tmp_path, road_km=100)
    with pytest.raises(InvalidArgumentError, match="mode 'ship' is unknown"):
        transit.plan_multimodal(toy_net, "west", "east", modes=("ship",), departure=DEPART)
    with pytest.raises(InvalidArgumentError, match="not a sequence of modes"):
        transit.plan_multimodal(toy_net, "west", "east", modes="rail", departure=DEPART)
    bare = transit.editable(toy_net)
    del bare.graph["rail"]
    with pytest.raises(InvalidArgumentError, match="no rail layer"):
        transit.plan_multimodal(bare, "west", "east", modes=("rail",), departure=DEPART)


@pytest.mark.parametrize(
    ("file", "old", "new", "match"),
    [
        ("stations.csv", "west-st,West station,KZ,terminal,1520", "west-st,West station,KZ,terminal,1000", "expected one of \\[1435, 1520\\]"),
        ("stations.csv", "terminal,1520,74.0,40.0,Asia/Almaty,west", "terminal,1520,74.0,40.0,Asia/Almaty,", "a terminal must name the road place"),
        ("stations.csv", "Asia/Almaty,west,test", "Asia/Almaty,west,nosuch", "unknown source 'nosuch'"),
        ("segments.csv", "bx-cn,east-st,1200", "bx-cn,east-st,12", "shorter than the straight line"),
        ("segments.csv", "west-st,mid-st", "west-st,nowhere", "unknown station 'nowhere'"),
        ("rail.toml", 'station = "bx-kz"', 'station = "bx-kx"', "not in stations.csv"),
        ("rail.toml", "local_times", "local_time", "unknown key; did you mean 'local_times'"),
    ],
)
def test_rail_files_are_checked(tmp_path, file, old, new, match):
    toy(tmp_path, road_km=1200)
    path = tmp_path / "rail" / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DataError, match=match):
        read_rail(tmp_path / "rail", sources=SOURCES, places={"west": "KZ", "east": "CN", "mid": "KZ"})


def test_modes_road_is_plan_trip_itself(net):
    """The default stays the road answer: plan_multimodal(modes=('road',)) is plan_trip's trip, second for second."""
    for origin, destination in (("Kashgar", "Tashkent"), ("Urumqi", "Almaty")):
        trip = transit.plan_trip(net, origin, destination, departure="2017-10-30T08:00")
        road = transit.plan_multimodal(net, origin, destination, modes=("road",), departure="2017-10-30T08:00")
        assert road.arrival == trip.arrival and road.parts[0].trip is not None and road.parts[0].trip.events == trip.events
        assert math.isclose(road.cost_usd, trip.cost_usd)


def test_plan_trip_takes_modes(tmp_path):
    """plan_trip(modes=...) is plan_multimodal; the default, and modes=('road',), is the road trip."""
    net = toy(tmp_path, road_km=1200)
    default = transit.plan_trip(net, "west", "east", departure=DEPART)
    assert isinstance(default, transit.Trip)
    assert transit.plan_trip(net, "west", "east", departure=DEPART, modes=("road",)).arrival == default.arrival
    both = transit.plan_trip(net, "west", "east", departure=DEPART, modes=("road", "rail"))
    assert isinstance(both, transit.MultimodalTrip) and both.modes == ("rail",)
    with pytest.raises(InvalidArgumentError, match="via="):
        transit.plan_trip(net, "west", "east", departure=DEPART, modes=("rail",), via=["x"])


def test_by_rail_the_trucks_stay_in_one_country(net):
    """modes=('rail',) on the embedded network: each truck leg stays in one country and the train crosses the border."""
    trip = transit.plan_multimodal(net, "Urumqi", "Almaty", modes=("rail",), departure="2024-06-03T08:00")
    for part in trip.parts:
        if part.mode == "road":
            assert len({e.country for e in part.events}) == 1, [e.place for e in part.events]
    rail = [e for mode, e in trip.events if mode == "rail"]
    assert {e.country for e in rail} >= {"CN", "KZ"}
    assert [e.activity for e in rail].count("gauge_change") == 1


def test_the_rail_layer_of_the_dataset(net):
    """The embedded rail layer: every station and segment sourced, lines no shorter than the straight line, gauges as in the region."""
    from transit.geo import haversine_km

    rail = net.graph["rail"]
    assert len(rail.stations) >= 40 and len(rail.terminals()) >= 20
    refs = {d["ref"] for _, d in net.nodes(data=True)}
    for s in rail.stations.values():
        assert s.source and (s.road_place is None or s.road_place in refs)
        assert s.gauge_mm == (1435 if s.country == "CN" else 1520), s.id
    for u, v, data in rail.graph.edges(data=True):
        a, b = rail.stations[u], rail.stations[v]
        assert data["length"] / 1000 >= 0.97 * haversine_km(a.lon, a.lat, b.lon, b.lat)
        assert data["source"] and data["mode"] == "rail"
    # the China-Kazakhstan rail borders change gauge where rail.toml says
    borders = {
        frozenset((rail.stations[u].country, rail.stations[v].country))
        for u, v in rail.graph.edges()
        if rail.stations[u].country != rail.stations[v].country
    }
    assert frozenset(("CN", "KZ")) in borders and set(rail.timing.gauge_change_h) == {"dostyk", "altynkol"}
    # no China-Kyrgyzstan line: Kashgar to Osh by rail goes round through Kazakhstan and Uzbekistan
    path = rail.path("kashgar", "osh", 1.7e9)
    assert {"KZ", "UZ"} <= {rail.stations[s].country for s in path} and {"dostyk", "altynkol"} & set(path)


def test_compare_puts_modes_side_by_side(tmp_path):
    """compare(modes=[...]): road only beside the best mix, one row each, with the modes used."""
    net = toy(tmp_path, road_km=1200)
    cmp = transit.compare(net, "west", "east", regimes=["toy"], departure=DEPART, modes=["road", "road+rail"])
    assert cmp.rows == ("toy road", "toy road+rail")
    table = cmp.table
    assert list(table["modes"]) == ["road", "road+rail (rail)"]
    assert table.loc["toy road+rail", "total_h"] < table.loc["toy road", "total_h"]
    assert table.loc["toy road+rail", "saving_h"] > 0
    sampled = transit.compare(net, "west", "east", regimes=["toy"], departure=DEPART, modes=["road", "rail"], samples=300, rng=3).table
    assert (sampled["p50_h"] <= sampled["p90_h"]).all() and sampled["p90_h"].notna().all()
    assert sampled.loc["toy rail", "p90_h"] > sampled.loc["toy rail", "p50_h"]  # the rail border and gauge change vary
    with pytest.raises(InvalidArgumentError, match="mode 'bus'"):
        transit.compare(net, "west", "east", regimes=["toy"], departure=DEPART, modes=["road", "bus"])


def test_cli_plan_and_compare_take_modes(capsys):
    from tests.conftest import run_cli

    code, out, err = run_cli(capsys, "plan", "Urumqi", "Almaty", "--depart", "2024-06-03T08:00", "--modes", "rail")
    assert code == 0, err
    assert "gauge_change" in out and "transfer" in out and "rail_usd" in out
    code, out, err = run_cli(capsys, "plan", "Urumqi", "Almaty", "--depart", "2024-06-03T08:00", "--modes", "rail", "--format", "json")
    assert code == 0 and '"mode": "rail"' in out
    code, out, err = run_cli(capsys, "plan", "Urumqi", "Almaty", "--depart", "2024-06-03T08:00", "--modes", "ship")
    assert code == 2 and "mode 'ship' is unknown" in err
    code, out, err = run_cli(capsys, "compare", "Urumqi", "Almaty", "--depart", "2024-06-03T08:00", "--regimes", "history", "--modes", "road,rail")
    assert code == 0 and "history rail" in out


def test_time_distance_draws_the_modes(tmp_path):
    """The chart of a comparison of modes: one line per row, the train's stretches dash-dotted, the truck's solid."""
    import matplotlib as mpl

    mpl.use("Agg")
    import transit.plot

    net = toy(tmp_path, road_km=1200)
    cmp = transit.compare(net, "west", "east", regimes=["toy"], departure=DEPART, modes=["road", "rail"])
    fig = transit.plot.time_distance(cmp)
    lines = fig.axes[0].get_lines()
    styles = {line.get_linestyle() for line in lines}
    assert "-." in styles and "-" in styles
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(label.startswith("toy rail") for label in labels) and any(label.startswith("toy road") for label in labels)


def test_door_to_door_samples_match_the_scalar_simulators(tmp_path):
    """Each vectorised sample of a road-rail-road trip equals the scalar simulators run part by part with that sample's delays."""
    import numpy as np

    from transit.montecarlo import draw_delays
    from transit.multimodal import sample_door_to_door
    from transit.rail import draw_rail_delays, ride
    from transit.simulation import simulate_path

    net = toy(tmp_path, road_km=1200, mid_place=True)
    trip = transit.plan_multimodal(net, "mid", "east", modes=("rail",), departure=DEPART)
    assert trip.modes == ("road", "rail")
    n = 20
    rel = sample_door_to_door(net, trip, samples=n, rng=7)
    # redraw the same delays, part by part, from the same streams
    streams = np.random.default_rng(7).spawn(len(trip.parts))
    regime = transit.get_regime(net, trip.regime)
    draws = []
    for part, stream in zip(trip.parts, streams, strict=True):
        if part.trip is not None:
            draws.append(draw_delays(net, part.trip.path, regime, n, stream, departure_s=part.trip.departure.timestamp()))
        elif part.mode == "rail":
            draws.append(draw_rail_delays(net.graph["rail"], list(part.stations), n, stream))
        else:
            draws.append(None)
    spread = set()
    for i in range(n):
        t = trip.departure.timestamp()
        for part, drawn in zip(trip.parts, draws, strict=True):
            if part.trip is not None:
                one = {k: (v[0][i], v[1][i], v[2][i]) for k, v in drawn.items()}
                when = datetime.fromtimestamp(t, part.trip.departure.tzinfo)
                t = simulate_path(net, part.trip.path, regime, part.trip.vehicle, when, **part.trip.plan, draws=one).arrival.timestamp()
            elif part.mode == "rail":
                t = ride(net.graph["rail"], list(part.stations), t, factors={k: float(v[i]) for k, v in drawn.items()})[1]
            else:
                t += sum(e.end - e.start for e in part.events)
        assert rel.arrival_s[i] == t, i
        spread.add(t)
    assert len(spread) > 1  # the delays do vary
    assert rel.percentile_h(10) <= trip.total_h * 1.5 and rel.percentile_h(90) >= rel.percentile_h(50)


def test_a_dated_rail_closure_is_kept_out_of_trips_after_it(tmp_path):
    """A [[closure]] of the border link from 2019-06-10: a train before it runs, after it the rail answer names the closure."""
    net = toy(tmp_path, road_km=1200)
    path = tmp_path / "rail" / "rail.toml"
    path.write_text(
        path.read_text() + '\n[[closure]]\nstations = ["bx-kz", "bx-cn"]\nfrom = "2019-06-10"\nreason = "a toy diversion"\nsource = "test"\n'
    )
    rail = read_rail(tmp_path / "rail", sources=SOURCES, places={"west": "KZ", "east": "CN", "mid": "KZ"})
    closed = transit.editable(net)
    closed.graph["rail"] = rail
    assert transit.plan_multimodal(closed, "west", "east", modes=("rail",), departure=DEPART).modes == ("rail",)
    with pytest.raises(transit.NoRouteError, match=r"no rail line open.*a toy diversion"):
        transit.plan_multimodal(closed, "west", "east", modes=("rail",), departure="2019-06-12T08:00")
    assert transit.plan_multimodal(closed, "west", "east", departure="2019-06-12T08:00").modes == ("road",)


def test_the_gantt_chart_of_a_door_to_door_trip(tmp_path):
    import matplotlib as mpl

    mpl.use("Agg")
    import transit.plot

    trip = transit.plan_multimodal(toy(tmp_path, road_km=1200, mid_place=True), "mid", "east", modes=("rail",), departure=DEPART)
    fig = transit.plot.timeline(trip)
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert rows[0] == "driving" and {"rail", "train_wait", "rail_border", "gauge_change", "transfer"} <= set(rows)


def test_reliability_takes_modes(tmp_path):
    """transit.reliability(modes=...): the door-to-door trip sampled, seeded, with the familiar statistics."""
    net = toy(tmp_path, road_km=1200)
    rel = transit.reliability(net, "west", "east", departure=DEPART, modes=("road", "rail"), samples=400, rng=5)
    again = transit.reliability(net, "west", "east", departure=DEPART, modes=("road", "rail"), samples=400, rng=5)
    assert (rel.arrival_s == again.arrival_s).all()
    assert rel.trip.modes == ("rail",) and rel.samples == 400
    assert rel.percentile_h(10) < rel.percentile_h(50) < rel.percentile_h(90)
    assert rel.on_time_probability(rel.arrival_at(90)) >= 0.9
    summary = rel.summary()
    assert summary["modes"] == ["rail"] and summary["p90_h"] == round(rel.percentile_h(90), 2)
    with pytest.raises(InvalidArgumentError, match="route='best_p90'"):
        transit.reliability(net, "west", "east", departure=DEPART, modes=("rail",), route="best_p90")


def test_the_map_draws_trucks_and_trains(tmp_path):
    """plot.map of a comparison of modes: the road row's road, the rail row's train dashed, markers at the transfers, offline."""
    pytest.importorskip("folium")
    import transit.plot

    net = toy(tmp_path, road_km=1200, mid_place=True)
    cmp = transit.compare(net, "mid", "east", regimes=["toy"], departure=DEPART, modes=["road", "rail"])
    page = transit.plot.map(cmp, offline=True).get_root().render()
    assert "toy rail" in page and "toy road" in page
    assert '"dashArray": "12 8"' in page  # the train
    assert "West station: transfer" in page and "East station: transfer" in page


def test_one_graph_of_roads_rails_and_transfers(net):
    """multimodal_graph: osmnx reads it, every edge has its mode, transfers join each terminal to its road place both ways."""
    import osmnx as ox

    from transit.multimodal import multimodal_graph

    g = multimodal_graph(net)
    nodes, edges = ox.graph_to_gdfs(g)
    assert len(nodes) == g.number_of_nodes()
    assert set(edges["mode"]) == {"road", "rail", "transfer"}
    assert (edges["mode"] == "road").sum() == net.number_of_edges()
    rail = net.graph["rail"]
    assert (edges["mode"] == "transfer").sum() == 2 * len(rail.terminals())
    kashgar = transit.resolve_place(net, "Kashgar")
    assert g.has_edge("rail:kashgar", kashgar) and g.has_edge(kashgar, "rail:kashgar")
    assert all(d["length"] >= 0 and d["travel_time"] >= 0 for _, _, d in g.edges(data=True))
    assert not net.has_node("rail:kashgar")  # the road network is left as it was


def test_cli_reliability_takes_modes(capsys):
    from tests.conftest import run_cli

    code, out, err = run_cli(
        capsys, "reliability", "Urumqi", "Almaty", "--depart", "2024-06-03T08:00", "--modes", "rail", "--samples", "500", "--seed", "3"
    )
    assert code == 0, err
    assert "P90" in out and "rail Urumqi" in out
    code, out, err = run_cli(
        capsys,
        "reliability",
        "Urumqi",
        "Almaty",
        "--depart",
        "2024-06-03T08:00",
        "--modes",
        "rail",
        "--samples",
        "500",
        "--seed",
        "3",
        "--format",
        "json",
    )
    assert code == 0 and '"modes": [\n    "rail"\n  ]' in out and '"seed": 3' in out
