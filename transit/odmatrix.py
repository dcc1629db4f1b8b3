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

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from ._timeutil import parse_departure
from .delays import as_generator
from .errors import NoRouteError
from .network import get_regime, resolve_place, resolve_waypoint
from .regimes import Regime
from .uncertainty import PERCENTILES, _check_samples, sample_trip
from .routing import MAX_CANDIDATES, _plan
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


def matrix(
    graph: nx.MultiDiGraph,
    origins: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    *,
    regime: str | Regime = "sco-2017",
    departure: datetime | str,
    via: str | Sequence[str] = (),
    vehicle: Vehicle | dict[str, Any] | str | None = None,
    samples: int = 0,
    rng: int | np.random.Generator | None = None,
    max_candidates: int = MAX_CANDIDATES,
    progress: bool = False,
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
    regime, via, max_candidates
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

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MATRIX_COLUMNS` (hours, km, USD; ``route`` lists the
        crossings), plus ``p50_h, p80_h, p90_h, p95_h`` with samples. A pair
        with no allowed route has NaN totals and the reason in ``status``.

    Raises
    ------
    UnknownPlaceError
        For an unknown origin or destination (before any trip is planned).
    ValueError
        For bad ``samples`` or too many sampled cells.
    """
    import pandas as pd

    regime_obj = get_regime(graph, regime)
    origin_ids = [resolve_place(graph, name) for name in (cities(graph) if origins is None else _names(origins, "origins"))]
    destination_ids = [resolve_place(graph, name) for name in (cities(graph) if destinations is None else _names(destinations, "destinations"))]
    via_list = [via] if isinstance(via, str) else list(via)
    for name in via_list:
        resolve_waypoint(graph, name)
    pairs = [(o, d) for o in origin_ids for d in destination_ids if o != d]
    if samples:
        _check_samples(samples)
        if len(pairs) * samples > MAX_SAMPLE_CELLS:
            msg = f"{len(pairs):,} pairs x {samples:,} samples exceeds the limit of {MAX_SAMPLE_CELLS:,}; use fewer samples or pairs"
            raise ValueError(msg)
    gen = as_generator(rng) if samples else None
    departures = {o: parse_departure(departure, graph.nodes[o]["tz"]) for o in origin_ids}
    vehicles = {o: Vehicle.coerce(vehicle, default_registration=graph.nodes[o]["country"]) for o in origin_ids}
    nodes = graph.nodes
    rows = []
    iterator: Iterable[tuple[Any, Any]] = pairs
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(pairs, desc=f"matrix {regime_obj.id}", unit="pair")
    for o, d in iterator:
        row: dict[str, Any] = {"origin": nodes[o]["name"], "destination": nodes[d]["name"], "regime": regime_obj.id, "departure": departures[o].isoformat()}
        try:
            trip = _plan(graph, o, d, regime_obj, departures[o], via_list, vehicles[o], max_candidates)
        except NoRouteError as exc:
            row.update(dict.fromkeys(MATRIX_COLUMNS[5:12], math.nan), arrival=None, route="", transshipments="", status=str(exc))
            if samples:
                row.update({f"p{q}_h": math.nan for q in PERCENTILES})
            rows.append(row)
            continue
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
        )
        if samples:
            assert gen is not None
            hours = sample_trip(graph, trip, regime_obj, samples=samples, rng=gen).total_s / 3600.0
            row.update({f"p{q}_h": float(v) for q, v in zip(PERCENTILES, np.percentile(hours, PERCENTILES), strict=True)})
        rows.append(row)
    columns = [*MATRIX_COLUMNS, *([f"p{q}_h" for q in PERCENTILES] if samples else [])]
    return pd.DataFrame(rows, columns=columns)


def _names(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):
        return [values]
    out = list(values)
    if not out:
        msg = f"{what} is empty; give one or more place names, or None for every city"
        raise ValueError(msg)
    return out
