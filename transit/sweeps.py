"""
Scenario sweeps: batch questions, one row per scenario, in this process or on a Dask cluster.

A sweep is the product of origins x destinations (or explicit pairs) x departures x regimes x vehicles x mode sets.
Every scenario is a row (a scenario with no route says why in ``status``); with ``samples`` each row has its
percentiles, drawn from a random stream that depends only on the sweep's seed and the scenario's key, so that the
table is the same whatever runs it: this process, a LocalCluster of any size, or a cluster by address.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> table = sweep(net, ["Kashgar"], ["Osh", "Tashkent"], departures=["2017-10-30T08:00", "2017-10-31T08:00"],
...               regimes=["pre-2017", "sco-2017"])
>>> len(table), list(table.columns[:4])
(8, ['origin', 'destination', 'departure', 'regime'])
>>> table.groupby("regime")["total_h"].mean().idxmin()
'sco-2017'
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from . import _cache
from ._sweep_grid import MAX_SCENARIOS, Grid, departure_values, vehicle_label
from ._sweep_run import check_scheduler, finish_output, prepare_output, run_partitions
from ._validate import check_network, check_samples
from .comparison import parse_mode_sets
from .errors import InvalidArgumentError
from .lookup import get_regime, resolve_place
from .model import PlaceRef
from .question import resolve_trip
from .regimes import Regime

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["cities", "sweep"]


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
def sweep(
    graph: nx.MultiDiGraph,
    origins: Iterable[PlaceRef] | None = None,
    destinations: Iterable[PlaceRef] | None = None,
    *,
    pairs: Iterable[tuple[PlaceRef, PlaceRef]] | None = None,
    departures: object,
    regimes: Sequence[str | Regime] | str | Regime | None = None,
    vehicles: Sequence[object] | Mapping[str, object] | None = None,
    modes: Sequence[str | Sequence[str]] | None = None,
    via: str | Sequence[str] | None = None,
    samples: int = 0,
    rng: int | np.random.Generator | None = None,
    scheduler: object = None,
    output: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    partition_size: int | None = None,
    progress: bool = False,
) -> pd.DataFrame | Path:
    """
    Plan every scenario of a grid: a tidy table, one row per scenario, or a Parquet dataset.

    Parameters
    ----------
    graph
        A network.
    origins, destinations
        Place names; default every city and port (:func:`transit.sweeps.cities`). A pair of the same place is skipped.
    pairs
        Explicit (origin, destination) pairs instead of ``origins`` x ``destinations``.
    departures
        One time, a list of times, or a range: ``{"start": "2017-01-02T08:00", "end": "2017-12-31T08:00",
        "step": "1D"}`` (end included) or ``pandas.date_range(...)``. Naive times are local at each origin.
        Under ``regime="history"`` each departure gets the rules of its date.
    regimes
        Regime ids or objects; default the network's default regime.
    vehicles
        Vehicles as for :func:`transit.plan_trip`: a list (labelled ``"CN"``, ``"UZ 2 drivers"``...) or a mapping
        label -> vehicle. Default: a one-driver truck of each origin's country, and no ``vehicle`` column.
    modes
        Mode sets as for :func:`transit.compare` (``["road", "road+rail"]``); default road only, and no ``modes``
        column.
    via
        Waypoints of every scenario (road only).
    samples
        If positive, sample each scenario this many times and add ``p50_h, p80_h, p90_h, p95_h``.
    rng
        Seed of the samples. Each scenario's stream derives from it and the scenario's key (origin, destination,
        departure, regime, vehicle, modes), so results do not depend on the workers or the partitions. A
        resumable sweep with samples (``output`` given) needs a whole number.
    scheduler
        ``None`` (default): in this process. ``"local"``: a Dask ``LocalCluster`` with one single-threaded worker
        process per core, made and closed here. An address (``"tcp://host:8786"``) or a
        ``distributed.Client``: an existing cluster, whose workers have this package installed. The network and
        the grid go to each worker once. Needs ``pip install 'sco-transit[sweep]'``.
    output
        A directory: write a Parquet dataset there (one ``part-NNNNN.parquet`` per partition, each written to a
        temporary file and renamed, and ``_sweep.json``) and return its path. Run again with the same arguments
        and network, the sweep computes only the partitions missing: an interrupted sweep resumes.
        ``pandas.read_parquet(path)`` reads it back, rows in scenario order. Workers must see the directory (a
        shared file system on a cluster).
    overwrite
        Start an ``output`` directory that holds another sweep again, instead of refusing.
    partition_size
        Scenarios per task and per file; default from the grid's size alone (not from the machine), so that a
        resumed sweep finds its partitions.
    progress
        Show a progress bar (tqdm) on standard error, by scenario.

    Returns
    -------
    pandas.DataFrame or pathlib.Path
        Without ``output``, a DataFrame in scenario order (pairs, then departures, regimes, vehicles, mode sets),
        columns: the keys ``origin, destination, departure`` (ISO 8601, local at the origin), ``regime``, then
        ``vehicle`` and ``modes`` when given; ``departure_utc`` (a UTC timestamp), ``arrival``, the figures of
        :attr:`transit.Comparison.table` (``total_h, total_days, driving_h, rest_h, border_h, transshipment_h,
        closed_wait_h, distance_km, cost_usd``) with the percentiles after ``total_h`` when sampling, ``route``,
        ``transshipments``, ``status`` (``"ok"`` or why there is no route: that row's figures are NaN) and
        ``warnings`` (the trip's warnings, one per line). With ``output``, the dataset's path.

    Raises
    ------
    UnknownPlaceError, UnknownRegimeError, InvalidVehicleError, InvalidDepartureError
        For a bad name or value in any dimension, before any trip is planned.
    InvalidArgumentError
        For a bad grid (empty, a pair of one place, too large), ``scheduler``, ``output`` (holding another sweep)
        or ``partition_size``.
    MissingExtraError
        For ``scheduler`` or ``output`` without the ``sweep`` extra (dask.distributed, pyarrow).

    Examples
    --------
    A year of weekly departures for one pair, written as a resumable Parquet dataset:

    >>> import tempfile, pandas as pd, transit
    >>> net = transit.load_network()
    >>> out = tempfile.mkdtemp() + "/year"
    >>> path = sweep(net, pairs=[("Kashgar", "Tashkent")], regimes=["history"],
    ...              departures={"start": "2017-01-02T08:00", "end": "2017-12-25T08:00", "step": "7D"}, output=out)
    >>> len(pd.read_parquet(path))
    52
    """
    check_network(graph)
    if samples:
        check_samples(samples)
    scheduler = check_scheduler(scheduler)
    grid = _grid(
        graph, origins, destinations, pairs, departures, regimes, vehicles, modes, via, samples, rng, partition_size, resumable=output is not None
    )
    todo = list(range(grid.partitions))
    path = None
    if output is not None:
        path, todo = prepare_output(output, grid, graph, overwrite=overwrite)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        done = len(grid) - sum(len(grid.partition_range(i)) for i in todo)
        bar = tqdm(total=len(grid), initial=done, desc="sweep", unit="trip")
    try:
        results = run_partitions(graph, grid, todo, scheduler=scheduler, output=path, on_done=bar.update if bar is not None else _ignore)
    finally:
        if bar is not None:
            bar.close()
    if path is not None:
        finish_output(path, grid)
        return path
    import pandas as pd

    return pd.concat([results[i] for i in range(grid.partitions)], ignore_index=True)  # a grid has one partition at least


def _ignore(_: int) -> None:
    return None


def _grid(
    graph: nx.MultiDiGraph,
    origins: Iterable[PlaceRef] | None,
    destinations: Iterable[PlaceRef] | None,
    pairs: Iterable[tuple[PlaceRef, PlaceRef]] | None,
    departures: object,
    regimes: object,
    vehicles: object,
    modes: object,
    via: str | Sequence[str] | None,
    samples: int,
    rng: int | np.random.Generator | None,
    partition_size: int | None,
    *,
    resumable: bool,
) -> Grid:
    """Check every dimension of the grid before any work; unknown names fail here with their close matches."""

    def name(ref: PlaceRef) -> str:
        return str(graph.nodes[resolve_place(graph, ref)]["name"])

    if pairs is not None:
        if origins is not None or destinations is not None:
            msg = "give pairs= or origins/destinations, not both"
            raise InvalidArgumentError(msg)
        given_pairs: object = pairs  # checked at run time: callers pass anything
        if isinstance(given_pairs, str):
            msg = f"pairs={pairs!r:.60} is one text; pass a list of (origin, destination) pairs, e.g. pairs=[('Kashgar', 'Tashkent')]"
            raise InvalidArgumentError(msg)
        given = list(pairs)
        bad = next((p for p in given if isinstance(p, str) or not isinstance(p, Sequence) or len(p) != 2), None)
        if bad is not None:
            msg = f"pairs item {bad!r:.60} is not an (origin, destination) pair; pass e.g. pairs=[('Kashgar', 'Tashkent')]"
            raise InvalidArgumentError(msg)
        pair_names = [(name(o), name(d)) for o, d in given]
        same = next((p for p in pair_names if p[0] == p[1]), None)
        if same is not None:
            msg = f"pair {same!r} goes from a place to itself; give two different places"
            raise InvalidArgumentError(msg)
    else:
        starts = [name(o) for o in _names(origins, "origins", graph)]
        ends = [name(d) for d in _names(destinations, "destinations", graph)]
        pair_names = [(o, d) for o in dict.fromkeys(starts) for d in dict.fromkeys(ends) if o != d]
    if not pair_names:
        msg = "the sweep has no pair of two different places; give other origins and destinations"
        raise InvalidArgumentError(msg)
    times = departure_values(departures)
    if regimes is None:
        regime_refs: list[str | Regime] = [get_regime(graph, None).id]
    elif isinstance(regimes, str | Regime):
        regime_refs = [regimes]
    else:
        regime_refs = list(regimes)  # type: ignore[call-overload]
    regime_ids = [get_regime(graph, r).id for r in regime_refs]
    if not regime_ids or len(set(regime_ids)) != len(regime_ids):
        msg = f"regimes {regime_ids} must name one or more regimes, each once"
        raise InvalidArgumentError(msg)
    if vehicles is None:
        fleet: list[tuple[str, Any]] = [("default", None)]
    elif isinstance(vehicles, Mapping):
        fleet = [(str(k), v) for k, v in vehicles.items()]
    elif isinstance(vehicles, str) or not isinstance(vehicles, Sequence):
        fleet = [(vehicle_label(vehicles), vehicles)]
    else:
        fleet = [(vehicle_label(v), v) for v in vehicles]
    labels = [label for label, _ in fleet]
    if not fleet or len(set(labels)) != len(labels):
        msg = f"vehicles {labels} must be one or more vehicles with different labels; pass a mapping label -> vehicle to name them"
        raise InvalidArgumentError(msg)
    mode_list = parse_mode_sets(modes)
    if via and any(m != ("road",) for m in mode_list):
        msg = f"via={via!r} is for road trips; sweep modes without via"
        raise InvalidArgumentError(msg)
    # Each value of each dimension once with the first of the others: a bad one fails here, before any work.
    (o0, d0), t0 = pair_names[0], times[0]
    question = resolve_trip(graph, o0, d0, via=via, vehicle=fleet[0][1], regime=regime_refs[0], departure=t0)
    for t in times[1:]:
        resolve_trip(graph, o0, d0, vehicle=fleet[0][1], regime=regime_refs[0], departure=t, departure_field="departures")
    for regime in regime_refs:
        for _, spec in fleet:
            resolve_trip(graph, o0, d0, vehicle=spec, regime=regime, departure=t0)
    count = len(pair_names) * len(times) * len(regime_refs) * len(fleet) * len(mode_list)
    if count > MAX_SCENARIOS:
        msg = f"the sweep has {count:,} scenarios, more than {MAX_SCENARIOS:,}; split it (by origin or by year)"
        raise InvalidArgumentError(msg)
    seed = _seed(rng, samples=samples, resumable=resumable)
    if partition_size is None:
        size = max(1, min(math.ceil(count / 64), 32 if samples else 256))
    elif isinstance(partition_size, bool) or not isinstance(partition_size, int) or partition_size < 1:
        msg = f"partition_size={partition_size!r} must be a whole number of scenarios >= 1, e.g. 256"
        raise InvalidArgumentError(msg)
    else:
        size = partition_size
    keys: tuple[str, ...] = ("origin", "destination", "departure", "regime")
    keys += ("vehicle",) if vehicles is not None else ()
    keys += ("modes",) if modes is not None else ()
    return Grid(
        pairs=tuple(pair_names),
        departures=times,
        regimes=tuple(r if isinstance(r, Regime) else get_regime(graph, r).id for r in regime_refs),
        vehicles=tuple(fleet),
        modes=tuple(mode_list),
        via=question.via,
        samples=samples,
        seed=seed,
        partition_size=size,
        key_columns=keys,
    )


def _names(values: Iterable[PlaceRef] | None, what: str, graph: nx.MultiDiGraph) -> list[PlaceRef]:
    if values is None:
        return list(cities(graph))
    if isinstance(values, str):
        return [values]
    out = list(values)
    if not out:
        msg = f"{what} is empty; give one or more place names, or None for every city"
        raise InvalidArgumentError(msg)
    return out


def _seed(rng: int | np.random.Generator | None, *, samples: int, resumable: bool) -> int:
    if isinstance(rng, np.random.Generator):
        if samples and resumable:
            msg = "a resumable sweep (output=...) with samples needs a whole-number seed, rng=42 say, not a Generator"
            raise InvalidArgumentError(msg)
        return int(rng.integers(2**63))
    if rng is None:
        if samples and resumable:
            msg = "a resumable sweep (output=...) with samples needs a seed, e.g. rng=42, so that a resumed run draws the same samples"
            raise InvalidArgumentError(msg)
        return 0 if not samples else int(np.random.SeedSequence().entropy) % 2**63  # type: ignore[arg-type]
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or rng < 0:
        msg = f"rng={rng!r} must be a whole number >= 0, a numpy Generator, or None"
        raise InvalidArgumentError(msg)
    return int(rng)
