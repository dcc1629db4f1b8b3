"""
Time-true simulation of one truck along one path.

:func:`simulate` walks a path from a departure time and returns a
:class:`Trip`: every stretch of driving, every break and rest, and at each
crossing the queue, the wait for opening hours, the clearance and any
transshipment, each with tz-aware start and end. Deterministic: delays are the
regime's medians.

At a crossing, in order:

1. **queue** (wall-clock, from arrival): processing can start at the first
   moment both posts are open after ``arrival + queue``; time in that span when
   the crossing is closed is reported as ``closed_wait``, the rest as
   ``queue`` (an overnight closure and a queue overlap, they do not add);
2. **clearance**: only while both posts are open, and only begun in an
   opening long enough to finish it (formalities are not started just before
   a post closes); the wait for that opening is ``closed_wait``;
3. the **link** between the posts is driven, in one go: breaks and rests
   are taken before the crossing (in the queue or at the closed post) or
   after it (at the entry post), never between the posts;
4. **transshipment** if the regime does not admit the vehicle: the cargo
   continues on a truck of the entered country with a rested crew.

Drivers rest in queues and at closed posts: a stationary span long enough
counts as a break, a daily rest or a weekly rest (the timeline's ``note``
says so). Clearance and transshipment are work and end a rest.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> path = transit.routing.shortest_static_path(net, "kashgar", "osh")
>>> trip = transit.simulate(net, path, regime="sco-2017", departure="2017-10-30T08:00")
>>> trip.crossings
('irkeshtam',)
>>> bool(abs(trip.total_h - trip.timeline["duration_h"].sum()) < 1e-9)
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, overload

import networkx as nx

from . import _cache
from ._cancel import check as check_cancelled
from ._steps import (
    Cross,
    Road,
    compile_path,
    crossing_point,
    remaining_driving,
    road_coords,
    rule_in_force,
    suffix_bound,
)
from ._units import DAY_S, EPS, HOUR_S
from ._validate import check_network
from .crossings import Crossing
from .drivers import BreakRule, DriverClock, DriverRules
from .errors import NoRouteError
from .lookup import node_of
from .model import NodeId
from .question import resolve_trip
from .regimes import Regime
from .schedule import Clock, zone
from .trip import Event, Trip
from .vehicles import Vehicle

__all__ = ["LONG_WAIT_H", "MAX_CLOSED_WAIT_DAYS", "simulate", "simulate_path"]

#: A single wait at a closed crossing longer than this (hours) puts a warning on the trip.
LONG_WAIT_H = 24.0
#: Horizon: a trip whose waits at closed crossings add up to more than this (days) is refused with
#: :class:`~transit.errors.NoRouteError`, naming the closure and when it ends.
MAX_CLOSED_WAIT_DAYS = 30


class _Run:
    """One simulation: mutable state kept out of the public objects.

    Twin of ``montecarlo._Many`` (the same rules over ``n`` samples, same attribute names; see
    :mod:`transit._rules`); ``tests/test_reliability.py`` checks that they agree sample by sample.
    """

    __slots__ = (
        "annotate",
        "avoidable",
        "clocks",
        "closed_s",
        "crossed",
        "draws",
        "driver",
        "events",
        "extensions",
        "graph",
        "path",
        "regime",
        "rests",
        "rules",
        "t",
        "transshipped",
        "vehicle",
        "warnings",
    )

    def __init__(
        self,
        *,
        t: float,
        vehicle: Vehicle,
        regime: Regime,
        rules: DriverRules,
        extensions: tuple[float, ...] = (),
        annotate: bool = True,
        graph: nx.MultiDiGraph | None = None,
        path: tuple[Any, ...] = (),
        draws: Mapping[Any, tuple[float, float, float]] | None = None,
    ) -> None:
        self.annotate = annotate
        self.draws = draws or {}
        self.graph = graph
        self.path = path
        self.t = t
        self.vehicle = vehicle
        self.regime = regime
        self.rules = rules
        self.driver = DriverClock(rules.crew(vehicle.drivers))
        self.events: list[Event] = []
        self.crossed: list[str] = []
        self.transshipped: list[str] = []
        self.clocks: dict[tuple[str, str], Clock] = {}
        self.avoidable: list[tuple[int, str, tuple[tuple[float, float], ...]]] = []
        self.extensions = extensions
        self.rests = 0  # rests taken so far; rest k (1-based) may be extended, 0 is a hold at the origin
        self.closed_s = 0.0  # waiting at closed crossings so far
        self.warnings: list[str] = []

    def emit(self, activity: str, place: str, country: str, end: float, tz: str, **extra: Any) -> None:
        if end - self.t <= EPS and activity != "driving":
            return
        if self.annotate:  # candidate and hold simulations only need the clock, not the timeline
            self.events.append(Event(activity, place, country, self.t, end, tz, **extra))
        self.t = end

    def stop(self, stop: str, place: str, country: str, tz: str, rule: BreakRule) -> None:
        needed = max(round(self.driver.stop_needed_s(stop, rule)), 1)
        extra = 0.0
        if stop != "break":
            self.rests += 1
            extra = self.extensions[self.rests] if self.rests < len(self.extensions) else 0.0
            needed += round(extra)
        if self.annotate:
            note = {"break": f"{rule.name} break", "daily_rest": "daily rest", "weekly_rest": "weekly rest"}[stop]
            if extra > 0:
                note += f", extended {extra / HOUR_S:.1f} h to reach the next crossing at a better time"
            self.emit(stop, place, country, self.t + needed, tz, note=note, source=self.driver.crew.source if stop != "break" else rule.source)
        else:
            self.t += needed
        self.driver.idle(needed)

    def drive(self, step: Road, remaining_after_s: float, *, nonstop: bool = False) -> None:
        """
        Drive a road, stopping for breaks and rests as the crew's hours require.

        ``nonstop`` drives it in one go: the link between the two posts of a
        crossing is short, and no crew rests in no man's land; a stop that
        falls due on it is taken at the entry post, after the crossing.
        """
        rule = step.rule
        cap = self.vehicle.max_speed_kph
        speed = step.speed_kph if cap is None or cap >= step.speed_kph else cap
        total_s = max(round(step.km / speed * HOUR_S), 1)
        if nonstop:
            start = self.t
            if self.annotate:
                self.emit(
                    "driving", step.label, step.country, start + total_s, step.tz, distance_km=step.km, source=step.source, segment_id=step.segment_id
                )
            else:
                self.t = start + total_s
            self.driver.drove(start, total_s, rule)
            return
        left = total_s
        km_left = step.km
        driver = self.driver
        while left > 0:
            allowance, stop = driver.allowance(self.t, rule, remaining_s=left + remaining_after_s)
            chunk = int(allowance) if allowance < left else left
            if chunk < 1:  # the stop is due now
                place = ""
                if self.annotate:
                    done_km = step.km - km_left
                    place = step.start_place if done_km < 0.05 else f"{step.label} (km {done_km:.0f})"
                self.stop(stop, place, step.country, step.tz, rule)
                continue
            start = self.t
            km = km_left if chunk == left else step.km * chunk / total_s
            if self.annotate:
                self.emit("driving", step.label, step.country, start + chunk, step.tz, distance_km=km, source=step.source, segment_id=step.segment_id)
            else:
                self.t = start + chunk
            driver.drove(start, chunk, rule)
            left -= chunk
            km_left -= km

    def cross(self, step: Cross, *, remaining_after_s: float, index: int = -1) -> None:
        crossing = step.crossing
        key = (crossing.id, step.direction)
        clock = self.clocks.get(key)
        if clock is None:
            clock = self.regime.clock(crossing, step.direction)
            self.clocks[key] = clock
        arrival = self.t
        rule, segment = rule_in_force(self.regime, clock, crossing, step.direction, arrival)
        exit_rule = self.rules.break_rule(step.exit_country)
        place = f"{crossing.name} ({step.exit_country} post)"
        common = {"crossing_id": crossing.id}
        queue = rule.queue[step.direction]
        clearance = rule.clearance[step.direction]
        medians = (queue.median_h, clearance.median_h, rule.transshipment.median_h)
        queue_h, clearance_h, transshipment_h = self.draws.get((index, segment), self.draws.get(index, medians))
        clearance_s = round(clearance_h * HOUR_S)
        try:
            queued = arrival + round(queue_h * HOUR_S)
            ready = clock.next_open(queued)
            waits = _split(clock, arrival, ready)
            pieces = clock.work_in_one_go(ready, clearance_s)
            self._check_closed(step, [piece for piece in (*waits, *pieces) if piece[0] == "closed"], clock)
            for kind, start, end in waits:
                activity = "queue" if kind == "open" else "closed_wait"
                note = "" if kind == "open" or not self.annotate else _closed_note(crossing, step, start, clock)
                self.t = start
                self.emit(
                    activity,
                    place,
                    step.exit_country,
                    end,
                    step.exit_tz,
                    note=note,
                    source=queue.source if kind == "open" else crossing.source,
                    **common,
                )
                self.driver.idle(end - start)
            if self.annotate:
                self._note_rest_taken(exit_rule)
        except NoRouteError:
            raise
        except LookupError as exc:
            msg = f"crossing {crossing.name!r} ({crossing.id}) does not open within the search horizon after arrival: {exc}"
            raise NoRouteError(msg, blocking=[crossing.id]) from None
        after_s = step.link_km / step.link_speed_kph * HOUR_S
        if index >= 0 and self.graph is not None:
            vehicle = (
                self.vehicle
                if rule.admits(self.vehicle.registration, permits=self.vehicle.permits)
                else self.vehicle.transshipped(step.entry_country)
            )
            after_s += suffix_bound(self.graph, self.path, index + 1, self.regime, vehicle)
        self._later_departures(crossing.id, ready - queued, ready, pieces, exit_rule, clock, remaining_after_s, clearance_s, after_s)
        for kind, start, end in pieces:
            self.t = start
            if kind == "open":
                self.driver.work(exit_rule)
                self.emit("clearance", place, step.exit_country, end, step.exit_tz, source=clearance.source, **common)
            else:
                self.emit(
                    "closed_wait",
                    place,
                    step.exit_country,
                    end,
                    step.exit_tz,
                    note=_closed_note(crossing, step, start, clock) if self.annotate else "",
                    source=crossing.source,
                    **common,
                )
                self.driver.idle(end - start)
        self.driver.work(exit_rule)
        self.drive(step.link, remaining_after_s, nonstop=True)
        self.crossed.append(crossing.id)
        if not rule.admits(self.vehicle.registration, permits=self.vehicle.permits):
            needed = rule.permit_needed(self.vehicle.registration)
            why = f"{self.vehicle.registration}-registered trucks may not drive on" if needed is None else f"vehicle lacks the {needed!r} permit"
            self.emit(
                "transshipment",
                f"{crossing.name} ({step.entry_country} post)",
                step.entry_country,
                self.t + round(transshipment_h * HOUR_S),
                step.entry_tz,
                note=f"{why}; trailer swap: a {step.entry_country} tractor hauls the trailer on"
                if rule.transfer == "trailer"
                else f"{why}; cargo moved to a {step.entry_country} truck",
                source=rule.transshipment.source,
                **common,
            )
            self.transshipped.append(crossing.id)
            self.vehicle = self.vehicle.transshipped(step.entry_country)
            self.driver = DriverClock(self.rules.crew(self.vehicle.drivers))

    def _check_closed(self, step: Cross, closed: list[tuple[str, float, float]], clock: Clock) -> None:
        """
        Add this crossing's closed waits to the trip's; warn about long and seasonal ones, refuse past the horizon.

        Raises
        ------
        NoRouteError
            When the waiting at closed crossings would exceed :data:`MAX_CLOSED_WAIT_DAYS`.
        """
        if not closed:
            return
        self.closed_s += sum(end - start for _, start, end in closed)
        _, start, end = max(closed, key=lambda piece: piece[2] - piece[1])
        crossing = step.crossing
        if self.closed_s > MAX_CLOSED_WAIT_DAYS * DAY_S:
            reopens = datetime.fromtimestamp(end, zone(step.exit_tz))
            msg = (
                f"crossing {crossing.name!r} ({crossing.id}) is closed ({_closed_note(crossing, step, start, clock).removeprefix('closed: ')}) "
                f"and opens again {reopens:%Y-%m-%d %H:%M %Z}: the trip would wait {self.closed_s / DAY_S:.1f} days at closed crossings, "
                f"more than the {MAX_CLOSED_WAIT_DAYS}-day horizon; depart later, or pass another crossing (via)"
            )
            raise NoRouteError(msg, blocking=[crossing.id])
        if not self.annotate:
            return
        note = _closed_note(crossing, step, start, clock).removeprefix("closed: ")
        when = datetime.fromtimestamp(end, zone(step.exit_tz))
        if "seasonal closure" in note:
            self.warnings.append(f"{crossing.name} is in its seasonal closure ({note}); the truck waits until {when:%Y-%m-%d %H:%M %Z}")
        elif end - start > LONG_WAIT_H * HOUR_S:
            self.warnings.append(f"{(end - start) / HOUR_S:.1f} h wait at closed {crossing.name} ({note}), until {when:%Y-%m-%d %H:%M %Z}")

    def _later_departures(
        self,
        crossing_id: str,
        wait_s: float,
        ready: float,
        pieces: list[tuple[str, float, float]],
        rule: BreakRule,
        clock: Clock,
        remaining_s: float,
        clearance_s: float,
        after_s: float,
    ) -> None:
        """
        Record the departure delays at which this crossing's waits change character (see :attr:`Trip.later_departures`).

        Each delay comes with a lower bound on the arrival it could give: the
        clearance here cannot end earlier than it did (or than the reopening,
        for a truck that arrives as the crossing closes), and the rest of the
        trip takes at least ``after_s``.
        """
        crew = self.driver.crew
        done = pieces[-1][2] if pieces else ready
        begins = next((start for kind, start, _ in pieces if kind == "open"), ready)
        wait_s += begins - ready  # waiting for an opening long enough to clear: the same stretch of waiting
        thresholds = (0.0, rule.break_h * HOUR_S, crew.reduced_daily_rest_h * HOUR_S, crew.daily_rest_h * HOUR_S, crew.weekly_rest_h * HOUR_S)
        holds = {wait_s - t: done + after_s for t in thresholds if wait_s - t >= 60}
        for kind, _, end in pieces:
            if kind == "closed":
                holds[end - ready] = done + after_s  # clearance starts after the closure
        allowance, due = self.driver.allowance(ready, rule, remaining_s=remaining_s)
        if remaining_s > allowance and due != "break":
            # The crew must rest before the end anyway: arriving as the crossing closes for the night lets the
            # closure be that rest. Worth trying only if the crossing reopens no later than the rest due would end
            # were the truck to drive on now.
            rest_s = crew.weekly_rest_h * HOUR_S if due == "weekly_rest" else self.driver.stop_needed_s("daily_rest", rule) + self.driver.idle_s
            probe = ready
            for _ in range(4):
                closes = clock.interval_at(probe)[1]
                if not ready < closes < ready + DAY_S:
                    break
                reopens = clock.next_open(closes)
                if reopens - closes >= crew.reduced_daily_rest_h * HOUR_S:
                    if reopens - ready <= allowance + rest_s:
                        holds.setdefault(closes - ready, reopens + clearance_s + after_s)
                    break
                probe = reopens
        if holds:
            self.avoidable.append((self.rests, crossing_id, tuple(sorted(holds.items()))))

    def _note_rest_taken(self, rule: BreakRule) -> None:
        """Mark the waiting rows that amount to a rest, for the timeline's note column."""
        label = self.driver.rest_label(rule)
        if not label:
            return
        for i in range(len(self.events) - 1, -1, -1):
            event = self.events[i]
            if event.activity not in ("queue", "closed_wait"):
                break
            note = f"{event.note}; counts as {label}" if event.note else f"counts as {label}"
            self.events[i] = dataclasses.replace(event, note=note)


def _split(clock: Clock, start: float, end: float) -> list[tuple[str, float, float]]:
    """Split ``[start, end]`` into pieces during which the crossing is open or closed."""
    pieces: list[tuple[str, float, float]] = []
    t = start
    while t < end - EPS:
        s, e = clock.interval_at(t)
        if s > t:
            stop = min(s, end)
            pieces.append(("closed", t, stop))
            t = stop
        else:
            stop = min(e, end)
            pieces.append(("open", t, stop))
            t = stop
    return pieces


def _closed_note(crossing: Crossing, step: Cross, t: float, clock: Clock) -> str:
    """Say which post is closed at ``t`` and why (a dated closure, holiday, weekend, season or hours)."""
    dated = clock.closed_by(t)
    if dated is not None:
        return f"closed to freight: {dated}"
    reasons = []
    for country, direction in ((step.exit_country, "out"), (step.entry_country, "in")):
        schedule = crossing.post(country).schedule
        start, end = schedule.interval_at(t, direction)  # type: ignore[arg-type]
        if start <= t < end:
            continue
        local = datetime.fromtimestamp(t, zone(schedule.tz))
        reason = schedule.closed_reason(local.date())
        if reason is None:
            hours = schedule.hours_on(local.date(), direction)  # type: ignore[arg-type]
            reason = f"outside hours {hours} ({local:%H:%M} local)"
        reasons.append(f"{country} post {reason}")
    if not reasons:
        return "waiting for an opening long enough to finish clearance before the posts close"
    return "closed: " + "; ".join(reasons)


@_cache.per_call
def simulate(
    graph: nx.MultiDiGraph,
    path: Sequence[NodeId | str],
    *,
    regime: str | Regime | None = None,
    departure: datetime | str,
    vehicle: Vehicle | dict[str, Any] | str | None = None,
) -> Trip:
    """
    Simulate a truck along a fixed path.

    Parameters
    ----------
    graph
        A network from :func:`transit.load_network`.
    path
        Nodes from origin to destination, as node ids or dataset ids
        (``"kashgar"``); consecutive nodes must be joined by an edge.
    regime
        Regime id or :class:`~transit.regimes.Regime`; ``None`` for the network's default.
    departure
        Aware datetime, naive datetime (local time at the origin) or ISO 8601 string.
    vehicle
        :class:`~transit.vehicles.Vehicle`; default a one-driver truck of the origin's country.

    Returns
    -------
    Trip

    Raises
    ------
    NoRouteError
        If the path uses a crossing the regime closes, or a missing edge.
    InvalidDepartureError, UnknownRegimeError, InvalidVehicleError
        For bad arguments.
    """
    check_network(graph)
    if len(path) < 2:
        msg = f"a path needs at least two nodes; got {list(path)!r}"
        raise NoRouteError(msg)
    nodes = [node_of(graph, node) for node in path]
    question = resolve_trip(graph, nodes[0], nodes[-1], vehicle=vehicle, regime=regime, departure=departure)
    return simulate_path(graph, tuple(nodes), question.regime, question.vehicle, question.departure_time)


@overload
def simulate_path(
    graph: nx.MultiDiGraph,
    path: tuple[Any, ...],
    regime: Regime,
    vehicle: Vehicle,
    depart: datetime,
    *,
    extensions: tuple[float, ...] = ...,
    annotate: bool = ...,
    abort_after: None = ...,
    draws: Mapping[Any, tuple[float, float, float]] | None = ...,
) -> Trip: ...


@overload
def simulate_path(
    graph: nx.MultiDiGraph,
    path: tuple[Any, ...],
    regime: Regime,
    vehicle: Vehicle,
    depart: datetime,
    *,
    extensions: tuple[float, ...] = ...,
    annotate: bool = ...,
    abort_after: float | None = ...,
    draws: Mapping[Any, tuple[float, float, float]] | None = ...,
) -> Trip | None: ...


def simulate_path(
    graph: nx.MultiDiGraph,
    path: tuple[NodeId, ...],
    regime: Regime,
    vehicle: Vehicle,
    depart: datetime,
    *,
    extensions: tuple[float, ...] = (),
    annotate: bool = True,
    abort_after: float | None = None,
    draws: Mapping[Any, tuple[float, float, float]] | None = None,
) -> Trip | None:
    """
    Simulate ``path`` (node ids). Internal: arguments are trusted.

    With ``abort_after`` (POSIX seconds), give up and return ``None`` as soon
    as the trip provably cannot arrive before it (route choice uses this to
    stop simulating candidates that cannot win). ``draws`` maps a step index
    (a crossing) to the ``(queue_h, clearance_h, transshipment_h)`` to use
    there instead of the regime's medians: one Monte Carlo sample.
    """
    steps = compile_path(graph, path)
    nodes = graph.nodes
    t0 = float(round(depart.timestamp()))
    run = _Run(
        t=t0,
        vehicle=vehicle,
        regime=regime,
        rules=graph.graph["driver_rules"],
        extensions=extensions,
        annotate=annotate,
        graph=graph,
        path=path,
        draws=draws,
    )
    if extensions and extensions[0] > 0:
        origin_data = nodes[path[0]]
        note = f"held at the origin {extensions[0] / HOUR_S:.1f} h to reach the first closed crossing at a better time (a truck can always wait)"
        run.emit("closed_wait", origin_data["name"], origin_data["country"], t0 + round(extensions[0]), origin_data["tz"], note=note)
    remaining = remaining_driving(graph, path, steps, vehicle.max_speed_kph)
    for index, (step, rest_after) in enumerate(zip(steps, remaining, strict=True)):
        check_cancelled()
        if isinstance(step, Road):
            run.drive(step, rest_after)
        else:
            if abort_after is not None and run.t + suffix_bound(graph, path, index, regime, run.vehicle) >= abort_after:
                return None
            run.cross(step, remaining_after_s=rest_after, index=index)
    origin, destination = path[0], path[-1]
    posts_passed = [c for cid in run.crossed for c in graph.graph["crossings"][cid].countries]
    events = tuple(run.events)
    total_h = (run.t - depart.timestamp()) / HOUR_S
    km_by_country: dict[str, float] = {}
    for e in events:
        if e.distance_km:
            km_by_country[e.country] = km_by_country.get(e.country, 0.0) + e.distance_km
    model = graph.graph["cost_model"]
    cost = model.cost(
        km_by_country=km_by_country,
        total_h=total_h,
        posts_passed=posts_passed,
        transshipments=len(run.transshipped),
    )
    by_crossing = tuple((cid, sum(model.border_payment(c) for c in graph.graph["crossings"][cid].countries)) for cid in run.crossed)
    cost = dataclasses.replace(cost, border_by_crossing=by_crossing)
    coords = road_coords(graph, path) if annotate else ()
    points = tuple(crossing_point(graph.graph["crossings"][cid]) for cid in run.crossed) if annotate else ()
    return Trip(
        origin=origin,
        destination=destination,
        origin_name=nodes[origin]["name"],
        destination_name=nodes[destination]["name"],
        regime=regime.id,
        vehicle=vehicle,
        path=path,
        events=events,
        departure=depart.astimezone(zone(nodes[origin]["tz"])),
        arrival=datetime.fromtimestamp(run.t, zone(nodes[destination]["tz"])),
        cost=cost,
        crossings=tuple(run.crossed),
        transshipments=tuple(run.transshipped),
        geometry_coords=coords,
        crossing_points=points,
        later_departures=tuple(run.avoidable),
        extensions=extensions,
        warnings=(*_regime_warnings(regime, depart), *run.warnings) if annotate else (),
    )


def _regime_warnings(regime: Regime, depart: datetime) -> tuple[str, ...]:
    """Return a warning when the trip departs outside the dates ``regime`` describes, naming the regime to use."""
    day = depart.date()
    if regime.dated:
        if regime.in_force_from is not None and day < regime.in_force_from:
            return (
                (
                    f"departure {day:%Y-%m-%d} is before the corridor's dated history starts ({regime.in_force_from:%Y-%m-%d}); "
                    f"the trip follows the rules of {regime.in_force_from:%Y-%m-%d}"
                ),
            )
        return ()
    if regime.in_force_from is not None and day < regime.in_force_from:
        return (
            (
                f"departure {day:%Y-%m-%d} is before regime {regime.id!r} came into force ({regime.in_force_from:%Y-%m-%d}); "
                "the trip follows its rules anyway: use regime='history' for the rules in force on that date"
            ),
        )
    if regime.valid_until is not None and day >= regime.valid_until:
        return (
            (
                f"regime {regime.id!r} holds the rules as they were when it came into force; the corridor's dated history changes them "
                f"from {regime.valid_until:%Y-%m-%d}: use regime='history' for the rules in force on {day:%Y-%m-%d}"
            ),
        )
    return ()
