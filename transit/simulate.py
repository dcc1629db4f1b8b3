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
3. the **link** between the posts is driven;
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
>>> trip = simulate(net, path, regime="sco-2017", departure="2017-10-30T08:00")
>>> trip.crossings
('irkeshtam',)
>>> bool(abs(trip.total_h - trip.timeline["duration_h"].sum()) < 1e-9)
True
"""

from __future__ import annotations

import dataclasses
import functools
import math
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import networkx as nx

from ._timeutil import parse_departure
from ._validate import check_network
from .cost import CostBreakdown
from .crossings import Crossing
from .drivers import HOUR_S, BreakRule, DriverClock, DriverRules
from .errors import NoRouteError
from .network import get_regime, node_of
from .regimes import CrossingRule, Regime
from .schedule import CrossingClock, zone
from .vehicles import Vehicle

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["ACTIVITIES", "Event", "SearchStats", "Trip", "simulate"]

#: Timeline activities, in the order breakdowns list them.
ACTIVITIES = ("driving", "break", "daily_rest", "weekly_rest", "queue", "clearance", "closed_wait", "transshipment")
_EPS = 1e-6
DAY_S = 24 * HOUR_S
#: The simulation rounds every event to whole seconds; bounds leave this much room for it.
ROUNDING_SLACK_S = 60.0


@dataclass(frozen=True, slots=True)
class Event:
    """One row of a trip's timeline (times in POSIX seconds)."""

    activity: str
    place: str
    country: str
    start: float
    end: float
    tz: str
    distance_km: float = 0.0
    note: str = ""
    source: str = ""
    crossing_id: str = ""
    segment_id: str = ""

    @property
    def duration_h(self) -> float:
        """Length in hours."""
        return (self.end - self.start) / HOUR_S


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchStats:
    """How a planned trip's route was chosen (see :mod:`transit.routing`).

    Attributes
    ----------
    candidates
        Candidate paths enumerated (in order of static time).
    simulated
        Of those, the ones simulated (the others were ruled out by a bound).
    hold_simulations
        Extra simulations spent on holding the truck or lengthening rests.
    cap_reached
        True if the candidate limit, not the static bound, ended the search:
        a path beyond the limit could in principle have arrived earlier.
    """

    candidates: int
    simulated: int
    hold_simulations: int
    cap_reached: bool


@dataclass(frozen=True, kw_only=True, eq=False)
class Trip:
    """The simulated result of one truck trip.

    Attributes
    ----------
    origin, destination
        Node ids.
    regime
        Regime id.
    vehicle
        The vehicle at departure.
    path
        Node ids along the trip (``osmnx.plot_graph_route(net, trip.path)`` draws it).
    events
        The timeline as :class:`Event` objects.
    departure, arrival
        Aware datetimes in the origin's and the destination's time zone.
    cost
        :class:`~transit.cost.CostBreakdown`.
    crossings
        Crossing ids passed, in order.
    geometry_coords
        The road geometry of the path as ``(lon, lat)`` pairs (EPSG:4326),
        each edge's LineString joined end to end.
    crossing_points
        For each crossing passed: ``(crossing_id, name, lon, lat)``, the
        point midway between its two posts.
    transshipments
        Crossing ids where the cargo changed trucks.
    alternatives
        For a planned trip, the candidate routes simulated: ``(crossings, total_h)``.
    later_departures
        For each crossing where the truck waited for opening hours: the
        number of rests taken before it (0: none since the departure), the
        crossing id, and ``(delay, earliest_arrival)`` pairs: the delays
        (seconds) by which leaving that rest (or the origin) later shrinks the
        wait across a threshold (none left, shorter than a break or rest),
        moves clearance past a closure, or makes the closure the crew's rest,
        each with a lower bound (POSIX seconds) on the arrival it could give.
        Route choice uses them to hold the truck or extend a rest when that
        arrives earlier.
    extensions
        Seconds added to the hold before departure (index 0) and to each
        daily or weekly rest (index k), as chosen by route choice.
    search
        For a planned trip, how the route was chosen (:class:`SearchStats`).
    """

    origin: str
    destination: str
    origin_name: str
    destination_name: str
    regime: str
    vehicle: Vehicle
    path: tuple[str, ...]
    events: tuple[Event, ...]
    departure: datetime
    arrival: datetime
    cost: CostBreakdown
    crossings: tuple[str, ...] = ()
    transshipments: tuple[str, ...] = ()
    geometry_coords: tuple[tuple[float, float], ...] = field(default=(), repr=False)
    crossing_points: tuple[tuple[str, str, float, float], ...] = field(default=(), repr=False)
    alternatives: tuple[tuple[tuple[str, ...], float], ...] = field(default=(), repr=False)
    later_departures: tuple[tuple[int, str, tuple[tuple[float, float], ...]], ...] = field(default=(), repr=False)
    extensions: tuple[float, ...] = field(default=(), repr=False)
    search: SearchStats | None = field(default=None, repr=False)

    @functools.cached_property
    def breakdown_h(self) -> dict[str, float]:
        """Hours by activity (every activity present, zeros included)."""
        out = dict.fromkeys(ACTIVITIES, 0.0)
        for event in self.events:
            out[event.activity] += event.duration_h
        return out

    @property
    def total_h(self) -> float:
        """Door-to-door hours."""
        return (self.arrival.timestamp() - self.departure.timestamp()) / HOUR_S

    @property
    def total_days(self) -> float:
        """Door-to-door days."""
        return self.total_h / 24

    @property
    def driving_h(self) -> float:
        """Hours at the wheel (including the neutral zone between posts)."""
        return self.breakdown_h["driving"]

    @property
    def rest_h(self) -> float:
        """Breaks plus daily and weekly rests taken on the road."""
        b = self.breakdown_h
        return b["break"] + b["daily_rest"] + b["weekly_rest"]

    @property
    def border_h(self) -> float:
        """Queue plus clearance at crossings (closed waits excluded)."""
        return self.breakdown_h["queue"] + self.breakdown_h["clearance"]

    @property
    def closed_wait_h(self) -> float:
        """Waiting for closed crossings to open."""
        return self.breakdown_h["closed_wait"]

    @property
    def transshipment_h(self) -> float:
        """Time spent moving the cargo between trucks."""
        return self.breakdown_h["transshipment"]

    @functools.cached_property
    def distance_km(self) -> float:
        """Kilometres driven."""
        return sum(e.distance_km for e in self.events)

    @functools.cached_property
    def km_by_country(self) -> dict[str, float]:
        """Kilometres driven in each country (the neutral zone counts to the exit country)."""
        out: dict[str, float] = {}
        for e in self.events:
            if e.distance_km:
                out[e.country] = out.get(e.country, 0.0) + e.distance_km
        return out

    @property
    def cost_usd(self) -> float:
        """Total cost in USD (see :attr:`cost` for the parts)."""
        return self.cost.total_usd

    @functools.cached_property
    def timeline(self) -> pd.DataFrame:
        """
        The timeline as a DataFrame.

        Columns: ``activity, place, country, start, end, duration_h,
        distance_km, local_start, local_end, tz, note, source, crossing_id,
        segment_id``. ``start``/``end`` are tz-aware UTC; ``local_start`` and
        ``local_end`` are tz-aware in the time zone of the place.
        """
        import pandas as pd

        rows = [
            {
                "activity": e.activity,
                "place": e.place,
                "country": e.country,
                "start": e.start,
                "end": e.end,
                "duration_h": e.duration_h,
                "distance_km": e.distance_km,
                "tz": e.tz,
                "note": e.note,
                "source": e.source,
                "crossing_id": e.crossing_id,
                "segment_id": e.segment_id,
            }
            for e in self.events
        ]
        frame = pd.DataFrame(rows, columns=["activity", "place", "country", "start", "end", "duration_h", "distance_km", "tz", "note", "source", "crossing_id", "segment_id"])
        for column in ("start", "end"):
            frame[column] = pd.to_datetime(frame[column], unit="s", utc=True)
        frame.insert(7, "local_start", [ts.tz_convert(tz) for ts, tz in zip(frame["start"], frame["tz"], strict=True)])
        frame.insert(8, "local_end", [ts.tz_convert(tz) for ts, tz in zip(frame["end"], frame["tz"], strict=True)])
        frame["local_start"] = frame["local_start"].astype(object)
        frame["local_end"] = frame["local_end"].astype(object)
        return frame

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """
        The trip's road geometry as a one-row GeoDataFrame in EPSG:4326, with its totals.

        Columns: the keys of :meth:`summary` and ``geometry`` (a LineString along the roads driven).
        """
        import geopandas as gpd
        from shapely.geometry import LineString

        row = self.summary()
        row["crossings"] = " / ".join(self.crossings)
        row["transshipments"] = " / ".join(self.transshipments)
        return gpd.GeoDataFrame([row], geometry=[LineString(self.geometry_coords)], crs="EPSG:4326")

    def _repr_html_(self) -> str:
        from ._html import table

        b = self.breakdown_h
        rows = [
            ("departure", f"{self.departure:%a %d %b %Y %H:%M %Z}"),
            ("arrival", f"{self.arrival:%a %d %b %Y %H:%M %Z}"),
            ("total", f"{self.total_h:.1f} h ({self.total_days:.2f} d)"),
            ("driving", f"{self.driving_h:.1f} h, {self.distance_km:,.0f} km"),
            ("breaks and rests", f"{self.rest_h:.1f} h"),
            ("queue + clearance", f"{self.border_h:.1f} h"),
            ("closed crossings", f"{b['closed_wait']:.1f} h"),
            ("transshipment", f"{self.transshipment_h:.1f} h" + (f" at {', '.join(self.transshipments)}" if self.transshipments else "")),
            ("crossings", " / ".join(self.crossings) or "(domestic)"),
            ("cost", f"${self.cost_usd:,.0f}"),
        ]
        caption = f"{self.origin_name} → {self.destination_name} ({self.regime}, {self.vehicle.registration} truck, {self.vehicle.drivers} driver(s))"
        return table(caption, ["", ""], rows)

    def summary(self) -> dict[str, Any]:
        """
        Totals as a flat, JSON-friendly dict (hours rounded to 0.01).

        Keys: ``origin, destination, regime, registration, drivers, departure,
        arrival, total_h, total_days, driving_h, rest_h, border_h,
        transshipment_h, closed_wait_h, distance_km, cost_usd, crossings,
        transshipments``.
        """
        return {
            "origin": self.origin_name,
            "destination": self.destination_name,
            "regime": self.regime,
            "registration": self.vehicle.registration,
            "drivers": self.vehicle.drivers,
            "departure": self.departure.isoformat(),
            "arrival": self.arrival.isoformat(),
            "total_h": round(self.total_h, 2),
            "total_days": round(self.total_days, 2),
            "driving_h": round(self.driving_h, 2),
            "rest_h": round(self.rest_h, 2),
            "border_h": round(self.border_h, 2),
            "transshipment_h": round(self.transshipment_h, 2),
            "closed_wait_h": round(self.closed_wait_h, 2),
            "distance_km": round(self.distance_km, 1),
            "cost_usd": round(self.cost_usd, 2),
            "crossings": list(self.crossings),
            "transshipments": list(self.transshipments),
        }

    def __repr__(self) -> str:
        return (
            f"<Trip {self.origin_name} -> {self.destination_name} [{self.regime}, {self.vehicle.registration}x{self.vehicle.drivers}]: "
            f"{self.total_h:.1f} h ({self.total_days:.1f} d), {self.distance_km:.0f} km, ${self.cost_usd:,.0f}, "
            f"arrives {self.arrival:%Y-%m-%d %H:%M %Z}>"
        )


# -- compiled paths ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Road:
    segment_id: str
    country: str
    km: float
    speed_kph: float
    label: str
    tz: str
    source: str
    end_tz: str
    rule: BreakRule
    start_place: str


@dataclass(frozen=True, slots=True)
class _Cross:
    crossing: Crossing
    direction: str
    exit_country: str
    entry_country: str
    link_km: float
    link_speed_kph: float
    exit_place: str
    entry_place: str
    exit_tz: str
    entry_tz: str
    source: str
    link: _Road




@dataclass
class _Caches:
    """Per-network caches of compiled steps and bounds (a network is read-only once loaded)."""

    edges: dict[tuple[Any, Any], _Road | _Cross] = field(default_factory=dict)
    paths: dict[tuple[Any, ...], tuple[_Road | _Cross, ...]] = field(default_factory=dict)
    remaining: dict[tuple[Any, ...], list[float]] = field(default_factory=dict)
    bounds: dict[tuple[Any, ...], float] = field(default_factory=dict)
    coords: dict[tuple[Any, ...], tuple[tuple[float, float], ...]] = field(default_factory=dict)


_CACHES: weakref.WeakKeyDictionary[nx.MultiDiGraph, _Caches] = weakref.WeakKeyDictionary()
#: Entries kept per cache before it starts afresh (each entry is small: a tuple of shared step objects).
_CACHE_LIMIT = 200_000


def _caches(graph: nx.MultiDiGraph) -> _Caches:
    found = _CACHES.get(graph)
    if found is None:
        found = _CACHES[graph] = _Caches()
    return found


def _compile_edge(graph: nx.MultiDiGraph, u: Any, v: Any) -> _Road | _Cross:
    edges = graph.get_edge_data(u, v)
    if not edges:
        msg = f"the path has no edge from {u!r} to {v!r}"
        raise NoRouteError(msg)
    data = min(edges.values(), key=lambda d: d["travel_time"])
    nodes = graph.nodes
    rules: DriverRules = graph.graph["driver_rules"]
    if data.get("kind") == "crossing":
        crossing = graph.graph["crossings"][data["crossing_id"]]
        exit_country, entry_country = nodes[u]["country"], nodes[v]["country"]
        return _Cross(
            crossing=crossing,
            direction=f"{exit_country}>{entry_country}",
            exit_country=exit_country,
            entry_country=entry_country,
            link_km=data["length"] / 1000,
            link_speed_kph=data["speed_kph"],
            exit_place=nodes[u]["name"],
            entry_place=nodes[v]["name"],
            exit_tz=nodes[u]["tz"],
            entry_tz=nodes[v]["tz"],
            source=data.get("source", ""),
            link=_Road(
                segment_id=f"{crossing.id}:link",
                country=exit_country,
                km=data["length"] / 1000,
                speed_kph=data["speed_kph"],
                label=f"{nodes[u]['name']} → {nodes[v]['name']}",
                tz=nodes[u]["tz"],
                source=data.get("source", ""),
                end_tz=nodes[v]["tz"],
                rule=rules.break_rule(exit_country),
                start_place=nodes[u]["name"],
            ),
        )
    country = data.get("country", nodes[u]["country"])
    return _Road(
        segment_id=data.get("segment_id", f"{u}-{v}"),
        country=country,
        km=data["length"] / 1000,
        speed_kph=data["speed_kph"],
        label=f"{nodes[u]['name']} → {nodes[v]['name']}",
        tz=nodes[u]["tz"],
        source="; ".join(s for s in (data.get("source", ""), data.get("speed_source", "")) if s),
        end_tz=nodes[v]["tz"],
        rule=rules.break_rule(country),
        start_place=nodes[u]["name"],
    )


def compile_path(graph: nx.MultiDiGraph, path: Sequence[Any]) -> tuple[_Road | _Cross, ...]:
    """Turn node ids into simulation steps (cached per network; steps are shared between paths)."""
    key = tuple(path)
    caches = _caches(graph)
    found = caches.paths.get(key)
    if found is not None:
        return found
    steps = []
    for edge in zip(key, key[1:], strict=False):
        step = caches.edges.get(edge)
        if step is None:
            step = caches.edges[edge] = _compile_edge(graph, *edge)
        steps.append(step)
    result = tuple(steps)
    if len(caches.paths) > _CACHE_LIMIT:
        caches.paths.clear()
    caches.paths[key] = result
    return result


def _remaining_driving(graph: nx.MultiDiGraph, path: tuple[Any, ...], steps: tuple[_Road | _Cross, ...], cap: float | None) -> list[float]:
    """Driving seconds left after each step (cached per network, path and speed cap)."""
    cache = _caches(graph).remaining
    key = (path, cap)
    found = cache.get(key)
    if found is None:
        found = [0.0] * len(steps)
        acc = 0.0
        for i in range(len(steps) - 1, -1, -1):
            found[i] = acc
            step = steps[i]
            if isinstance(step, _Road):
                speed = step.speed_kph if cap is None else min(step.speed_kph, cap)
                acc += step.km / speed * HOUR_S
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        cache[key] = found
    return found


def _bound_cached(graph: nx.MultiDiGraph, key: tuple[Any, ...], steps: Sequence[_Road | _Cross], regime: Regime, vehicle: Vehicle) -> float:
    cache = _caches(graph).bounds
    found = cache.get(key)
    if found is None:
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        found = cache[key] = _steps_bound(graph, steps, regime, vehicle)
    return found


def _vehicle_key(regime: Regime, vehicle: Vehicle) -> tuple[Any, ...]:
    # The regime object itself (not its id) so that the cache keeps it alive and ids are never reused.
    return (regime, vehicle.registration, vehicle.permits, vehicle.drivers, vehicle.max_speed_kph)


def _suffix_bound(graph: nx.MultiDiGraph, path: tuple[Any, ...], start: int, regime: Regime, vehicle: Vehicle) -> float:
    """:func:`_steps_bound` of the steps of ``path`` from step ``start`` on, for a fresh crew, memoised."""
    steps = compile_path(graph, path)
    return _bound_cached(graph, (path, start, *_vehicle_key(regime, vehicle)), steps[start:], regime, vehicle)


# -- the simulation --------------------------------------------------------------------------------


class _Run:
    """One simulation: mutable state kept out of the public objects."""

    __slots__ = ("annotate", "avoidable", "clocks", "crossed", "draws", "driver", "events", "extensions", "graph", "path", "regime", "rests", "rules", "t", "transshipped", "vehicle")

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
        draws: Mapping[int, tuple[float, float, float]] | None = None,
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
        self.clocks: dict[tuple[str, str], CrossingClock] = {}
        self.avoidable: list[tuple[int, str, tuple[tuple[float, float], ...]]] = []
        self.extensions = extensions
        self.rests = 0  # rests taken so far; rest k (1-based) may be extended, 0 is a hold at the origin

    def emit(self, activity: str, place: str, country: str, end: float, tz: str, **extra: Any) -> None:
        if end - self.t <= _EPS and activity != "driving":
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

    def drive(self, step: _Road, remaining_after_s: float) -> None:
        rule = step.rule
        cap = self.vehicle.max_speed_kph
        speed = step.speed_kph if cap is None or cap >= step.speed_kph else cap
        total_s = max(round(step.km / speed * HOUR_S), 1)
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

    def cross(self, step: _Cross, *, remaining_after_s: float, index: int = -1) -> None:
        crossing = step.crossing
        rule: CrossingRule = self.regime.rule(crossing.id)
        if not rule.open_to_freight:
            why = f": {rule.reason}" if rule.reason else ""
            msg = f"crossing {crossing.name!r} ({crossing.id}) is closed to international freight under regime {self.regime.id!r}{why}"
            raise NoRouteError(msg, blocking=[crossing.id])
        key = (crossing.id, step.direction)
        clock = self.clocks.get(key)
        if clock is None:
            clock = crossing.clock(step.direction, schedules=dict(rule.schedules))
            self.clocks[key] = clock
        exit_rule = self.rules.break_rule(step.exit_country)
        place = f"{crossing.name} ({step.exit_country} post)"
        common = {"crossing_id": crossing.id}
        queue = rule.queue[step.direction]
        clearance = rule.clearance[step.direction]
        arrival = self.t
        queue_h, clearance_h, transshipment_h = self.draws.get(index, (queue.median_h, clearance.median_h, rule.transshipment.median_h))
        clearance_s = round(clearance_h * HOUR_S)
        try:
            queued = arrival + round(queue_h * HOUR_S)
            ready = clock.next_open(queued)
            for kind, start, end in _split(clock, arrival, ready):
                activity = "queue" if kind == "open" else "closed_wait"
                note = "" if kind == "open" or not self.annotate else _closed_note(crossing, step, start)
                self.t = start
                self.emit(activity, place, step.exit_country, end, step.exit_tz, note=note, source=queue.source if kind == "open" else crossing.source, **common)
                self.driver.idle(end - start)
            if self.annotate:
                self._note_rest_taken(exit_rule)
            pieces = clock.work_in_one_go(ready, clearance_s)
        except LookupError as exc:
            msg = f"crossing {crossing.name!r} ({crossing.id}) does not open within the search horizon after arrival: {exc}"
            raise NoRouteError(msg, blocking=[crossing.id]) from None
        after_s = step.link_km / step.link_speed_kph * HOUR_S
        if index >= 0 and self.graph is not None:
            vehicle = self.vehicle if rule.admits(self.vehicle.registration, permits=self.vehicle.permits) else self.vehicle.transshipped(step.entry_country)
            after_s += _suffix_bound(self.graph, self.path, index + 1, self.regime, vehicle)
        self._later_departures(crossing.id, ready - queued, ready, pieces, exit_rule, clock, remaining_after_s, clearance_s, after_s)
        for kind, start, end in pieces:
            self.t = start
            if kind == "open":
                self.driver.work(exit_rule)
                self.emit("clearance", place, step.exit_country, end, step.exit_tz, source=clearance.source, **common)
            else:
                self.emit("closed_wait", place, step.exit_country, end, step.exit_tz, note=_closed_note(crossing, step, start) if self.annotate else "", source=crossing.source, **common)
                self.driver.idle(end - start)
        self.driver.work(exit_rule)
        self.drive(step.link, remaining_after_s)
        self.crossed.append(crossing.id)
        if not rule.admits(self.vehicle.registration, permits=self.vehicle.permits):
            needed = rule.permit_needed(self.vehicle.registration)
            why = (
                f"{self.vehicle.registration}-registered trucks may not drive on"
                if needed is None
                else f"vehicle lacks the {needed!r} permit"
            )
            self.emit(
                "transshipment",
                f"{crossing.name} ({step.entry_country} post)",
                step.entry_country,
                self.t + round(transshipment_h * HOUR_S),
                step.entry_tz,
                note=f"{why}; cargo moved to a {step.entry_country} truck",
                source=rule.transshipment.source,
                **common,
            )
            self.transshipped.append(crossing.id)
            self.vehicle = self.vehicle.transshipped(step.entry_country)
            self.driver = DriverClock(self.rules.crew(self.vehicle.drivers))

    def _later_departures(
        self,
        crossing_id: str,
        wait_s: float,
        ready: float,
        pieces: list[tuple[str, float, float]],
        rule: BreakRule,
        clock: CrossingClock,
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


def _split(clock: CrossingClock, start: float, end: float) -> list[tuple[str, float, float]]:
    """Split ``[start, end]`` into pieces during which the crossing is open or closed."""
    pieces: list[tuple[str, float, float]] = []
    t = start
    while t < end - _EPS:
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


def _closed_note(crossing: Crossing, step: _Cross, t: float) -> str:
    """Say which post is closed at ``t`` and why (holiday, weekend, season or hours)."""
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


def simulate(
    graph: nx.MultiDiGraph,
    path: Sequence[str],
    *,
    regime: str | Regime,
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
        Regime id or :class:`~transit.regimes.Regime`.
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
    regime_obj = get_regime(graph, regime)
    if len(path) < 2:
        msg = f"a path needs at least two nodes; got {list(path)!r}"
        raise NoRouteError(msg)
    path = [node_of(graph, node) for node in path]
    origin, destination = path[0], path[-1]
    nodes = graph.nodes
    depart = parse_departure(departure, nodes[origin]["tz"])
    veh = Vehicle.coerce(vehicle, default_registration=nodes[origin]["country"])
    trip = _simulate(graph, tuple(path), regime_obj, veh, depart)
    assert trip is not None  # no abort_after given
    return trip


def _simulate(
    graph: nx.MultiDiGraph,
    path: tuple[str, ...],
    regime: Regime,
    vehicle: Vehicle,
    depart: datetime,
    *,
    extensions: tuple[float, ...] = (),
    annotate: bool = True,
    abort_after: float | None = None,
    draws: Mapping[int, tuple[float, float, float]] | None = None,
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
    remaining = _remaining_driving(graph, path, steps, vehicle.max_speed_kph)
    for index, (step, rest_after) in enumerate(zip(steps, remaining, strict=True)):
        if isinstance(step, _Road):
            run.drive(step, rest_after)
        else:
            if abort_after is not None and run.t + _suffix_bound(graph, path, index, regime, run.vehicle) >= abort_after:
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
    coords = _road_coords(graph, path) if annotate else ()
    points = tuple(_crossing_point(graph.graph["crossings"][cid]) for cid in run.crossed) if annotate else ()
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
    )


def _road_coords(graph: nx.MultiDiGraph, path: tuple[Any, ...]) -> tuple[tuple[float, float], ...]:
    """The road geometry along ``path``: each edge's LineString (or the straight line), joined end to end; cached."""
    cache = _caches(graph).coords
    found = cache.get(path)
    if found is None:
        coords: list[tuple[float, float]] = []
        nodes = graph.nodes
        for u, v in zip(path, path[1:], strict=False):
            data = min(graph.get_edge_data(u, v).values(), key=lambda d: d["travel_time"])
            geometry = data.get("geometry")
            points = list(geometry.coords) if geometry is not None else [(nodes[u]["x"], nodes[u]["y"]), (nodes[v]["x"], nodes[v]["y"])]
            for x, y in points:
                if not coords or coords[-1] != (x, y):
                    coords.append((float(x), float(y)))
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        found = cache[path] = tuple(coords)
    return found


def _crossing_point(crossing: Crossing) -> tuple[str, str, float, float]:
    a, b = crossing.posts
    return (crossing.id, crossing.name, (a.lon + b.lon) / 2, (a.lat + b.lat) / 2)


def lower_bound_s(graph: nx.MultiDiGraph, path: Sequence[Any], regime: Regime, vehicle: Vehicle) -> float:
    """Lower bound on the simulated duration of ``path`` (see :func:`_steps_bound`), memoised."""
    key = tuple(path)
    return _bound_cached(graph, (key, 0, *_vehicle_key(regime, vehicle)), compile_path(graph, key), regime, vehicle)


def _steps_bound(graph: nx.MultiDiGraph, steps: Sequence[_Road | _Cross], regime: Regime, vehicle: Vehicle) -> float:
    """
    A lower bound on the simulated duration of ``path``, in seconds.

    Driving, median queue, clearance and transshipment, plus the daily rests
    and breaks each truck's crew cannot avoid (a day holds at most the
    extended driving time, a break is due every few hours of driving), less
    what queues could overlap with those stops. Waits for opening hours only
    add to this, so a path whose bound exceeds a simulated total cannot beat it.
    """
    rules: DriverRules = graph.graph["driver_rules"]
    crew = rules.crew(vehicle.drivers)
    day_s = crew.extended_driving_h * HOUR_S
    rest_s = crew.reduced_daily_rest_h * HOUR_S
    total = 0.0
    stops = 0.0
    overlap = 0.0
    stint = 0.0  # driving by the current truck
    countries: set[str] = set()
    registration = vehicle.registration

    def stint_stops(driving: float) -> float:
        rests = max(math.ceil(driving / day_s - 1e-9) - 1, 0)
        if not crew.breaks or not countries:
            return rests * rest_s
        applied = [rules.break_rule(c) for c in countries]
        after = max(r.break_after_h for r in applied) * HOUR_S
        shortest = min(r.break_h for r in applied) * HOUR_S
        breaks = max(math.ceil(driving / after - 1e-9) - 1 - rests, 0)
        return rests * rest_s + breaks * shortest

    for step in steps:
        if isinstance(step, _Road):
            speed = step.speed_kph if vehicle.max_speed_kph is None else min(step.speed_kph, vehicle.max_speed_kph)
            seconds = step.km / speed * HOUR_S
            total += seconds
            stint += seconds
            countries.add(step.country)
            continue
        rule = regime.rule(step.crossing.id)
        if not rule.open_to_freight:
            return math.inf
        queue_s = rule.queue[step.direction].median_h * HOUR_S
        link_s = step.link_km / step.link_speed_kph * HOUR_S
        total += queue_s + rule.clearance[step.direction].median_h * HOUR_S + link_s
        overlap += min(queue_s, rest_s)
        stint += link_s
        if not rule.admits(registration, permits=vehicle.permits):
            total += rule.transshipment.median_h * HOUR_S
            registration = step.entry_country
            stops += stint_stops(stint)
            stint = 0.0
            countries = set()
    stops += stint_stops(stint)
    return total + max(stops - overlap, 0.0) - ROUNDING_SLACK_S
