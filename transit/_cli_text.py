"""
The command line's text for one trip: its timeline as a table or CSV, its totals, and its percentiles.

Kept apart from :mod:`transit.cli` (which parses the commands) so that ``transit plan`` and ``transit
reliability`` print a road :class:`~transit.trip.Trip` and a door-to-door
:class:`~transit.multimodal.MultimodalTrip` with the same code: one timeline table (with a ``mode`` column when
the trip has one), one CSV, one percentile block.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .errors import InvalidArgumentError
from .multimodal import DoorToDoorReliability, MultimodalTrip
from .serialize import trip_to_dict
from .trip import Trip

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["door_to_door_lines", "percentile_lines", "timeline_csv", "trip_lines", "write_atomically"]


def timeline_csv(timeline: pd.DataFrame) -> str:
    """Return a trip's timeline as CSV: local start and end in ISO 8601, hours to three decimals."""
    out = timeline.drop(columns=["start", "end"])
    out["local_start"] = [t.isoformat() for t in out["local_start"]]
    out["local_end"] = [t.isoformat() for t in out["local_end"]]
    return str(out.to_csv(index=False, float_format="%.3f")).rstrip()


def _table(timeline: pd.DataFrame) -> list[str]:
    """Return the timeline for people: columns as wide as their content, the time zone column naming the zone's city."""
    with_mode = "mode" in timeline.columns
    header = ("local start", "time zone", *(("mode",) if with_mode else ()), "activity", "hours", "km", "where")
    rows = [
        (
            f"{row.local_start:%a %d %b %H:%M}",
            row.tz.split("/")[-1],
            *((row.mode,) if with_mode else ()),
            row.activity,
            f"{row.duration_h:.2f}",
            f"{row.distance_km:,.0f}" if row.distance_km else "",
            row.place + (f"  [{row.note}]" if row.note else ""),
        )
        for row in timeline.itertuples()
    ]
    widths = [max(len(cells[i]) for cells in (header, *rows)) for i in range(len(header))]
    right = [name in ("hours", "km") for name in header]
    return ["  ".join(f"{c:>{w}}" if r else f"{c:<{w}}" for c, w, r in zip(cells, widths, right, strict=True)).rstrip() for cells in (header, *rows)]


def trip_lines(trip: Trip | MultimodalTrip, fmt: str) -> list[str]:
    """
    Return the lines ``transit plan`` prints for ``trip`` in format ``fmt`` (``"json"``, ``"csv"`` or ``"table"``).

    Examples
    --------
    >>> import transit
    >>> trip = transit.plan_multimodal(transit.load_network(), "Urumqi", "Almaty", modes=("rail",), departure="2024-06-03T08:00")
    >>> trip_lines(trip, "table")[2].split()[:5]
    ['local', 'start', 'time', 'zone', 'mode']
    """
    if fmt == "json":
        return [json.dumps(trip.to_dict() if isinstance(trip, MultimodalTrip) else trip_to_dict(trip), indent=2, ensure_ascii=False)]
    if fmt == "csv":
        return [timeline_csv(trip.timeline)]
    lines = [repr(trip)]
    if isinstance(trip, Trip):
        places = (("origin", trip.snapped_km[0], trip.origin_name), ("destination", trip.snapped_km[1], trip.destination_name))
        lines += [f"{end} snapped {km:.1f} km to {name}" for end, km, name in places if km]
    lines += [f"warning: {text}" for text in trip.warnings]
    lines += ["", *_table(trip.timeline), ""]
    lines.append("  ".join(f"{k} {v:.1f} h" for k, v in trip.breakdown_h.items() if v))
    lines.append("cost: " + ", ".join(f"{k} ${v:,.0f}" for k, v in trip.cost.as_dict().items()))
    return lines


def percentile_lines(rel: Any, percentiles: Iterable[int] = (50, 90, 95)) -> list[str]:
    """Return the percentile block of a :class:`~transit.uncertainty.Reliability` or a door-to-door one."""
    lines = [f"  P{q:<3} {rel.percentile_h(q):7.1f} h   arrives by {rel.arrival_at(q):%a %d %b %H:%M %Z}" for q in percentiles]
    lines.append(f"  mean {rel.mean_h:7.1f} h")
    return lines


def door_to_door_lines(rel: DoorToDoorReliability, fmt: str, *, seed: int | None, deadline: str | None) -> list[str]:
    """Return the lines ``transit reliability --modes ...`` prints: JSON (the summary), CSV (hours per sample) or a table."""
    summary = rel.summary()
    if deadline is not None:
        summary["on_time_probability"] = round(rel.on_time_probability(deadline), 4)
    if fmt == "json":
        return [json.dumps({**summary, "seed": seed}, indent=2, ensure_ascii=False)]
    if fmt == "csv":
        return ["sample,total_h", *(f"{i},{h:.4f}" for i, h in enumerate(rel.total_h))]
    trip = rel.trip
    lines = [
        (
            f"{trip.origin_name} → {trip.destination_name} ({trip.regime}, {' / '.join(trip.modes)}), "
            f"departing {trip.departure:%Y-%m-%d %H:%M %Z (%a)}: {trip.route}"
        ),
        f"{rel.samples:,} samples (seed {seed}); deterministic (median delays): {trip.total_h:.1f} h, arriving {trip.arrival:%a %d %b %H:%M}",
        "",
        *percentile_lines(rel),
    ]
    if deadline is not None:
        lines.append(f"\nOn time by {deadline}: {summary['on_time_probability']:.1%}")
    return lines


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory: no partial file on failure."""
    import tempfile
    from pathlib import Path

    target = Path(path)
    if not target.parent.exists():
        msg = f"cannot write {path!r}: directory {str(target.parent)!r} does not exist; create it or choose another --output"
        raise InvalidArgumentError(msg)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False) as handle:
        tmp = Path(handle.name)
        try:
            handle.write(text)
        except BaseException:
            handle.close()
            tmp.unlink(missing_ok=True)
            raise
    tmp.replace(target)
