"""
Reliability of a transit time: percentiles, on-time probability and departure-day profiles.

A planner's questions are "when will it be there with 90% certainty?" and
"which day should it leave?". :func:`reliability` answers the first with a
Monte Carlo over the border delays (:mod:`transit.delays`, vectorised by
:mod:`transit.montecarlo`): each sample's arrival at a crossing decides its own
wait for opening hours, weekends, holidays and the crew's rest, so a slow
first crossing can push a truck into a weekend closure at the second.
:func:`departure_profile` answers the second by planning the trip for every
departure hour of a week.

Route under uncertainty
-----------------------
By default (``route="planned"``) the samples follow the route that
:func:`transit.plan_trip` chooses with median delays, including any hold at
the origin or lengthened rest it planned: this is the answer to "how sure is
the plan?". ``route="best_p90"`` (or ``"best_p50"``, ``"best_p95"``, any
``"best_pNN"``, or ``"best_mean"``) instead simulates every candidate route
with the same samples and keeps the one with the lowest such statistic; a
route that is fastest on a median day is not always the safest bet.
``via`` pins the route in either case.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> rel = reliability(net, "Kashgar", "Tashkent", regime="sco-2017", departure="2017-10-30T08:00",
...                   via=["Irkeshtam"], samples=2_000, rng=42)
>>> p = rel.percentiles_h
>>> bool(p[50] <= p[80] <= p[90] <= p[95])
True
>>> rel.on_time_probability(rel.arrival_at(90)) >= 0.9
True
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, overload

import networkx as nx
import numpy as np

from . import _cache
from ._cancel import check as check_cancelled
from ._timeutil import parse_departure
from ._validate import check_network, check_number, check_samples
from .delays import as_generator
from .errors import InvalidArgumentError, NoRouteError
from .model import PlaceRef
from .montecarlo import Runs, draw_delays, simulate_many
from .multimodal import DoorToDoorReliability, plan_multimodal, sample_door_to_door
from .regimes import Regime
from .routing import TripQuestion, plan_resolved, resolve_trip, route_alternatives
from .schedule import zone
from .trip import ACTIVITIES, Trip
from .vehicles import Vehicle

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PERCENTILES", "Reliability", "departure_profile", "reliability"]

#: Percentiles reported by default.
PERCENTILES = (50, 80, 90, 95)
_ROUTE = re.compile(r"^(planned|best_mean|best_p(\d{1,2}))$")


@dataclass(frozen=True, kw_only=True, eq=False)
class Reliability:
    """Monte Carlo samples of one trip.

    Attributes
    ----------
    trip
        The deterministic trip (median delays) on the route the samples follow.
    runs
        The samples (:class:`~transit.montecarlo.Runs`).
    route
        How the route was chosen (``"planned"``, ``"best_p90"``, ... or ``"via"``).
    route_choice
        For ``route="best_..."``: one row per candidate route with its
        deterministic total and sample statistics, and which was chosen.
    """

    trip: Trip
    runs: Runs
    route: str = "planned"
    route_choice: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def warnings(self) -> tuple[str, ...]:
        """The deterministic trip's :attr:`~transit.trip.Trip.warnings`."""
        return self.trip.warnings

    @property
    def samples(self) -> int:
        """Number of samples."""
        return len(self.runs.arrival_s)

    @functools.cached_property
    def samples_h(self) -> np.ndarray:
        """Door-to-door hours, one per sample (read-only)."""
        out = self.runs.total_s / 3600.0
        out.setflags(write=False)
        return out

    def percentile_h(self, q: float) -> float:
        """
        Return the ``q``-th percentile (0-100) of the door-to-door hours.

        Raises
        ------
        InvalidArgumentError
            If ``q`` is outside 0-100.
        """
        q = check_number(q, name="q", low=0, high=100, example=90)
        return float(np.percentile(self.samples_h, q))

    @property
    def percentiles_h(self) -> dict[int, float]:
        """The 50th, 80th, 90th and 95th percentiles of the door-to-door hours."""
        return {q: self.percentile_h(q) for q in PERCENTILES}

    @property
    def mean_h(self) -> float:
        """Mean door-to-door hours."""
        return float(self.samples_h.mean())

    def arrival_at(self, q: float) -> datetime:
        """
        Return the arrival time (destination's time zone) by which ``q`` percent of the samples have arrived.

        Raises
        ------
        InvalidArgumentError
            If ``q`` is not a number from 0 to 100 (``"90"`` included).
        """
        q = check_number(q, name="q", low=0, high=100, example=90)
        seconds = float(np.percentile(self.runs.arrival_s, q, method="inverted_cdf"))
        return datetime.fromtimestamp(seconds, self.trip.arrival.tzinfo)

    def on_time_probability(self, deadline: datetime | str) -> float:
        """
        Share of samples that arrive no later than ``deadline``.

        Parameters
        ----------
        deadline
            Aware datetime, naive datetime or ISO 8601 string (naive means
            local time at the destination).
        """
        tz = self.trip.arrival.tzinfo.key  # type: ignore[union-attr]
        limit = parse_departure(deadline, tz, what="deadline").timestamp()
        return float(np.mean(self.runs.arrival_s <= limit))

    @functools.cached_property
    def breakdown_h(self) -> dict[str, float]:
        """Mean hours by activity (driving, break, daily_rest, ..., transshipment); they add up to :attr:`mean_h`."""
        return {a: float(self.runs.components_s[a].mean() / 3600.0) for a in ACTIVITIES}

    @functools.cached_property
    def components_h(self) -> pd.DataFrame:
        """Hours by activity per sample (one row per sample, one column per activity)."""
        import pandas as pd

        return pd.DataFrame({a: self.runs.components_s[a] / 3600.0 for a in ACTIVITIES})

    @functools.cached_property
    def crossings_h(self) -> pd.DataFrame:
        """Per crossing passed: median, P90 and mean hours spent there (queue, closed wait and clearance)."""
        import pandas as pd

        rows = []
        for cid in self.runs.crossings:
            hours = self.runs.crossing_s[cid] / 3600.0
            rows.append(
                {
                    "crossing_id": cid,
                    "p50_h": float(np.percentile(hours, 50)),
                    "p90_h": float(np.percentile(hours, 90)),
                    "mean_h": float(hours.mean()),
                }
            )
        return pd.DataFrame(rows, columns=["crossing_id", "p50_h", "p90_h", "mean_h"]).set_index("crossing_id")

    @functools.cached_property
    def cost_samples_usd(self) -> np.ndarray:
        """Trip cost per sample in USD (only the time-based part varies)."""
        usd_per_h = self.trip.cost.time_usd / self.trip.total_h if self.trip.total_h else 0.0
        return self.trip.cost.total_usd + (self.samples_h - self.trip.total_h) * usd_per_h

    def summary(self) -> dict[str, Any]:
        """Return the question, the deterministic total and the sample statistics as a flat, JSON-friendly dict."""
        p = self.percentiles_h
        return {
            "origin": self.trip.origin_name,
            "destination": self.trip.destination_name,
            "regime": self.trip.regime,
            "departure": self.trip.departure.isoformat(),
            "route": " / ".join(self.trip.crossings) or "(domestic)",
            "route_choice": self.route,
            "samples": self.samples,
            "deterministic_h": round(self.trip.total_h, 2),
            "mean_h": round(self.mean_h, 2),
            **{f"p{q}_h": round(v, 2) for q, v in p.items()},
            "p90_arrival": self.arrival_at(90).isoformat(),
            "p90_cost_usd": round(float(np.percentile(self.cost_samples_usd, 90)), 2),
            "warnings": list(self.warnings),
        }

    def _repr_html_(self) -> str:
        from ._html import table

        rows: list[tuple[str, float | str, str]] = [
            (f"P{q}", round(v, 1), f"{self.arrival_at(q):%a %d %b %H:%M %Z}") for q, v in self.percentiles_h.items()
        ]
        rows.append(("deterministic (median delays)", round(self.trip.total_h, 1), f"{self.trip.arrival:%a %d %b %H:%M %Z}"))
        rows.extend(("warning", text, "") for text in self.warnings)
        caption = (
            f"{self.trip.origin_name} → {self.trip.destination_name} ({self.trip.regime}), {self.samples:,} samples, "
            f"route {' / '.join(self.trip.crossings) or '(domestic)'}"
        )
        return table(caption, ["", "hours", "arrives by"], rows)

    def __repr__(self) -> str:
        p = self.percentiles_h
        return (
            f"<Reliability {self.trip.origin_name} -> {self.trip.destination_name} ({self.trip.regime}, {self.samples} samples): "
            f"P50 {p[50]:.1f} h, P90 {p[90]:.1f} h; deterministic {self.trip.total_h:.1f} h>"
        )


def _route_stat(route: str) -> tuple[str, float | None]:
    match = _ROUTE.match(route) if isinstance(route, str) else None
    if match is None or (match.group(2) is not None and not 1 <= int(match.group(2)) <= 99):
        msg = f"route={route!r} is not understood; expected 'planned', 'best_mean' or 'best_pNN' with NN from 1 to 99 (e.g. 'best_p90')"
        raise InvalidArgumentError(msg)
    if match.group(1) == "planned":
        return "planned", None
    if match.group(1) == "best_mean":
        return "mean", None
    return "percentile", float(match.group(2))


def sample_trip(graph: nx.MultiDiGraph, trip: Trip, regime: Regime, *, samples: int, rng: np.random.Generator) -> Runs:
    """Run ``samples`` Monte Carlo samples along a trip's path and plan (holds and rest extensions) under ``regime``."""
    draws = draw_delays(graph, trip.path, regime, samples, rng, departure_s=trip.departure.timestamp())
    return simulate_many(graph, trip.path, regime=regime, vehicle=trip.vehicle, departure_s=trip.departure.timestamp(), draws=draws, **trip.plan)


@overload
def reliability(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regime: str | Regime | None = ...,
    departure: datetime | str,
    via: str | Sequence[str] | None = ...,
    vehicle: Vehicle | dict[str, Any] | str | None = ...,
    samples: int = ...,
    rng: int | np.random.Generator | None = ...,
    route: str = ...,
    modes: tuple[Literal["road"]] = ...,
) -> Reliability: ...


@overload
def reliability(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regime: str | Regime | None = ...,
    departure: datetime | str,
    via: str | Sequence[str] | None = ...,
    vehicle: Vehicle | dict[str, Any] | str | None = ...,
    samples: int = ...,
    rng: int | np.random.Generator | None = ...,
    route: str = ...,
    modes: Sequence[str],
) -> Reliability | DoorToDoorReliability: ...


@_cache.per_call
def reliability(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regime: str | Regime | None = None,
    departure: datetime | str,
    via: str | Sequence[str] | None = None,
    vehicle: Vehicle | dict[str, Any] | str | None = None,
    samples: int = 10_000,
    rng: int | np.random.Generator | None = None,
    route: str = "planned",
    modes: Sequence[str] = ("road",),
) -> Reliability | DoorToDoorReliability:
    """
    Sample the door-to-door time of a trip under uncertain border delays.

    Parameters
    ----------
    graph
        A network from :func:`transit.load_network`.
    origin, destination, regime, departure, via, vehicle
        As for :func:`transit.plan_trip`.
    samples
        Number of Monte Carlo samples (1 to 2,000,000).
    rng
        Seed (int) or :class:`numpy.random.Generator`; the same seed gives
        identical results. ``None`` draws fresh entropy.
    route
        ``"planned"`` (default): the route and plan of :func:`transit.plan_trip`.
        ``"best_p90"`` (any ``"best_pNN"``) or ``"best_mean"``: the candidate
        route with the lowest such statistic over the samples (see the module
        docstring).
    modes
        ``("road",)`` (default): the truck trip. Allowing rail (``("rail",)`` or ``("road", "rail")``):
        the door-to-door trip of :func:`transit.plan_multimodal`, sampled part by part
        (:func:`transit.multimodal.sample_door_to_door`); its route is the planned one.

    Returns
    -------
    Reliability
        A :class:`~transit.multimodal.DoorToDoorReliability` when ``modes`` allows rail.

    Raises
    ------
    UnknownPlaceError, NoRouteError, InvalidDepartureError, UnknownRegimeError, InvalidVehicleError
        As for :func:`transit.plan_trip`.
    InvalidArgumentError
        For a bad ``samples`` or ``route`` (a ``ValueError``).
    TypeError
        For a bad ``rng``.
    """
    check_network(graph)
    check_samples(samples)
    kind, q = _route_stat(route)
    gen = as_generator(rng)
    if isinstance(modes, str) or tuple(modes) != ("road",):
        if kind != "planned" or via:
            msg = f"route={route!r} and via= are for road trips; with modes={modes!r} leave them out (the door-to-door trip is the planned one)"
            raise InvalidArgumentError(msg)
        trip = plan_multimodal(graph, origin, destination, modes=modes, regime=regime, departure=departure, vehicle=vehicle)
        return sample_door_to_door(graph, trip, samples=samples, rng=gen)
    question = resolve_trip(graph, origin, destination, via=via, vehicle=vehicle, regime=regime, departure=departure)
    planned = plan_resolved(graph, question)
    if kind == "planned":
        return Reliability(trip=planned, runs=sample_trip(graph, planned, question.regime, samples=samples, rng=gen), route="planned")
    return _best_route(graph, planned, question, samples=samples, gen=gen, kind=kind, q=q, route=route)


def _best_route(
    graph: nx.MultiDiGraph,
    planned: Trip,
    question: TripQuestion,
    *,
    samples: int,
    gen: np.random.Generator,
    kind: str,
    q: float | None,
    route: str,
) -> Reliability:
    """Simulate every candidate route with the same random numbers and keep the best by a sample statistic."""
    import pandas as pd

    regime = question.regime
    seed = int(gen.integers(2**63))  # one seed for all candidates: common random numbers
    results: list[tuple[float, Trip, Runs]] = []
    rows = []
    for trip in route_alternatives(graph, question, planned):
        check_cancelled()
        runs = sample_trip(graph, trip, regime, samples=samples, rng=np.random.default_rng(seed))
        hours = runs.total_s / 3600.0
        score = float(hours.mean()) if kind == "mean" or q is None else float(np.percentile(hours, q))  # q is None only for "mean"
        results.append((score, trip, runs))
        rows.append(
            {
                "route": " / ".join(trip.crossings) or "(domestic)",
                "deterministic_h": trip.total_h,
                "p50_h": float(np.percentile(hours, 50)),
                "p90_h": float(np.percentile(hours, 90)),
                "mean_h": float(hours.mean()),
                "score_h": score,
            }
        )
    best = min(range(len(results)), key=lambda i: (results[i][0], i))
    table = pd.DataFrame(rows)
    table["chosen"] = [i == best for i in range(len(rows))]
    _, trip, runs = results[best]
    return Reliability(trip=trip, runs=runs, route=route, route_choice=table)


@_cache.per_call
def departure_profile(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    regime: str | Regime | None = None,
    start: datetime | str,
    days: float = 7,
    step_h: float = 1,
    via: str | Sequence[str] | None = None,
    vehicle: Vehicle | dict[str, Any] | str | None = None,
    samples: int = 0,
    rng: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """
    Plan the same trip for every departure time in a window: which day and hour to leave.

    Parameters
    ----------
    graph
        A network.
    origin, destination, regime, via, vehicle
        As for :func:`transit.plan_trip`.
    start
        First departure (a date means midnight; naive is local time at the origin).
    days
        Length of the window in days.
    step_h
        Hours between departures.
    samples
        If positive, also sample each departure (adds ``p50_h``, ``p90_h`` and
        ``p90_arrival``).
    rng
        Seed or generator for the samples.

    Returns
    -------
    pandas.DataFrame
        One row per departure: ``departure`` (local at the origin),
        ``weekday``, ``arrival`` (local at the destination), ``total_h``,
        ``closed_wait_h``, ``border_h``, ``rest_h``, ``route``, ``status``
        (``"ok"`` or why there is no route), ``warnings`` (the tuple of that
        trip's :attr:`~transit.trip.Trip.warnings`; empty without a route),
        plus the sample columns.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> prof = departure_profile(net, "Kashgar", "Osh", start="2017-10-27", days=3, step_h=6)
    >>> len(prof), list(prof.columns[:3])
    (12, ['departure', 'weekday', 'arrival'])
    """
    check_network(graph)
    import pandas as pd

    if not (isinstance(days, int | float) and 0 < days <= 366):
        msg = f"days={days!r} must be a number of days in (0, 366]"
        raise InvalidArgumentError(msg)
    if not (isinstance(step_h, int | float) and step_h >= 0.25):
        msg = f"step_h={step_h!r} must be at least 0.25 hours"
        raise InvalidArgumentError(msg)
    count = math.floor(days * 24 / step_h + 1e-9)
    if count > 20_000:
        msg = f"days={days} with step_h={step_h} gives {count:,} departures; the limit is 20,000 (use a larger step_h)"
        raise InvalidArgumentError(msg)
    if samples:
        check_samples(samples)
    gen = as_generator(rng) if samples else None
    question = resolve_trip(graph, origin, destination, via=via, vehicle=vehicle, regime=regime, departure=start, departure_field="start")
    regime_obj = question.regime
    origin_tz = zone(graph.nodes[question.origin]["tz"])
    first = question.departure_time
    rows = []
    for k in range(count):
        check_cancelled()
        depart = (first + timedelta(hours=k * step_h)).astimezone(origin_tz)
        row: dict[str, Any] = {"departure": depart, "weekday": depart.strftime("%a")}
        try:
            trip = plan_resolved(graph, dataclasses.replace(question, departure=depart))
        except NoRouteError as exc:
            row.update(
                arrival=None, total_h=math.nan, closed_wait_h=math.nan, border_h=math.nan, rest_h=math.nan, route="", status=str(exc), warnings=()
            )
            if samples:
                row.update(p50_h=math.nan, p90_h=math.nan, p90_arrival=None)
            rows.append(row)
            continue
        row.update(
            arrival=trip.arrival,
            total_h=trip.total_h,
            closed_wait_h=trip.closed_wait_h,
            border_h=trip.border_h,
            rest_h=trip.rest_h,
            route=" / ".join(trip.crossings) or "(domestic)",
            status="ok",
            warnings=tuple(trip.warnings),
        )
        if gen is not None:  # samples > 0
            rel = Reliability(trip=trip, runs=sample_trip(graph, trip, regime_obj, samples=samples, rng=gen))
            row.update(p50_h=rel.percentile_h(50), p90_h=rel.percentile_h(90), p90_arrival=rel.arrival_at(90))
        rows.append(row)
    return pd.DataFrame(rows)
