"""Route choice: candidates in order of static time, exact simulation, via, blocking rules."""

import contextlib
import dataclasses
import math
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import networkx as nx
import pytest

import transit
from tests.conftest import FREE_COSTS, aetr_rules, crossing, place, rule, segment
from transit.geo import haversine_km
from transit.model import node_id
from transit.network import build_network
from transit.regimes import Regime
from transit.routing import candidate_paths
from transit.schedule import PostSchedule
from transit.simulation import simulate

KG = ZoneInfo("Asia/Bishkek")


def diamond(*, south_schedule=None, north_km=260.0, regime_rules=None):
    """Two crossings between KG and CN: a short one (south) and a longer one (north)."""
    west, east = place("west", "KG", 74.0), place("east", "CN", 76.0)
    south = crossing("south", "KG", "CN", 75.0, lat=39.8, schedule_b=south_schedule)
    north = crossing("north", "KG", "CN", 75.0, lat=40.6)
    s_kg, s_cn = south.posts
    n_kg, n_cn = north.posts
    segments = [
        segment("ws", ("west", 74.0, 40.0), (s_kg.id, s_kg.lon, s_kg.lat), 100),
        segment("se", (s_cn.id, s_cn.lon, s_cn.lat), ("east", 76.0, 40.0), 100),
        segment("wn", ("west", 74.0, 40.0), (n_kg.id, n_kg.lon, n_kg.lat), north_km / 2),
        segment("ne", (n_cn.id, n_cn.lon, n_cn.lat), ("east", 76.0, 40.0), north_km / 2),
    ]
    rules = regime_rules or {"south": rule("south", south.directions), "north": rule("north", north.directions)}
    return build_network(
        [west, east],
        [south, north],
        segments,
        regimes=[Regime(id="toy", name="toy", rules=rules)],
        driver_rules=aetr_rules(),
        cost_model=FREE_COSTS,
    )


def test_shorter_crossing_wins_when_both_are_open():
    trip = transit.plan_trip(diamond(), "west", "east", regime="toy", departure="2017-11-01T08:00")
    assert trip.crossings == ("south",)
    assert len(trip.alternatives) >= 1


def test_longer_crossing_wins_when_the_shorter_is_closed_for_the_weekend():
    weekdays = PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours="10:00-19:00")
    net = diamond(south_schedule=weekdays)
    friday = transit.plan_trip(net, "west", "east", regime="toy", departure=datetime(2017, 11, 3, 16, tzinfo=KG))
    assert friday.crossings == ("north",)
    tuesday = transit.plan_trip(net, "west", "east", regime="toy", departure=datetime(2017, 10, 31, 8, tzinfo=KG))
    assert tuesday.crossings == ("south",)


def test_route_choice_matches_brute_force_over_all_simple_paths():
    weekdays = PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours=["10:00-13:00", "15:00-18:00"])
    net = diamond(south_schedule=weekdays, north_km=420)
    for hour in range(0, 24 * 7, 5):
        depart = datetime(2017, 11, 1, 0, tzinfo=KG).timestamp() + hour * 3600
        when = datetime.fromtimestamp(depart, KG)
        planned = transit.plan_trip(net, "west", "east", regime="toy", departure=when)
        paths = nx.all_simple_paths(nx.DiGraph(net), node_id("west"), node_id("east"))
        brute = min(simulate(net, p, regime="toy", departure=when).arrival for p in paths)
        assert planned.arrival <= brute


def test_candidates_come_in_order_of_static_time_and_are_distinct(net):
    paths = candidate_paths(net, "Kashgar", "Tashkent", regime="sco-2017", limit=8)
    statics = [s for s, _ in paths]
    assert statics == sorted(statics) and len(paths) == 8
    assert len({tuple(p) for _, p in paths}) == len(paths)


def test_via_a_crossing_forces_it(net):
    trip = transit.plan_trip(net, "Kashgar", "Bishkek", regime="sco-2017", departure="2017-10-31T08:00", via=["Irkeshtam"])
    assert trip.crossings[0] == "irkeshtam"
    free = transit.plan_trip(net, "Kashgar", "Bishkek", regime="sco-2017", departure="2017-10-31T08:00")
    assert free.crossings == ("torugart",)


def test_via_a_place(net):
    trip = transit.plan_trip(net, "Bishkek", "Osh", regime="sco-2017", departure="2017-10-31T08:00", via=["Naryn"])
    refs = [net.nodes[n]["ref"] for n in trip.path]
    assert "naryn" in refs and refs[0] == "bishkek" and refs[-1] == "osh"


def test_no_route_names_the_blocking_crossing():
    closed = {
        "south": rule("south", ("KG>CN", "CN>KG"), open_to_freight=False, reason="rebuilt"),
        "north": rule("north", ("KG>CN", "CN>KG"), open_to_freight=False),
    }
    net = diamond(regime_rules=closed)
    with pytest.raises(transit.NoRouteError) as info:
        transit.plan_trip(net, "west", "east", regime="toy", departure="2017-11-01T08:00")
    assert set(info.value.blocking) == {"south", "north"}
    assert "rebuilt" in str(info.value)
    assert isinstance(info.value, LookupError)


def test_closed_crossing_in_via(net):
    with pytest.raises(transit.NoRouteError, match="Kara-Suu"):
        transit.plan_trip(net, "Osh", "Andijan", regime="sco-2017", departure="2017-10-31T08:00", via=["Kara-Suu"])


def test_sco_route_sequences_are_routable(net):
    for route in net.graph["routes"].values():
        first, *middle, last = route.sequence
        trip = transit.plan_trip(net, first, last, regime="history", departure="2018-06-04T08:00", via=middle)
        assert trip.distance_km > 0, route.id


@pytest.mark.parametrize(
    ("origin", "destination", "via"),
    [("Kashgar", "Tashkent", ["Irkeshtam"]), ("Tashkent", "Kashgar", ["Irkeshtam"]), ("Kashgar", "Bishkek", []), ("Urumqi", "Almaty", [])],
)
@pytest.mark.parametrize("regime", ["sco-2017", "pre-2017"])
def test_later_departure_never_arrives_earlier_on_the_sco_network(net, origin, destination, via, regime):
    start = datetime(2017, 9, 28, 0, 0)  # noqa: DTZ001 - naive on purpose: local time at the origin; days that run into China's Golden Week
    previous = None
    for step in range(4 * 8):  # every 3 h for 4 days (tests/test_fifo.py and bench/bench_fifo.py sweep every 20 min)
        when = start + timedelta(hours=3 * step)
        arrival = transit.plan_trip(net, origin, destination, regime=regime, departure=when, via=via).arrival
        if previous is not None:
            assert arrival >= previous, f"leaving at {when} arrives before leaving 3 h earlier"
        previous = arrival


def test_the_plan_replays_to_the_searched_arrival_and_the_bound_holds(net):
    """Random questions: the trip (the plan replayed by the simulator) arrives when the search said; replaying it again changes nothing."""
    from transit._labels import search
    from transit.routing import resolve_trip
    from transit.simulation import simulate_path

    rng = random.Random(7)  # noqa: S311 - seeded choice of test cases, not cryptography
    cities = sorted(n for n, d in net.nodes(data=True) if d["kind"] in ("city", "port"))
    for _ in range(40):
        a, b = rng.sample(cities, 2)
        regime = rng.choice(["sco-2017", "pre-2017", "history"])
        vehicle = transit.Vehicle(registration=net.nodes[a]["country"], drivers=rng.choice([1, 2]))
        when = datetime(2017, 10, 25) + timedelta(hours=rng.randrange(24 * 14))  # noqa: DTZ001 - naive on purpose: local time at the origin
        question = resolve_trip(net, a, b, regime=regime, departure=when, vehicle=vehicle)
        question = dataclasses.replace(question, regime=question.regime.around(question.departure_time.timestamp()))
        found = search(
            net,
            question.origin,
            question.destination,
            regime=question.regime,
            vehicle=question.vehicle,
            departure_s=question.departure_time.timestamp(),
        )
        trip = transit.plan_trip(net, a, b, regime=regime, departure=when, vehicle=vehicle)
        assert found.best is not None and found.best.run.t == trip.arrival.timestamp()
        again = simulate_path(net, trip.path, question.regime, question.vehicle, question.departure_time, **trip.plan)
        assert again.arrival == trip.arrival and again.events == trip.events
        assert trip.search is not None and trip.search.expanded >= 1
        assert trip.alternatives[0] == (trip.crossings, trip.total_h)


def test_a_hold_replays_from_its_checkpoint_as_from_the_departure(net, monkeypatch):
    """The search replays a hold from a snapshot taken at its checkpoint; replaying from the departure gives the same label."""
    from transit import _labels

    replay = _labels._Search.replay
    checked = []

    def both(self, nodes, plan, *, snap=None):
        out = replay(self, nodes, plan, snap=snap)
        if snap is not None:
            full = replay(self, nodes, plan)
            same = (out is None and full is None) or (
                out is not None
                and full is not None
                and (out.run.t, out.run.rests, out.run.breaks, out.run.crossed, out.checkpoint, out.left, out.entry)
                == (full.run.t, full.run.rests, full.run.breaks, full.run.crossed, full.checkpoint, full.left, full.entry)
                and all(
                    getattr(out.run.driver, name) == getattr(full.run.driver, name)
                    for name in ("today_s", "since_break_s", "duty_start", "periods", "extensions_used")
                )
            )
            checked.append(same)
        return out

    monkeypatch.setattr(_labels._Search, "replay", both)
    rng = random.Random(11)  # noqa: S311 - seeded choice of test cases, not cryptography
    cities = sorted(n for n, d in net.nodes(data=True) if d["kind"] in ("city", "port"))
    for _ in range(12):
        a, b = rng.sample(cities, 2)
        vehicle = transit.Vehicle(registration=net.nodes[a]["country"], drivers=1)
        when = datetime(2017, 10, 25) + timedelta(hours=rng.randrange(24 * 14))  # noqa: DTZ001 - naive on purpose: local time at the origin
        with contextlib.suppress(transit.NoRouteError):
            transit.plan_trip(net, a, b, regime=rng.choice(["sco-2017", "pre-2017", "history"]), departure=when, vehicle=vehicle)
    assert len(checked) >= 50  # holds that replay from a snapshot happen on one-driver trips
    assert all(checked), f"{checked.count(False)} of {len(checked)} replays from a snapshot differ from the replay from the departure"


def test_dominance_without_a_copy_agrees_with_waiting_on_a_copy(net, monkeypatch):
    """dominates() settles short waits (a break's worth) without copying the crew; on real labels it says what normal() says."""
    from transit import _label, _labels

    pairs = []
    push = _labels._Search.push

    def record(self, label):
        key = (label.node, label.k, label.can_drive, label.run.vehicle.registration, label.run.vehicle.drivers)
        break_rule = self.rules.break_rule(self.cg.country[label.node])
        groups = self.buckets.get((*key[:4], label.run.vehicle.permits, key[4]), {})
        pairs.extend((other, label, break_rule) for other in [other for group in groups.values() for other in group][-6:])
        return push(self, label)

    def reference(a, b, break_rule):  # dominates() as it was: every wait settled on a copy of the crew
        ra, rb = a.run, b.run
        if ra.t > rb.t or not a.left <= b.left or ra.closed_s > rb.closed_s + 1e-6:
            return False
        db, da = _label.normal(rb.driver, 0.0, break_rule), _label.normal(ra.driver, 0.0, break_rule)
        if _label.no_worse(da, db):
            return True
        gap = rb.t - ra.t
        if gap + da.idle_s < break_rule.break_h * 3600:
            return False
        return _label.no_worse(_label.normal(ra.driver, gap, break_rule), db)

    monkeypatch.setattr(_labels._Search, "push", record)
    rng = random.Random(13)  # noqa: S311 - seeded choice of test cases, not cryptography
    cities = sorted(n for n, d in net.nodes(data=True) if d["kind"] in ("city", "port"))
    for _ in range(6):
        a, b = rng.sample(cities, 2)
        when = datetime(2017, 10, 25) + timedelta(hours=rng.randrange(24 * 14))  # noqa: DTZ001 - naive on purpose: local time at the origin
        vehicle = transit.Vehicle(registration=net.nodes[a]["country"], drivers=1)
        with contextlib.suppress(transit.NoRouteError):
            transit.plan_trip(net, a, b, regime=rng.choice(["sco-2017", "pre-2017"]), departure=when, vehicle=vehicle)
    checked = [(x, y, break_rule) for x, y, break_rule in pairs if x.run.closed_s <= y.run.closed_s + 1e-6]
    assert len(checked) > 2000
    short = 0
    for x, y, break_rule in checked:
        for first, second in ((x, y), (y, x)):
            assert _label.dominates(first, second, break_rule) == reference(first, second, break_rule)
            short += 0 < second.run.t - first.run.t < 9 * 3600
    assert short > 500  # the copy-free case was exercised


@pytest.mark.parametrize("via", [(), ("Irkeshtam",), ("Irkeshtam", "Torugart"), ("Irkeshtam", "Torugart", "Irkeshtam", "Torugart")])
def test_the_search_bound_never_exceeds_the_answer(net, via, monkeypatch):
    """The A* bound at the departure (the strict route rules' static time, driving and rests, next waypoint's opening) is a lower bound."""
    from transit import _labels

    bounds = []
    run = _labels._Search.run

    def record(self):
        start = self.fresh_run(_labels.Plan())
        bounds.append((self.t0, self.remaining(self.origin, self.advance(self.origin, 0), None, can_drive=True, run=start)))
        return run(self)

    monkeypatch.setattr(_labels._Search, "run", record)
    for departure in ["2017-10-27T17:00", "2017-10-30T08:00", "2017-11-03T12:00"]:
        for regime in ["sco-2017", "pre-2017"]:
            trip = transit.plan_trip(
                net, "Kashgar", "Kashgar" if len(via) % 2 == 0 and via else "Osh", via=list(via) or None, regime=regime, departure=departure
            )
            t0, bound = bounds[-1]
            assert bound is not None and t0 + bound <= trip.arrival.timestamp() + 1e-6


def test_a_strict_search_makes_no_label_that_must_cross_into_a_dead_end(net, monkeypatch):
    """
    A truck that drove to a post to cross there is not kept when every crossing from it leads where the next waypoint cannot be reached.

    The oracle is written here, over the countries the network's crossings join: from the country
    beyond the post, the next waypoint crossing must be reachable through countries the route has not
    left (the waypoint crossing itself may lead back). Without this pruning, a search via Irkeshtam
    that first entered Kyrgyzstan over Torugart kept labels at Dostuk and Karamyk, whose crossings
    lead into Uzbekistan and Tajikistan, and spent half its time on them.
    """
    from transit import _labels

    crossings = net.graph["crossings"]
    neighbours: dict[str, set[str]] = {}
    for joined in crossings.values():
        a, b = sorted(joined.countries)
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)

    def can_reach(country, goals, left):
        seen, todo = {country}, [country]
        while todo:
            for there in neighbours.get(todo.pop(), ()) - seen - left:
                seen.add(there)
                todo.append(there)
        return bool(seen & goals)

    made = []
    push = _labels._Search.push

    def record(self, label):
        if self.strict and not label.can_drive and label.k < len(self.waypoints) and self.waypoints[label.k][0] == "crossing":
            made.append((self, label))
        return push(self, label)

    monkeypatch.setattr(_labels._Search, "push", record)
    via = ["Irkeshtam", "Torugart", "Irkeshtam", "Torugart"]
    trip = transit.plan_trip(net, "Kashgar", "Kashgar", via=via, regime="sco-2017", departure="2017-10-30T08:00")
    assert trip.crossings == tuple(v.lower() for v in via)
    assert len(made) > 20
    for search, label in made:
        cg, here = search.cg, search.cg.country[label.node]
        waypoint = search.waypoints[label.k][1]
        goals = set(crossings[waypoint].countries)
        onward = [
            target
            for target, _ in cg.cross_out.get(label.node, ())
            if cg.crossing_of[(label.node, target)] == waypoint
            or (cg.country[target] not in label.left | {here} and can_reach(cg.country[target], goals, label.left | {here}))
        ]
        assert onward, f"a label at {net.nodes[label.node]['name']} (left {sorted(label.left)}) can only cross into a dead end"


def test_no_single_extended_day_or_early_rest_more_makes_a_trip_earlier(net):
    """
    The search tries extended days and rests at a break at every stop of a leg: one more never makes the trip earlier.

    (Until 1 Dec 2026 they were tried only in a leg's last two days of driving, and this test was a strict
    xfail: one more extended day far from the border made one of these trips earlier.)
    """
    from transit.routing import resolve_trip
    from transit.simulation import simulate_path

    rng = random.Random(5)  # noqa: S311 - seeded choice of test cases, not cryptography
    cities = sorted(n for n, d in net.nodes(data=True) if d["kind"] in ("city", "port"))
    tried = 0
    while tried < 10:
        a, b = rng.sample(cities, 2)
        regime = rng.choice(["sco-2017", "pre-2017"])
        vehicle = transit.Vehicle(registration=net.nodes[a]["country"], drivers=1)
        when = datetime(2017, 1, 25) + timedelta(hours=rng.randrange(24 * 300))  # noqa: DTZ001 - naive on purpose: local time at the origin
        try:
            trip = transit.plan_trip(net, a, b, regime=regime, departure=when, vehicle=vehicle)
        except transit.NoRouteError:
            continue
        if trip.total_h < 72:
            continue  # multi-day trips: the days far from the border are the ones a horizon would leave out
        tried += 1
        question = resolve_trip(net, a, b, regime=regime, departure=when, vehicle=vehicle)
        plan = trip.plan
        days = math.ceil(trip.total_h / 24) + 1
        breaks = int((trip.timeline["activity"] == "break").sum())
        variants = [{"extended_days": plan["extended_days"] | {day}} for day in range(1, days + 1) if day not in plan["extended_days"]]
        variants += [{"rest_at_breaks": plan["rest_at_breaks"] | {k}} for k in range(1, breaks + 1) if k not in plan["rest_at_breaks"]]
        for change in variants:
            try:
                other = simulate_path(net, trip.path, question.regime, question.vehicle, question.departure_time, **{**plan, **change})
            except transit.NoRouteError:
                continue
            assert other.arrival >= trip.arrival, (net.nodes[a]["name"], net.nodes[b]["name"], regime, when, change)


def test_no_reduced_rest_lengthened_to_a_full_one_makes_a_trip_earlier(net):
    """
    Lengthening any one rest of the plan by the 2 h that make a reduced daily rest a full one never makes the trip earlier.

    Long one-driver trips: two seeded random ones and two where the gap was measured (README, assumption 2; a strict
    ``xfail`` until 1 Dec 2026, fourth session): Semey->Dushanbe, where a rest held to meet a crossing's hours was a
    full one only because an earlier rest had spent the week's last reduction (:meth:`_Search.hold_moved`), and
    Kyzylorda->Korla, where a closed crossing takes up part of the 2 h (:meth:`_Search.full_rest_hold`).
    """
    from transit.routing import resolve_trip

    rng = random.Random(8)  # noqa: S311 - seeded choice of test cases, not cryptography
    cities = sorted(n for n, d in net.nodes(data=True) if d["kind"] in ("city", "port"))
    questions = [("Semey", "Dushanbe", "sco-2017", datetime(2017, 10, 30, 8)), ("Kyzylorda", "Korla", "sco-2017", datetime(2017, 10, 30, 8))]  # noqa: DTZ001 - naive on purpose: local time at the origin
    while len(questions) < 4:
        a, b = rng.sample(cities, 2)
        questions.append((a, b, rng.choice(["sco-2017", "pre-2017"]), datetime(2017, 3, 1) + timedelta(hours=rng.randrange(24 * 300))))  # noqa: DTZ001
    earlier = []
    for a, b, regime, when in questions:
        vehicle = transit.Vehicle(registration=net.nodes[transit.resolve_place(net, a)]["country"], drivers=1)
        try:
            trip = transit.plan_trip(net, a, b, regime=regime, departure=when, vehicle=vehicle)
        except transit.NoRouteError:
            continue
        question = resolve_trip(net, a, b, regime=regime, departure=when, vehicle=vehicle)
        rests = int(trip.timeline["activity"].isin(["daily_rest", "weekly_rest", "transshipment"]).sum())
        for k in range(1, rests + 1):
            other = lengthened(net, trip, question, k, 2 * 3600)
            if other is not None and other.arrival < trip.arrival:
                earlier.append((a, b, regime, when, k, (trip.arrival - other.arrival).total_seconds() / 3600))
    assert not earlier, earlier


@pytest.mark.parametrize(("origin", "destination"), [("Yekaterinburg", "Osh"), ("Tacheng", "Kunduz"), ("Karaganda", "Moscow")])
def test_no_rest_lengthened_to_a_weekly_one_makes_a_trip_earlier(net, origin, destination):
    """
    Lengthening any one rest of the plan to a weekly rest (24 h) never makes the trip earlier.

    One-driver ``sco-2017`` trips where the search, until 1 Dec 2026 (fourth session), took the weekly rest only
    where a wait or a hold made one, or when it fell due: taking it where the week's reduced rests run out makes
    Yekaterinburg->Osh 4 h earlier (the new week's reductions shorten the next two rests), Tacheng->Kunduz 24 h
    and Karaganda->Moscow 8.4 h (README, assumption 2).
    """
    from transit.routing import resolve_trip

    when = datetime(2017, 10, 30, 8)  # noqa: DTZ001 - naive on purpose: local time at the origin
    vehicle = transit.Vehicle(registration=net.nodes[transit.resolve_place(net, origin)]["country"], drivers=1)
    trip = transit.plan_trip(net, origin, destination, regime="sco-2017", departure=when, vehicle=vehicle)
    question = resolve_trip(net, origin, destination, regime="sco-2017", departure=when, vehicle=vehicle)
    crew = net.graph["driver_rules"].crew(1)
    rests = trip.timeline[trip.timeline["activity"].isin(["daily_rest", "weekly_rest", "transshipment"])]
    earlier = []
    for k, hours in enumerate(rests["duration_h"], start=1):
        other = lengthened(net, trip, question, k, max(crew.weekly_rest_h - hours, 0.0) * 3600)
        if other is not None and other.arrival < trip.arrival:
            earlier.append((k, (trip.arrival - other.arrival).total_seconds() / 3600))
    assert not earlier, earlier


def lengthened(net: nx.MultiDiGraph, trip: transit.Trip, question: Any, k: int, seconds: float) -> transit.Trip | None:
    """``trip`` replayed with its ``k``-th rest lengthened by ``seconds`` (``None`` if that finds no way through)."""
    from transit.simulation import simulate_path

    plan = trip.plan
    extensions = [*plan["extensions"], *[0.0] * (k + 1 - len(plan["extensions"]))]
    extensions[k] += seconds
    try:
        return simulate_path(net, trip.path, question.regime, question.vehicle, question.departure_time, **{**plan, "extensions": tuple(extensions)})
    except transit.NoRouteError:
        return None


def test_no_rest_held_two_hours_with_an_extended_day_moved_makes_a_trip_earlier(net):
    """
    Holding any one rest of the plan 2 h, with any one extended day moved to another day, never makes the trip earlier.

    The hold is assumption 2's lengthening of a reduced rest; moving the extended day is the choice a hold's
    replay keeps (assumption 5). Kazan->Jalal-Abad (``sco-2017``, one driver), where the gap was found (a strict
    ``xfail`` until 1 Dec 2026, fourth session: the weekly rest taken early gives a plan no such change beats).
    """
    from transit.routing import resolve_trip
    from transit.simulation import simulate_path

    when = datetime(2017, 10, 30, 8)  # noqa: DTZ001 - naive on purpose: local time at the origin
    vehicle = transit.Vehicle(registration="RU", drivers=1)
    trip = transit.plan_trip(net, "Kazan", "Jalal-Abad", regime="sco-2017", departure=when, vehicle=vehicle)
    question = resolve_trip(net, "Kazan", "Jalal-Abad", regime="sco-2017", departure=when, vehicle=vehicle)
    plan = trip.plan
    rests = int(trip.timeline["activity"].isin(["daily_rest", "weekly_rest", "transshipment"]).sum())
    days = int(trip.timeline["local_start"].map(lambda t: t.date()).nunique()) + 2
    earlier = []
    for k in range(1, rests + 1):
        extensions = [*plan["extensions"], *[0.0] * (k + 1 - len(plan["extensions"]))]
        extensions[k] += 2 * 3600
        for moved in sorted(plan["extended_days"]):
            for day in range(1, days + 1):
                if day in plan["extended_days"]:
                    continue
                try:
                    other = simulate_path(
                        net,
                        trip.path,
                        question.regime,
                        question.vehicle,
                        question.departure_time,
                        **{**plan, "extensions": tuple(extensions), "extended_days": (plan["extended_days"] - {moved}) | {day}},
                    )
                except transit.NoRouteError:
                    continue
                if other.arrival < trip.arrival:
                    earlier.append((k, moved, day, (trip.arrival - other.arrival).total_seconds() / 3600))
    assert not earlier, earlier


@pytest.mark.parametrize(("via", "when"), [(14, "2017-10-30T08:00"), (12, "2017-11-02T20:00")])
def test_closed_waiting_dominance_counts_only_time_not_spent_driving(net, via, when, monkeypatch):
    """
    A crew that waited longer at closed borders is no worse off where the rest of the trip cannot take it past the horizon.

    The search counts, of the time up to the best arrival, only what is not spent driving (no closed
    waiting while the truck drives). On a month-long ``via`` trip this changes which labels are kept
    (on the 14-item trip 27% fewer since 1 Dec 2026, fourth session; on the 12-item one 7% more: a
    label dropped early can leave others standing), and the arrival is no later than counting all of it.
    """
    from transit import _labels

    route = ["Irkeshtam", "Torugart"] * (via // 2)
    trip = transit.plan_trip(transit.load_network(), "Kashgar", "Kashgar", via=route, departure=when)
    dominates = _labels.dominates

    def all_of_it(a, b, rule, *, until):  # the rule before: all the time up to the best arrival may be closed waiting
        driving, a.driving_s = a.driving_s, 0.0
        try:
            return dominates(a, b, rule, until=until)
        finally:
            a.driving_s = driving

    monkeypatch.setattr(_labels, "dominates", all_of_it)
    before = transit.plan_trip(transit.load_network(), "Kashgar", "Kashgar", via=route, departure=when)
    assert trip.total_h > 20 * 24  # long enough for the horizon (30 days of closed waiting) to matter
    assert trip.arrival <= before.arrival
    assert trip.search != before.search  # the rule was in play


def test_copies_of_a_leg_dropped_for_being_behind_never_change_the_answer(net, monkeypatch):
    """
    A copy of a leg that is behind another (as much of the leg left or more, no earlier, no better off) is dropped; never the winner.

    The same random one-driver trips are planned with and without that rule (``ready``) in
    :func:`transit._legs.drive`: the arrivals must be equal to the second. Without the rule, forking at
    every stop of a leg is many times slower, so the trips are under a week long; each one's plan took a fork
    (an extended day or a rest at a break), so the copies the rule drops were in the running.
    """
    from transit import _legs

    rng = random.Random(17)  # noqa: S311 - seeded choice of test cases, not cryptography
    cities = sorted(n for n, d in net.nodes(data=True) if d["kind"] in ("city", "port"))
    questions = []
    while len(questions) < 10:
        a, b = rng.sample(cities, 2)
        when = datetime(2017, 3, 1) + timedelta(hours=rng.randrange(24 * 300))  # noqa: DTZ001 - naive on purpose: local time at the origin
        question = {
            "regime": rng.choice(["sco-2017", "pre-2017"]),
            "departure": when,
            "vehicle": transit.Vehicle(registration=net.nodes[a]["country"], drivers=1),
        }
        try:
            trip = transit.plan_trip(net, a, b, **question)
        except transit.NoRouteError:
            continue
        if trip.total_h < 160 and (trip.plan["extended_days"] or trip.plan["rest_at_breaks"]):  # a fork won
            questions.append((a, b, question, trip.arrival))
    drive = _legs.drive
    monkeypatch.setattr(_legs, "drive", lambda *args, **kwargs: drive(*args, **{**kwargs, "ready": None}))
    fresh = transit.freeze(transit.editable(net))  # a network of its own: no leg remembered from the trips above
    for a, b, question, arrival in questions:
        unmerged = transit.plan_trip(fresh, a, b, **question)
        assert unmerged.arrival == arrival, (net.nodes[a]["name"], net.nodes[b]["name"], question)


def test_fewer_duty_periods_since_the_weekly_rest_never_lose(net, monkeypatch):
    """
    The search is no later than one that never lets a crew with fewer duty periods since its weekly rest dominate.

    The search lets it only where the other crew's weekly rest cannot fall due before the best arrival
    (``_Search.week_open``). Kazan->Kashgar (2018, one driver) was 17 h late when fewer periods always
    counted as better off; Semey->Lianyungang 3.7 h later than the old capped search. And seeded random
    long one-driver trips.
    """
    from transit import _label

    rng = random.Random(29)  # noqa: S311 - seeded choice of test cases, not cryptography
    cities = sorted(n for n, d in net.nodes(data=True) if d["kind"] in ("city", "port"))
    questions = [
        ("Kazan", "Kashgar", "history", "2018-06-01T06:00"),
        ("Semey", "Lianyungang", "sco-2017", "2017-10-30T08:00"),
    ]
    while len(questions) < 8:
        a, b = rng.sample(cities, 2)
        when = datetime(2017, 10, 23) + timedelta(hours=rng.randrange(24 * 28))  # noqa: DTZ001 - naive on purpose: local time at the origin
        if haversine_km(net.nodes[a]["x"], net.nodes[a]["y"], net.nodes[b]["x"], net.nodes[b]["y"]) > 2500:  # a week or more
            questions.append((net.nodes[a]["name"], net.nodes[b]["name"], rng.choice(["sco-2017", "pre-2017", "history"]), when.isoformat()))

    def truck(origin):  # registered where it starts, one driver
        return transit.Vehicle(registration=net.nodes[transit.resolve_place(net, origin)]["country"], drivers=1)

    trips = [transit.plan_trip(net, a, b, regime=regime, departure=when, vehicle=truck(a)) for a, b, regime, when in questions]
    no_worse = _label.no_worse

    def equal_periods(da, db, **kwargs):
        return da.periods == db.periods and no_worse(da, db, **kwargs)

    monkeypatch.setattr(_label, "no_worse", equal_periods)
    fresh = transit.load_network()  # no cached answer
    for (a, b, regime, when), trip in zip(questions, trips, strict=True):
        exact = transit.plan_trip(fresh, a, b, regime=regime, departure=when, vehicle=truck(a))
        assert trip.arrival <= exact.arrival, (
            f"{a}->{b} {regime} {when}: {trip.total_h:.2f} h, but {exact.total_h:.2f} h comparing periods for equality"
        )
