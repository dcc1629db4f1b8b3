"""
The rail layer: stations, lines and the timing of a freight train across the same borders as the roads.

A :class:`RailNetwork` is read from a dataset's ``rail/`` folder (:func:`read_rail`; see ``routes/README.md``):
stations with their gauge (1,435 mm in China, 1,520 mm in the former Soviet states) and kind (a **terminal** where
containers move between road and rail, a **border** station, a **gauge-change** station, a **junction**), line
segments with their lengths, and ``rail.toml`` with the timing model. Its graph follows the road graph's osmnx
conventions (``length`` in m, ``travel_time`` in s, ``geometry``) with ``mode="rail"`` on every edge; stations are
keyed by their dataset id.

The timing model (:func:`ride`), deterministic (medians), in this order along a station path:

1. **wait for the train**: the next of the daily departures at the first station, in its local time;
2. **run** each segment at the speed of its country (CAREC CPMM's speed without delay, by year);
3. **cross a border** between two countries: the border time of that border in the year the train reaches it;
4. **change gauge** where the two sides' gauges differ: the transshipment time of the gauge-change station, by
   year (a whole train at Dostyk or Altynkol/Khorgos Gateway).

Road-rail transfers at terminals are :func:`transfer` events; the door-to-door search that combines road and rail
is :mod:`transit.multimodal`.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> rail = net.graph["rail"]
>>> rail.stations["dostyk"].gauge_mm
1520
>>> sorted(rail.gauges)
[1435, 1520]
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np
from shapely.geometry import LineString

from ._pickle import reduce_frozen
from ._units import HOUR_S
from .datasets import Row, check_coords, check_keys, check_source, country, read_csv, read_text, read_toml, time_zone, toml_number
from .delays import Z90
from .errors import DataError, InvalidArgumentError, NoRouteError
from .geo import haversine_km
from .model import Source
from .schedule import zone
from .trip import Event

__all__ = [
    "RAIL_ACTIVITIES",
    "RAIL_P90_RATIO",
    "STATION_KINDS",
    "Closure",
    "Dated",
    "RailNetwork",
    "RailTiming",
    "Station",
    "draw_rail_delays",
    "read_rail",
    "ride",
    "ride_many",
    "transfer",
]

#: What a station is: a ``terminal`` (containers move between road and rail), a ``border`` station, a
#: ``gauge_change`` station (a border station where the gauges meet), or a ``junction``.
STATION_KINDS = ("terminal", "border", "gauge_change", "junction")
#: Timeline activities of a rail trip, in the order breakdowns list them.
RAIL_ACTIVITIES = ("rail", "train_wait", "rail_border", "gauge_change", "transfer")
GAUGES_MM = (1435, 1520)
#: The files of a dataset's ``rail/`` folder that the layer is read from.
RAIL_FILES = ("stations.csv", "segments.csv", "rail.toml")
#: A line is never shorter than the straight line between its stations; allow for coordinate error (as for roads).
MIN_CIRCUITY = 0.97


@dataclass(frozen=True, kw_only=True)
class Station:
    """A railway station of the rail layer (see the module docstring)."""

    id: str
    name: str
    country: str
    kind: str
    gauge_mm: int
    lon: float
    lat: float
    tz: str
    road_place: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Dated:
    """A value that changes on given dates: ``values[i]`` holds from ``starts[i]`` (POSIX seconds) on; the first for all time before."""

    starts: tuple[float, ...]
    values: tuple[float, ...]
    sources: tuple[str, ...]

    def at(self, t: float) -> tuple[float, str]:
        """Return the value in force at ``t`` and its source."""
        i = max(bisect.bisect_right(self.starts, t) - 1, 0)
        return self.values[i], self.sources[i]

    @classmethod
    def fixed(cls, value: float, source: str = "") -> Dated:
        """Return a value that never changes."""
        return cls((-math.inf,), (value,), (source,))


@dataclass(frozen=True, kw_only=True)
class Closure:
    """A rail link closed to container trains between China and Central Asia from ``start_s`` until ``end_s`` (POSIX seconds)."""

    stations: frozenset[str]
    start_s: float
    end_s: float
    reason: str
    source: str


@dataclass(frozen=True, kw_only=True)
class RailTiming:
    """
    The rail timing and cost model (``rail.toml``).

    Attributes
    ----------
    speed_kph
        Country mapped to the train's running speed (:class:`Dated`), km/h.
    departures
        Local times of day (hours) at which trains leave a terminal, every day.
    departures_source
        Where the departure times come from.
    border_h
        ``frozenset({country_a, country_b})`` mapped to the border time of a train (:class:`Dated`), hours.
    gauge_change_h
        Gauge-change station id mapped to the time to move a train's load to the other gauge (:class:`Dated`), hours.
    transfer_h, transfer_usd
        Moving a container between a truck and a train at a terminal: time and price, each way.
    usd_per_km
        Rail freight price per container-km (a 20-tonne load), USD.
    gauge_change_usd
        Price of a gauge change per container, USD.
    closures
        Dated closures of links (:class:`Closure`).
    """

    speed_kph: Mapping[str, Dated]
    departures: tuple[float, ...]
    departures_source: str
    border_h: Mapping[frozenset[str], Dated]
    gauge_change_h: Mapping[str, Dated]
    transfer_h: float
    transfer_usd: float
    transfer_source: str
    usd_per_km: Dated
    gauge_change_usd: float
    gauge_change_usd_source: str = ""
    closures: tuple[Closure, ...] = ()

    def closed(self, u: str, v: str, t: float) -> Closure | None:
        """Return the closure of the link ``u``–``v`` in force at ``t``, if any."""
        pair = frozenset((u, v))
        return next((c for c in self.closures if c.stations == pair and c.start_s <= t < c.end_s), None)

    def __post_init__(self) -> None:
        for name in ("speed_kph", "border_h", "gauge_change_h"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)


@dataclass(frozen=True, kw_only=True, eq=False)
class RailNetwork:
    """
    Stations, the rail graph and the timing model (see the module docstring).

    Attributes
    ----------
    stations
        Station id mapped to :class:`Station`.
    graph
        ``networkx.MultiDiGraph`` keyed by station id; edges carry ``length`` (m), ``travel_time`` (s, at the
        first year's speed), ``geometry``, ``mode="rail"``, ``segment_id``, ``line``, ``opened`` (POSIX
        seconds, ``-inf`` if always open) and ``source``; a link between two countries has ``kind="rail_border"``.
    timing
        :class:`RailTiming`.
    terminals_by_place
        Road place id mapped to the ids of the terminals that serve it.
    files
        The texts it was read from (``stations.csv``, ``segments.csv``, ``rail.toml``), which
        :func:`transit.save_network` keeps.
    """

    stations: Mapping[str, Station]
    graph: nx.MultiDiGraph
    timing: RailTiming
    terminals_by_place: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name in ("stations", "terminals_by_place", "files"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)

    def __eq__(self, other: object) -> bool:
        """Equal when read from the same files (or, built in code, the same stations and timing)."""
        if not isinstance(other, RailNetwork):
            return NotImplemented
        return dict(self.stations) == dict(other.stations) and self.timing == other.timing and dict(self.files) == dict(other.files)

    __hash__ = None  # type: ignore[assignment]

    @property
    def gauges(self) -> frozenset[int]:
        """The track gauges of the stations, mm."""
        return frozenset(s.gauge_mm for s in self.stations.values())

    def terminals(self) -> list[Station]:
        """Return the terminal stations that serve a road place, in id order."""
        return [s for s in sorted(self.stations.values(), key=lambda s: s.id) if s.kind == "terminal" and s.road_place]

    def path(self, source: str, target: str, at_s: float) -> list[str]:
        """
        Return the fastest station path from ``source`` to ``target`` for a train leaving at ``at_s``.

        Running time at each country's speed plus border and gauge-change times in force at ``at_s``;
        lines not yet opened at ``at_s`` are not used.

        Raises
        ------
        NoRouteError
            If no open line joins the two stations.
        """

        def weight(u: str, v: str, edges: Mapping[Any, Mapping[str, Any]]) -> float | None:
            best = math.inf
            if self.timing.closed(u, v, at_s) is not None:
                return None
            for data in edges.values():
                if data["opened"] > at_s:
                    continue
                best = min(best, _edge_s(self, u, v, data, at_s))
            return None if best == math.inf else best

        try:
            return list(nx.shortest_path(self.graph, source, target, weight=weight))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            a, b = self.stations[source].name, self.stations[target].name
            msg = f"no rail line open on {datetime.fromtimestamp(at_s, zone('UTC')):%Y-%m-%d} joins {a!r} and {b!r}"
            closed = [c for c in self.timing.closures if c.start_s <= at_s < c.end_s]
            if closed:
                msg += "; closed then: " + "; ".join(f"{' – '.join(sorted(c.stations))} ({c.reason})" for c in closed)
            raise NoRouteError(msg) from None


def _edge_s(rail: RailNetwork, u: str, v: str, data: Mapping[str, Any], at_s: float) -> float:
    """Return the static time of one rail edge at ``at_s``: running, and at a border the border and gauge-change times."""
    su, sv = rail.stations[u], rail.stations[v]
    speed, _ = rail.timing.speed_kph[su.country].at(at_s)
    seconds = float(data["length"]) / 1000 / speed * HOUR_S
    if su.country != sv.country:
        border = rail.timing.border_h.get(frozenset((su.country, sv.country)))
        if border is not None:
            seconds += border.at(at_s)[0] * HOUR_S
        if su.gauge_mm != sv.gauge_mm:
            seconds += _gauge_change(rail, su, sv, at_s)[1] * HOUR_S
    return seconds


def _gauge_change(rail: RailNetwork, a: Station, b: Station, at_s: float) -> tuple[Station, float, str]:
    """Return the station where the load changes gauge between ``a`` and ``b`` (listed in ``rail.toml``), hours and source."""
    for station in (b, a):
        dated = rail.timing.gauge_change_h.get(station.id)
        if dated is not None:
            hours, source = dated.at(at_s)
            return station, hours, source
    msg = f"gauges differ between {a.name!r} and {b.name!r} but rail.toml gives no gauge-change time for either"
    raise DataError(msg, file="rail.toml")


def _next_departure(rail: RailNetwork, station: Station, t: float) -> float:
    """Return the first daily departure at ``station`` at or after ``t`` (local times of day)."""
    tz = zone(station.tz)
    local = datetime.fromtimestamp(t, tz)
    for offset in range(2):
        day: date = local.date() + timedelta(days=offset)
        for hour in sorted(rail.timing.departures):
            minutes = round(hour * 60)
            at = datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=minutes)
            if at.timestamp() >= t:
                return at.timestamp()
    return t  # pragma: no cover - a departure list is never empty


def ride(rail: RailNetwork, path: list[str], depart_s: float, *, factors: Mapping[tuple[int, str], float] | None = None) -> tuple[list[Event], float]:
    """
    Run a train along ``path`` (station ids) from ``depart_s``: its timeline events and arrival (see the module docstring).

    The first event waits for the next departure at the first station. ``factors`` (one sample of
    :func:`draw_rail_delays`) scale the border and gauge-change medians at path step ``(i, "border")`` and
    ``(i, "gauge")``; without them, the medians. Twin of :func:`ride_many`.

    Raises
    ------
    NoRouteError
        If a segment on the path has not opened yet when the train reaches it.
    """
    stations = rail.stations
    events: list[Event] = []
    first = stations[path[0]]
    t = _next_departure(rail, first, depart_s)
    if t > depart_s:
        note = f"the next of the daily departures ({', '.join(f'{h:05.2f}'.replace('.', ':') for h in rail.timing.departures)} local)"
        events.append(Event("train_wait", first.name, first.country, depart_s, t, first.tz, note=note, source=rail.timing.departures_source))
    scale = factors or {}
    for i, (u, v) in enumerate(itertools.pairwise(path)):
        su, sv = stations[u], stations[v]
        closure = rail.timing.closed(u, v, t)
        if closure is not None:
            raise NoRouteError(f"the rail link {su.name} – {sv.name} is closed on {datetime.fromtimestamp(t, zone(su.tz)).date()}: {closure.reason}")
        lines = rail.graph.get_edge_data(u, v).values()
        open_lines = [d for d in lines if d["opened"] <= t]
        if not open_lines:
            opened = datetime.fromtimestamp(min(d["opened"] for d in lines), zone(su.tz)).date()
            raise NoRouteError(f"the line {su.name} – {sv.name} opened on {opened}, after the train reaches it")
        data = min(open_lines, key=lambda d: d["length"])
        gauge_at = None
        if su.country != sv.country:
            border = rail.timing.border_h.get(frozenset((su.country, sv.country)))
            if border is not None:
                hours, source = border.at(t)
                end = t + round(hours * scale.get((i, "border"), 1.0) * HOUR_S)
                note = f"rail border {su.country}–{sv.country}: formalities and waiting (median for the year)"
                events.append(Event("rail_border", su.name, su.country, t, end, su.tz, note=note, source=source))
                t = end
            if su.gauge_mm != sv.gauge_mm:
                gauge_at = _gauge_change(rail, su, sv, t)[0]
                if gauge_at.id == su.id:  # changed before the train leaves this side
                    t = _change_gauge(events, gauge_at, su, sv, t, rail, scale.get((i, "gauge"), 1.0))
        speed, speed_source = rail.timing.speed_kph[su.country].at(t)
        km = data["length"] / 1000
        end = t + round(km / speed * HOUR_S)
        events.append(
            Event(
                "rail",
                f"{su.name} → {sv.name}",
                su.country,
                t,
                end,
                su.tz,
                distance_km=km,
                note=f"{data['line']} at {speed:.0f} km/h",
                source=f"{data['source']}; {speed_source}",
                segment_id=data["segment_id"],
            )
        )
        t = end
        if gauge_at is not None and gauge_at.id == sv.id:  # changed on arrival at the other side
            t = _change_gauge(events, gauge_at, su, sv, t, rail, scale.get((i, "gauge"), 1.0))
    return events, t


def _change_gauge(events: list[Event], at: Station, su: Station, sv: Station, t: float, rail: RailNetwork, factor: float) -> float:
    """Append the gauge change at ``at`` from ``t`` (its median times ``factor``) and return when it ends."""
    _, hours, source = _gauge_change(rail, su, sv, t)
    end = t + round(hours * factor * HOUR_S)
    note = f"the load moves from {su.gauge_mm} mm to {sv.gauge_mm} mm wagons"
    events.append(Event("gauge_change", at.name, at.country, t, end, at.tz, note=note, source=source))
    return end


#: Spread of a rail border or gauge-change time: lognormal, the 90th percentile twice the median (ESTIMATE, as for road
#: crossings without a published dispersion: routes/README.md).
RAIL_P90_RATIO = 2.0


def draw_rail_delays(rail: RailNetwork, path: list[str], n: int, rng: np.random.Generator) -> dict[tuple[int, str], np.ndarray]:
    """
    Draw ``n`` samples of the border and gauge-change factors along ``path``: step ``(i, "border")``, ``(i, "gauge")``.

    Each is a lognormal multiplier of the median in force (median 1, 90th percentile :data:`RAIL_P90_RATIO`), drawn
    step by step along the path, border before gauge, so a seed fixes them all.
    """
    sigma = math.log(RAIL_P90_RATIO) / Z90
    out: dict[tuple[int, str], np.ndarray] = {}
    for i, (u, v) in enumerate(itertools.pairwise(path)):
        su, sv = rail.stations[u], rail.stations[v]
        if su.country == sv.country:
            continue
        if frozenset((su.country, sv.country)) in rail.timing.border_h:
            out[(i, "border")] = np.exp(sigma * rng.standard_normal(n))
        if su.gauge_mm != sv.gauge_mm:
            out[(i, "gauge")] = np.exp(sigma * rng.standard_normal(n))
    return out


def ride_many(rail: RailNetwork, path: list[str], depart_s: np.ndarray, factors: Mapping[tuple[int, str], np.ndarray]) -> np.ndarray:
    """
    Run a train along ``path`` for many samples at once: the arrival of each, POSIX seconds (twin of :func:`ride`).

    ``depart_s`` holds each sample's time of being ready at the first station; ``factors`` come from
    :func:`draw_rail_delays`.
    """
    stations = rail.stations
    t = np.array([_next_departure(rail, stations[path[0]], float(x)) for x in depart_s])
    for i, (u, v) in enumerate(itertools.pairwise(path)):
        su, sv = stations[u], stations[v]
        data = [min((d for d in rail.graph.get_edge_data(u, v).values() if d["opened"] <= x), key=lambda d: d["length"]) for x in t]
        gauge_at = None
        if su.country != sv.country:
            border = rail.timing.border_h.get(frozenset((su.country, sv.country)))
            if border is not None:
                hours = np.array([border.at(float(x))[0] for x in t])
                t = t + np.round(hours * factors.get((i, "border"), 1.0) * HOUR_S)
            if su.gauge_mm != sv.gauge_mm:
                gauge_at = _gauge_change(rail, su, sv, float(t[0]))[0]
                if gauge_at.id == su.id:
                    hours = np.array([_gauge_change(rail, su, sv, float(x))[1] for x in t])
                    t = t + np.round(hours * factors.get((i, "gauge"), 1.0) * HOUR_S)
        speed = np.array([rail.timing.speed_kph[su.country].at(float(x))[0] for x in t])
        km = np.array([d["length"] / 1000 for d in data])
        t = t + np.round(km / speed * HOUR_S)
        if gauge_at is not None and gauge_at.id == sv.id:
            hours = np.array([_gauge_change(rail, su, sv, float(x))[1] for x in t])
            t = t + np.round(hours * factors.get((i, "gauge"), 1.0) * HOUR_S)
    return np.asarray(t, dtype=float)


def transfer(rail: RailNetwork, station: Station, t: float, *, onto: str) -> Event:
    """Return the event of moving a container between truck and train at ``station`` from ``t`` (``onto``: ``"rail"`` or ``"road"``)."""
    end = t + round(rail.timing.transfer_h * HOUR_S)
    note = "container lifted from the truck onto the train" if onto == "rail" else "container lifted from the train onto a truck"
    return Event("transfer", station.name, station.country, t, end, station.tz, note=note, source=rail.timing.transfer_source)


def rail_cost_usd(rail: RailNetwork, events: Iterable[Event]) -> float:
    """Return the rail freight price of a ride's events: per container-km in force when each segment is run, plus gauge changes."""
    total = 0.0
    for e in events:
        if e.activity == "rail":
            total += e.distance_km * rail.timing.usd_per_km.at(e.start)[0]
        elif e.activity == "gauge_change":
            total += rail.timing.gauge_change_usd
    return total


# -- reading ------------------------------------------------------------------------------------


def read_rail(base: Path, *, sources: Mapping[str, Source], places: Mapping[str, str] | None) -> RailNetwork:
    """
    Read a dataset's ``rail/`` folder (``stations.csv``, ``segments.csv``, ``rail.toml``) into a :class:`RailNetwork`.

    Parameters
    ----------
    base
        The folder.
    sources
        The dataset's sources by id (every number names one, or says ESTIMATE and how).
    places
        Road place id mapped to its country: a terminal's ``road_place`` must be one, in the same country
        (``None``: not checked here; :func:`transit.build_network` checks that the places exist).

    Raises
    ------
    DataError
        Naming the file, row and column of the first problem.
    """
    stations: dict[str, Station] = {}
    for row in read_csv(base / "stations.csv", required=("id", "name", "country", "kind", "gauge_mm", "lon", "lat", "tz", "road_place", "source")):
        station = _station(row, sources, places)
        if station.id in stations:
            raise row.error("id", f"{station.id!r} appears twice")
        stations[station.id] = station
    timing = _timing(read_toml(base / "rail.toml"), stations, sources)
    graph = nx.MultiDiGraph(crs="EPSG:4326", name="rail")
    for s in stations.values():
        graph.add_node(s.id, x=s.lon, y=s.lat, name=s.name, country=s.country, kind=s.kind, gauge_mm=s.gauge_mm, tz=s.tz)
    seen: set[tuple[frozenset[str], str]] = set()
    for row in read_csv(base / "segments.csv", required=("from", "to", "distance_km", "line", "gauge_mm", "opened", "source")):
        _segment(row, graph, stations, sources, seen, timing)
    by_place: dict[str, list[str]] = {}
    for s in stations.values():
        if s.kind == "terminal" and s.road_place:
            by_place.setdefault(s.road_place, []).append(s.id)
    texts = {name: read_text(base / name) for name in RAIL_FILES}
    return RailNetwork(
        stations=stations,
        graph=nx.freeze(graph),
        timing=timing,
        terminals_by_place={k: tuple(sorted(v)) for k, v in by_place.items()},
        files=texts,
    )


def _station(row: Row, sources: Mapping[str, Source], places: Mapping[str, str] | None) -> Station:
    kind = row.str("kind")
    if kind not in STATION_KINDS:
        raise row.error("kind", f"got {kind!r}; expected one of {list(STATION_KINDS)}")
    gauge = row.parse("gauge_mm", int, "a whole number of millimetres")
    if gauge not in GAUGES_MM:
        raise row.error("gauge_mm", f"got {gauge}; expected one of {list(GAUGES_MM)} (standard or broad gauge)")
    lon, lat = row.float("lon"), row.float("lat")
    check_coords(row, lon, lat)
    tz = time_zone(row)
    code = country(row, "country")
    place = row.str("road_place", required=False) or None
    if place is not None and places is not None:
        if place not in places:
            raise row.error("road_place", f"names {place!r}, which is not a place in places.csv; leave it empty or use a place id")
        if places[place] != code:
            raise row.error("road_place", f"names {place!r} in {places[place]}, but the station is in {code}")
    if kind == "terminal" and place is None:
        raise row.error("road_place", "is empty; a terminal must name the road place its trucks come from (a place id)")
    return Station(
        id=row.str("id"),
        name=row.str("name"),
        country=code,
        kind=kind,
        gauge_mm=gauge,
        lon=lon,
        lat=lat,
        tz=tz,
        road_place=place,
        source=check_source(row.str("source"), sources, file=row.file, row=row.line, column="source"),
    )


def _segment(
    row: Row,
    graph: nx.MultiDiGraph,
    stations: Mapping[str, Station],
    sources: Mapping[str, Source],
    seen: set[tuple[frozenset[str], str]],
    timing: RailTiming,
) -> None:
    a, b = row.str("from"), row.str("to")
    for column, sid in (("from", a), ("to", b)):
        if sid not in stations:
            raise row.error(column, f"names unknown station {sid!r}; add it to stations.csv")
    line = row.str("line")
    if a == b or (frozenset((a, b)), line) in seen:
        raise row.error("to", f"{a!r}–{b!r} on line {line!r} is a loop or appears twice (a parallel line needs its own name)")
    seen.add((frozenset((a, b)), line))
    sa, sb = stations[a], stations[b]
    km = row.float("distance_km", minimum=0.1)
    straight = haversine_km(sa.lon, sa.lat, sb.lon, sb.lat)
    if km < straight * MIN_CIRCUITY:
        raise row.error("distance_km", f"got {km} km, shorter than the straight line between the stations ({straight:.1f} km)")
    gauges = row.parse("gauge_mm", _gauges, "a gauge in mm (1435 or 1520), or both as '1435|1520' for a border link laid with both")
    if sa.country == sb.country and gauges != (sa.gauge_mm,):
        raise row.error("gauge_mm", f"got {row.str('gauge_mm')}; the stations' gauge is {sa.gauge_mm}")
    if sa.country != sb.country and frozenset((sa.country, sb.country)) not in timing.border_h:
        raise row.error("to", f"joins {sa.country} and {sb.country}, but rail.toml gives no [[border]] time for them")
    if sa.gauge_mm != sb.gauge_mm and sa.id not in timing.gauge_change_h and sb.id not in timing.gauge_change_h:
        raise row.error("to", f"joins {sa.gauge_mm} mm and {sb.gauge_mm} mm track, but rail.toml gives no [[gauge_change]] for either station")
    opened_text = row.str("opened", required=False)
    opened = -math.inf
    if opened_text:
        opened = row.parse("opened", _parse_date, "a date YYYY-MM-DD (or a year), or empty for a line open throughout")
    source = check_source(row.str("source"), sources, file=row.file, row=row.line, column="source")
    speed, _ = timing.speed_kph[sa.country].at(max(opened, 0.0))
    sid = f"rail:{a}-{b}:{line}"
    kind = "rail_border" if sa.country != sb.country else "rail"
    for u, v in ((a, b), (b, a)):
        su, sv = stations[u], stations[v]
        graph.add_edge(
            u,
            v,
            key=line,
            mode="rail",
            kind=kind,
            length=km * 1000,
            speed_kph=speed,
            travel_time=km / speed * HOUR_S,
            geometry=LineString([(su.lon, su.lat), (sv.lon, sv.lat)]),
            line=line,
            gauge_mm=max(gauges),
            opened=opened,
            segment_id=sid,
            source=source,
        )


def _gauges(text: str) -> tuple[int, ...]:
    values = tuple(int(part) for part in text.split("|"))
    if not values or any(v not in GAUGES_MM for v in values) or len(set(values)) != len(values):
        raise InvalidArgumentError(text)
    return values


def _parse_date(text: str) -> float:
    if len(text) == 4 and text.isdigit():
        text += "-01-01"
    return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone("UTC")).timestamp()


def _dated(table: Any, *, file: str, where: str, sources: Mapping[str, Source], key: str = "h", minimum: float = 0.0) -> Dated:
    """Read ``[{from = "2016-07-22", h = 4.25, source = "..."}, ...]`` (the first item may omit ``from``) into :class:`Dated`."""
    if not isinstance(table, list) or not table:
        raise DataError(f"expected a list of {{from, {key}, source}} items, got {table!r}", file=file, row=where)
    starts: list[float] = []
    values: list[float] = []
    srcs: list[str] = []
    for i, item in enumerate(table):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise DataError(f"expected a table {{from, {key}, source}}, got {item!r}", file=file, row=at)
        check_keys(item, frozenset({"from", key, "source", "note"}), file=file, where=at)
        start = -math.inf
        if "from" in item:
            try:
                start = _parse_date(str(item["from"]))
            except ValueError:
                raise DataError(f"from={item['from']!r} is not a date YYYY-MM-DD or a year", file=file, row=at) from None
        elif i:
            raise DataError("lacks 'from' (only the first item may, for all time before the next)", file=file, row=at)
        if starts and start <= starts[-1]:
            raise DataError("is not later than the item before it; list the dates in order", file=file, row=at)
        starts.append(start)
        values.append(toml_number(item, key, file=file, where=at, minimum=minimum))
        srcs.append(check_source(str(item.get("source", "")), sources, file=file, row=at, column="source"))
    return Dated(tuple(starts), tuple(values), tuple(srcs))


def _timing(doc: dict[str, Any], stations: Mapping[str, Station], sources: Mapping[str, Source]) -> RailTiming:
    file = "rail.toml"
    check_keys(doc, frozenset({"speed_kph", "departures", "transfer", "cost", "border", "gauge_change", "closure"}), file=file, where="top level")
    speeds = doc.get("speed_kph")
    if not isinstance(speeds, dict) or not speeds:
        raise DataError("[speed_kph] is missing; give each country's train speed, e.g. KZ = [{h = 50, source = ...}]", file=file)
    speed_kph = {code: _dated(v, file=file, where=f"speed_kph.{code}", sources=sources, key="kph", minimum=1.0) for code, v in speeds.items()}
    missing = sorted({s.country for s in stations.values()} - set(speed_kph))
    if missing:
        raise DataError(f"[speed_kph] lacks {missing}, countries that have stations", file=file)
    dep = doc.get("departures", {})
    check_keys(dep, frozenset({"local_times", "source"}), file=file, where="[departures]")
    times = dep.get("local_times")
    if not isinstance(times, list) or not times:
        raise DataError("[departures] local_times must list times of day such as ['10:00']", file=file)
    hours = []
    for text in times:
        try:
            hh, mm = str(text).split(":")
            value = int(hh) + int(mm) / 60
        except ValueError:
            raise DataError(f"[departures] local_times: got {text!r}; expected HH:MM", file=file) from None
        if not 0 <= value < 24:
            raise DataError(f"[departures] local_times: got {text!r}; expected a time of day", file=file)
        hours.append(value)
    dep_source = check_source(str(dep.get("source", "")), sources, file=file, row="[departures]", column="source")
    tr = doc.get("transfer", {})
    check_keys(tr, frozenset({"h", "usd", "source"}), file=file, where="[transfer]")
    cost = doc.get("cost", {})
    check_keys(cost, frozenset({"usd_per_km", "gauge_change_usd", "gauge_change_source"}), file=file, where="[cost]")
    borders: dict[frozenset[str], Dated] = {}
    for i, item in enumerate(doc.get("border", [])):
        where = f"[[border]] {i + 1}"
        check_keys(item, frozenset({"countries", "h"}), file=file, where=where)
        pair = item.get("countries")
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(c, str) and len(c) == 2 for c in pair)):
            raise DataError(f"countries must be two ISO-2 codes such as ['CN', 'KZ'], got {pair!r}", file=file, row=where)
        borders[frozenset(pair)] = _dated(item.get("h"), file=file, where=f"{where}.h", sources=sources)
    gauge: dict[str, Dated] = {}
    for i, item in enumerate(doc.get("gauge_change", [])):
        where = f"[[gauge_change]] {i + 1}"
        check_keys(item, frozenset({"station", "h"}), file=file, where=where)
        sid = str(item.get("station", ""))
        if sid not in stations:
            raise DataError(f"station {sid!r} is not in stations.csv", file=file, row=where)
        gauge[sid] = _dated(item.get("h"), file=file, where=f"{where}.h", sources=sources)
    closures = []
    for i, item in enumerate(doc.get("closure", [])):
        where = f"[[closure]] {i + 1}"
        check_keys(item, frozenset({"stations", "from", "until", "reason", "source"}), file=file, where=where)
        ends = item.get("stations")
        if not (isinstance(ends, list) and len(ends) == 2 and all(e in stations for e in ends)):
            raise DataError(f"stations must name two stations of stations.csv, got {ends!r}", file=file, row=where)
        try:
            start = _parse_date(str(item["from"]))
            end = _parse_date(str(item["until"])) if "until" in item else math.inf
        except (KeyError, ValueError):
            raise DataError("needs from = 'YYYY-MM-DD' (and optionally until)", file=file, row=where) from None
        closures.append(
            Closure(
                stations=frozenset(ends),
                start_s=start,
                end_s=end,
                reason=str(item.get("reason", "")) or "closed",
                source=check_source(str(item.get("source", "")), sources, file=file, row=where, column="source"),
            )
        )
    return RailTiming(
        closures=tuple(closures),
        speed_kph=MappingProxyType(speed_kph),
        departures=tuple(hours),
        departures_source=dep_source,
        border_h=MappingProxyType(borders),
        gauge_change_h=MappingProxyType(gauge),
        transfer_h=toml_number(tr, "h", file=file, where="[transfer]"),
        transfer_usd=toml_number(tr, "usd", file=file, where="[transfer]"),
        transfer_source=check_source(str(tr.get("source", "")), sources, file=file, row="[transfer]", column="source"),
        usd_per_km=_dated(cost.get("usd_per_km"), file=file, where="[cost].usd_per_km", sources=sources, key="usd"),
        gauge_change_usd=toml_number(cost, "gauge_change_usd", file=file, where="[cost]"),
        gauge_change_usd_source=check_source(
            str(cost.get("gauge_change_source", "")), sources, file=file, row="[cost]", column="gauge_change_source"
        ),
    )
