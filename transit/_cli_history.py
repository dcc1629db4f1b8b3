"""
The command line's dated history, as text (private).

The table of ``transit compare --dates`` and the listing of ``transit timeline`` (and the warning notes under a
table with a row per departure): :mod:`transit.cli` declares the options and prints what these functions return.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._history_query import source_refs
from .model import Source

if TYPE_CHECKING:
    import pandas as pd

    from ._history_query import Selection
    from .comparison import Comparison

__all__ = ["dated_comparison_lines", "timeline_frame", "timeline_lines", "warning_notes"]


def _hours(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:,.1f} h"


def _signed(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:+,.1f} h".replace("-", "−")


def _columns(header: list[str], rows: list[list[str]], left: set[int]) -> list[str]:
    """Align ``rows`` under ``header``: columns in ``left`` flush left, the others right, two spaces apart."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    return [
        "  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip() for r in (header, *rows)
    ]


def dated_comparison_lines(cmp: Comparison, *, samples: int, seed: int | None) -> list[str]:
    """Return ``transit compare --dates`` as text: one line per row (departure and regime), why rows lack a route, warnings."""
    table = cmp.table
    first = next(iter(cmp.trips.values()))
    via = f" via {', '.join(cmp.via)}" if cmp.via else ""
    lines = [
        (
            f"{cmp.origin} → {cmp.destination}{via}, {len(cmp.departures)} departure(s) (local time at {cmp.origin}, "
            f"{cmp.departure:%Z}), truck {first.vehicle.registration} × {first.vehicle.drivers} driver(s)"
        ),
        "",
    ]
    percentiles = ["P50", "P90"] if samples else []
    header = ["departure", "regime", "total", "days", *percentiles, "border", "closed", "vs first", "vs previous", "crossings"]
    rows = []
    for label in table.index:
        row = table.loc[label]
        ok = row["status"] == "ok"
        departure = cmp.row_departures[str(label)]
        rows.append(
            [
                f"{departure:%Y-%m-%d %H:%M}",
                str(row["regime"]),
                _hours(row["total_h"]) if ok else "no route",
                f"{row['total_days']:.2f} d" if ok else "–",
                *(_hours(row[f"p{q}_h"]) for q in (50, 90) if samples),
                _hours(row["border_h"]),
                _hours(row["closed_wait_h"]),
                _signed(row["saving_h"]) if label != cmp.baseline else "–",
                _signed(row["saving_vs_previous_h"]),
                str(row["route"]) if ok else "–",
            ]
        )
    lines.extend(_columns(header, rows, left={0, 1, len(header) - 1}))
    lines.append("")
    lines.append(
        "border: queue and clearance; closed: waiting at closed crossings; vs first, vs previous: hours saved against the first row "
        "and the row above (positive: faster)."
    )
    for label, message in cmp.errors.items():
        lines.append(f"\n{label}: {message}")
    notes = warning_notes({label: trip.warnings for label, trip in cmp.trips.items() if trip.warnings})
    if notes:
        lines.append("")
        lines.extend(notes)
    if samples:
        lines.append(f"\nPercentiles: {samples:,} samples of the border delays along each row's planned route (seed {seed}).")
    lines.append("\nEvery step of one row: `transit plan ... --depart <its date> --regime <its regime>`.")
    return lines


def warning_notes(warnings_by_row: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Return the note under a table: each distinct warning once, with the rows (departures) it concerns."""
    rows_by_text: dict[str, list[str]] = {}
    for row, texts in warnings_by_row.items():
        for text in texts:
            rows_by_text.setdefault(text, []).append(row)
    return [f"warning ({', '.join(rows) if len(rows) <= 3 else f'{len(rows)} rows'}): {text}" for text, rows in rows_by_text.items()]


def _source_text(text: str, sources: Mapping[str, Source]) -> str:
    """Return a source cell with each id followed by its title and URL."""
    parts = source_refs(text, sources)
    cited = [f"{s['id']} ({s['title']}{', ' + s['url'] if s['url'] else ''})" if s["title"] else s["id"] for s in parts["sources"]]
    return "; ".join([*cited, *([parts["estimate"]] if parts["estimate"] else [])])


def timeline_lines(selection: Selection, sources: Mapping[str, Source]) -> list[str]:
    """Return ``transit timeline`` as text: the base periods, then one block per event."""
    timeline = selection.timeline
    filters = selection.describe()
    lines = [
        (
            f"Dated history ({timeline.source_file}): {len(timeline.periods)} period(s), {len(timeline.events)} event(s); "
            f"{len(selection.events)} shown{' ' + filters if filters else ''}."
        ),
        "",
        "Periods (the base regime in force; events apply on top):",
    ]
    period_rows = [
        [p.start.isoformat(), "–", p.end.isoformat() if p.end else "(open)", p.regime, _source_text(p.source, sources)] for p in timeline.periods
    ]
    lines.extend("  " + line for line in _columns(["from", "", "to", "regime", "source"], period_rows, left={0, 1, 2, 3, 4})[1:])
    lines.append("")
    if not selection.events:
        lines.append(f"No events{' ' + filters if filters else ''}.")
        return lines
    lines.append("Events (from, to exclusive; a date means local midnight at the crossing):")
    for event in selection.events:
        end = event.end.isoformat() if event.end is not None else "(still in force)"
        lines.append("")
        lines.append(f"{event.start.isoformat()} → {end}  {event.id}  [{event.status}]  {', '.join(event.crossings)}")
        lines.append(f"    {event.title}")
        details: list[tuple[str, Any]] = [
            ("directions", ", ".join(event.directions)),
            ("changes", _changes(event.changes)),
            ("sources", _source_text(event.source, sources)),
            ("note", event.note),
            ("disagreement", event.disagreement),
        ]
        lines.extend(f"    {name}: {value}" for name, value in details if value)
    return lines


def _changes(changes: Mapping[str, Any]) -> str:
    def show(value: Any) -> str:
        if isinstance(value, Mapping):
            return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
        return str(value).lower() if isinstance(value, bool) else str(value)

    return "; ".join(f"{k} = {show(v)}" for k, v in changes.items())


def timeline_frame(selection: Selection, sources: Mapping[str, Source]) -> pd.DataFrame:
    """Return the events as a table for CSV: the columns of :meth:`~transit.timeline.Timeline.to_frame` and ``sources`` resolved."""
    frame = selection.timeline.to_frame(selection.events)
    frame.insert(frame.columns.get_loc("source") + 1, "sources", [_source_text(e.source, sources) for e in selection.events])
    return frame
