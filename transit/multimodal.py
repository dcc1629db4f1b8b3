"""
Door to door by road, rail or both: the shipper's real choice, across the same borders and rules.

:func:`plan_multimodal` finds the earliest door-to-door trip for a container under a mix of modes:

* ``modes=("road",)``: by truck all the way (:func:`transit.plan_trip` itself);
* ``modes=("rail",)``: by train, from the origin's own terminal to the destination's; a place without a terminal
  is served by a truck from or to a terminal in its country (the first and last miles);
* ``modes=("road", "rail")``: any mix, e.g. rail to Kashgar, road over Irkeshtam to Osh, rail on to Tashkent.

The search is a time-dependent Dijkstra over places where the mode can change (the origin, the destination and
the rail terminals, :mod:`transit.rail`). Each move is timed by its own model from the time the container is
ready: a road leg by the exact road search (drivers' hours, opening hours, queues, the regime or the dated
history), a rail leg by :func:`transit.rail.ride` (the next train, running, border and gauge-change times of the
year), with a road-rail transfer at each terminal. Every move is FIFO (a container that is ready later is never
delivered earlier, since it can always wait), so the first time a place is reached is the earliest. A truck that
meets a train hands the container over; after the train a truck of the terminal's country takes it on.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> trip = transit.plan_multimodal(net, "Urumqi", "Almaty", modes=("rail",), departure="2024-06-03T08:00")
>>> "rail" in trip.modes, "gauge_change" in set(trip.timeline["activity"])
(True, True)
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from ._search import astar_paths, crossing_graph
from ._timeutil import parse_departure
from ._units import HOUR_S
from .delays import as_generator
from .errors import InvalidArgumentError, NoRouteError
from .geo import haversine_km
from .lookup import get_regime, node_of
from .model import PlaceRef
from .montecarlo import draw_delays, simulate_many
from .question import resolve_trip
from .rail import RAIL_ACTIVITIES, RailNetwork, Station, draw_rail_delays, rail_cost_usd, ride, ride_many, transfer
from .regimes import Regime
from .routing import plan_resolved
from .schedule import zone
from .trip import ACTIVITIES, Event, Trip
from .vehicles import Vehicle

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MODES",
    "DoorToDoorReliability",
    "MultimodalCost",
    "MultimodalTrip",
    "Part",
    "multimodal_graph",
    "plan_multimodal",
    "sample_door_to_door",
]

#: The modes a question may allow.
MODES = ("road", "rail")
#: A speed no vehicle reaches, km/h: the bound when a network gives no speeds (see :func:`_top_speed_kph`).
TOP_SPEED_KPH = 160.0


@dataclass(frozen=True)
class Part:
    """One stretch of a multimodal trip: a road trip, a transfer or a train ride, with its events and price."""

    mode: str
    events: tuple[Event, ...]
    cost_usd: float
    trip: Trip | None = None
    stations: tuple[str, ...] = ()
    coords: tuple[tuple[float, float], ...] = ()  # (lon, lat) of a train's stations, or a road trip's geometry

    @property
    def geometry_coords(self) -> tuple[tuple[float, float], ...]:
        """The line of this part as ``(lon, lat)`` pairs: the road geometry, or the train's stations in order."""
        return self.trip.geometry_coords if self.trip is not None else self.coords


@dataclass(frozen=True, kw_only=True)
class MultimodalCost:
    """Cost of a multimodal trip in USD: road (trucks' distance, time and transshipment), border payments, rail, transfers."""

    road_usd: float
    border_usd: float
    rail_usd: float
    transfer_usd: float

    @property
    def total_usd(self) -> float:
        """Sum of the components."""
        return self.road_usd + self.border_usd + self.rail_usd + self.transfer_usd

    def as_dict(self) -> dict[str, float]:
        """Components and total, rounded to cents."""
        out = {f.name: round(getattr(self, f.name), 2) for f in dataclasses.fields(self)}
        out["total_usd"] = round(self.total_usd, 2)
        return out


@dataclass(frozen=True, kw_only=True, eq=False)
class MultimodalTrip:
    """
    A door-to-door trip by road, rail or both (see the module docstring).

    Attributes
    ----------
    origin_name, destination_name
        Place names.
    regime
        Regime id the road legs follow.
    vehicle
        The truck of the first mile (after a train, a truck of the terminal's country takes over).
    allowed
        The modes the question allowed.
    parts
        The stretches in order (:class:`Part`).
    departure, arrival
        Aware datetimes in the origin's and the destination's time zone.
    """

    origin_name: str
    destination_name: str
    regime: str
    vehicle: Vehicle
    allowed: tuple[str, ...]
    parts: tuple[Part, ...]
    departure: datetime
    arrival: datetime

    @property
    def modes(self) -> tuple[str, ...]:
        """The modes used, in order: ``("road",)``, ``("rail",)``, ``("road", "rail", "road")`` with trucks to and from the trains..."""
        return tuple(k for k, _ in itertools.groupby(p.mode for p in self.parts if p.mode != "transfer"))

    @property
    def total_h(self) -> float:
        """Door-to-door hours."""
        return (self.arrival.timestamp() - self.departure.timestamp()) / HOUR_S

    @property
    def events(self) -> tuple[tuple[str, Event], ...]:
        """Every event with its mode, in order."""
        return tuple((p.mode, e) for p in self.parts for e in p.events)

    @functools.cached_property
    def breakdown_h(self) -> dict[str, float]:
        """Hours by activity, road's and rail's (every activity present, zeros included)."""
        out = dict.fromkeys((*ACTIVITIES, *RAIL_ACTIVITIES), 0.0)
        for _, e in self.events:
            out[e.activity] += e.duration_h
        return out

    @property
    def total_days(self) -> float:
        """Door-to-door days."""
        return self.total_h / 24

    @property
    def driving_h(self) -> float:
        """Hours at the wheel of the trucks."""
        return self.breakdown_h["driving"]

    @property
    def rest_h(self) -> float:
        """Truck drivers' breaks and rests."""
        b = self.breakdown_h
        return b["break"] + b["daily_rest"] + b["weekly_rest"]

    @property
    def rail_h(self) -> float:
        """Hours on the train, running."""
        return self.breakdown_h["rail"]

    @property
    def border_h(self) -> float:
        """Queue and clearance at road crossings, plus rail border times."""
        b = self.breakdown_h
        return b["queue"] + b["clearance"] + b["rail_border"]

    @property
    def transshipment_h(self) -> float:
        """Moving the load: between trucks at a border, between gauges, and between truck and train."""
        b = self.breakdown_h
        return b["transshipment"] + b["gauge_change"] + b["transfer"]

    @property
    def closed_wait_h(self) -> float:
        """Waiting for closed road crossings, and for the train to leave."""
        b = self.breakdown_h
        return b["closed_wait"] + b["train_wait"]

    @property
    def route(self) -> str:
        """The route in words, part by part: road crossings, and each train from its first station to its last."""
        out: list[str] = []
        for p in self.parts:
            if p.trip is not None:
                out.append("road " + (" / ".join(p.trip.crossings) or "(domestic)"))
            elif p.mode == "rail" and p.events:
                borders = [e.place for e in p.events if e.activity == "rail_border"]
                first, last = p.events[0].place.split(" → ")[0], p.events[-1].place.split(" → ")[-1]
                out.append(f"rail {first} → {last}" + (f" (border at {', '.join(borders)})" if borders else ""))
        return "; ".join(out)

    @property
    def transshipments(self) -> tuple[str, ...]:
        """Where the load changed vehicle: road crossings with transshipment, gauge changes and terminals."""
        out: list[str] = []
        for p in self.parts:
            if p.trip is not None:
                out.extend(p.trip.transshipments)
            out.extend(e.place for e in p.events if e.activity in ("gauge_change", "transfer"))
        return tuple(out)

    @property
    def warnings(self) -> tuple[str, ...]:
        """The road legs' warnings."""
        return tuple(w for p in self.parts if p.trip is not None for w in p.trip.warnings)

    def summary(self) -> dict[str, Any]:
        """
        Totals as a flat, JSON-friendly dict (hours rounded to 0.01), like :meth:`transit.Trip.summary`.

        Keys: ``origin, destination, regime, modes, departure, arrival, total_h, total_days, driving_h, rest_h,
        rail_h, border_h, transshipment_h, closed_wait_h, distance_km, road_km, rail_km, cost_usd, cost, crossings,
        transshipments, warnings``.
        """
        return {
            "origin": self.origin_name,
            "destination": self.destination_name,
            "regime": self.regime,
            "modes": list(self.modes),
            "departure": self.departure.isoformat(),
            "arrival": self.arrival.isoformat(),
            "total_h": round(self.total_h, 2),
            "total_days": round(self.total_days, 2),
            "driving_h": round(self.driving_h, 2),
            "rest_h": round(self.rest_h, 2),
            "rail_h": round(self.rail_h, 2),
            "border_h": round(self.border_h, 2),
            "transshipment_h": round(self.transshipment_h, 2),
            "closed_wait_h": round(self.closed_wait_h, 2),
            "distance_km": round(self.distance_km, 1),
            "road_km": round(self.km_by_mode["road"], 1),
            "rail_km": round(self.km_by_mode["rail"], 1),
            "cost_usd": round(self.cost_usd, 2),
            "cost": self.cost.as_dict(),
            "crossings": list(self.crossings),
            "transshipments": list(self.transshipments),
            "warnings": list(self.warnings),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: :meth:`summary`, the timeline (each event with its mode and local times, ISO 8601) and the path.

        ``geometry`` is a GeoJSON FeatureCollection: a LineString per road or rail part (``properties.mode``), a Point
        per transfer.
        """
        out = self.summary()
        out["timeline"] = [
            {
                "mode": mode,
                "activity": e.activity,
                "place": e.place,
                "country": e.country,
                "start": datetime.fromtimestamp(e.start, zone(e.tz)).isoformat(),
                "end": datetime.fromtimestamp(e.end, zone(e.tz)).isoformat(),
                "duration_h": round(e.duration_h, 3),
                "distance_km": round(e.distance_km, 1),
                "note": e.note,
                "source": e.source,
                "crossing_id": e.crossing_id,
            }
            for mode, e in self.events
        ]
        out["geometry"] = self.geojson()
        return out

    def geojson(self) -> dict[str, Any]:
        """
        Return the path as a GeoJSON FeatureCollection: a LineString per road or rail part, a Point per transfer.

        LineStrings carry ``mode`` and ``distance_km``, Points ``mode="transfer"`` and ``place``; coordinates are
        ``(lon, lat)``. The map of :func:`transit.plot.map` and the planner's page draw from it.
        """
        features = []
        for part in self.parts:
            line = [list(c) for c in part.geometry_coords]
            if part.mode == "transfer" and line:
                place = part.events[0].place if part.events else ""
                point = {"type": "Point", "coordinates": line[0]}
                features.append({"type": "Feature", "geometry": point, "properties": {"mode": "transfer", "place": place}})
            elif len(line) > 1:
                km = round(sum(e.distance_km for e in part.events), 1)
                path = {"type": "LineString", "coordinates": line}
                features.append({"type": "Feature", "geometry": path, "properties": {"mode": part.mode, "distance_km": km}})
        return {"type": "FeatureCollection", "features": features}

    @functools.cached_property
    def km_by_mode(self) -> dict[str, float]:
        """Kilometres by road and by rail."""
        out = {"road": 0.0, "rail": 0.0}
        for mode, e in self.events:
            if mode in out:
                out[mode] += e.distance_km
        return out

    @property
    def distance_km(self) -> float:
        """Kilometres door to door."""
        return sum(self.km_by_mode.values())

    @property
    def crossings(self) -> tuple[str, ...]:
        """Road crossing ids passed, in order."""
        return tuple(c for p in self.parts if p.trip is not None for c in p.trip.crossings)

    @functools.cached_property
    def cost(self) -> MultimodalCost:
        """The price by component (:class:`MultimodalCost`)."""
        road = border = rail = moved = 0.0
        for p in self.parts:
            if p.trip is not None:
                c = p.trip.cost
                road += c.distance_usd + c.time_usd + c.transshipment_usd
                border += c.border_usd
            elif p.mode == "rail":
                rail += p.cost_usd
            else:
                moved += p.cost_usd
        return MultimodalCost(road_usd=road, border_usd=border, rail_usd=rail, transfer_usd=moved)

    @property
    def cost_usd(self) -> float:
        """Total price, USD."""
        return self.cost.total_usd

    @functools.cached_property
    def timeline(self) -> pd.DataFrame:
        """
        The timeline as a DataFrame, one row per event, with its ``mode`` (``road``, ``rail`` or ``transfer``).

        Columns: ``mode, activity, place, country, start, end, duration_h, distance_km, local_start, local_end,
        tz, note, source``; times tz-aware (UTC, and local to the place).
        """
        import pandas as pd

        rows = []
        for mode, e in self.events:
            tz = zone(e.tz)
            rows.append(
                {
                    "mode": mode,
                    "activity": e.activity,
                    "place": e.place,
                    "country": e.country,
                    "start": pd.Timestamp(e.start, unit="s", tz="UTC"),
                    "end": pd.Timestamp(e.end, unit="s", tz="UTC"),
                    "duration_h": e.duration_h,
                    "distance_km": e.distance_km,
                    "local_start": datetime.fromtimestamp(e.start, tz),
                    "local_end": datetime.fromtimestamp(e.end, tz),
                    "tz": e.tz,
                    "note": e.note,
                    "source": e.source,
                }
            )
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return str(self.timeline[["mode", "activity", "place", "local_start", "duration_h", "distance_km"]].to_html(index=False))

    def __repr__(self) -> str:
        return (
            f"MultimodalTrip({self.origin_name!r} -> {self.destination_name!r}, modes={self.modes}, "
            f"{self.total_h:.1f} h, {self.distance_km:.0f} km, ${self.cost_usd:,.0f})"
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class DoorToDoorReliability:
    """
    Monte Carlo samples of a door-to-door trip (:func:`sample_door_to_door`): each part's delays drawn, in order.

    Attributes
    ----------
    trip
        The planned trip the samples follow (its parts, routes and road plans).
    arrival_s
        Each sample's arrival, POSIX seconds.
    """

    trip: MultimodalTrip
    arrival_s: np.ndarray

    @property
    def samples(self) -> int:
        """Number of samples."""
        return len(self.arrival_s)

    @property
    def total_h(self) -> np.ndarray:
        """Each sample's door-to-door hours."""
        return np.asarray((self.arrival_s - self.trip.departure.timestamp()) / HOUR_S)

    def percentile_h(self, q: float) -> float:
        """Return the ``q``-th percentile of the door-to-door hours."""
        return float(np.percentile(self.total_h, q))

    @property
    def mean_h(self) -> float:
        """Mean door-to-door hours."""
        return float(self.total_h.mean())

    def arrival_at(self, q: float) -> datetime:
        """Return the arrival by which ``q`` percent of the samples are in, local at the destination."""
        return datetime.fromtimestamp(float(np.percentile(self.arrival_s, q)), self.trip.arrival.tzinfo)

    def on_time_probability(self, deadline: datetime | str) -> float:
        """Return the share of samples that arrive no later than ``deadline`` (naive: local time at the destination)."""
        tz = getattr(self.trip.arrival.tzinfo, "key", "UTC")
        limit = parse_departure(deadline, tz, what="deadline").timestamp()
        return float(np.mean(self.arrival_s <= limit))

    def summary(self) -> dict[str, Any]:
        """Return the question, the deterministic total and the sample statistics as a flat, JSON-friendly dict."""
        return {
            "origin": self.trip.origin_name,
            "destination": self.trip.destination_name,
            "regime": self.trip.regime,
            "modes": list(self.trip.modes),
            "departure": self.trip.departure.isoformat(),
            "route": self.trip.route,
            "samples": self.samples,
            "deterministic_h": round(self.trip.total_h, 2),
            "mean_h": round(self.mean_h, 2),
            **{f"p{q}_h": round(self.percentile_h(q), 2) for q in (50, 90, 95)},
            "p90_arrival": self.arrival_at(90).isoformat(),
        }

    def __repr__(self) -> str:
        return f"DoorToDoorReliability({self.trip!r}, {self.samples:,} samples, P50 {self.percentile_h(50):.1f} h, P90 {self.percentile_h(90):.1f} h)"


def sample_door_to_door(
    graph: nx.MultiDiGraph, trip: MultimodalTrip, *, samples: int, rng: int | np.random.Generator | None = None
) -> DoorToDoorReliability:
    """
    Sample a door-to-door trip under uncertain delays, part by part, each starting when the part before ends.

    Road legs are sampled as :func:`transit.reliability` samples them (the road plan held, border delays drawn),
    from each sample's own ready time; a train's border and gauge-change times are lognormal around the year's
    medians (:func:`transit.rail.draw_rail_delays`), and it leaves with the next departure after the container is
    ready; transfers take their fixed time.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> trip = transit.plan_multimodal(net, "Urumqi", "Almaty", modes=("rail",), departure="2024-06-03T08:00")
    >>> rel = sample_door_to_door(net, trip, samples=500, rng=1)
    >>> rel.percentile_h(50) <= rel.percentile_h(90)
    True
    """
    gen = as_generator(rng)
    streams = gen.spawn(len(trip.parts))
    ready: np.ndarray = np.full(samples, trip.departure.timestamp())
    base = get_regime(graph, trip.regime)
    rail: RailNetwork | None = graph.graph.get("rail")
    for part, stream in zip(trip.parts, streams, strict=True):
        if part.trip is not None:
            road = part.trip
            start = road.departure.timestamp()
            regime = base.around(start)
            draws = draw_delays(graph, road.path, regime, samples, stream, departure_s=start)
            runs = simulate_many(graph, road.path, regime=regime, vehicle=road.vehicle, departure_s=ready, draws=draws, **road.plan)
            ready = np.asarray(runs.arrival_s, dtype=float)
        elif part.mode == "rail" and rail is not None:
            factors = draw_rail_delays(rail, list(part.stations), samples, stream)
            ready = ride_many(rail, list(part.stations), ready, factors)
        else:
            ready = ready + sum(e.end - e.start for e in part.events)
    return DoorToDoorReliability(trip=trip, arrival_s=ready)


@dataclass(order=True)
class _State:
    t: float
    order: int
    node: Any = dataclasses.field(compare=False)
    came_by: str = dataclasses.field(compare=False)  # "start", "road" or "rail"
    parts: tuple[Part, ...] = dataclasses.field(compare=False)


def plan_multimodal(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    modes: Sequence[str] = MODES,
    regime: str | Regime | None = None,
    departure: datetime | str,
    vehicle: Vehicle | dict[str, Any] | str | None = None,
) -> MultimodalTrip:
    """
    Plan the earliest door-to-door trip by the modes allowed (see the module docstring).

    Parameters
    ----------
    graph
        A network from :func:`transit.load_network` (its rail layer is ``graph.graph["rail"]``).
    origin, destination
        Place names, aliases or ids.
    modes
        ``("road",)``, ``("rail",)`` (by train; trucks only to or from a place without a terminal, within its country) or
        ``("road", "rail")`` (any mix, the default).
    regime
        Regime id or object for the road legs; ``None`` for the network's default. Rail follows the
        year's figures in ``rail/rail.toml``.
    departure
        When the container is ready at the origin (a naive time is local there).
    vehicle
        The truck for the first mile (and for the whole trip by road); after a train, a truck of the
        terminal's country with as many drivers takes the container on.

    Returns
    -------
    MultimodalTrip

    Raises
    ------
    InvalidArgumentError
        For an unknown mode, or rail asked of a network without a rail layer.
    NoRouteError
        If no trip by the modes allowed exists.
    UnknownPlaceError, InvalidDepartureError
        For bad places or departures, as :func:`transit.plan_trip`.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> road = transit.plan_multimodal(net, "Kashgar", "Osh", modes=("road",), departure="2024-06-03T08:00")
    >>> road.modes, road.total_h == transit.plan_trip(net, "Kashgar", "Osh", departure="2024-06-03T08:00").total_h
    (('road',), True)
    """
    allowed = _check_modes(modes)
    question = resolve_trip(graph, origin, destination, regime=regime, departure=departure, vehicle=vehicle)
    base = get_regime(graph, regime)
    depart = question.departure
    if depart is None:  # pragma: no cover - resolve_trip requires it here
        raise InvalidArgumentError("plan_multimodal needs a departure, e.g. departure='2024-06-03T08:00'")
    rail: RailNetwork | None = graph.graph.get("rail")
    if "rail" in allowed and rail is None:
        raise InvalidArgumentError(f"modes={tuple(modes)!r} asks for rail, but this network has no rail layer; use modes=('road',) or load_network()")
    names = graph.nodes
    t0 = depart.timestamp()

    def road(a: Any, b: Any, t: float, truck: Vehicle) -> Part:
        when = datetime.fromtimestamp(t, zone(names[a]["tz"]))
        leg = dataclasses.replace(question, origin=a, destination=b, departure=when, vehicle=truck, regime=base.around(t), via=())
        trip = plan_resolved(graph, leg)
        return Part("road", trip.events, trip.cost.total_usd, trip=trip)

    statics: dict[tuple[Any, Any, int], float] = {}

    def static_road_s(a: Any, b: Any, t: float, truck: Vehicle) -> float:
        """Return a lower bound on a road leg: the static time of the fastest allowed crossing sequence (median delays, no rests)."""
        regime = base.around(t)
        key = (a, b, id(regime))
        found = statics.get(key)
        if found is None:
            try:
                first = next(astar_paths(crossing_graph(graph, regime, truck.max_speed_kph), a, b), None)
            except NoRouteError:
                first = None
            found = statics[key] = 0.0 if first is None else max(first[0] - 60.0, 0.0)  # (a minute for rounding)
        return found

    def build(state: _State) -> MultimodalTrip:
        end = state.parts[-1].events[-1].end if state.parts and state.parts[-1].events else t0
        return MultimodalTrip(
            origin_name=names[question.origin]["name"],
            destination_name=names[question.destination]["name"],
            regime=base.id,
            vehicle=question.vehicle,
            allowed=allowed,
            parts=state.parts,
            departure=depart,
            arrival=datetime.fromtimestamp(end, zone(names[question.destination]["tz"])),
        )

    if allowed == ("road",):
        return build(_State(t0, 0, question.destination, "road", (road(question.origin, question.destination, t0, question.vehicle),)))
    assert rail is not None  # noqa: S101 - checked above
    return _search(graph, rail, question.origin, question.destination, t0, question.vehicle, allowed, road, build, static_road_s)


def multimodal_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """
    Return one osmnx-compatible graph of roads, rail lines and the transfers between them, each edge with its ``mode``.

    Road nodes and edges are the network's (``mode="road"``); rail stations join as nodes keyed
    ``"rail:<station id>"`` with their lines (``mode="rail"``); each terminal is linked both ways to the road
    place it serves (``mode="transfer"``, ``travel_time`` the transfer time, ``length`` 0). A new unfrozen graph:
    ``osmnx.graph_to_gdfs(g)`` draws it, and ``g.edges(data="mode")`` tells the modes apart. The trip search does
    not route on it (see :func:`plan_multimodal`): it is the layer to look at, export or extend.

    Examples
    --------
    >>> import transit
    >>> g = multimodal_graph(transit.load_network())
    >>> sorted({mode for _, _, mode in g.edges(data="mode")})
    ['rail', 'road', 'transfer']
    """
    rail: RailNetwork | None = graph.graph.get("rail")
    out = nx.MultiDiGraph(**{k: v for k, v in graph.graph.items() if k in ("crs", "name", "dataset_version")})
    out.add_nodes_from((n, dict(d)) for n, d in graph.nodes(data=True))
    out.add_edges_from((u, v, k, {**d, "mode": "road"}) for u, v, k, d in graph.edges(keys=True, data=True))
    if rail is None:
        return out
    for sid, s in rail.stations.items():
        out.add_node(f"rail:{sid}", x=s.lon, y=s.lat, name=s.name, country=s.country, kind=f"rail_{s.kind}", tz=s.tz, gauge_mm=s.gauge_mm)
    for u, v, k, d in rail.graph.edges(keys=True, data=True):
        out.add_edge(f"rail:{u}", f"rail:{v}", k, **d)
    transfer_s = rail.timing.transfer_h * HOUR_S
    for station in rail.terminals():
        node = node_of(graph, station.road_place)
        for a, b in ((f"rail:{station.id}", node), (node, f"rail:{station.id}")):
            out.add_edge(a, b, "transfer", mode="transfer", length=0.0, travel_time=transfer_s, speed_kph=0.0, source=rail.timing.transfer_source)
    return out


def _check_modes(modes: Sequence[str]) -> tuple[str, ...]:
    if isinstance(modes, str) or not modes:
        raise InvalidArgumentError(f"modes={modes!r} is not a sequence of modes; expected e.g. ('road',), ('rail',) or ('road', 'rail')")
    out = []
    for mode in modes:
        if mode not in MODES:
            raise InvalidArgumentError(f"mode {mode!r} is unknown; expected one of {list(MODES)}")
        if mode not in out:
            out.append(mode)
    return tuple(sorted(out, key=MODES.index))


def _search(
    graph: nx.MultiDiGraph,
    rail: RailNetwork,
    origin: Any,
    destination: Any,
    t0: float,
    vehicle: Vehicle,
    allowed: tuple[str, ...],
    road: Any,
    build: Any,
    static_road_s: Any,
) -> MultimodalTrip:
    """Run the time-dependent Dijkstra over the places where the mode can change (see the module docstring)."""
    names = graph.nodes
    terminals: dict[Any, list[Station]] = {}
    for station in rail.terminals():
        try:
            node = node_of(graph, station.road_place)
        except (KeyError, LookupError):
            continue
        terminals.setdefault(node, []).append(station)

    top_kph = _top_speed_kph(graph, rail)

    def lower_h(a: Any, b: Any) -> float:  # (lines may be 3% shorter than the straight line between rounded coordinates)
        return 0.95 * haversine_km(names[a]["x"], names[a]["y"], names[b]["x"], names[b]["y"]) / top_kph

    counter = itertools.count()
    heap = [_State(t0, next(counter), origin, "start", ())]
    done: set[tuple[Any, str]] = set()
    best: _State | None = None
    errors: list[NoRouteError] = []

    def push(state: _State) -> None:
        nonlocal best
        if best is not None and state.t >= best.t:
            return
        if state.node == destination and state.came_by in ("road", "rail"):
            best = state
            return
        heapq.heappush(heap, state)

    while heap:
        state = heapq.heappop(heap)
        if best is not None and state.t >= best.t:
            break
        if best is not None and state.t + lower_h(state.node, destination) * HOUR_S >= best.t:
            continue
        key = (state.node, state.came_by)
        if key in done:
            continue
        done.add(key)
        truck = vehicle if state.came_by == "start" else Vehicle(registration=names[state.node]["country"], drivers=vehicle.drivers)
        # By road: all the way (road allowed), the last mile after a train, to a terminal (the first mile, or between trains).
        targets: list[Any] = []
        by_rail = "road" not in allowed  # trucks only for the first and last miles, where the place has no terminal of its own
        if (state.came_by == "rail" and not (by_rail and destination in terminals)) or (state.came_by == "start" and not by_rail):
            targets.append(destination)  # (a truck that came by road goes on by train)
        if (state.came_by == "start" and not (by_rail and origin in terminals)) or (state.came_by == "rail" and not by_rail):
            targets.extend(n for n in terminals if n not in (state.node, destination))  # a truck to the destination is a road trip
        for target in targets:
            if target == state.node:
                continue
            if "road" not in allowed and names[target]["country"] != names[state.node]["country"]:
                continue  # by rail: the trucks to and from the trains stay in one country (first and last miles)
            if best is not None and state.t + (lower_h(state.node, target) + lower_h(target, destination)) * HOUR_S >= best.t:
                continue
            if best is not None and state.t + static_road_s(state.node, target, state.t, truck) + lower_h(target, destination) * HOUR_S >= best.t:
                continue  # the same with the road leg's static time
            try:
                part = road(state.node, target, state.t, truck)
            except NoRouteError as exc:
                errors.append(exc)
                continue
            push(_State(part.events[-1].end if part.events else state.t, next(counter), target, "road", (*state.parts, part)))
        # By rail, from a terminal here, to every other terminal.
        if state.came_by in ("start", "road") and state.node in terminals:
            for station in terminals[state.node]:
                for there, arrivals in terminals.items():
                    if there == state.node:
                        continue
                    for goal in arrivals:
                        found = _rail_move(rail, station, goal, state.t)
                        if isinstance(found, NoRouteError):
                            errors.append(found)
                            continue
                        parts, end = found
                        push(_State(end, next(counter), there, "rail", (*state.parts, *parts)))
    if best is None:
        where = f"from {names[origin]['name']!r} to {names[destination]['name']!r}"
        raise errors[0] if errors and len(errors) == 1 else NoRouteError(f"no trip {where} by {' and '.join(allowed)}")
    return build(best)  # type: ignore[no-any-return]


def _top_speed_kph(graph: nx.MultiDiGraph, rail: RailNetwork) -> float:
    """Return the fastest any container moves here, km/h: the fastest road edge or train (the search's bound)."""
    road = max((float(d.get("speed_kph", 0.0)) for _, _, d in graph.edges(data=True)), default=0.0)
    trains = max((v for dated in rail.timing.speed_kph.values() for v in dated.values), default=0.0)  # noqa: PD011 - Dated.values is a tuple
    return max(road, trains) or TOP_SPEED_KPH


def _rail_move(rail: RailNetwork, a: Station, b: Station, t: float) -> tuple[tuple[Part, ...], float] | NoRouteError:
    """Return the parts of a transfer onto the train at ``a``, the ride to ``b`` and the transfer off, and when the container is ready."""
    on = transfer(rail, a, t, onto="rail")
    try:
        path = rail.path(a.id, b.id, on.end)
        events, arrival = ride(rail, path, on.end)
    except NoRouteError as exc:
        return exc
    off = transfer(rail, b, arrival, onto="road")
    parts = (
        Part("transfer", (on,), rail.timing.transfer_usd, coords=((a.lon, a.lat),)),
        Part(
            "rail",
            tuple(events),
            rail_cost_usd(rail, events),
            stations=tuple(path),
            coords=tuple((rail.stations[s].lon, rail.stations[s].lat) for s in path),
        ),
        Part("transfer", (off,), rail.timing.transfer_usd, coords=((b.lon, b.lat),)),
    )
    return parts, off.end
