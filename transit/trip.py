"""
The result of a simulated truck trip: :class:`Trip`, its timeline :class:`Event` rows and how its route was chosen (:class:`SearchStats`).

A trip shows itself as a table in a notebook and converts to pandas
(``trip.timeline``) and geopandas (``trip.to_geodataframe()``).

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> trip = transit.plan_trip(net, "Kashgar", "Osh", regime="sco-2017", departure="2017-10-30T08:00")
>>> trip.crossings
('irkeshtam',)
>>> set(trip.timeline["activity"]) <= set(ACTIVITIES)
True
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._units import HOUR_S
from .cost import CostBreakdown
from .model import NodeId
from .vehicles import Vehicle

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["ACTIVITIES", "Event", "SearchStats", "Trip"]

#: Timeline activities, in the order breakdowns list them.
ACTIVITIES = ("driving", "break", "daily_rest", "weekly_rest", "queue", "clearance", "closed_wait", "transshipment")


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

    The search is exact (no cap on routes); these count its work.

    Attributes
    ----------
    labels
        Labels created: a truck's state (place, time, drivers' hours, plan) reached by some route.
    expanded
        Of those, the ones taken from the queue and extended (the rest were dominated or
        could not beat the answer).
    dominated
        Labels dropped because another reached the same place no later with drivers' hours
        at least as good.
    holds
        Labels made by waiting: holding the truck before it leaves, lengthening a rest or
        staying at a crossing until the wait counts as a rest.
    """

    labels: int
    expanded: int
    dominated: int
    holds: int


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
        For a planned trip, other crossing sequences the search reached the destination by,
        each with its earliest total found: ``(crossings, total_h)``, best first.
    extensions
        Seconds added to the hold before departure (index 0) and to each daily or weekly rest
        or fresh truck after a transshipment (index k), as chosen by route choice.
    waits
        ``(c, seconds)`` pairs: at the ``c``-th crossing (from 0) the crew stays at least
        this long before the formalities, so that the wait counts as a rest.
    extended_days
        The duty days (from 1) on which the crew drives the extended day, as chosen by
        route choice; ``None`` for the simulator's own policy (extend when it finishes the trip).
    rest_at_breaks
        The breaks (from 1, in the order they fall due) at which the crew takes its daily rest
        instead, as chosen by route choice.
    search
        For a planned trip, how the route was chosen (:class:`SearchStats`).
    snapped_km
        ``(origin, destination)``: how far a place given as ``(lat, lon)`` lies
        from the road node it was snapped to, km (0 for names and node ids).
    warnings
        Short human-readable reasons to doubt the trip is what was meant: a
        single wait at a closed crossing over
        :data:`~transit.simulation.LONG_WAIT_H` (24 h), a seasonal closure
        met on the way, a departure before the regime came into force. (Trips
        whose closed waits add up to more than
        :data:`~transit.simulation.MAX_CLOSED_WAIT_DAYS`, 30 days, are
        refused with :class:`~transit.errors.NoRouteError` instead, and so
        are questions with no route arriving within 60 days of the departure.)
    """

    origin: NodeId
    destination: NodeId
    origin_name: str
    destination_name: str
    regime: str
    vehicle: Vehicle
    path: tuple[NodeId, ...]
    events: tuple[Event, ...]
    departure: datetime
    arrival: datetime
    cost: CostBreakdown
    crossings: tuple[str, ...] = ()
    transshipments: tuple[str, ...] = ()
    geometry_coords: tuple[tuple[float, float], ...] = field(default=(), repr=False)
    crossing_points: tuple[tuple[str, str, float, float], ...] = field(default=(), repr=False)
    alternatives: tuple[tuple[tuple[str, ...], float], ...] = field(default=(), repr=False)
    extensions: tuple[float, ...] = field(default=(), repr=False)
    waits: tuple[tuple[int, float], ...] = field(default=(), repr=False)
    extended_days: frozenset[int] | None = field(default=None, repr=False)
    rest_at_breaks: frozenset[int] = field(default=frozenset(), repr=False)
    search: SearchStats | None = field(default=None, repr=False)
    snapped_km: tuple[float, float] = (0.0, 0.0)
    warnings: tuple[str, ...] = ()

    @property
    def plan(self) -> dict[str, Any]:
        """
        The trip's plan as keyword arguments of the simulators (holds, waits, extended days).

        ``transit.montecarlo.simulate_many(net, trip.path, ..., **trip.plan)`` replays the
        planned trip with other delays.
        """
        return {"extensions": self.extensions, "waits": dict(self.waits), "extended_days": self.extended_days, "rest_at_breaks": self.rest_at_breaks}

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
        frame = pd.DataFrame(
            rows,
            columns=[
                "activity",
                "place",
                "country",
                "start",
                "end",
                "duration_h",
                "distance_km",
                "tz",
                "note",
                "source",
                "crossing_id",
                "segment_id",
            ],
        )
        for column in ("start", "end"):
            frame[column] = pd.to_datetime(frame[column], unit="s", utc=True)
        frame.insert(7, "local_start", [ts.tz_convert(tz) for ts, tz in zip(frame["start"], frame["tz"], strict=True)])
        frame.insert(8, "local_end", [ts.tz_convert(tz) for ts, tz in zip(frame["end"], frame["tz"], strict=True)])
        frame["local_start"] = frame["local_start"].astype(object)
        frame["local_end"] = frame["local_end"].astype(object)
        return frame

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """
        Return the trip's road geometry as a one-row GeoDataFrame in EPSG:4326, with its totals.

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
            *(("warning", text) for text in self.warnings),
        ]
        caption = f"{self.origin_name} → {self.destination_name} ({self.regime}, {self.vehicle.registration} truck, {self.vehicle.drivers} driver(s))"
        return table(caption, ["", ""], rows)

    def summary(self) -> dict[str, Any]:
        """
        Totals as a flat, JSON-friendly dict (hours rounded to 0.01).

        Keys: ``origin, destination, regime, registration, drivers, departure,
        arrival, total_h, total_days, driving_h, rest_h, border_h,
        transshipment_h, closed_wait_h, distance_km, cost_usd, crossings,
        transshipments, warnings, snapped_km``; ``snapped_km`` is ``[origin, destination]``, how far a place given
        as ``(lat, lon)`` lay from the road node it was snapped to (km, rounded to 0.01; ``[0.0, 0.0]`` for names).
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
            "warnings": list(self.warnings),
            "snapped_km": [round(float(km), 2) for km in self.snapped_km],
        }

    def __repr__(self) -> str:
        return (
            f"<Trip {self.origin_name} -> {self.destination_name} [{self.regime}, {self.vehicle.registration}x{self.vehicle.drivers}]: "
            f"{self.total_h:.1f} h ({self.total_days:.1f} d), {self.distance_km:.0f} km, ${self.cost_usd:,.0f}, "
            f"arrives {self.arrival:%Y-%m-%d %H:%M %Z}>"
        )
