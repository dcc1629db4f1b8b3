"""
Calibration report: the model against published figures.

``routes/calibration.toml`` holds the published figures (with sources), the
scenarios that reproduce them (the 2017 pilot convoy, the "two days instead
of ten" claim; a scenario may give a ``departure_window``, in which the
hourly departure with the shortest trip is taken, as a planned convoy would) and, for each check, the range the model must fall in with the
reason for that tolerance. :func:`validate` runs the scenarios through the
same :func:`transit.plan_trip` as any user query and computes each metric from
the resulting trips; nothing here knows the expected answers.

Metrics a check can name:

``total_h``, ``total_days``, ``driving_h``, ``distance_km``, ``cost_usd``
    Of the check's scenario trip.
``moving_speed_kph``
    Distance over driving hours.
``km_in:<country>``
    Kilometres driven in a country.
``crossing_h:<crossing_id>``
    Queue, clearance and closed waits at a crossing.
``saving_days:<scenario>``, ``saving_usd:<scenario>``
    Days or USD saved by the check's scenario against another scenario.
``input_h:<regime>:<crossing_id>:<direction>``
    A model input: median queue plus clearance.
``side_h:<regime>:<crossing_id>:<direction>:<exit|entry>``
    A model input: the time at one side of a crossing (CPMM figures).

Each check has a *kind* (the ``kind`` column of :attr:`CalibrationReport.table`):

``"fit"``
    The model against a published figure: a result of the simulation, or a model input set against a figure from
    another source (reported, not asserted).
``"input"``
    A dataset input against the very figure it was taken from: a model-input metric (``input_h``, ``side_h``) with
    a zero-width tolerance (``low == high``). It only proves the figure is used unchanged, so it says nothing about
    how well the model fits and is reported apart (:attr:`CalibrationReport.fit`, :attr:`CalibrationReport.inputs`).

Examples
--------
>>> import transit
>>> report = validate(transit.load_network())
>>> bool(report.ok)
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from . import _cache
from .datasets import check_source, read_sources, read_toml, routes_dir
from .errors import DataError
from .lookup import get_regime
from .routing import plan_trip
from .trip import Trip
from .vehicles import Vehicle

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CalibrationReport", "validate"]


@dataclass(frozen=True, kw_only=True)
class Check:
    """One published figure and the model's tolerance around it."""

    id: str
    label: str
    metric: str
    scenario: str
    published: float
    unit: str
    low: float | None
    high: float | None
    tolerance: str
    source: str

    @property
    def kind(self) -> str:
        """``"input"`` for a dataset input checked against the figure it was taken from, else ``"fit"``."""
        reads_input = self.metric.partition(":")[0] in _INPUT_METRICS
        return "input" if reads_input and self.low is not None and self.low == self.high else "fit"


#: Metrics that read a model input rather than a simulated trip.
_INPUT_METRICS = frozenset({"input_h", "side_h"})


@dataclass(frozen=True, kw_only=True, eq=False)
class CalibrationReport:
    """Model against published figures.

    Attributes
    ----------
    rows
        One dict per check: ``id, kind, check, unit, published, model, error,
        error_pct, low, high, within, tolerance, source, detail``; ``kind`` is
        ``"fit"`` (the model against a published figure) or ``"input"`` (a
        dataset input against the figure it was taken from); ``detail``
        splits a saving into its parts (hours by activity, USD by cost
        component) and is empty for other metrics.
    trips
        Scenario name mapped to its simulated trip.
    """

    rows: tuple[dict[str, Any], ...]
    trips: Mapping[str, Trip] = field(default_factory=dict)

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """The rows as a DataFrame indexed by check id."""
        import pandas as pd

        return pd.DataFrame(list(self.rows)).set_index("id")

    @property
    def fit(self) -> pd.DataFrame:
        """The checks of model fit: simulated results (and inputs) against published figures."""
        return self.table[self.table["kind"] == "fit"]

    @property
    def inputs(self) -> pd.DataFrame:
        """The checks that a dataset input is the published figure it was taken from (zero-width tolerance)."""
        return self.table[self.table["kind"] == "input"]

    @property
    def ok(self) -> bool:
        """True when every check that has a tolerance is within it."""
        return all(row["within"] is not False for row in self.rows)

    @property
    def failures(self) -> list[str]:
        """Ids of checks outside their tolerance."""
        return [row["id"] for row in self.rows if row["within"] is False]


def _load(path: Path) -> tuple[dict[str, dict[str, Any]], list[Check]]:
    doc = read_toml(path)
    sources = read_sources(path.parent / "sources.csv")
    scenarios = doc.get("scenario", {})
    checks = []
    for index, spec in enumerate(doc.get("check", []), start=1):
        where = f"check {spec.get('id', index)}"
        for key in ("id", "label", "metric", "scenario", "published", "unit", "tolerance", "source"):
            if key not in spec:
                raise DataError(f"lacks key {key!r}", file=path.name, row=where, column=key)
        if spec["scenario"] not in scenarios:
            raise DataError(f"names unknown scenario {spec['scenario']!r}; known: {sorted(scenarios)}", file=path.name, row=where, column="scenario")
        check_source(str(spec["source"]), sources, file=path.name, row=where, column="source")
        low, high = spec.get("low"), spec.get("high")
        if (low is None) != (high is None) or (
            low is not None and not low <= spec["published"] <= high and spec.get("published_outside_range") is not True
        ):
            raise DataError(
                "give both low and high around the published value (or neither, for a figure reported but not asserted)",
                file=path.name,
                row=where,
                column="low",
            )
        checks.append(
            Check(
                id=str(spec["id"]),
                label=str(spec["label"]),
                metric=str(spec["metric"]),
                scenario=str(spec["scenario"]),
                published=float(spec["published"]),
                unit=str(spec["unit"]),
                low=None if low is None else float(low),
                high=None if high is None else float(high),
                tolerance=str(spec["tolerance"]),
                source=str(spec["source"]),
            )
        )
    return scenarios, checks


def _run(graph: nx.MultiDiGraph, spec: Mapping[str, Any]) -> Trip:
    """Plan the scenario; with ``departure_window``, the hourly departure in it that arrives soonest after leaving."""

    def trip_at(departure: Any) -> Trip:
        return plan_trip(
            graph,
            spec["origin"],
            spec["destination"],
            regime=spec["regime"],
            departure=departure,
            via=spec.get("via", ()),
            vehicle=Vehicle(registration=spec.get("registration", "CN"), drivers=int(spec.get("drivers", 1))),
        )

    window = spec.get("departure_window")
    if window is None:
        return trip_at(spec["departure"])
    first, last = (datetime.fromisoformat(str(w)) for w in window)
    step = timedelta(hours=float(spec.get("departure_step_h", 1)))
    best: Trip | None = None
    when = first
    while when <= last:
        trip = trip_at(when)
        if best is None or trip.total_h < best.total_h - 1e-9:
            best = trip
        when += step
    if best is None:
        msg = f"departure_window {window!r} is empty"
        raise DataError(msg, file="calibration.toml", column="departure_window")
    return best


def _metric(graph: nx.MultiDiGraph, check: Check, trips: Mapping[str, Trip]) -> float:
    trip = trips[check.scenario]
    name, _, arg = check.metric.partition(":")
    if name in ("total_h", "total_days", "driving_h", "distance_km", "cost_usd"):
        return float(getattr(trip, name))
    if name == "moving_speed_kph":
        return trip.distance_km / trip.driving_h
    if name == "km_in":
        return trip.km_by_country.get(arg, 0.0)
    if name == "crossing_h":
        return sum(e.duration_h for e in trip.events if e.crossing_id == arg and e.activity in ("queue", "clearance", "closed_wait"))
    if name == "saving_days":
        return (trips[arg].total_h - trip.total_h) / 24
    if name == "saving_usd":
        return trips[arg].cost_usd - trip.cost_usd
    if name == "input_h":
        regime_id, crossing_id, direction = arg.split(":")
        return get_regime(graph, regime_id).rule(crossing_id).expected_delay_h(direction)
    if name == "side_h":
        regime_id, crossing_id, direction, side = arg.split(":")
        exit_side, entry_side = get_regime(graph, regime_id).rule(crossing_id).sides[direction]
        return (exit_side if side == "exit" else entry_side).median_h
    msg = f"unknown metric {check.metric!r} in check {check.id!r}"
    raise DataError(msg, file="calibration.toml", row=check.id, column="metric")


#: Activities grouped as the saving's detail reports them.
_HOUR_GROUPS = (
    ("queue and clearance", ("queue", "clearance")),
    ("closed crossings", ("closed_wait",)),
    ("transshipment", ("transshipment",)),
    ("rests", ("break", "daily_rest", "weekly_rest")),
    ("driving", ("driving",)),
)


def _detail(check: Check, trips: Mapping[str, Trip]) -> str:
    """Split a ``saving_days``/``saving_usd`` metric into its parts: hours by activity, and USD by cost component."""
    name, _, other = check.metric.partition(":")
    if name not in ("saving_days", "saving_usd"):
        return ""
    base, trip = trips[other], trips[check.scenario]
    hours = ", ".join(f"{label} {sum(base.breakdown_h[a] - trip.breakdown_h[a] for a in acts):+.1f} h" for label, acts in _HOUR_GROUPS)
    if name == "saving_days":
        return f"hours saved by activity: {hours}"
    saved = {key: base.cost.as_dict()[key] - trip.cost.as_dict()[key] for key in ("time_usd", "transshipment_usd", "border_usd", "distance_usd")}
    model = trip.cost.model
    rate = f" at ${model.usd_per_h:g}/h" if model is not None else ""
    return (
        f"USD saved: time ${saved['time_usd']:,.0f} ({base.total_h - trip.total_h:+.1f} h{rate}: {hours}), "
        f"transshipment fees ${saved['transshipment_usd']:,.0f}, border payments ${saved['border_usd']:,.0f}, "
        f"distance ${saved['distance_usd']:,.0f}"
    )


@_cache.per_call
def validate(graph: nx.MultiDiGraph, *, path: str | Path | None = None) -> CalibrationReport:
    """
    Compare the model with the published figures in ``calibration.toml``.

    Parameters
    ----------
    graph
        The network to check (normally :func:`transit.load_network`).
    path
        Calibration file; default the embedded dataset's.

    Returns
    -------
    CalibrationReport
    """
    file = Path(path) if path is not None else routes_dir() / "calibration.toml"
    scenarios, checks = _load(file)
    needed = {c.scenario for c in checks} | {c.metric.partition(":")[2] for c in checks if c.metric.startswith(("saving_days:", "saving_usd:"))}
    trips = {name: _run(graph, scenarios[name]) for name in sorted(needed)}
    rows = []
    for check in checks:
        model = _metric(graph, check, trips)
        error = model - check.published
        within = None if check.low is None else bool(check.low <= model <= check.high)  # type: ignore[operator]
        rows.append(
            {
                "id": check.id,
                "kind": check.kind,
                "check": check.label,
                "unit": check.unit,
                "published": check.published,
                "model": round(model, 2),
                "error": round(error, 2),
                "error_pct": round(100 * error / check.published, 1) if check.published else math.nan,
                "low": check.low,
                "high": check.high,
                "within": within,
                "tolerance": check.tolerance,
                "source": check.source,
                "detail": _detail(check, trips),
            }
        )
    return CalibrationReport(rows=tuple(rows), trips=trips)
