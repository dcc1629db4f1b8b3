"""
The command line's text for a door-to-door trip by road and rail (``transit plan ... --modes road,rail``).

Kept apart from :mod:`transit.cli` so that each module stays one concept: here, turning a
:class:`~transit.multimodal.MultimodalTrip` into JSON, CSV or a table for people, as lines of text.
"""

from __future__ import annotations

import json

from .multimodal import MultimodalTrip

__all__ = ["multimodal_lines"]


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
