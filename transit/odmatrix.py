"""
Origin-destination matrices: many trips in one tidy table.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> m = matrix(net, ["Kashgar", "Urumqi"], ["Tashkent", "Almaty"], regime="sco-2017",
...            departure="2017-10-30T08:00")
>>> m[["origin", "destination"]].values.tolist()
[['Kashgar', 'Tashkent'], ['Kashgar', 'Almaty'], ['Urumqi', 'Tashkent'], ['Urumqi', 'Almaty']]
>>> bool((m["total_h"] > 0).all())
True
"""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from . import _cache
from ._cancel import check as check_cancelled
from ._validate import check_network, check_samples
from .delays import as_generator
from .errors import InvalidArgumentError, NoRouteError
from .lookup import get_regime, resolve_place
from .model import PlaceRef
from .regimes import Regime
from .routing import TripQuestion, plan_resolved, resolve_trip
from .uncertainty import PERCENTILES, sample_trip
from .vehicles import Vehicle

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MATRIX_COLUMNS", "cities", "matrix"]

#: Columns of a deterministic matrix, in order (sampled matrices add ``p50_h, p80_h, p90_h, p95_h``).
MATRIX_COLUMNS = (
    "origin",
    "destination",
    "regime",
    "departure",
    "arrival",
    "total_h",
    "driving_h",
    "border_h",
    "closed_wait_h",
    "transshipment_h",
    "distance_km",
    "cost_usd",
    "route",
    "transshipments",
    "status",
    "warnings",
)
#: Upper limit on origin-destination cells times samples in one call.
MAX_SAMPLE_CELLS = 50_000_000


def cities(graph: nx.MultiDiGraph) -> list[str]:
    """
    Names of the network's cities and ports (the default origins and destinations), in dataset order.

    Examples
    --------
    >>> import transit
    >>> "Kashgar" in cities(transit.load_network())
    True
    """
    return [data["name"] for _, data in graph.nodes(data=True) if data.get("kind") in ("city", "port")]


@_cache.per_call
def matrix(
    graph: nx.MultiDiGraph,
    origins: Iterable[PlaceRef] | None = None,
    destinations: Iterable[PlaceRef] | None = None,
    *,
    regime: str | Regime | None = None,
    departure: datetime | str,
    via: str | Sequence[str] | None = None,
    vehicle: Vehicle | dict[str, Any] | str | None = None,
    samples: int = 0,
    rng: int | np.random.Generator | None = None,
    progress: bool = False,
    cpus: int | None = 1,
) -> pd.DataFrame:
    """
    Plan every origin-destination pair: a tidy table, one row per pair.

    Parameters
    ----------
    graph
        A network.
    origins, destinations
        Place names; default every city and port of the network
        (:func:`cities`). A pair of the same place is skipped.
    regime, via
        As for :func:`transit.plan_trip`.
    departure
        As for :func:`transit.plan_trip`; a naive time is local at each origin.
    vehicle
        As for :func:`transit.plan_trip`; default a one-driver truck of each origin's country.
    samples
        If positive, sample each pair this many times and add percentile columns.
    rng
        Seed or generator for the samples.
    progress
        Show a progress bar (tqdm) on standard error.
    cpus
        Worker processes (as in osmnx): 1 runs here; ``None`` uses every
        core. Workers are forked, so they share the loaded network without
        copying it; where ``fork`` is unavailable the matrix runs in this
        process. Results do not depend on the number of workers (each
        pair's samples have their own seed drawn from ``rng``). Keep the
        default inside a multi-threaded program (a web server): forking a
        process that runs threads can deadlock; the HTTP API never forks.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MATRIX_COLUMNS` (hours, km, USD; ``route`` lists the
        crossings; ``warnings`` is the tuple of the pair's
        :attr:`~transit.trip.Trip.warnings`), plus ``p50_h, p80_h, p90_h, p95_h``
        with samples. A pair with no allowed route has NaN totals, the reason in
        ``status`` and no warnings.

    Raises
    ------
    UnknownPlaceError
        For an unknown origin or destination (before any trip is planned).
    InvalidArgumentError
        For bad ``samples`` or too many sampled cells (a ``ValueError``).
    """
    check_network(graph)
    import pandas as pd

    origin_ids = [resolve_place(graph, name) for name in (cities(graph) if origins is None else _names(origins, "origins"))]
    destination_ids = [resolve_place(graph, name) for name in (cities(graph) if destinations is None else _names(destinations, "destinations"))]
    # One resolved question per origin (the vehicle and a naive departure depend on it); each pair swaps in its destination.
    questions = {o: resolve_trip(graph, o, o, via=via, vehicle=vehicle, regime=regime, departure=departure) for o in dict.fromkeys(origin_ids)}
    regime_obj = get_regime(graph, regime)
    pairs = [(o, d) for o in origin_ids for d in destination_ids if o != d]
    if samples:
        check_samples(samples)
        if len(pairs) * samples > MAX_SAMPLE_CELLS:
            msg = f"{len(pairs):,} pairs x {samples:,} samples exceeds the limit of {MAX_SAMPLE_CELLS:,}; use fewer samples or pairs"
            raise InvalidArgumentError(msg)
    seeds = as_generator(rng).integers(2**63, size=len(pairs)) if samples else [None] * len(pairs)
    work = _Work(graph, regime_obj, questions, samples)
    tasks = [(o, d, None if seed is None else int(seed)) for (o, d), seed in zip(pairs, seeds, strict=True)]
    workers = _workers(cpus, len(tasks))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc=f"matrix {regime_obj.id}", unit="pair")
    rows: list[dict[str, Any]] = []
    try:
        if workers == 1:
            for task in tasks:
                check_cancelled()
                rows.append(work.row(*task))
                if bar is not None:
                    bar.update(1)
        else:
            rows = _parallel(work, tasks, workers, bar)
    finally:
        if bar is not None:
            bar.close()
    columns = [*MATRIX_COLUMNS, *([f"p{q}_h" for q in PERCENTILES] if samples else [])]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class _Work:
    """Everything a matrix row needs; shared with worker processes by forking."""

    graph: nx.MultiDiGraph
    regime: Regime
    questions: dict[Any, TripQuestion]
    samples: int

    def row(self, o: Any, d: Any, seed: int | None) -> dict[str, Any]:
        nodes = self.graph.nodes
        question = dataclasses.replace(self.questions[o], destination=d)
        row: dict[str, Any] = {
            "origin": nodes[o]["name"],
            "destination": nodes[d]["name"],
            "regime": self.regime.id,
            "departure": question.departure_time.isoformat(),
        }
        try:
            trip = plan_resolved(self.graph, question)
        except NoRouteError as exc:
            row.update(dict.fromkeys(MATRIX_COLUMNS[5:12], math.nan), arrival=None, route="", transshipments="", status=str(exc), warnings=())
            if self.samples:
                row.update({f"p{q}_h": math.nan for q in PERCENTILES})
            return row
        row.update(
            arrival=trip.arrival.isoformat(),
            total_h=trip.total_h,
            driving_h=trip.driving_h,
            border_h=trip.border_h,
            closed_wait_h=trip.closed_wait_h,
            transshipment_h=trip.transshipment_h,
            distance_km=trip.distance_km,
            cost_usd=trip.cost_usd,
            route=" / ".join(trip.crossings) or "(domestic)",
            transshipments=" / ".join(trip.transshipments),
            status="ok",
            warnings=tuple(trip.warnings),
        )
        if self.samples:
            hours = sample_trip(self.graph, trip, self.regime, samples=self.samples, rng=np.random.default_rng(seed)).total_s / 3600.0
            row.update({f"p{q}_h": float(v) for q, v in zip(PERCENTILES, np.percentile(hours, PERCENTILES), strict=True)})
        return row


_SHARED: dict[str, _Work] = {}  # "work": set in the parent just before forking; read by the workers


def _run_chunk(chunk: list[tuple[Any, Any, int | None]]) -> list[dict[str, Any]]:
    work = _SHARED["work"]
    return [work.row(*task) for task in chunk]


def _workers(cpus: int | None, tasks: int) -> int:
    if cpus is not None and (isinstance(cpus, bool) or not isinstance(cpus, int) or cpus < 1):
        msg = f"cpus={cpus!r} must be a positive whole number, or None for every core"
        raise InvalidArgumentError(msg)
    available = os.cpu_count() or 1
    wanted = available if cpus is None else min(cpus, available)
    if wanted > 1 and "fork" not in multiprocessing.get_all_start_methods():
        wanted = 1  # workers share the loaded network by forking; elsewhere, run in this process
    return max(1, min(wanted, tasks // 16 or 1))


def _parallel(work: _Work, tasks: list[tuple[Any, Any, int | None]], workers: int, bar: Any) -> list[dict[str, Any]]:
    """Rows of ``tasks`` computed by ``workers`` forked processes, in task order."""
    size = max(1, len(tasks) // (workers * 8))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    _SHARED["work"] = work
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            rows: list[dict[str, Any]] = []
            for part in pool.imap(_run_chunk, chunks):
                rows.extend(part)
                if bar is not None:
                    bar.update(len(part))
            return rows
    finally:
        _SHARED.clear()


def _names(values: Iterable[PlaceRef], what: str) -> list[PlaceRef]:
    if isinstance(values, str):
        return [values]
    out = list(values)
    if not out:
        msg = f"{what} is empty; give one or more place names, or None for every city"
        raise InvalidArgumentError(msg)
    return out
