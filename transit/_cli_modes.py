"""
The command line's text for a door-to-door trip by road and rail (``transit plan ... --modes road,rail``).

Kept apart from :mod:`transit.cli` so that each module stays one concept: here, turning a
:class:`~transit.multimodal.MultimodalTrip` into JSON, CSV or a table for people, as lines of text.
"""

from __future__ import annotations

import json

from .multimodal import DoorToDoorReliability, MultimodalTrip

__all__ = ["door_to_door_lines", "multimodal_lines"]


def multimodal_lines(trip: MultimodalTrip, fmt: str) -> list[str]:
    """
    Return the lines ``transit plan`` prints for ``trip`` in format ``fmt`` (``"json"``, ``"csv"`` or ``"table"``).

    Examples
    --------
    >>> import transit
    >>> trip = transit.plan_multimodal(transit.load_network(), "Urumqi", "Almaty", modes=("rail",), departure="2024-06-03T08:00")
    >>> multimodal_lines(trip, "table")[2].split()[:4]
    ['local', 'start', 'time', 'zone']
    """
    if fmt == "json":
        return [json.dumps(trip.to_dict(), indent=2, ensure_ascii=False)]
    timeline = trip.timeline
    if fmt == "csv":
        out = timeline.drop(columns=["start", "end"])
        out["local_start"] = [t.isoformat() for t in out["local_start"]]
        out["local_end"] = [t.isoformat() for t in out["local_end"]]
        return [out.to_csv(index=False, float_format="%.3f").rstrip()]
    header: tuple[str, ...] = ("local start", "time zone", "mode", "activity", "hours", "km", "where")
    rows = [
        (
            f"{row.local_start:%a %d %b %H:%M}",
            row.tz.split("/")[-1],
            row.mode,
            row.activity,
            f"{row.duration_h:.2f}",
            f"{row.distance_km:,.0f}" if row.distance_km else "",
            row.place + (f"  [{row.note}]" if row.note else ""),
        )
        for row in timeline.itertuples()
    ]
    widths = [max(len(cells[i]) for cells in (header, *rows)) for i in range(len(header))]
    right = (False, False, False, False, True, True, False)
    lines = [repr(trip), ""]
    lines += [
        "  ".join(f"{c:>{w}}" if r else f"{c:<{w}}" for c, w, r in zip(cells, widths, right, strict=True)).rstrip() for cells in (header, *rows)
    ]
    lines += ["", "  ".join(f"{k} {v:.1f} h" for k, v in trip.breakdown_h.items() if v)]
    lines.append("cost: " + ", ".join(f"{k} ${v:,.0f}" for k, v in trip.cost.as_dict().items()))
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
    ]
    lines += [f"  P{q:<3} {rel.percentile_h(q):7.1f} h   arrives by {rel.arrival_at(q):%a %d %b %H:%M %Z}" for q in (50, 90, 95)]
    lines.append(f"  mean {rel.mean_h:7.1f} h")
    if deadline is not None:
        lines.append(f"\nOn time by {deadline}: {summary['on_time_probability']:.1%}")
    return lines
