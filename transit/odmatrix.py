"""
Origin-destination matrices: many trips in one tidy table.

A matrix is the simplest sweep (:func:`transit.sweep`): origins x destinations at one departure, under one regime.

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

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import networkx as nx
import numpy as np

from . import _cache
from ._sweep_grid import WARNING_SEPARATOR
from ._validate import check_samples
from .errors import InvalidArgumentError
from .model import PlaceRef
from .regimes import Regime
from .sweeps import cities, sweep
from .uncertainty import PERCENTILES
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
    scheduler: object = None,
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
        Seed or generator for the samples; each pair's stream derives from the seed and the pair (as in
        :func:`transit.sweep`).
    progress
        Show a progress bar (tqdm) on standard error.
    scheduler
        As for :func:`transit.sweep`: ``None`` (default) runs here; ``"local"`` on a Dask LocalCluster of this
        machine's cores; an address or a ``distributed.Client`` on a cluster. Results do not depend on it.

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
    # Lists once: an iterator of names is read here, for the limit, and by the sweep.
    starts = cities(graph) if origins is None else [origins] if isinstance(origins, str) else list(origins)
    ends = cities(graph) if destinations is None else [destinations] if isinstance(destinations, str) else list(destinations)
    if samples:
        check_samples(samples)
        cells = len(starts) * len(ends)
        if cells * samples > MAX_SAMPLE_CELLS:
            msg = f"{cells:,} pairs x {samples:,} samples exceeds the limit of {MAX_SAMPLE_CELLS:,}; use fewer samples or pairs"
            raise InvalidArgumentError(msg)
    table = cast(
        "pd.DataFrame",
        sweep(
            graph,
            starts,
            ends,
            departures=[departure],
            regimes=None if regime is None else [regime],
            vehicles=[vehicle],
            via=via,
            samples=samples,
            rng=rng,
            scheduler=scheduler,
            progress=progress,
        ),
    )  # no output: a DataFrame
    columns = [*MATRIX_COLUMNS, *([f"p{q}_h" for q in PERCENTILES] if samples else [])]
    out = table.loc[:, columns].copy()
    out["warnings"] = [tuple(text.split(WARNING_SEPARATOR)) if isinstance(text, str) and text else () for text in table["warnings"]]
    out["arrival"] = out["arrival"].astype(object).where(out["arrival"].notna(), None)
    return out
