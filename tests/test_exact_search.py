"""The exact route search against a brute force over every path and every plan on a grid, on toy networks.

:func:`transit.plan_trip` (the label-setting search of :mod:`transit._labels`) claims the earliest arrival
over every route and every plan (holds, waits, extended days, rests taken at breaks; see
:mod:`transit._run`). Here five toy networks built in code are searched and brute-forced:

* every simple path from origin to destination (``networkx.all_simple_paths`` on the road graph), and
* every plan of a grid (below), each replayed by :func:`transit.simulation.simulate_path`; a plan
  that raises :class:`~transit.errors.NoRouteError` is not possible and is skipped.

For each toy and each of 12 departures (every 4 h 15 min from Thursday 2 November 2017 00:00 UTC, so
over two days and on every quarter-hour offset):

* **never beaten**: the search's arrival is no later than the brute force's earliest;
* **exact on the grid**: when the search's own plan lies on the grid, the two are equal;
* **parity**: the search's own best label (:func:`transit._labels.search`), ``trip.arrival`` and the replay of
  ``trip.path`` with ``trip.plan`` by :func:`~transit.simulation.simulate_path` agree to the second.

And **FIFO** on each toy: departures every 15 min over two days, the arrival never decreases.

Every duration is on a 15-minute grid so that the optimal waits are too: roads of whole quarter-hours
at 50 km/h, crossing links of 5 km at the default 20 km/h (15 min), queues, clearance and
transshipment in quarter-hours, opening hours at whole hours in zones of whole-hour offsets, and one
AETR break rule everywhere (45 min after 4.5 h; the Chinese 20-min break would leave the grid). The
crew is AETR-like with the extended day (10 h, twice a week) and the reduced rest (9 h, three times),
so that those decisions exist.

**The grid.** The full product (holds × rest lengths × waits × extended days × rests at breaks) is far
too big, so each toy brute-forces a union of :class:`Block` products, each varying one or two kinds of
decision finely (15 min) and the others coarsely or not at all; the comments at each toy say which.
About 12,300 plans per departure over all toys (paths × plans), 148,000 simulations in all (~10 s).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import networkx as nx
import pytest

import transit
from tests.conftest import AETR_ONE_DRIVER, FREE_COSTS, crossing, place, rule, segment
from transit._labels import search
from transit.crossings import Crossing
from transit.drivers import BreakRule, CrewRule, DriverRules
from transit.lookup import resolve_place
from transit.network import build_network
from transit.regimes import CrossingRule, Regime
from transit.schedule import PostSchedule
from transit.simulation import simulate_path

H = 3600.0
QUARTER = 900.0
START = datetime(2017, 11, 2, 0, 0, tzinfo=UTC)  # a Thursday: the departures run into Friday and meet weekend closures
DEPARTURES = tuple(START + k * timedelta(hours=4, minutes=15) for k in range(12))
FIFO_DEPARTURES = tuple(START + k * timedelta(minutes=15) for k in range(4 * 48))

CREW = AETR_ONE_DRIVER
RULES = DriverRules(
    break_rules={"aetr": BreakRule(id="aetr", name="AETR", break_after_h=4.5, break_h=0.75)},
    countries={},
    default_break_rule="aetr",
    crews={
        1: CREW,
        2: CrewRule(drivers=2, daily_driving_h=18, daily_rest_h=9, duty_window_h=30, weekly_after_periods=6, weekly_rest_h=24, breaks=False),
    },
)


# -- the grid -----------------------------------------------------------------------------------


def grid(hi_h: float, step_s: float = QUARTER) -> tuple[float, ...]:
    """``0, step, 2 step, ... hi`` seconds."""
    return tuple(float(s) for s in range(0, int(hi_h * H) + 1, int(step_s)))


NONE = (0.0,)
#: Extended days: the simulator's own policy (None), never, day 1, day 2, both.
DAYS = (None, frozenset(), frozenset({1}), frozenset({2}), frozenset({1, 2}))
#: Rests taken at breaks: every subset of {1, 2, 3} (RAB2: of {1, 2}).
RAB3 = tuple(frozenset(c) for r in range(4) for c in itertools.combinations((1, 2, 3), r))
RAB2 = tuple(s for s in RAB3 if 3 not in s)


@dataclasses.dataclass(frozen=True)
class Block:
    """A product of plan choices: a grid per extension index (0: hold at the origin), per crossing wait, extended days, rests at breaks."""

    ext: tuple[tuple[float, ...], ...] = (NONE,)
    waits: tuple[tuple[float, ...], ...] = ()
    days: tuple[frozenset[int] | None, ...] = (frozenset(),)
    rab: tuple[frozenset[int], ...] = (frozenset(),)

    def __len__(self) -> int:
        return len(self.days) * len(self.rab) * math.prod(len(values) for values in (*self.ext, *self.waits))

    def plans(self) -> Iterator[dict[str, Any]]:
        for ext in itertools.product(*self.ext):
            extensions = list(ext)
            while extensions and extensions[-1] == 0:
                extensions.pop()
            for waits in itertools.product(*self.waits):
                for days in self.days:
                    for rab in self.rab:
                        yield {
                            "extensions": tuple(extensions),
                            "waits": {c: w for c, w in enumerate(waits) if w > 0},
                            "extended_days": days,
                            "rest_at_breaks": rab,
                        }

    def contains(self, plan: dict[str, Any]) -> bool:
        """Whether the plan (``trip.plan``) is one of this block's."""
        extensions = tuple(plan["extensions"])
        if any(s > 0 for s in extensions[len(self.ext) :]):
            return False
        if any(s not in values for s, values in zip(extensions, self.ext, strict=False)):
            return False
        if any(not 0 <= c < len(self.waits) and s > 0 for c, s in plan["waits"].items()):
            return False
        if any(plan["waits"].get(c, 0.0) not in values for c, values in enumerate(self.waits)):
            return False
        return plan["extended_days"] in self.days and plan["rest_at_breaks"] in self.rab


# -- the toys -----------------------------------------------------------------------------------


def xing(cid: str, a: str, b: str, lon: float, **kw: Any) -> Crossing:
    """A crossing whose link takes 15 min (5 km at the default 20 km/h)."""
    return dataclasses.replace(crossing(cid, a, b, lon, **kw), link_km=5.0)


def road(sid: str, u: tuple[str, float], v: tuple[str, float], km: float) -> Any:
    return segment(sid, (u[0], u[1], 40.0), (v[0], v[1], 40.0), km)


def posts(c: Crossing) -> list[tuple[str, float]]:
    return [(p.id, p.lon) for p in c.posts]


def toy_network(places: list[Any], crossings: list[Crossing], segments: list[Any], rules: list[CrossingRule]) -> nx.MultiDiGraph:
    regime = Regime(id="toy", name="toy", rules={r.crossing_id: r for r in rules})
    return build_network(places, crossings, segments, regimes=[regime], driver_rules=RULES, cost_model=FREE_COSTS, name="toy")


WEST, EAST = ("west", 74.0), ("east", 76.0)


def weekday_line() -> nx.MultiDiGraph:
    """West (KG) -- 4 h -- x -- 3 h -- east (CN); the CN post opens 09:00-18:00 Mon-Fri; 30 min queue, 1 h clearance."""
    x = xing("x", "KG", "CN", 75.0, schedule_b=PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours="09:00-18:00"))
    kg, cn = posts(x)
    return toy_network(
        [place("west", "KG", 74.0), place("east", "CN", 76.0)],
        [x],
        [road("w", WEST, kg, 200), road("e", cn, EAST, 150)],
        [rule("x", ("KG>CN", "CN>KG"), queue_h=0.5, clearance_h=1.0)],
    )


def two_crossings() -> nx.MultiDiGraph:
    """
    Two ways from west (KG) to east (CN): by ``a`` (4 h + 5.5 h, CN post open 09:00-15:00 only) or by ``b`` (5 h + 5.5 h, always open, 4 h queue).

    Which is faster depends on the departure time, and so do the hold, the extended day and the rest.
    """
    a = xing("a", "KG", "CN", 75.0, lat=41.0, schedule_b=PostSchedule.build(tz="Asia/Shanghai", hours="09:00-15:00"))
    b = xing("b", "KG", "CN", 75.0, lat=39.0)
    akg, acn = posts(a)
    bkg, bcn = posts(b)
    return toy_network(
        [place("west", "KG", 74.0), place("east", "CN", 76.0)],
        [a, b],
        [road("wa", WEST, akg, 200), road("ae", acn, EAST, 275), road("wb", WEST, bkg, 250), road("be", bcn, EAST, 275)],
        [rule("a", ("KG>CN", "CN>KG"), clearance_h=1.0), rule("b", ("KG>CN", "CN>KG"), queue_h=4.0, clearance_h=1.0)],
    )


def night_hold() -> nx.MultiDiGraph:
    """
    West (KG) -- 4 h -- x -- 5.5 h -- east (CN); the CN post opens 09:00-18:00 daily (01:00-10:00 UTC).

    9.75 h of driving: an extended day, and within the duty window. A truck that reaches the
    closed post and waits there 4.25-9 h runs out of duty window and must rest 9 h more; held at
    the origin instead (its duty day not begun) it does not.
    """
    x = xing("x", "KG", "CN", 75.0, schedule_b=PostSchedule.build(tz="Asia/Shanghai", hours="09:00-18:00"))
    kg, cn = posts(x)
    return toy_network(
        [place("west", "KG", 74.0), place("east", "CN", 76.0)],
        [x],
        [road("w", WEST, kg, 200), road("e", cn, EAST, 275)],
        [rule("x", ("KG>CN", "CN>KG"), clearance_h=1.0)],
    )


def rest_before_closure() -> nx.MultiDiGraph:
    """
    West (KG) -- 9.5 h -- x -- 2 h -- east (CN); both posts open 08:00-20:00 local (02:00-12:00 UTC together).

    The crew must rest before the crossing, or drive an extended day to reach it and rest there
    while it is closed; or take its rest at the first break, or lengthen the rest.
    """
    x = xing(
        "x",
        "KG",
        "CN",
        75.0,
        schedule_a=PostSchedule.build(tz="Asia/Bishkek", hours="08:00-20:00"),
        schedule_b=PostSchedule.build(tz="Asia/Shanghai", hours="08:00-20:00"),
    )
    kg, cn = posts(x)
    return toy_network(
        [place("west", "KG", 74.0), place("east", "CN", 76.0)],
        [x],
        [road("w", WEST, kg, 475), road("e", cn, EAST, 100)],
        [rule("x", ("KG>CN", "CN>KG"), clearance_h=1.0)],
    )


def transshipment() -> nx.MultiDiGraph:
    """
    West (KG) -- 4 h -- x -- 6 h -- y -- 3 h -- east (KZ), by way of mid (CN).

    ``x`` does not admit the KG truck: the cargo moves to a CN truck (2 h); the KZ post of ``y``
    opens 09:00-18:00 Mon-Fri. The fresh CN truck may be held after the transshipment.
    """
    x = xing("x", "KG", "CN", 75.0)
    y = xing("y", "CN", "KZ", 77.0, schedule_b=PostSchedule.build(tz="Asia/Almaty", weekdays="Mon-Fri", hours="09:00-18:00"))
    kg, cnx = posts(x)
    cny, kz = posts(y)
    mid = ("mid", 76.0)
    return toy_network(
        [place("west", "KG", 74.0), place("mid", "CN", 76.0), place("east", "KZ", 78.0)],
        [x, y],
        [road("w", WEST, kg, 200), road("m1", cnx, mid, 150), road("m2", mid, cny, 150), road("e", kz, ("east", 78.0), 150)],
        [
            rule("x", ("KG>CN", "CN>KG"), clearance_h=1.0, through={"CN": "none"}, transshipment_h=2.0),
            rule("y", ("CN>KZ", "KZ>CN"), clearance_h=1.0),
        ],
    )


@dataclasses.dataclass(frozen=True)
class Toy:
    build: Callable[[], nx.MultiDiGraph]
    blocks: tuple[Block, ...]
    registration: str = "KG"


TOYS = {
    # One crossing, no rest needed: the hold at the origin and the wait at the crossing (staying until it is a break or
    # a rest), each on 15 min with the other every 2 h; the plan's other choices without holds.
    "weekday_line": Toy(
        weekday_line,
        (
            Block(ext=(grid(24),), waits=(grid(12, 2 * H),)),
            Block(ext=(grid(24, 2 * H),), waits=(grid(12),)),
            Block(days=DAYS, rab=RAB3),
        ),
    ),
    # Route choice: on both paths, the hold on 15 min with every extended-day choice; the wait on 15 min with every
    # extended-day choice; holds every 2 h with every extended-day and rest-at-break choice.
    "two_crossings": Toy(
        two_crossings,
        (
            Block(ext=(grid(24),), days=DAYS),
            Block(waits=(grid(12),), days=DAYS),
            Block(ext=(grid(24, 2 * H),), days=DAYS, rab=RAB3),
        ),
    ),
    # The hold at the origin pays: hold on 15 min with every extended-day choice, and with hourly waits; the wait on
    # 15 min with the extended days and rests at the first two breaks; holds every 2 h with every rest-at-break choice.
    "night_hold": Toy(
        night_hold,
        (
            Block(ext=(grid(24),), days=DAYS),
            Block(ext=(grid(24),), waits=(grid(12, H),)),
            Block(waits=(grid(12),), days=DAYS, rab=RAB2),
            Block(ext=(grid(24, 2 * H),), days=DAYS, rab=RAB3),
        ),
    ),
    # A rest before the crossing: the hold on 15 min with every extended-day choice; the rest's extension on 15 min with
    # the extended days and rests at the first two breaks; hourly hold x hourly extension; the wait on 15 min.
    "rest_before_closure": Toy(
        rest_before_closure,
        (
            Block(ext=(grid(24),), days=DAYS),
            Block(ext=(NONE, grid(12)), days=DAYS, rab=RAB2),
            Block(ext=(grid(24, H), grid(12, H)), days=(frozenset(), frozenset({1}))),
            Block(waits=(grid(12),), days=DAYS),
        ),
    ),
    # Transshipment: extension 1 is the hold of the fresh CN truck. Origin hold on 15 min x truck hold every 2 h; truck
    # hold on 15 min x wait at y every 2 h, and with every extended-day choice; the waits at x and at y on 15 min with the
    # extended days; hourly truck holds with every extended-day and rest-at-break choice.
    "transshipment": Toy(
        transshipment,
        (
            Block(ext=(grid(24), grid(12, 2 * H))),
            Block(ext=(NONE, grid(24)), waits=(NONE, grid(12, 2 * H))),
            Block(ext=(NONE, grid(24)), days=DAYS),
            Block(waits=(grid(12), NONE), days=DAYS),
            Block(waits=(NONE, grid(12)), days=DAYS),
            Block(ext=(NONE, grid(12, H)), days=DAYS, rab=RAB3),
        ),
    ),
}


@pytest.fixture(scope="module", params=sorted(TOYS))
def toy(request: pytest.FixtureRequest) -> tuple[str, Toy, nx.MultiDiGraph]:
    name = request.param
    return name, TOYS[name], TOYS[name].build()


# -- the brute force ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Best:
    arrival: datetime
    path: tuple[Any, ...]
    plan: dict[str, Any]


def brute_force(net: nx.MultiDiGraph, toy: Toy, departure: datetime) -> tuple[Best | None, int]:
    """The earliest arrival over every simple path and every plan of the toy's blocks; and the number of plans simulated."""
    regime = net.graph["regimes"]["toy"]
    vehicle = transit.Vehicle(registration=toy.registration)
    origin, destination = resolve_place(net, "west"), resolve_place(net, "east")
    best: Best | None = None
    count = 0
    for path in nx.all_simple_paths(net, origin, destination):
        for block in toy.blocks:
            for plan in block.plans():
                count += 1
                try:
                    arrival = simulate_path(net, tuple(path), regime, vehicle, departure, annotate=False, **plan).arrival
                except transit.NoRouteError:
                    continue
                if best is None or arrival < best.arrival:
                    best = Best(arrival, tuple(path), plan)
    return best, count


def names(net: nx.MultiDiGraph, path: tuple[Any, ...]) -> list[str]:
    return [net.nodes[n]["name"] for n in path]


def test_blocks_are_small_and_well_formed():
    plans = {name: sum(len(block) for block in toy.blocks) for name, toy in TOYS.items()}
    assert all(500 < n < 4000 for n in plans.values()), plans
    block = Block(ext=(grid(1), grid(1, H)), waits=(NONE, grid(2, H)), days=DAYS[:2], rab=RAB2)
    assert len(block) == len(list(block.plans())) == 5 * 2 * 3 * 2 * 4
    assert block.contains({"extensions": (900.0,), "waits": {1: 7200.0}, "extended_days": None, "rest_at_breaks": frozenset({1, 2})})
    assert not block.contains({"extensions": (900.0,), "waits": {0: 7200.0}, "extended_days": None, "rest_at_breaks": frozenset()})
    assert not block.contains({"extensions": (0.0, 900.0), "waits": {}, "extended_days": None, "rest_at_breaks": frozenset()})
    assert not block.contains({"extensions": (0.0, 0.0, 1.0), "waits": {}, "extended_days": None, "rest_at_breaks": frozenset()})


def test_search_is_never_beaten_by_brute_force(toy):
    name, spec, net = toy
    regime = net.graph["regimes"]["toy"]
    vehicle = transit.Vehicle(registration=spec.registration)
    origin, destination = resolve_place(net, "west"), resolve_place(net, "east")
    problems = []
    for departure in DEPARTURES:
        trip = transit.plan_trip(net, "west", "east", regime="toy", departure=departure, vehicle=vehicle)
        replay = simulate_path(net, trip.path, regime, vehicle, departure, annotate=False, **trip.plan)
        found = search(net, origin, destination, regime=regime, vehicle=vehicle, departure_s=departure.timestamp())
        assert found.best is not None
        label_t = datetime.fromtimestamp(found.best.run.t, UTC)
        where = f"{name}, departure {departure:%a %Y-%m-%d %H:%M} UTC"
        if not replay.arrival == trip.arrival == label_t:
            problems.append(
                f"{where}: the search's label arrives {label_t:%a %H:%M:%S}, plan_trip {trip.arrival.astimezone(UTC):%a %H:%M:%S}, "
                f"replaying trip.plan {replay.arrival.astimezone(UTC):%a %H:%M:%S} UTC (plan {trip.plan})"
            )
        best, _ = brute_force(net, spec, departure)
        assert best is not None, f"{where}: no plan of the grid gets through"
        on_grid = any(block.contains(trip.plan) for block in spec.blocks)
        search_h = (trip.arrival - departure).total_seconds() / H
        brute_h = (best.arrival - departure).total_seconds() / H
        if best.arrival < trip.arrival:
            problems.append(
                f"{where}: brute force beats the search by {search_h - brute_h:.2f} h: search {search_h:.2f} h by {names(net, trip.path)} "
                f"with {trip.plan}; brute force {brute_h:.2f} h by {names(net, best.path)} with {best.plan}"
            )
        elif on_grid and best.arrival != trip.arrival:
            problems.append(
                f"{where}: the search's plan {trip.plan} is on the grid but the brute force's best is {brute_h:.2f} h, not {search_h:.2f} h"
            )
    assert not problems, "\n".join(problems)


def test_later_departures_never_arrive_earlier(toy):
    name, spec, net = toy
    vehicle = transit.Vehicle(registration=spec.registration)
    arrivals = [transit.plan_trip(net, "west", "east", regime="toy", departure=d, vehicle=vehicle).arrival for d in FIFO_DEPARTURES]
    late = [
        f"{name}: departure {d:%a %H:%M} UTC arrives {a:%a %H:%M}, after departure {d2:%a %H:%M} UTC ({a2:%a %H:%M})"
        for (d, a), (d2, a2) in itertools.pairwise(zip(FIFO_DEPARTURES, arrivals, strict=True))
        if a > a2
    ]
    assert not late, "\n".join(late)


def test_a_leg_driven_once_answers_every_start_in_the_same_state(monkeypatch):
    """
    The leg memo (:func:`transit._legs.drive_leg`) changes no answer, and saves driving.

    Seeded random questions on the SCO dataset (both crews, three regimes), each asked twice 20
    minutes apart, are planned with the memo and on a copy of the network whose memo keeps nothing:
    the same arrivals, routes, plans and search counts as driving every leg afresh. With the memo,
    the second departure of each pair drives fewer legs afresh than the first (its legs start in the
    states the first's did).
    """
    import functools

    from transit import _labels, _legs

    fresh_drives = [0]
    drive_afresh = _legs._drive_leg

    def counted(*args: Any, **kwargs: Any) -> Any:
        fresh_drives[0] += 1
        return drive_afresh(*args, **kwargs)

    monkeypatch.setattr(_legs, "_drive_leg", counted)
    base = transit.load_network()
    questions = random_questions(
        base, seed=11, n=10, regimes=("sco-2017", "pre-2017", "history"), crews=(1, 2), start=datetime(2016, 6, 1, tzinfo=UTC), days=500
    )

    def answers(net: nx.MultiDiGraph) -> tuple[list[Any], list[int]]:
        out, drives = [], []
        for a, b, regime, drivers, when in questions:
            vehicle = transit.Vehicle(registration=net.nodes[a]["country"], drivers=drivers)
            for later in (0, 20):
                before = fresh_drives[0]
                try:
                    trip = transit.plan_trip(net, a, b, regime=regime, departure=when + timedelta(minutes=later), vehicle=vehicle)
                except transit.NoRouteError as exc:
                    out.append(str(exc))
                else:
                    out.append((trip.arrival, list(trip.path), trip.plan, trip.search))
                drives.append(fresh_drives[0] - before)
        return out, drives

    remembered, drives = answers(transit.freeze(transit.editable(base)))
    monkeypatch.setattr(_labels, "drive_leg", functools.partial(_legs.drive_leg, remember=False))
    afresh, drives_afresh = answers(transit.freeze(transit.editable(base)))
    assert remembered == afresh
    assert sum(drives[1::2]) < sum(drives[::2])  # the later departures find the earlier ones' legs
    assert sum(drives) < sum(drives_afresh)


def test_copies_of_a_leg_behind_a_sibling_at_its_end_never_change_the_answer(monkeypatch):
    """
    A leg's copies that arrive no earlier than a sibling, with the same duty periods and a crew no better off, are dropped.

    The search would drop them on arrival (dominance); the leg memo drops them once, when the leg is
    driven. Seeded random one-driver trips (where legs branch most) are planned with and without that:
    the same arrivals and plans.
    """
    from transit import _legs

    base = transit.load_network()
    questions = random_questions(base, seed=23, n=12, regimes=("sco-2017", "pre-2017"), crews=(1,), start=datetime(2017, 3, 1, tzinfo=UTC), days=300)

    def answers(net: nx.MultiDiGraph) -> list[Any]:
        return planned(net, questions)

    dropped = []
    ahead = _legs._ahead

    def counted(out: list[Any]) -> list[Any]:
        kept = ahead(out)
        dropped.append(len(out) - len(kept))
        return kept

    monkeypatch.setattr(_legs, "_ahead", counted)
    pruned = answers(transit.freeze(transit.editable(base)))
    assert sum(dropped) > 0  # the rule was in play
    monkeypatch.setattr(_legs, "_ahead", lambda out: out)
    assert answers(transit.freeze(transit.editable(base))) == pruned


def test_the_search_knows_which_rests_were_reduced_through_the_leg_memo():
    """
    ``Run.reduced`` (the rests taken as reduced daily rests, which ``_Search.hold_moved`` lengthens) is right after legs remembered.

    Seeded random one-driver trips, each planned twice on one network (the second finds its legs in the memo, shifted
    from other starts): the best label's reduced rests are the daily rests of the trip's timeline shorter than a full one.
    """
    from transit._labels import search
    from transit.routing import resolve_trip

    net = transit.load_network()
    crew = net.graph["driver_rules"].crew(1)
    questions = random_questions(net, seed=41, n=10, regimes=("sco-2017", "pre-2017"), crews=(1,), start=datetime(2017, 3, 1, tzinfo=UTC), days=300)
    checked = 0
    for a, b, regime, drivers, when in questions:
        vehicle = transit.Vehicle(registration=net.nodes[a]["country"], drivers=drivers)
        try:
            trip = transit.plan_trip(net, a, b, regime=regime, departure=when, vehicle=vehicle)
        except transit.NoRouteError:
            continue
        question = resolve_trip(net, a, b, regime=regime, departure=when, vehicle=vehicle)
        found = search(net, a, b, regime=question.regime, vehicle=vehicle, departure_s=when.timestamp())
        assert found.best is not None
        rests = trip.timeline[trip.timeline["activity"].isin(["daily_rest", "weekly_rest", "transshipment"])].reset_index(drop=True)
        reduced = {i + 1 for i, row in rests.iterrows() if row["activity"] == "daily_rest" and row["duration_h"] < crew.daily_rest_h - 1e-6}
        assert set(found.best.run.reduced) == reduced, (a, b, regime, when)
        checked += len(reduced)
    assert checked > 5  # reduced rests were in play


def test_the_quick_test_for_a_crew_whose_day_began_earlier_skips_no_dominating_label(monkeypatch):
    """
    ``_Search.dominated_in`` passes over labels whose crew began its duty day earlier, if waiting would be no rest: never a dominating one.

    Seeded random trips under three regimes and both crews are planned with that quick test and with the
    plain loop over :func:`transit._label.dominates`: the same arrivals, plans and search counts (a
    dominating label skipped would keep more labels). The quick test must be in play.
    """
    from transit import _labels

    base = transit.load_network()
    questions = random_questions(
        base, seed=31, n=16, regimes=("sco-2017", "pre-2017", "history"), crews=(1, 2), start=datetime(2017, 3, 1, tzinfo=UTC), days=300
    )

    def answers() -> list[Any]:
        return planned(base, questions, counts=True)

    calls = []
    real = _labels.dominates

    def counted(a: Any, b: Any, rule: Any, *, until: float) -> bool:
        calls.append(1)
        return real(a, b, rule, until=until)

    monkeypatch.setattr(_labels, "dominates", counted)
    quick = answers()
    with_quick_test = len(calls)

    def plain(self: Any, label: Any, bucket: list[Any], rule: Any) -> bool:  # the loop before the quick test (counted too)
        t = label.run.t
        for other in reversed(bucket):
            if not other.dead and other.run.t <= t and _labels.dominates(other, label, rule, until=self.ub):
                self.found.dominated += 1
                return True
        return False

    calls.clear()
    monkeypatch.setattr(_labels._Search, "dominated_in", plain)
    assert answers() == quick
    assert len(calls) > 1.5 * with_quick_test  # the quick test was in play: it spared many calls


def planned(net: nx.MultiDiGraph, questions: list[tuple[Any, Any, str, int, datetime]], *, counts: bool = False) -> list[Any]:
    """Plan each of ``questions`` (:func:`random_questions`): its arrival, route and plan (and search counts), or its error."""
    out: list[Any] = []
    for a, b, regime, drivers, when in questions:
        vehicle = transit.Vehicle(registration=net.nodes[a]["country"], drivers=drivers)
        try:
            trip = transit.plan_trip(net, a, b, regime=regime, departure=when, vehicle=vehicle)
        except transit.NoRouteError as exc:
            out.append(str(exc))
        else:
            out.append((trip.arrival, list(trip.path), trip.plan, *((trip.search,) if counts else ())))
    return out


def random_questions(
    net: nx.MultiDiGraph, *, seed: int, n: int, regimes: tuple[str, ...], crews: tuple[int, ...], start: datetime, days: int
) -> list[tuple[Any, Any, str, int, datetime]]:
    """``n`` seeded random questions on ``net``: ``(origin, destination, regime, drivers, departure)``, departures on a 20-minute grid."""
    import random

    rng = random.Random(seed)  # noqa: S311 - seeded choice of test cases, not cryptography
    cities = sorted(node for node, data in net.nodes(data=True) if data["kind"] in ("city", "port"))
    questions = []
    for _ in range(n):
        a, b = rng.sample(cities, 2)
        regime = rng.choice(regimes)
        when = start + timedelta(minutes=20 * rng.randrange(3 * 24 * days))
        questions.append((a, b, regime, rng.choice(crews), when))
    return questions
