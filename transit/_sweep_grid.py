"""
The scenario grid of :func:`transit.sweep` and the row of one scenario.

A grid is the product pairs x departures x regimes x vehicles x mode sets. Scenario ``i`` is found from ``i`` by
mixed-radix arithmetic, so a partition (a range of indexes) travels to a worker as two numbers and the grid, never as
a list of scenarios. Internal; used by :mod:`transit.sweep` and :mod:`transit._sweep_run`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from ._timeutil import parse_departure
from .comparison import TABLE_COLUMNS
from .errors import InvalidArgumentError, TransitError
from .multimodal import MultimodalTrip, plan_multimodal, sample_door_to_door
from .question import resolve_trip
from .regimes import Regime
from .routing import plan_resolved
from .uncertainty import PERCENTILES, Reliability, sample_trip
from .vehicles import Vehicle

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FIGURE_COLUMNS",
    "MAX_SCENARIOS",
    "STRING_COLUMNS",
    "Grid",
    "departure_values",
    "fingerprint",
    "frame",
    "scenario_row",
    "vehicle_label",
]

#: Upper limit on the scenarios of one sweep (a grid past it is surely a mistake in the options).
MAX_SCENARIOS = 100_000_000
#: Figures of a scenario's row after its keys, as in :attr:`transit.Comparison.table` (percentiles follow ``total_h``).
FIGURE_COLUMNS = (
    "departure_utc",
    "arrival",
    *TABLE_COLUMNS[: TABLE_COLUMNS.index("saving_h")],  # total_h ... cost_usd; a sweep has no baseline row to save against
    "route",
    "transshipments",
    "status",
    "warnings",
)
#: Text columns (every other figure is a float, ``departure_utc`` a UTC timestamp).
STRING_COLUMNS = ("origin", "destination", "departure", "regime", "vehicle", "modes", "arrival", "route", "transshipments", "status", "warnings")
#: Between the warnings of one row in its ``warnings`` text (a warning is one sentence on one line).
WARNING_SEPARATOR = "\n"


@dataclass(frozen=True)
class Grid:
    """
    The scenarios of one sweep: pairs x departures x regimes x vehicles x mode sets, in that order of nesting.

    Attributes
    ----------
    pairs
        (origin, destination) display names.
    departures
        ISO 8601 texts; naive ones are local at each origin.
    regimes
        Regime ids or :class:`~transit.regimes.Regime` objects.
    vehicles
        (label, spec) with spec as for :func:`transit.plan_trip` (``None``: a one-driver truck of the origin's
        country).
    modes
        Mode sets, e.g. ``("road",)`` or ``("road", "rail")``.
    via
        Waypoints of every scenario.
    samples, seed
        Monte Carlo samples per scenario (0: deterministic) and the sweep's seed.
    partition_size
        Scenarios per partition (one task; one Parquet file).
    key_columns
        The key columns of a row: ``origin, destination, departure, regime`` and ``vehicle``/``modes`` when the
        sweep names them.
    """

    pairs: tuple[tuple[str, str], ...]
    departures: tuple[str, ...]
    regimes: tuple[str | Regime, ...]
    vehicles: tuple[tuple[str, Any], ...]
    modes: tuple[tuple[str, ...], ...]
    via: tuple[str, ...]
    samples: int
    seed: int
    partition_size: int
    key_columns: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.pairs) * len(self.departures) * len(self.regimes) * len(self.vehicles) * len(self.modes)

    @property
    def partitions(self) -> int:
        """Number of partitions."""
        return math.ceil(len(self) / self.partition_size)

    @property
    def columns(self) -> tuple[str, ...]:
        """Columns of a row, in order."""
        figures = list(FIGURE_COLUMNS)
        if self.samples:
            at = figures.index("total_h") + 1
            figures[at:at] = [f"p{q}_h" for q in PERCENTILES]
        return (*self.key_columns, *figures)

    def partition_range(self, index: int) -> range:
        """Scenario indexes of partition ``index``."""
        return range(index * self.partition_size, min(len(self), (index + 1) * self.partition_size))

    def scenario(self, i: int) -> tuple[tuple[str, str], str, str | Regime, tuple[str, Any], tuple[str, ...]]:
        """Scenario ``i``: (pair, departure, regime, (vehicle label, spec), modes)."""
        i, m = divmod(i, len(self.modes))
        i, v = divmod(i, len(self.vehicles))
        i, r = divmod(i, len(self.regimes))
        p, d = divmod(i, len(self.departures))
        return self.pairs[p], self.departures[d], self.regimes[r], self.vehicles[v], self.modes[m]

    def describe(self) -> dict[str, Any]:
        """Describe the grid as plain JSON-able values (for a sweep's manifest): equal grids describe equally."""
        return {
            "pairs": [list(p) for p in self.pairs],
            "departures": list(self.departures),
            "regimes": [r if isinstance(r, str) else _regime_text(r) for r in self.regimes],
            "vehicles": [[label, repr(spec)] for label, spec in self.vehicles],
            "modes": ["+".join(m) for m in self.modes],
            "via": list(self.via),
            "samples": self.samples,
            "seed": self.seed,
            "partition_size": self.partition_size,
        }


def _regime_text(regime: Regime) -> str:
    """Describe a regime object in a manifest: its id and a digest of its content (an edited copy differs)."""
    return f"{regime.id}:{hashlib.blake2b(_canonical(regime, {}).encode(), digest_size=8).hexdigest()}"


def vehicle_label(spec: object) -> str:
    """
    Return a short label for a vehicle spec: ``"CN"``, ``"UZ 2 drivers"``, ``"KZ 1 driver, permits sco, <= 80 km/h"``.

    Examples
    --------
    >>> vehicle_label("kz"), vehicle_label({"registration": "UZ", "drivers": 2}), vehicle_label(None)
    ('KZ', 'UZ 2 drivers', 'default')
    """
    if spec is None:
        return "default"
    vehicle = Vehicle.coerce(spec, default_registration="CN")  # type: ignore[arg-type]  # checked at run time
    if isinstance(spec, str):
        return vehicle.registration
    label = f"{vehicle.registration} {vehicle.drivers} driver{'s' if vehicle.drivers > 1 else ''}"
    extras = []
    if vehicle.permits is not None:
        extras.append("permits " + (" ".join(sorted(vehicle.permits)) or "none"))
    if vehicle.max_speed_kph is not None:
        extras.append(f"<= {vehicle.max_speed_kph:g} km/h")
    return ", ".join([label, *extras])


def departure_values(value: object) -> tuple[str, ...]:
    """
    Return the departures of a sweep as ISO 8601 texts: one time, a list of times, or a range.

    A range is a mapping ``{"start": ..., "end": ..., "step": "1D"}`` (``end`` included; ``step`` a pandas
    Timedelta text such as ``"1D"``, ``"6h"``, ``"20min"``) or any iterable of times (``pandas.date_range``).
    Naive times stay naive (local at each origin).

    Examples
    --------
    >>> departure_values({"start": "2017-10-30T08:00", "end": "2017-11-01T08:00", "step": "1D"})
    ('2017-10-30T08:00:00', '2017-10-31T08:00:00', '2017-11-01T08:00:00')
    """
    if isinstance(value, Mapping):
        return _departure_range(value)
    if isinstance(value, str | datetime | date):
        items: list[object] = [value]
    elif isinstance(value, Iterable):
        items = list(value)
    else:
        msg = (
            f"departures={value!r:.80} is not a time, a list of times or a range; pass e.g. departures=['2017-10-30T08:00'] "
            "or {'start': '2017-01-02T08:00', 'end': '2017-12-31T08:00', 'step': '1D'}"
        )
        raise InvalidArgumentError(msg)
    if not items:
        msg = "departures is empty; give one or more times, e.g. departures=['2017-10-30T08:00']"
        raise InvalidArgumentError(msg)
    out = []
    for item in items:
        if not isinstance(item, str | datetime | date):
            parse_departure(item, "UTC", what="departures")  # raises: says which types are expected
        if isinstance(item, datetime | date):
            out.append(item.isoformat())
        else:
            out.append(str(item).strip())
    if len(set(out)) != len(out):
        twice = next(d for d in out if out.count(d) > 1)
        msg = f"departures name {twice!r} twice; give each once"
        raise InvalidArgumentError(msg)
    return tuple(out)


def _departure_range(spec: Mapping[Any, Any]) -> tuple[str, ...]:
    import pandas as pd

    unknown = set(spec) - {"start", "end", "step"}
    if unknown or not {"start", "end"} <= set(spec):
        msg = (
            f"departure range {dict(spec)!r:.120} needs start and end (and step, default '1D'); "
            "e.g. {'start': '2017-01-02T08:00', 'end': '2017-12-31T08:00', 'step': '1D'}"
        )
        raise InvalidArgumentError(msg)
    start, end = (_as_datetime(spec[k], k) for k in ("start", "end"))
    if (start.tzinfo is None) != (end.tzinfo is None):
        msg = f"departure range start {start.isoformat()} and end {end.isoformat()}: give both with an offset or both without (local at each origin)"
        raise InvalidArgumentError(msg)
    step_text = spec.get("step", "1D")
    try:
        step = pd.Timedelta(step_text).to_pytimedelta()
    except (ValueError, TypeError):
        step = timedelta(0)
    if step <= timedelta(0):
        msg = f"departure range step {step_text!r} is not a positive duration; expected e.g. '1D', '6h' or '20min'"
        raise InvalidArgumentError(msg)
    if end < start:
        msg = f"departure range ends ({end.isoformat()}) before it starts ({start.isoformat()}); swap start and end"
        raise InvalidArgumentError(msg)
    count = int((end - start) / step) + 1
    if count > 1_000_000:
        msg = f"departure range gives {count:,} departures; expected at most 1,000,000: use a longer step"
        raise InvalidArgumentError(msg)
    return tuple((start + k * step).isoformat() for k in range(count))


def _as_datetime(value: object, what: str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001 - naive: local at each origin
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        msg = f"departure range {what} {value!r} is not an ISO 8601 time; expected e.g. '2017-10-30T08:00'"
        raise InvalidArgumentError(msg) from None


def scenario_seed(seed: int, key: Sequence[str]) -> np.random.SeedSequence:
    """Return the random stream of one scenario: from the sweep's seed and the scenario's key, never from its position."""
    digest = hashlib.blake2b("\x1f".join(key).encode(), digest_size=16).digest()
    words = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    return np.random.SeedSequence(seed, spawn_key=words)


def scenario_row(graph: nx.MultiDiGraph, grid: Grid, i: int) -> dict[str, Any]:
    """
    Return the row of scenario ``i``: its keys, then the trip's figures, or NaN and the reason in ``status``.

    A scenario with no allowed route (or a departure its rules cannot answer) is a row with its status, never an
    error: a sweep loses no row.
    """
    (origin, destination), depart, regime, (label, spec), modes = grid.scenario(i)
    regime_id = regime if isinstance(regime, str) else regime.id
    row: dict[str, Any] = {"origin": origin, "destination": destination, "departure": depart, "regime": regime_id}
    if "vehicle" in grid.key_columns:
        row["vehicle"] = label
    if "modes" in grid.key_columns:
        row["modes"] = "+".join(modes)
    row.update(dict.fromkeys(grid.columns[len(grid.key_columns) :]))
    try:
        question = resolve_trip(graph, origin, destination, via=grid.via or None, vehicle=spec, regime=regime, departure=depart)
        when = question.departure_time
        row.update(departure=when.isoformat(), departure_utc=when)
        trip: Any
        if modes == ("road",):
            trip = plan_resolved(graph, question)
        else:
            trip = plan_multimodal(graph, question.origin, question.destination, modes=modes, regime=regime, departure=when, vehicle=question.vehicle)
    except TransitError as exc:  # NoRouteError, or a departure its rules cannot answer
        row["status"] = str(exc)
        return row
    row.update(
        arrival=trip.arrival.isoformat(),
        total_h=trip.total_h,
        total_days=trip.total_days,
        driving_h=trip.driving_h,
        rest_h=trip.rest_h,
        border_h=trip.border_h,
        transshipment_h=trip.transshipment_h,
        closed_wait_h=trip.closed_wait_h,
        distance_km=trip.distance_km,
        cost_usd=trip.cost_usd,
        route=trip.route if isinstance(trip, MultimodalTrip) else " / ".join(trip.crossings) or "(domestic)",
        transshipments=" / ".join(trip.transshipments),
        status="ok",
        warnings=WARNING_SEPARATOR.join(getattr(trip, "warnings", ())),
    )
    if grid.samples:
        key = (origin, destination, when.isoformat(), regime_id, label, "+".join(modes))
        stream = np.random.default_rng(scenario_seed(grid.seed, key))
        reliability: Any
        if isinstance(trip, MultimodalTrip):
            reliability = sample_door_to_door(graph, trip, samples=grid.samples, rng=stream)
        else:
            reliability = Reliability(trip=trip, runs=sample_trip(graph, trip, question.regime, samples=grid.samples, rng=stream))
        row.update({f"p{q}_h": reliability.percentile_h(q) for q in PERCENTILES})
    return row


def frame(rows: list[dict[str, Any]], grid: Grid) -> pd.DataFrame:
    """Rows as a DataFrame with the sweep's dtypes, so that partitions (and a Parquet read) concatenate alike."""
    import pandas as pd

    columns = grid.columns
    table = pd.DataFrame(rows, columns=list(columns))
    text = "str" if int(pd.__version__.partition(".")[0]) >= 3 else object
    for column in columns:
        if column == "departure_utc":
            table[column] = pd.to_datetime(table[column], utc=True).astype("datetime64[ns, UTC]")
        elif column in STRING_COLUMNS:
            table[column] = table[column].astype(text)
        else:
            table[column] = table[column].astype("float64")
    return table


# -- the network's fingerprint ---------------------------------------------------------------------


def fingerprint(graph: nx.MultiDiGraph) -> str:
    """
    Return a digest of everything in the network (nodes, edges, graph attributes), equal across processes and runs.

    Two networks with the same content have the same fingerprint; an edited copy has another. Python's own
    ``hash`` and pickles are not used: their order of sets changes from one process to the next.
    """
    digest = hashlib.blake2b(digest_size=16)
    seen: dict[int, tuple[object, str]] = {}  # each value kept alive, so that its id is not reused
    for text in _graph_texts(graph, seen, 0):
        digest.update(text.encode())
    return digest.hexdigest()


def _graph_texts(graph: nx.Graph, seen: dict[int, tuple[object, str]], depth: int) -> Iterator[str]:
    """Yield the canonical texts of a graph's attributes, nodes and edges (in a sorted order)."""
    yield _canonical({k: v for k, v in graph.graph.items() if k != "created_date"}, seen, depth)  # osmnx stamps the build time
    for node, data in sorted(graph.nodes(data=True), key=lambda item: repr(item[0])):
        yield _canonical((node, dict(data)), seen, depth)
    edges = graph.edges(keys=True, data=True) if graph.is_multigraph() else graph.edges(data=True)
    for edge in sorted(edges, key=lambda item: repr(item[:-1])):
        yield _canonical((*edge[:-1], dict(edge[-1])), seen, depth)


def _canonical(value: object, seen: dict[int, tuple[object, str]], depth: int = 0) -> str:
    if value is None or isinstance(value, bool | int | str | bytes):
        return repr(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if depth > 60:
        return type(value).__name__
    known = seen.get(id(value))
    if known is not None:
        return known[1]
    seen[id(value)] = (value, f"<{type(value).__name__}>")  # a cycle refers back by kind only
    inner = depth + 1
    if isinstance(value, nx.Graph):  # a graph inside the network (the rail layer's): its content, not its views
        text = "graph(" + ",".join(_graph_texts(value, seen, inner)) + ")"
    elif isinstance(value, Mapping):
        text = "{" + ",".join(sorted(f"{_canonical(k, seen, inner)}:{_canonical(v, seen, inner)}" for k, v in value.items())) + "}"
    elif isinstance(value, set | frozenset):
        text = "{" + ",".join(sorted(_canonical(v, seen, inner) for v in value)) + "}"
    elif isinstance(value, list | tuple):
        text = "(" + ",".join(_canonical(v, seen, inner) for v in value) + ")"
    elif isinstance(value, np.ndarray):
        text = f"array{value.dtype}{value.shape}{hashlib.blake2b(np.ascontiguousarray(value).tobytes(), digest_size=8).hexdigest()}"
    elif isinstance(value, np.generic):
        text = repr(value.item())
    elif hasattr(value, "wkb") and hasattr(value, "geom_type"):
        text = f"{value.geom_type}:{hashlib.blake2b(value.wkb, digest_size=8).hexdigest()}"
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        text = type(value).__name__ + _canonical({f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.compare}, seen, inner)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        public = {k: v for k, v in vars(value).items() if not k.startswith("_")}  # "_" attributes are memos (PostSchedule's)
        text = type(value).__name__ + _canonical(public, seen, inner)
    elif hasattr(type(value), "__slots__"):
        slots = [s for cls in type(value).__mro__ for s in getattr(cls, "__slots__", ())]
        text = type(value).__name__ + _canonical({s: getattr(value, s, None) for s in slots if not s.startswith("_")}, seen, inner)
    else:
        shown = repr(value)
        text = type(value).__name__ if " at 0x" in shown else shown
    seen[id(value)] = (value, text)
    return text
