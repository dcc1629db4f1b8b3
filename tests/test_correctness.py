"""Issue 10 section 1: routes that do not come back, absurd trips refused or flagged, via=None, no rest between
the posts of a crossing, one trip-question helper, and the default regime from the dataset."""

import contextlib
import math

import numpy as np
import pytest

import transit
from tests.conftest import line_network
from transit._labels import MAX_TRIP_DAYS, search
from transit.errors import DataError, InvalidArgumentError, NoRouteError, UnknownRegimeError
from transit.montecarlo import simulate_many
from transit.network import build_network
from transit.question import resolve_trip
from transit.routing import candidate_paths, resolve_waypoints
from transit.simulation import LONG_WAIT_H, MAX_CLOSED_WAIT_DAYS

DEPARTURE = "2017-10-30T08:00"


def countries_along(net, path):
    """Countries in the order the path enters them (consecutive repeats collapsed)."""
    out = []
    for node in path:
        country = net.nodes[node]["country"]
        if not out or out[-1] != country:
            out.append(country)
    return out


# -- 1. routes that cross a border and come back ----------------------------------------------------------------


def test_via_torugart_does_not_come_back_to_china(net):
    trip = transit.plan_trip(net, "Kashgar", "Tashkent", via=["Torugart"], departure=DEPARTURE)
    assert trip.crossings[0] == "torugart"
    assert len(set(trip.crossings)) == len(trip.crossings)
    entered = countries_along(net, trip.path)
    assert len(set(entered)) == len(entered), entered  # no country entered twice
    # Every candidate route obeys the rule too, and the simple one is the first candidate.
    candidates = candidate_paths(net, "Kashgar", "Tashkent", via=["Torugart"])
    first_crossings = [net.nodes[n]["crossing_id"] for n in candidates[0][1] if net.nodes[n]["kind"] == "border_post"][::2]
    assert first_crossings == ["torugart", "dostuk"]
    for _, path in candidates:
        entered = countries_along(net, path)
        assert len(set(entered)) == len(entered), entered


def test_repeated_via_items_collapse(net):
    twice = transit.plan_trip(net, "Kashgar", "Tashkent", via=["Irkeshtam", "Irkeshtam"], departure=DEPARTURE)
    once = transit.plan_trip(net, "Kashgar", "Tashkent", via=["Irkeshtam"], departure=DEPARTURE)
    assert twice.crossings == once.crossings == ("irkeshtam", "dostuk")
    assert twice.total_h == once.total_h
    assert resolve_trip(net, "Kashgar", "Tashkent", via=["Irkeshtam", "irkeshtam", "Osh"]).via == ("Irkeshtam", "Osh")


def test_a_return_the_via_list_asks_for_is_kept(net):
    trip = transit.plan_trip(net, "Kashgar", "Kashgar", via=["Irkeshtam", "Torugart"], departure=DEPARTURE)
    assert trip.crossings == ("irkeshtam", "torugart")


def without_the_m5(net):
    """The dataset without its M5 segment (Samara-Chelyabinsk): then no road joins Kazan and Yekaterinburg inside Russia."""
    cut = net.copy()
    cut.remove_edges_from([(u, v, k) for u, v, k, d in cut.edges(keys=True, data=True) if d.get("segment_id") == "ru-chelyabinsk-samara"])
    assert cut.number_of_edges() == net.number_of_edges() - 2
    return cut


def test_a_domestic_trip_through_a_neighbour_still_routes(net):
    # Without the M5, coming back to Russia through Kazakhstan is what the roads demand; with it, the trip stays home.
    trip = transit.plan_trip(without_the_m5(net), "Kazan", "Yekaterinburg", departure=DEPARTURE)
    assert trip.crossings and trip.distance_km > 0
    home = transit.plan_trip(net, "Kazan", "Yekaterinburg", departure=DEPARTURE)
    assert home.crossings == () and home.total_h < trip.total_h


def test_via_items_are_passed_in_order_in_one_search(net):
    # Three items, not fourteen: the exact search's time grows with the length of the trip (each item here adds about
    # a day and a half of driving, rests and closed borders), so fourteen take most of a second (README, Speed).
    via = ["Irkeshtam", "Torugart", "Irkeshtam"]
    trip = transit.plan_trip(net, "Kashgar", "Osh", via=via, departure=DEPARTURE)
    assert trip.crossings == ("irkeshtam", "torugart", "irkeshtam")


# -- 2. absurd trips refused or flagged --------------------------------------------------------------------------


def test_a_winter_closure_beyond_the_horizon_is_refused(net):
    # Leaving 15 Jan, every route through Kulma arrives after it reopens on 23 Apr: more than MAX_TRIP_DAYS after the
    # departure. The lower bounds prove it before a single label is made (the search used to try 5,000 for 13 s).
    with pytest.raises(NoRouteError, match=r"Kulma.*a via crossing.*seasonal closure.*opens again 2018-04-23.*within 60 days") as info:
        transit.plan_trip(net, "Kashgar", "Dushanbe", via=["Kulma"], departure="2018-01-15T08:00")
    assert list(info.value.blocking) == ["kulma"]
    assert MAX_TRIP_DAYS == 60
    question = resolve_trip(net, "Kashgar", "Dushanbe", via=["Kulma"], departure="2018-01-15T08:00")
    kw = {"regime": question.regime, "vehicle": question.vehicle, "waypoints": resolve_waypoints(net, question.via)}
    found = search(net, question.origin, question.destination, departure_s=question.departure.timestamp(), **kw)
    assert found.best is None and found.labels == 0 and found.beyond
    # Leaving 1 Mar, a route could arrive within the horizon, but only after waiting more than 30 days at Kulma.
    with pytest.raises(NoRouteError, match=r"Kulma.*seasonal closure.*opens again 2018-04-23.*30-day horizon") as info:
        transit.plan_trip(net, "Kashgar", "Dushanbe", via=["Kulma"], departure="2018-03-01T08:00")
    assert list(info.value.blocking) == ["kulma"]
    assert MAX_CLOSED_WAIT_DAYS == 30
    # A route that keeps the rules exists (only closed): the search does not try routes that come back to a country
    # (with them it gave up after its 5,000 expansions, in 11 s).
    found = search(net, question.origin, question.destination, departure_s=question.departure.timestamp() + 45 * 86400, **kw)
    assert found.best is None and not found.gave_up and found.labels > 0


def test_no_route_arriving_after_the_search_horizon_is_an_answer(net, monkeypatch):
    trip = transit.plan_trip(net, "Kashgar", "Tashkent", regime="sco-2017", departure=DEPARTURE)
    days = math.ceil(trip.total_h / 24)
    # The horizon is MAX_TRIP_DAYS, or the closed-wait horizon plus HORIZON_PER_STATIC times the static bound: both
    # zero here, so that the horizon is a whole number of days just after (then just before) the arrival.
    monkeypatch.setattr(transit._labels, "MAX_CLOSED_WAIT_DAYS", 0)
    monkeypatch.setattr(transit._labels, "HORIZON_PER_STATIC", 0)
    monkeypatch.setattr(transit._labels, "MAX_TRIP_DAYS", days)
    again = transit.plan_trip(net, "Kashgar", "Tashkent", regime="sco-2017", departure=DEPARTURE)
    assert again.total_h == trip.total_h and again.crossings == trip.crossings
    monkeypatch.setattr(transit._labels, "MAX_TRIP_DAYS", days - 1)
    with pytest.raises(NoRouteError, match=rf"no route from 'Kashgar' to 'Tashkent' arrives within {days - 1} days of the departure"):
        transit.plan_trip(net, "Kashgar", "Tashkent", regime="sco-2017", departure=DEPARTURE)


def test_the_search_horizon_grows_with_a_long_trip(net):
    # 24 via items, Kashgar round Irkeshtam and Torugart twelve times: 60.4 days, past MAX_TRIP_DAYS. The horizon is
    # then the closed-wait horizon plus three times the trip's static bound, and the trip is still an answer.
    via = ["Irkeshtam", "Torugart"] * 12
    trip = transit.plan_trip(net, "Kashgar", "Kashgar", via=via, departure=DEPARTURE)
    assert trip.total_h > MAX_TRIP_DAYS * 24
    assert trip.crossings == tuple(v.lower() for v in via)


def test_a_seasonal_closure_within_the_horizon_is_a_warning(net):
    # Two days before Kulma reopens (21 Apr): a long wait, not an eleven-day one (the exact search's time grows with it).
    trip = transit.plan_trip(net, "Kashgar", "Dushanbe", via=["Kulma"], departure="2018-04-18T08:00")
    assert trip.closed_wait_h > LONG_WAIT_H
    assert any("seasonal closure" in w and "Kulma" in w for w in trip.warnings)
    assert trip.summary()["warnings"] == list(trip.warnings)
    assert "warning" in trip._repr_html_()
    cmp = transit.compare(net, "Kashgar", "Dushanbe", via=["Kulma"], departure="2018-04-18T08:00")
    assert cmp.warnings["sco-2017"] == cmp.trips["sco-2017"].warnings
    assert cmp.to_dict()["regimes"]["sco-2017"]["warnings"]
    rel = transit.reliability(net, "Kashgar", "Dushanbe", via=["Kulma"], departure="2018-04-18T08:00", samples=200, rng=1)
    assert rel.warnings == rel.trip.warnings and rel.summary()["warnings"]


def test_long_waits_and_departures_before_the_regime_are_warnings(net):
    trip = transit.plan_trip(net, "Kashgar", "Osh", departure="2016-10-03T08:00", regime="sco-2017")
    assert any("before regime 'sco-2017' came into force (2017-01-20)" in w and "regime='history'" in w for w in trip.warnings)
    assert any(w.startswith(("65.0 h wait at closed", f"{LONG_WAIT_H}")) or " h wait at closed " in w for w in trip.warnings)
    ordinary = transit.plan_trip(net, "Kashgar", "Osh", departure=DEPARTURE)
    assert ordinary.warnings == ()


def test_warnings_reach_the_cli(capsys):
    from transit.cli import main

    with contextlib.suppress(SystemExit):
        main(["plan", "Kashgar", "Osh", "--depart", "2016-10-03T08:00", "--regime", "sco-2017"])
    out = capsys.readouterr().out
    assert "warning: departure 2016-10-03 is before regime 'sco-2017'" in out


# -- 3. via=None --------------------------------------------------------------------------------------------------


def test_via_none_means_no_waypoints_everywhere(net):
    base = transit.plan_trip(net, "Kashgar", "Osh", departure=DEPARTURE)
    assert transit.plan_trip(net, "Kashgar", "Osh", departure=DEPARTURE, via=None).total_h == base.total_h
    assert transit.compare(net, "Kashgar", "Osh", departure=DEPARTURE, via=None).via == ()
    assert transit.reliability(net, "Kashgar", "Osh", departure=DEPARTURE, via=None, samples=100, rng=1).trip.total_h == base.total_h
    prof = transit.departure_profile(net, "Kashgar", "Osh", start=DEPARTURE, days=0.5, step_h=6, via=None)
    assert list(prof["status"]) == ["ok", "ok"]
    table = transit.matrix(net, ["Kashgar"], ["Osh"], departure=DEPARTURE, via=None)
    assert table["status"].tolist() == ["ok"]
    assert candidate_paths(net, "Kashgar", "Osh", via=None)


@pytest.mark.parametrize("via", [5, [5], {"Irkeshtam": 1}])
def test_bad_via_is_refused_before_any_work(net, via):
    with pytest.raises(InvalidArgumentError, match="via"):
        transit.plan_trip(net, "Kashgar", "Osh", departure=DEPARTURE, via=via)


# -- 4. no rest between the posts of a crossing ------------------------------------------------------------------


def link_labels(net):
    labels = set()
    for crossing in net.graph["crossings"].values():
        a, b = crossing.posts
        labels |= {f"{a.name} → {b.name}", f"{b.name} → {a.name}"}
    return labels


def test_the_readme_trip_rests_after_the_crossing_not_on_its_link(net):
    trip = transit.plan_trip(net, "Tashkent", "Kashgar", departure=DEPARTURE)
    labels = link_labels(net)
    for event in trip.events:
        if event.activity in ("break", "daily_rest", "weekly_rest"):
            assert not any(event.place.startswith(label) for label in labels), event
    links = [e for e in trip.events if e.activity == "driving" and e.place in labels]
    assert links and all(e.distance_km > 0.5 for e in links)  # each link driven in one row


@pytest.mark.parametrize(("origin", "destination"), [("Tashkent", "Kashgar"), ("Kashgar", "Tashkent"), ("Almaty", "Bishkek"), ("Urumqi", "Almaty")])
def test_no_stop_on_a_link_and_the_vectorised_engine_agrees(net, origin, destination):
    labels = link_labels(net)
    regime = transit.get_regime(net)
    for hour in range(0, 24, 3):
        trip = transit.plan_trip(net, origin, destination, departure=f"2017-10-30T{hour:02d}:00")
        assert not [e for e in trip.events if e.activity in ("break", "daily_rest", "weekly_rest") and any(e.place.startswith(x) for x in labels)]
        runs = simulate_many(net, trip.path, regime=regime, vehicle=trip.vehicle, departure_s=trip.departure.timestamp(), n=2, **trip.plan)
        assert np.allclose(runs.total_s / 3600, trip.total_h)


# -- 5. one helper for a trip question ---------------------------------------------------------------------------


def test_resolve_trip_resolves_every_part_once(net):
    q = resolve_trip(net, "Kashi", "Osh", via="Irkeshtam", vehicle="KG", departure=DEPARTURE)
    assert (net.nodes[q.origin]["name"], net.nodes[q.destination]["name"]) == ("Kashgar", "Osh")
    assert q.via == ("Irkeshtam",) and q.vehicle.registration == "KG" and q.regime.id == "history"
    assert q.departure.utcoffset().total_seconds() == 8 * 3600
    assert resolve_trip(net, "Kashgar", "Osh").departure is None
    with pytest.raises(transit.InvalidDepartureError):
        resolve_trip(net, "Kashgar", "Osh", departure=None)


# -- 6. the default regime comes from the dataset ----------------------------------------------------------------


def test_default_regime_comes_from_dataset_toml(net):
    assert net.graph["default_regime"] == "history"  # the rules in force on the departure's date
    assert transit.get_regime(net).id == "history"
    plain = transit.plan_trip(net, "Kashgar", "Osh", departure=DEPARTURE)
    assert plain.regime == "history"
    assert plain.total_h == transit.plan_trip(net, "Kashgar", "Osh", departure=DEPARTURE, regime="history").total_h
    assert transit.compare(net, "Kashgar", "Osh", departure=DEPARTURE).regimes == ("pre-2017", "sco-2017", "history")
    path = plain.path
    assert transit.simulate(net, path, departure=DEPARTURE).regime == "history"


def test_build_network_default_regime():
    toy = line_network()
    assert toy.graph["default_regime"] == "toy"
    assert transit.plan_trip(toy, "west", "east", departure=DEPARTURE).regime == "toy"
    bare = build_network([], [], [], regimes=[])
    assert bare.graph["default_regime"] is None
    with pytest.raises(UnknownRegimeError, match="no default regime"):
        transit.get_regime(bare)
    with pytest.raises(DataError, match="default_regime 'nope'"):
        build_network([], [], [], regimes=[], default_regime="nope")


def test_dataset_default_regime_must_exist(tmp_path):
    import shutil

    from transit.datasets import routes_dir

    copy = tmp_path / "routes"
    shutil.copytree(routes_dir(), copy)
    toml = copy / "dataset.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'default_regime = "history"' in text
    toml.write_text(text.replace('default_regime = "history"', 'default_regime = "sco-2099"'), encoding="utf-8")
    with pytest.raises(DataError, match=r"dataset.toml.*sco-2099"):
        transit.load_network(copy)
    (copy / "timeline.toml").unlink()  # "history" needs a timeline
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"dataset.toml.*'history'"):
        transit.load_network(copy)


def test_api_trip_defaults_and_warnings(net):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from transit.api import create_app

    client = TestClient(create_app(net))
    body = client.post("/trips", json={"origin": "Kashgar", "destination": "Osh", "via": None, "departure": "2016-10-03T08:00"})
    assert body.status_code == 200, body.text
    data = body.json()
    assert data["regime"] == "history"
    assert any("wait at closed" in w for w in data["warnings"])
    ok = client.post("/trips", json={"origin": "Kashgar", "destination": "Osh", "departure": DEPARTURE}).json()
    assert ok["warnings"] == [] and not math.isnan(ok["total_h"])


def test_snapped_km_is_in_the_summary_and_the_serialized_trip(net):
    from transit.serialize import trip_to_dict

    trip = transit.plan_trip(net, (39.48, 75.98), "Osh", departure=DEPARTURE)
    assert trip.snapped_km[0] > 0.5 and trip.snapped_km[1] == 0.0
    assert trip.summary()["snapped_km"] == [round(trip.snapped_km[0], 2), 0.0]
    assert trip_to_dict(trip)["snapped_km"] == trip.summary()["snapped_km"]
    assert transit.plan_trip(net, "Kashgar", "Osh", departure=DEPARTURE).summary()["snapped_km"] == [0.0, 0.0]


def test_a_route_that_must_leave_and_reenter_a_country_says_so():
    # Without the M5 there is no Russian road from Kazan to Yekaterinburg: the only route runs through Kazakhstan. It
    # is returned (the no-re-entry rule is lifted when nothing else routes), with a warning naming both crossings.
    net = transit.load_network()
    trip = transit.plan_trip(without_the_m5(net), "Kazan", "Yekaterinburg", departure="2019-05-06T08:00")
    countries = [net.nodes[n]["country"] for n in trip.path]
    assert countries[0] == countries[-1] == "RU" and "KZ" in countries
    assert any("leaves RU" in w and "enters it again" in w for w in trip.warnings)
    ordinary = transit.plan_trip(net, "Kashgar", "Tashkent", departure="2019-05-06T08:00")
    assert not any("enters it again" in w for w in ordinary.warnings)
