"""
The same trip under several regimes, side by side.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> cmp = compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "sco-2017"],
...               departure="2017-10-30T08:00", via=["Irkeshtam"])
>>> list(cmp.table.index)
['pre-2017', 'sco-2017']
>>> bool(cmp.table.loc["sco-2017", "saving_h"] > 0)
True
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import networkx as nx

from . import _cache
from ._pickle import reduce_frozen
from ._validate import check_network, check_samples
from .delays import as_generator
from .errors import InvalidArgumentError, NoRouteError, UnknownRegimeError
from .lookup import get_regime
from .model import PlaceRef
from .multimodal import MODES, DoorToDoorReliability, MultimodalTrip, plan_multimodal, sample_door_to_door
from .question import TripQuestion
from .regimes import Regime
from .routing import plan_resolved, resolve_trip
from .trip import Trip
from .uncertainty import Reliability, sample_trip
from .vehicles import Vehicle

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["TABLE_COLUMNS", "Comparison", "compare"]

#: Numeric columns of :attr:`Comparison.table`, in order.
TABLE_COLUMNS = (
    "total_h",
    "total_days",
    "driving_h",
    "rest_h",
    "border_h",
    "transshipment_h",
    "closed_wait_h",
    "distance_km",
    "cost_usd",
    "saving_h",
    "saving_days",
    "saving_usd",
    "saving_vs_previous_h",
)


@dataclass(frozen=True, kw_only=True, eq=False)
class Comparison:
    """Trips of one question under several regimes, or at several departures (dates), side by side.

    Each row is one scenario: a regime and a departure. Rows are labelled by the regime id when the comparison has
    one departure (``cmp.trips["sco-2017"]``), and by ``"<date> <regime>"`` when it has several
    (``cmp.trips["2017-10-30 history"]``).

    Attributes
    ----------
    origin, destination
        Display names.
    departure
        Aware departure time (the first, when there are several).
    via
        Waypoints as given.
    rows
        Row labels, in order: the keys of :attr:`trips`.
    regimes
        The regime ids compared (each once, in order).
    departures
        The departures compared (each once, in order).
    row_regimes, row_departures
        Row label mapped to its regime id and its departure.
    trips
        Row label mapped to its :class:`~transit.trip.Trip`, or :class:`~transit.multimodal.MultimodalTrip`
        for a row with rail (rows with no allowed route are missing here and listed in :attr:`errors`).
    row_modes
        With several mode sets compared, row label mapped to its modes (empty otherwise).
    errors
        Row label mapped to the reason it has no route.
    baseline
        Row the savings are measured against (the first one).
    reliability
        With ``samples``: row label mapped to its
        :class:`~transit.uncertainty.Reliability` (samples along that
        row's trip).
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)

    origin: str
    destination: str
    departure: datetime
    via: tuple[str, ...]
    rows: tuple[str, ...]
    regimes: tuple[str, ...] = ()
    departures: tuple[datetime, ...] = ()
    row_regimes: Mapping[str, str] = field(default_factory=dict)
    row_departures: Mapping[str, datetime] = field(default_factory=dict)
    trips: Mapping[str, Trip | MultimodalTrip] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    baseline: str = ""
    reliability: Mapping[str, Reliability | DoorToDoorReliability] = field(default_factory=dict)
    row_modes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "row_regimes", MappingProxyType(dict(self.row_regimes) or {r: r for r in self.rows}))
        object.__setattr__(self, "row_departures", MappingProxyType(dict(self.row_departures) or dict.fromkeys(self.rows, self.departure)))
        object.__setattr__(self, "regimes", self.regimes or tuple(dict.fromkeys(self.row_regimes.values())))
        object.__setattr__(self, "departures", self.departures or tuple(dict.fromkeys(self.row_departures.values())))
        object.__setattr__(self, "trips", MappingProxyType(dict(self.trips)))
        object.__setattr__(self, "errors", MappingProxyType(dict(self.errors)))
        object.__setattr__(self, "reliability", MappingProxyType(dict(self.reliability)))
        object.__setattr__(self, "row_modes", MappingProxyType(dict(self.row_modes)))

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """
        One row per scenario (regime, or date and regime).

        Columns: ``total_h, total_days, driving_h, rest_h, border_h,
        transshipment_h, closed_wait_h, distance_km, cost_usd``, the saving
        against :attr:`baseline` (``saving_h, saving_days, saving_usd``,
        positive when faster or cheaper) and against the row before
        (``saving_vs_previous_h``), then ``arrival``, ``route`` (crossings
        passed), ``transshipments``, ``status``, ``regime`` and
        ``departure``. With samples, ``p50_h``, ``p90_h`` and ``p95_h``
        follow ``total_h``.
        """
        import pandas as pd

        base = self.trips.get(self.baseline)
        rows = []
        previous: Trip | MultimodalTrip | None = None
        for label in self.rows:
            trip = self.trips.get(label)
            common = {"regime": self.row_regimes[label], "departure": self.row_departures[label].isoformat()}
            if trip is None:
                row: dict[str, Any] = dict.fromkeys(TABLE_COLUMNS, math.nan)
                row.update(row=label, arrival=None, route="", transshipments="", status=self.errors.get(label, "no route"), **common)
                rows.append(row)
                previous = None
                continue
            row = {
                "row": label,
                "total_h": trip.total_h,
                "total_days": trip.total_days,
                "driving_h": trip.driving_h,
                "rest_h": trip.rest_h,
                "border_h": trip.border_h,
                "transshipment_h": trip.transshipment_h,
                "closed_wait_h": trip.closed_wait_h,
                "distance_km": trip.distance_km,
                "cost_usd": trip.cost_usd,
                "saving_h": base.total_h - trip.total_h if base else math.nan,
                "saving_days": (base.total_h - trip.total_h) / 24 if base else math.nan,
                "saving_usd": base.cost_usd - trip.cost_usd if base else math.nan,
                "saving_vs_previous_h": previous.total_h - trip.total_h if previous else math.nan,
                "arrival": trip.arrival.isoformat(),
                "route": trip.route if isinstance(trip, MultimodalTrip) else " / ".join(trip.crossings) or "(domestic)",
                "transshipments": " / ".join(trip.transshipments),
                "status": "ok",
                **common,
            }
            rows.append(row)
            previous = trip
        table = pd.DataFrame(rows).set_index("row")
        if self.row_modes:
            table["modes"] = [
                "+".join(self.row_modes[r]) + (f" ({' / '.join(self.trips[r].modes)})" if isinstance(self.trips.get(r), MultimodalTrip) else "")  # type: ignore[union-attr]
                for r in table.index
            ]
        table.index.name = "regime" if len(self.departures) == 1 else "scenario"
        if self.reliability:
            for offset, q in enumerate((50, 90, 95), start=1):
                values = [self.reliability[r].percentile_h(q) if r in self.reliability else math.nan for r in table.index]
                table.insert(offset, f"p{q}_h", values)
        return table

    @property
    def warnings(self) -> dict[str, tuple[str, ...]]:
        """Regime id mapped to its trip's :attr:`~transit.trip.Trip.warnings` (regimes whose trip has any)."""
        return {regime: trip.warnings for regime, trip in self.trips.items() if trip.warnings}

    @property
    def saving_h(self) -> float:
        """Hours saved by the last row against the baseline (NaN if either has no route)."""
        last, base = self.trips.get(self.rows[-1]), self.trips.get(self.baseline)
        return base.total_h - last.total_h if last and base else math.nan

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: the question, one summary per regime, and errors."""
        return {
            "origin": self.origin,
            "destination": self.destination,
            "departure": self.departure.isoformat(),
            "via": list(self.via),
            "baseline": self.baseline,
            "rows": {r: {"regime": self.row_regimes[r], "departure": self.row_departures[r].isoformat()} for r in self.rows},
            "regimes": {r: self.trips[r].summary() for r in self.rows if r in self.trips},
            "reliability": {r: rel.summary() for r, rel in self.reliability.items()},
            "saving_h": None if math.isnan(self.saving_h) else round(self.saving_h, 2),
            "errors": dict(self.errors),
        }

    def _repr_html_(self) -> str:
        from ._html import table

        columns = [
            "total_h",
            *(c for c in ("p50_h", "p90_h") if self.reliability),
            "border_h",
            "closed_wait_h",
            "transshipment_h",
            "cost_usd",
            "saving_h",
            "route",
            "status",
        ]
        frame = self.table
        rows = [[label, *(round(v, 1) if isinstance(v, float) else v for v in (frame.loc[label, c] for c in columns))] for label in frame.index]
        rows.extend([f"{regime}: warning", text, *[""] * (len(columns) - 1)] for regime, texts in self.warnings.items() for text in texts)
        when = f"departing {self.departure:%a %d %b %Y %H:%M %Z}" if len(self.departures) == 1 else f"{len(self.departures)} departures"
        caption = f"{self.origin} → {self.destination}, {when}" + (f" via {', '.join(self.via)}" if self.via else "")
        return table(caption, [str(frame.index.name), *columns], rows)

    def __repr__(self) -> str:
        parts = [f"{r}: {self.trips[r].total_h:.1f} h" if r in self.trips else f"{r}: no route" for r in self.rows]
        return f"<Comparison {self.origin} -> {self.destination}: {', '.join(parts)}>"


@_cache.per_call
def compare(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regimes: Sequence[str | Regime] | str | Regime | None = None,
    departure: datetime | str | None = None,
    departures: Sequence[datetime | str] | None = None,
    via: str | Sequence[str] | None = None,
    vehicle: Vehicle | dict[str, Any] | str | None = None,
    samples: int = 0,
    rng: int | np.random.Generator | None = None,
    modes: Sequence[str | Sequence[str]] | None = None,
) -> Comparison:
    """
    Plan the same trip under each regime, at each departure: one row per (departure, regime).

    Each row chooses its own best route unless ``via`` pins it. With ``departures``, the same trip is compared
    across dates (under ``regime="history"`` each date gets the rules in force then).

    Parameters
    ----------
    graph
        A network.
    origin, destination
        Place names.
    regimes
        Regime ids or objects; the first is the baseline for savings.
        ``None`` (default): with one departure, every regime of the network, by id, with the network's default
        regime last (``pre-2017``, ``sco-2017``, ``history``); with several, the network's default regime only.
    departure
        As for :func:`transit.plan_trip`: one departure.
    departures
        Several departures instead (dates or times, local to the origin when naive): rows go date by date, regimes
        within a date, and each row's ``saving_vs_previous_h`` compares it with the row before.
    via
        Places or crossings to pass, in order; ``None`` for none.
    vehicle
        As for :func:`transit.plan_trip`.
    samples
        If positive, sample each row's trip this many times
        (:mod:`transit.uncertainty`) and add percentile columns to the table.
        The samples follow the route each row's deterministic plan chose.
    rng
        Seed or :class:`numpy.random.Generator` for the samples; the same
        seed gives the same table.
    modes
        Mode sets to compare, each a tuple of modes or a string (``"road"``, ``"rail"``, ``"road+rail"``):
        ``["road", "road+rail"]`` puts road only beside the best door-to-door mix
        (:func:`transit.plan_multimodal`). ``None`` (default): road only. With several, rows go mode set
        by mode set within a regime, labelled ``"<regime> <modes>"``, and the table gains a ``modes`` column.

    Returns
    -------
    Comparison

    Raises
    ------
    NoRouteError
        Only if no row has a route (otherwise the row says why).
    UnknownPlaceError, UnknownRegimeError, InvalidDepartureError, InvalidVehicleError
        For bad arguments; :class:`~transit.errors.InvalidArgumentError` for both or neither of ``departure`` and
        ``departures``.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> cmp = transit.compare(net, "Tashkent", "Kashgar", regimes="history", departures=["2016-10-31", "2024-06-03"])
    >>> cmp.rows
    ('2016-10-31 history', '2024-06-03 history')
    >>> bool(cmp.table.loc["2024-06-03 history", "saving_vs_previous_h"] > 0)
    True
    """
    check_network(graph)
    if samples:
        check_samples(samples)
    if (departure is None) == (departures is None):
        msg = (
            "give either departure= (one trip) or departures= (a list, to compare dates), not "
            + ("both" if departure is not None else "neither")
            + "; e.g. departures=['2016-10-31', '2024-06-03']"
        )
        raise InvalidArgumentError(msg)
    given = [departure] if departures is None else _departure_list(departures)
    gen = as_generator(rng) if samples else None
    if regimes is None:
        default = graph.graph.get("default_regime")
        if len(given) > 1 and default is not None:
            regimes = [default]
        else:
            known = [*graph.graph.get("regimes", {}), *(["history"] if graph.graph.get("timeline") is not None else [])]
            regimes = sorted(known, key=lambda r: (r == default, r == "history", r))
    elif isinstance(regimes, str | Regime):
        regimes = [regimes]
    if not regimes:
        valid = ", ".join(sorted(graph.graph.get("regimes", {})))
        msg = f"regimes is empty; expected one or more of {valid}"
        raise UnknownRegimeError(msg, valid=sorted(graph.graph.get("regimes", {})))
    regime_objs = [get_regime(graph, r) for r in regimes]
    if len({r.id for r in regime_objs}) != len(regime_objs):
        msg = f"regimes {[r.id for r in regime_objs]} name one regime twice; give each once"
        raise InvalidArgumentError(msg)
    field_name = "departure" if departures is None else "departures"
    questions = [
        resolve_trip(
            graph,
            origin,
            destination,
            via=via,
            vehicle=vehicle,
            regime=regime_objs[0],
            departure=d,
            also_regimes=regime_objs,
            departure_field=field_name,
        )
        for d in given
    ]
    times = [q.departure_time for q in questions]
    if len(set(times)) != len(times):
        msg = f"departures {[t.isoformat() for t in times]} give one time twice; give each once"
        raise InvalidArgumentError(msg)
    same_day = len({t.date() for t in times}) != len(times)
    mode_sets = parse_mode_sets(modes)
    if via and any(m != ("road",) for m in mode_sets):
        msg = f"via={via!r} is for road trips; compare modes without via"
        raise InvalidArgumentError(msg)
    plan: list[tuple[str, Regime, datetime, TripQuestion, tuple[str, ...]]] = []
    for question, depart in zip(questions, times, strict=True):
        for regime in regime_objs:
            for mode_set in mode_sets:
                label = regime.id if len(times) == 1 else f"{depart:%Y-%m-%dT%H:%M}" if same_day else f"{depart:%Y-%m-%d}"
                if len(times) > 1:
                    label = f"{label} {regime.id}"
                if len(mode_sets) > 1:
                    label = f"{label} {'+'.join(mode_set)}"
                plan.append((label, regime, depart, question, mode_set))
    trips: dict[str, Trip | MultimodalTrip] = {}
    errors: dict[str, str] = {}
    first_error: NoRouteError | None = None
    for label, regime, depart, question, mode_set in plan:
        try:
            if mode_set == ("road",):
                trips[label] = plan_resolved(graph, dataclasses.replace(question, regime=regime.around(depart.timestamp())))
            else:
                trips[label] = plan_multimodal(
                    graph, question.origin, question.destination, modes=mode_set, regime=regime, departure=depart, vehicle=question.vehicle
                )
        except NoRouteError as exc:
            errors[label] = str(exc)
            first_error = first_error or exc
    if not trips and first_error is not None:
        raise first_error
    sampled: dict[str, Reliability | DoorToDoorReliability] = {}
    if gen is not None:
        for (label, regime, depart, _, _), stream in zip(plan, gen.spawn(len(plan)), strict=True):
            trip = trips.get(label)
            if isinstance(trip, Trip):
                runs = sample_trip(graph, trip, regime.around(depart.timestamp()), samples=samples, rng=stream)
                sampled[label] = Reliability(trip=trip, runs=runs)
            elif isinstance(trip, MultimodalTrip):
                sampled[label] = sample_door_to_door(graph, trip, samples=samples, rng=stream)
    first = questions[0]
    return Comparison(
        origin=graph.nodes[first.origin]["name"],
        destination=graph.nodes[first.destination]["name"],
        departure=times[0],
        via=first.via,
        rows=tuple(label for label, *_ in plan),
        regimes=tuple(r.id for r in regime_objs),
        departures=tuple(times),
        row_regimes={label: regime.id for label, regime, _, _, _ in plan},
        row_departures={label: depart for label, _, depart, _, _ in plan},
        row_modes={label: mode_set for label, _, _, _, mode_set in plan} if len(mode_sets) > 1 else {},
        trips=trips,
        errors=errors,
        baseline=plan[0][0],
        reliability=sampled,
    )


def parse_mode_sets(modes: object) -> list[tuple[str, ...]]:
    """Check ``modes`` of :func:`compare`: a list of mode sets, each a tuple of modes or ``"road+rail"``."""
    if modes is None:
        return [("road",)]
    if isinstance(modes, str) or not isinstance(modes, Sequence) or not modes:
        msg = f"modes={modes!r:.80} is not a list of mode sets; pass e.g. modes=['road', 'road+rail'] (road only beside the best mix)"
        raise InvalidArgumentError(msg)
    out: list[tuple[str, ...]] = []
    for item in modes:
        parts = item.split("+") if isinstance(item, str) else item
        if not isinstance(parts, Sequence) or isinstance(parts, str) or not parts:
            raise InvalidArgumentError(f"mode set {item!r} is not understood; expected 'road', 'rail', 'road+rail' or a tuple of those modes")
        unknown = [m for m in parts if m not in MODES]
        if unknown:
            raise InvalidArgumentError(f"mode {unknown[0]!r} in modes is unknown; expected one of {list(MODES)}")
        mode_set = tuple(sorted(set(parts), key=MODES.index))
        if mode_set in out:
            raise InvalidArgumentError(f"modes names {'+'.join(mode_set)!r} twice; give each mode set once")
        out.append(mode_set)
    return out


def _departure_list(departures: object) -> list[Any]:
    if isinstance(departures, str | datetime) or not isinstance(departures, Sequence) or not departures:
        msg = f"departures={departures!r:.80} is not a non-empty list of departures; pass e.g. departures=['2016-10-31T08:00', '2024-06-03T08:00']"
        raise InvalidArgumentError(msg)
    return list(departures)
