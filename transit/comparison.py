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
from .errors import NoRouteError, UnknownRegimeError
from .lookup import get_regime
from .model import PlaceRef
from .regimes import Regime
from .routing import MAX_CANDIDATES, plan_resolved, resolve_trip
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
)


@dataclass(frozen=True, kw_only=True, eq=False)
class Comparison:
    """Trips of one question under several regimes.

    Attributes
    ----------
    origin, destination
        Display names.
    departure
        Aware departure time.
    via
        Waypoints as given.
    trips
        Regime id mapped to its :class:`~transit.trip.Trip` (regimes with
        no allowed route are missing here and listed in :attr:`errors`).
    errors
        Regime id mapped to the reason it has no route.
    baseline
        Regime the savings are measured against (the first one given).
    reliability
        With ``samples``: regime id mapped to its
        :class:`~transit.uncertainty.Reliability` (samples along that
        regime's trip).
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)

    origin: str
    destination: str
    departure: datetime
    via: tuple[str, ...]
    regimes: tuple[str, ...]
    trips: Mapping[str, Trip] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    baseline: str = ""
    reliability: Mapping[str, Reliability] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "trips", MappingProxyType(dict(self.trips)))
        object.__setattr__(self, "errors", MappingProxyType(dict(self.errors)))
        object.__setattr__(self, "reliability", MappingProxyType(dict(self.reliability)))

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """
        One row per regime.

        Columns: ``total_h, total_days, driving_h, rest_h, border_h,
        transshipment_h, closed_wait_h, distance_km, cost_usd`` and the
        saving against :attr:`baseline` (``saving_h, saving_days, saving_usd``,
        positive when faster or cheaper), then ``arrival``, ``route``
        (crossings passed), ``transshipments`` and ``status``. With samples,
        ``p50_h``, ``p90_h`` and ``p95_h`` follow ``total_h``.
        """
        import pandas as pd

        base = self.trips.get(self.baseline)
        rows = []
        for regime in self.regimes:
            trip = self.trips.get(regime)
            if trip is None:
                row: dict[str, Any] = dict.fromkeys(TABLE_COLUMNS, math.nan)
                row.update(regime=regime, arrival=None, route="", transshipments="", status=self.errors.get(regime, "no route"))
                rows.append(row)
                continue
            row = {
                "regime": regime,
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
                "arrival": trip.arrival.isoformat(),
                "route": " / ".join(trip.crossings) or "(domestic)",
                "transshipments": " / ".join(trip.transshipments),
                "status": "ok",
            }
            rows.append(row)
        table = pd.DataFrame(rows).set_index("regime")
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
        """Hours saved by the last regime against the baseline (NaN if either has no route)."""
        last, base = self.trips.get(self.regimes[-1]), self.trips.get(self.baseline)
        return base.total_h - last.total_h if last and base else math.nan

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: the question, one summary per regime, and errors."""
        return {
            "origin": self.origin,
            "destination": self.destination,
            "departure": self.departure.isoformat(),
            "via": list(self.via),
            "baseline": self.baseline,
            "regimes": {r: self.trips[r].summary() for r in self.regimes if r in self.trips},
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
        rows = [[regime, *(round(v, 1) if isinstance(v, float) else v for v in (frame.loc[regime, c] for c in columns))] for regime in frame.index]
        rows.extend([f"{regime}: warning", text, *[""] * (len(columns) - 1)] for regime, texts in self.warnings.items() for text in texts)
        caption = f"{self.origin} → {self.destination}, departing {self.departure:%a %d %b %Y %H:%M %Z}" + (
            f" via {', '.join(self.via)}" if self.via else ""
        )
        return table(caption, ["regime", *columns], rows)

    def __repr__(self) -> str:
        parts = [f"{r}: {self.trips[r].total_h:.1f} h" if r in self.trips else f"{r}: no route" for r in self.regimes]
        return f"<Comparison {self.origin} -> {self.destination}: {', '.join(parts)}>"


@_cache.per_call
def compare(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regimes: Sequence[str | Regime] | None = None,
    departure: datetime | str,
    via: str | Sequence[str] | None = None,
    vehicle: Vehicle | dict[str, Any] | str | None = None,
    max_candidates: int = MAX_CANDIDATES,
    samples: int = 0,
    rng: int | np.random.Generator | None = None,
) -> Comparison:
    """
    Plan the same trip under each regime.

    Each regime chooses its own best route unless ``via`` pins it.

    Parameters
    ----------
    graph
        A network.
    origin, destination
        Place names.
    regimes
        Regime ids or objects; the first is the baseline for savings.
        ``None`` (default): every regime of the network, by id, with the
        network's default regime last (``pre-2017``, ``sco-2017``).
    departure
        As for :func:`transit.plan_trip`.
    via
        Places or crossings to pass, in order; ``None`` for none.
    vehicle
        As for :func:`transit.plan_trip`.
    max_candidates
        As for :func:`transit.plan_trip`.
    samples
        If positive, sample each regime's trip this many times
        (:mod:`transit.uncertainty`) and add percentile columns to the table.
        The samples follow the route each regime's deterministic plan chose.
    rng
        Seed or :class:`numpy.random.Generator` for the samples; the same
        seed gives the same table.

    Returns
    -------
    Comparison

    Raises
    ------
    NoRouteError
        Only if no regime has a route (otherwise the regime's row says why).
    UnknownPlaceError, UnknownRegimeError, InvalidDepartureError, InvalidVehicleError
        For bad arguments.
    """
    check_network(graph)
    if samples:
        check_samples(samples)
    gen = as_generator(rng) if samples else None
    if regimes is None:
        default = graph.graph.get("default_regime")
        regimes = sorted(graph.graph.get("regimes", {}), key=lambda r: (r == default, r))
    elif isinstance(regimes, str | Regime):
        regimes = [regimes]
    if not regimes:
        valid = ", ".join(sorted(graph.graph.get("regimes", {})))
        msg = f"regimes is empty; expected one or more of {valid}"
        raise UnknownRegimeError(msg, valid=sorted(graph.graph.get("regimes", {})))
    regime_objs = [get_regime(graph, r) for r in regimes]
    question = resolve_trip(
        graph, origin, destination, via=via, vehicle=vehicle, regime=regime_objs[0], departure=departure, also_regimes=regime_objs
    )
    o, d, depart = question.origin, question.destination, question.departure_time
    trips: dict[str, Trip] = {}
    errors: dict[str, str] = {}
    first_error: NoRouteError | None = None
    for regime in regime_objs:
        try:
            trips[regime.id] = plan_resolved(graph, dataclasses.replace(question, regime=regime), max_candidates=max_candidates)
        except NoRouteError as exc:
            errors[regime.id] = str(exc)
            first_error = first_error or exc
    if not trips and first_error is not None:
        raise first_error
    sampled = {}
    if gen is not None:
        for regime, stream in zip(regime_objs, gen.spawn(len(regime_objs)), strict=True):
            if regime.id in trips:
                trip = trips[regime.id]
                sampled[regime.id] = Reliability(trip=trip, runs=sample_trip(graph, trip, regime, samples=samples, rng=stream))
    return Comparison(
        origin=graph.nodes[o]["name"],
        destination=graph.nodes[d]["name"],
        departure=depart,
        via=question.via,
        regimes=tuple(r.id for r in regime_objs),
        trips=trips,
        errors=errors,
        baseline=regime_objs[0].id,
        reliability=sampled,
    )
