"""The dated history: reading timeline.toml, the `history` regime, regime_on, dated comparisons."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

import transit
from tests.conftest import TEST_TIMELINE
from transit.errors import DataError, InvalidArgumentError, UnknownRegimeError
from transit.montecarlo import draw_delays, simulate_many
from transit.simulation import simulate_path
from transit.trip import ACTIVITIES

ALMATY = ZoneInfo("Asia/Almaty")


def at(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def reach_kordai_at(net, when: datetime) -> transit.Trip:
    """Simulate Almaty -> Bishkek via Kordai, leaving Almaty so as to reach the Kazakh post at ``when``."""
    path = transit.plan_trip(net, "Almaty", "Bishkek", regime="history", departure="2018-06-04T08:00", via=["Kordai"]).path
    probe = transit.simulate(net, path, regime="history", departure=when)
    lead = timedelta(seconds=next(e.start for e in probe.events if e.crossing_id == "kordai") - probe.departure.timestamp())  # driving before it
    return transit.simulate(net, path, regime="history", departure=when - lead)


# -- reading ---------------------------------------------------------------------------------------


def test_the_test_timeline_loads_in_order_with_its_periods(history_net):
    timeline = history_net.graph["timeline"]
    assert [p.regime for p in timeline.periods] == ["pre-2017", "sco-2017"]
    starts = [transit.timeline.posix(e.start, "UTC") for e in timeline.events]
    assert starts == sorted(starts)
    assert timeline.events_between(crossing="kordai", start="2019-01-01", end="2019-12-31")[0].id == "kordai-closed-2019"
    assert [e.id for e in timeline.events_between(crossing="dostuk")] == ["dostuk-closed", "dostuk-open"]
    assert timeline.to_frame().loc["kordai-queue", "status"] == "delays"
    assert timeline.to_frame().loc["kg-cn-one-way", "status"] == "one-way"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('crossings = ["dostuk"]', 'crossings = ["dostk"]', "did you mean 'dostuk'"),
        ('source = "timesca-dostuk"', 'source = "timesca-dostk"', "unknown source 'timesca-dostk'"),
        ('source = "timesca-dostuk"', 'source = "ESTIMATE"', "ESTIMATE without the method"),
        ("from = 2019-03-01T12:00:00+06:00", "from = 2019-03-01T12:00:00", "with its offset"),
        ("to = 2019-03-08T12:00:00+06:00", "to = 2019-02-08T12:00:00+06:00", "no later than it starts"),
        ('open_to_freight = false\nreason = "closed by Uzbekistan"', 'open_to_freight = "no"\nreason = "closed by Uzbekistan"', "true or false"),
        ('one_way = "CN>KG"', 'one_way = "CN>UZ"', "not a direction"),
        ("queue_trucks = 400\n", "", "queue_trucks and capacity_trucks_per_day"),
        ('transfer = "trailer"', 'transfer = "barge"', "expected one of ('cargo', 'trailer')"),
        ("to = 2017-01-20\n", "to = 2018-01-20\n", "overlap"),
        ('id = "kordai-queue"', 'id = "dostuk-closed"', "appears twice"),
        ('title = "Dostuk closed to freight"', 'titel = "Dostuk closed to freight"', "unknown key(s) ['titel']"),
        ('regime = "sco-2017"', 'regime = "sco-2071"', "did you mean 'sco-2017'"),
        ('pairs = [["KG", "CN"]]\nopen_to_freight', 'pairs = [["KG", "XX"]]\nopen_to_freight', "pairs entry"),
        ("exit_side_median_h = 20", "exit_side_median_h = 2000", "from 0 to 720"),
    ],
)
def test_a_bad_timeline_is_refused_naming_the_event_and_key(history_dataset, tmp_path, old, new, expected):
    assert old in TEST_TIMELINE
    base = tmp_path / "routes"
    shutil.copytree(history_dataset, base)
    (base / "timeline.toml").write_text(TEST_TIMELINE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"timeline\.toml") as info:
        transit.load_network(base)
    assert expected in str(info.value)


def test_history_needs_a_timeline(net):
    if net.graph.get("timeline") is not None:
        net = transit.editable(net)
        del net.graph["timeline"]
    with pytest.raises(UnknownRegimeError, match="needs a dated timeline"):
        transit.get_regime(net, "history")
    with pytest.raises(UnknownRegimeError):
        transit.regime_on(net, "2017-10-30")


# -- the history regime ----------------------------------------------------------------------------


def test_an_event_switches_at_its_boundary_to_the_second(history_net):
    history = transit.get_regime(history_net, "history")
    closes, reopens = at("2019-03-01T12:00+06:00"), at("2019-03-08T12:00+06:00")
    assert history.rule_at("kordai", closes - 1).open_to_freight
    assert not history.rule_at("kordai", closes).open_to_freight
    assert history.rule_at("kordai", reopens).open_to_freight
    clock = history.clock(history_net.graph["crossings"]["kordai"], "KZ>KG")
    start, end = clock.interval_at(closes - 60)
    assert start <= closes - 60 and end == closes  # 24/7 until the closure
    assert clock.next_open(closes + 60) == reopens
    assert "test closure" in clock.closed_by(closes + 60)


def test_a_truck_a_minute_either_side_of_a_reopening(history_net):
    reopens = datetime(2019, 3, 8, 12, 0, tzinfo=ALMATY)

    def closed_wait_h(arrival: datetime) -> float:
        return reach_kordai_at(history_net, arrival).breakdown_h["closed_wait"]

    # The queue runs from arrival; while the crossing is closed the time counts as closed waiting.
    assert closed_wait_h(reopens - timedelta(minutes=1)) == pytest.approx(1 / 60)
    assert closed_wait_h(reopens + timedelta(minutes=1)) == 0


def test_a_queue_event_applies_from_the_minute_it_starts(history_net):
    starts = datetime(2017, 10, 10, 18, 0, tzinfo=ZoneInfo("Asia/Almaty"))

    def queue_h(arrival: datetime) -> float:
        return reach_kordai_at(history_net, arrival).breakdown_h["queue"]

    assert queue_h(starts - timedelta(minutes=1)) == pytest.approx(
        transit.regime_on(history_net, "2017-10-09").rule("kordai").queue["KZ>KG"].median_h
    )
    assert queue_h(starts + timedelta(minutes=1)) == pytest.approx(24 * 400 / 76, abs=0.01)


def test_a_trip_that_straddles_an_event_meets_it_on_the_way(history_net):
    # Leaves Almaty before the Kordai queue event begins, reaches Kordai after: history applies it, the rules frozen
    # at the departure do not.
    depart = "2017-10-10T15:00"
    dated = transit.plan_trip(history_net, "Almaty", "Bishkek", regime="history", departure=depart, via=["Kordai"])
    frozen = transit.plan_trip(
        history_net, "Almaty", "Bishkek", regime=transit.regime_on(history_net, depart + "+06:00"), departure=depart, via=["Kordai"]
    )
    assert dated.total_h - frozen.total_h > 100
    queue = next(e for e in dated.events if e.activity == "queue")
    assert "ESTIMATE: queue = 24 h x 400 trucks waiting / 76" in queue.source


def test_history_equals_the_frozen_regime_of_the_date_when_nothing_changes(history_net):
    history = transit.get_regime(history_net, "history")
    rng = np.random.default_rng(7)
    pairs = [("Kashgar", "Tashkent"), ("Tashkent", "Kashgar"), ("Almaty", "Bishkek"), ("Urumqi", "Almaty"), ("Osh", "Kashgar")]
    checked = 0
    while checked < 12:
        origin, destination = pairs[rng.integers(len(pairs))]
        depart = datetime(2011, 1, 1, tzinfo=ZoneInfo("UTC")) + timedelta(hours=int(rng.integers(0, 14 * 365 * 24)))
        window = (depart.timestamp(), depart.timestamp() + 90 * 86400)
        if any(window[0] <= s <= window[1] for p in history.pieces.values() for s in p.starts):
            continue  # an event inside the window: the history may differ, by design
        dated = transit.plan_trip(history_net, origin, destination, regime="history", departure=depart)
        frozen = transit.plan_trip(history_net, origin, destination, regime=transit.regime_on(history_net, depart), departure=depart)
        assert (dated.arrival, dated.crossings, dated.breakdown_h) == (frozen.arrival, frozen.crossings, frozen.breakdown_h), (origin, depart)
        checked += 1


def test_samples_equal_the_scalar_simulator_across_event_boundaries(history_net):
    # Departures spread over the last day of one-way operation with trailer swaps: samples meet different dated rules
    # at Irkeshtam (some have their trailer swapped, later ones drive on) and the vectorised run splits; each must
    # still equal the scalar simulator with the same delays.
    history = transit.get_regime(history_net, "history")
    trip = transit.plan_trip(history_net, "Kashgar", "Osh", regime="history", departure="2022-12-15T06:00", via=["Irkeshtam"])
    n = 40
    departures = trip.departure.timestamp() + np.linspace(0, 14 * 3600, n).round()
    draws = draw_delays(history_net, trip.path, history, n, np.random.default_rng(3), departure_s=float(departures[0]))
    assert any(isinstance(k, tuple) for k in draws)  # per dated rule
    runs = simulate_many(history_net, trip.path, regime=history, vehicle=trip.vehicle, departure_s=departures, draws=draws)
    transfers = runs.components_s["transshipment"] > 0
    assert transfers.any() and not transfers.all()  # both sides of the boundary are exercised
    for i in range(n):
        one = {k: (v[0][i], v[1][i], v[2][i]) for k, v in draws.items()}
        depart = datetime.fromtimestamp(departures[i], ZoneInfo("Asia/Shanghai"))
        scalar = simulate_path(history_net, trip.path, history, trip.vehicle, depart, draws=one)
        assert runs.arrival_s[i] == scalar.arrival.timestamp(), i
        for activity in ACTIVITIES:
            assert runs.components_s[activity][i] == pytest.approx(scalar.breakdown_h[activity] * 3600, abs=1e-6)


def test_a_later_departure_never_arrives_earlier_across_events(history_net):
    for origin, destination, via, first in (
        ("Almaty", "Bishkek", ["Kordai"], "2017-10-10T06:00"),
        ("Almaty", "Bishkek", ["Kordai"], "2019-02-28T06:00"),
        ("Kashgar", "Osh", ["Irkeshtam"], "2020-04-12T06:00"),
    ):
        arrivals = []
        start = datetime.fromisoformat(first)
        for step in range(0, 24 * 5, 3):
            depart = start + timedelta(hours=step)
            arrivals.append(transit.plan_trip(history_net, origin, destination, regime="history", departure=depart, via=via).arrival)
        assert arrivals == sorted(arrivals), (origin, destination, first)


def test_one_way_operation_and_trailer_swaps(history_net):
    out = transit.plan_trip(history_net, "Kashgar", "Osh", regime="history", departure="2021-06-01T08:00", via=["Irkeshtam"])
    swap = next(e for e in out.events if e.activity == "transshipment")
    assert "trailer swap" in swap.note
    back = transit.plan_trip(history_net, "Osh", "Kashgar", regime="history", departure="2021-06-01T08:00")
    assert not {"irkeshtam", "torugart"} & set(back.crossings)  # closed towards China
    direct = transit.plan_trip(history_net, "Osh", "Kashgar", regime="history", departure="2024-06-03T08:00", via=["Irkeshtam"]).path
    with pytest.raises(transit.NoRouteError, match="one-way"):
        transit.simulate(history_net, direct, regime="history", departure="2021-06-01T08:00")


def test_a_closure_beyond_the_horizon_reroutes_instead_of_failing(history_net):
    trip = transit.plan_trip(history_net, "Kashgar", "Tashkent", regime="history", departure="2020-03-01T08:00")
    assert not {"irkeshtam", "torugart"} & set(trip.crossings)
    with pytest.raises(transit.NoRouteError, match="Irkeshtam"):
        transit.plan_trip(history_net, "Kashgar", "Tashkent", regime="history", departure="2020-03-01T08:00", via=["Irkeshtam"])


def test_history_before_its_start_warns_and_named_regimes_say_when_to_use_history(history_net):
    early = transit.plan_trip(history_net, "Almaty", "Bishkek", regime="history", departure="1995-06-01T08:00")
    assert any("before the corridor's dated history starts" in w for w in early.warnings)
    sco = transit.get_regime(history_net, "sco-2017")
    old = transit.plan_trip(history_net, "Almaty", "Bishkek", regime="sco-2017", departure="2015-06-01T08:00")
    assert any("regime='history'" in w for w in old.warnings)
    bounded = dataclasses.replace(sco, valid_until=date(2017, 9, 5))
    later = transit.plan_trip(history_net, "Almaty", "Bishkek", regime=bounded, departure="2021-06-01T08:00")
    assert any("changes them from 2017-09-05" in w and "regime='history'" in w for w in later.warnings)
    inside = transit.plan_trip(history_net, "Almaty", "Bishkek", regime=bounded, departure="2017-06-01T08:00")
    assert not inside.warnings


# -- regime_on -------------------------------------------------------------------------------------


def test_regime_on_freezes_a_date_into_an_editable_regime(history_net):
    history = transit.get_regime(history_net, "history")
    frozen = transit.regime_on(history_net, "2016-10-31")
    assert type(frozen) is transit.Regime
    assert frozen.id == "history@2016-10-31"
    assert not frozen.rule("dostuk").open_to_freight  # closed 2010 - Sep 2017
    assert transit.regime_on(history_net, "2018-01-01").rule("dostuk").open_to_freight
    for cid, crossing in history_net.graph["crossings"].items():
        midnight = datetime(2016, 10, 31, tzinfo=ZoneInfo(crossing.posts[0].tz)).timestamp()
        assert frozen.rule(cid) == history.rule_at(cid, midnight)
    edited = frozen.with_rule("dostuk", open_to_freight=True)
    assert edited.id.endswith("+what-if") and edited.rule("dostuk").open_to_freight
    trip = transit.plan_trip(history_net, "Tashkent", "Osh", regime=edited, departure="2016-10-31T08:00")
    assert "dostuk" in trip.crossings
    with pytest.raises(InvalidArgumentError, match="regime_on"):
        history.with_rule("dostuk", open_to_freight=True)
    with pytest.raises(transit.InvalidDepartureError, match="when 'last Tuesday'"):
        transit.regime_on(history_net, "last Tuesday")


# -- comparing dates -------------------------------------------------------------------------------


def test_compare_dates_gives_a_row_per_date_and_regime_with_savings_between_rows(history_net):
    dates = ["2016-10-31T08:00", "2017-10-30T08:00", "2021-06-01T08:00"]
    cmp = transit.compare(history_net, "Tashkent", "Osh", regimes=["pre-2017", "history"], departures=dates)
    assert cmp.rows == tuple(f"{d[:10]} {r}" for d in dates for r in ("pre-2017", "history"))
    table = cmp.table
    assert table.index.name == "scenario"
    assert list(table["regime"]) == ["pre-2017", "history"] * 3
    totals = table["total_h"].to_numpy()
    assert np.allclose(table["saving_vs_previous_h"].to_numpy()[1:], totals[:-1] - totals[1:])
    assert np.allclose(table["saving_h"].to_numpy(), totals[0] - totals)
    for label in cmp.rows:
        single = transit.plan_trip(history_net, "Tashkent", "Osh", regime=cmp.row_regimes[label], departure=cmp.row_departures[label])
        assert cmp.trips[label].total_h == single.total_h
    # 2016: Dostuk closed, the trip goes round; 2017: open
    assert "dostuk" not in cmp.trips["2016-10-31 history"].crossings
    assert "dostuk" in cmp.trips["2017-10-30 history"].crossings


def test_compare_dates_refuses_ambiguous_questions(history_net):
    with pytest.raises(InvalidArgumentError, match="not both"):
        transit.compare(history_net, "Tashkent", "Osh", departure="2017-10-30T08:00", departures=["2017-10-30"])
    with pytest.raises(InvalidArgumentError, match="not neither"):
        transit.compare(history_net, "Tashkent", "Osh")
    with pytest.raises(InvalidArgumentError, match="twice"):
        transit.compare(history_net, "Tashkent", "Osh", departures=["2017-10-30T08:00", "2017-10-30T08:00"])
    with pytest.raises(InvalidArgumentError, match="non-empty list"):
        transit.compare(history_net, "Tashkent", "Osh", departures="2017-10-30")
    with pytest.raises(transit.InvalidDepartureError, match="departures"):
        transit.compare(history_net, "Tashkent", "Osh", departures=["2017-10-30", "30/10/2017"])


def test_a_saved_network_keeps_its_timeline(history_net, tmp_path):
    path = tmp_path / "history.graphml"
    transit.save_network(history_net, path)
    again = transit.load_network(path)
    assert again.graph["timeline"] == history_net.graph["timeline"]
    a = transit.plan_trip(again, "Kashgar", "Osh", regime="history", departure="2021-06-01T08:00")
    b = transit.plan_trip(history_net, "Kashgar", "Osh", regime="history", departure="2021-06-01T08:00")
    assert (a.arrival, a.crossings) == (b.arrival, b.crossings)


# -- the curated timeline --------------------------------------------------------------------------


def test_every_curated_event_is_sourced_and_names_what_exists(net):
    from transit.datasets import check_source

    timeline = net.graph["timeline"]
    assert len(timeline.events) >= 30
    ids = [e.id for e in timeline.events]
    assert len(ids) == len(set(ids))
    for event in timeline.events:
        check_source(event.source, net.graph["sources"], file="timeline.toml", row=event.id, column="source")
        assert event.title and event.crossings and set(event.crossings) <= set(net.graph["crossings"]), event.id
        assert event.status in transit.timeline.STATUSES
        if event.end is not None:
            assert transit.timeline.posix(event.end, "UTC") > transit.timeline.posix(event.start, "UTC"), event.id
        for direction in event.directions:
            assert all(direction in net.graph["crossings"][c].directions for c in event.crossings), event.id
    for period in timeline.periods:
        assert period.regime in net.graph["regimes"]


@pytest.mark.parametrize(
    ("when", "crossing", "direction", "expected"),
    [
        ("2016-10-31", "dostuk", "UZ>KG", "closed"),  # Uzbekistan's 2010 closure
        ("2017-10-30", "dostuk", "UZ>KG", "open"),  # reopened Sep 2017
        ("2020-03-01", "irkeshtam", "CN>KG", "closed"),  # COVID
        ("2021-06-01", "irkeshtam", "CN>KG", "open"),  # one-way towards Kyrgyzstan
        ("2021-06-01", "irkeshtam", "KG>CN", "closed"),
        ("2020-06-20", "khorgos", "CN>KZ", "closed"),  # trucks halted for rail, 17-24 Jun 2020
        ("2024-06-03", "irkeshtam", "KG>CN", "open"),
    ],
)
def test_the_curated_history_says_what_the_record_says(net, when, crossing, direction, expected):
    rule = transit.regime_on(net, when).rule(crossing)
    assert rule.open_in(direction) == (expected == "open")


def test_the_curated_history_admits_uzbek_trucks_into_china_from_2018_and_queues_kordai_in_the_blockade(net):
    assert not transit.regime_on(net, "2017-06-01").rule("irkeshtam").admits("UZ", permits=None)
    assert transit.regime_on(net, "2018-03-05").rule("irkeshtam").admits("UZ", permits=None)
    assert transit.regime_on(net, "2017-10-20").rule("kordai").queue["KG>KZ"].median_h > 100
    assert transit.regime_on(net, "2018-10-20").rule("kordai").queue["KG>KZ"].median_h < 10


def test_the_time_distance_chart_of_a_dated_comparison_has_a_line_per_date(history_net):
    pytest.importorskip("matplotlib")
    import matplotlib as mpl

    mpl.use("Agg")
    import transit.plot as tplot

    cmp = transit.compare(history_net, "Tashkent", "Osh", regimes="history", departures=["2016-10-31T08:00", "2017-10-30T08:00"])
    fig = tplot.time_distance(cmp)
    labels = [line.get_label() for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
    assert labels == [f"{row}: {cmp.trips[row].total_h:,.1f} h" for row in cmp.rows]
    assert "2 departures" in fig.axes[0].get_title()
