"""
Pictures of trips: the time/cost-distance chart, a timeline, and a map.

The field's own picture is the UNESCAP time/cost-distance chart: cumulative distance on x, cumulative time (or
cost) on y, a sloped line while the truck drives and a vertical step wherever it stands still: at each border
(queue, clearance, closed wait, transshipment) and for the crew's rests. :func:`time_distance` draws it from routed
trips in one call, one line per regime, with a percentile band when samples are at hand. :func:`timeline` is a Gantt
chart of one trip's activities and :func:`map` a folium map of the routes with the crossings coloured by the time
spent there. :func:`corridor_status` draws the corridor's dated history: each crossing's status over the years.

This module imports matplotlib and folium (the ``plot`` extra, ``pip install 'sco-transit[plot]'``; without them it
raises :class:`~transit.errors.MissingExtraError` naming that command); ``import transit`` does not import it until
``transit.plot`` is used.
Figures are returned, never shown (in Jupyter, a returned figure displays itself). Colours are the Okabe-Ito
palette, which stays distinguishable with the common colour-vision deficiencies; regimes also differ by line style.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> cmp = transit.compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "history"],
...                       departure="2017-10-30T08:00", via=["Irkeshtam"])
>>> fig = time_distance(cmp)
>>> [line.get_label() for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
['pre-2017: 130.4 h', 'history: 33.7 h']
>>> fig.axes[0].get_xlabel()
'Distance (km)'
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ._extras import missing_extra
from ._history_query import as_day, check_range, resolve_crossing, timeline_of
from ._modes_chart import add_to_map
from ._modes_chart import draw as draw_modes
from ._outlines import asset_bytes, country_outlines
from ._palette import ACTIVITY_COLOURS, BORDER_ACTIVITIES, DELAY_BINS, PALETTE, delay_colour
from ._units import HOUR_S
from ._validate import check_network
from .comparison import Comparison
from .crossings import Crossing
from .errors import ArgumentTypeError, InvalidArgumentError, short_repr
from .multimodal import MultimodalTrip
from .regimes import CrossingRule
from .timeline import History, TimelineEvent, history_of
from .trip import ACTIVITIES, Trip
from .uncertainty import Reliability

try:
    from matplotlib.figure import Figure
except ModuleNotFoundError as _exc:  # the 'plot' extra is not installed
    raise missing_extra("plot", _exc) from None

if TYPE_CHECKING:
    import folium
    import networkx as nx
    from branca.element import Figure as HtmlFigure
    from matplotlib.axes import Axes

__all__ = ["ACTIVITY_COLOURS", "PALETTE", "STATUS_COLOURS", "corridor_status", "map", "time_distance", "timeline"]

_LINESTYLES = ("-", "--", "-.", ":")
_RAIL_ROWS = ("rail", "train_wait", "rail_border", "gauge_change", "transfer")
#: Colour of each crossing status in :func:`corridor_status` (Okabe-Ito), from open to closed.
STATUS_COLOURS = {
    "open": "#009E73",
    "delays": "#56B4E9",
    "restricted": "#CC79A7",
    "one-way": "#E69F00",
    "closed": "#D55E00",
}


def _trips(obj: Any) -> dict[str, Trip]:
    """Label -> trip for a Trip, a Comparison, a Reliability, or a mapping of labels to those (road trips; see :func:`_door_to_door`)."""
    if isinstance(obj, Trip):
        return {obj.regime: obj}
    if isinstance(obj, Reliability):
        return {obj.trip.regime: obj.trip}
    if isinstance(obj, Comparison):
        return {r: trip for r in obj.rows if isinstance(trip := obj.trips.get(r), Trip)}
    if isinstance(obj, MultimodalTrip):
        return {}
    if isinstance(obj, Mapping) and obj and all(isinstance(v, Trip | Reliability | MultimodalTrip) for v in obj.values()):
        return {str(k): v.trip if isinstance(v, Reliability) else v for k, v in obj.items() if not isinstance(v, MultimodalTrip)}
    msg = f"expected a Trip, Comparison, Reliability or a dict of trips (or a door-to-door MultimodalTrip); got {type(obj).__name__}"
    raise InvalidArgumentError(msg)


def _door_to_door(obj: Any) -> dict[str, MultimodalTrip]:
    """Label -> door-to-door trip (road and rail) in a MultimodalTrip, a Comparison of modes, or a mapping."""
    if isinstance(obj, MultimodalTrip):
        return {"+".join(obj.allowed): obj}
    if isinstance(obj, Comparison):
        return {r: trip for r in obj.rows if isinstance(trip := obj.trips.get(r), MultimodalTrip)}
    if isinstance(obj, Mapping):
        return {str(k): v for k, v in obj.items() if isinstance(v, MultimodalTrip)}
    return {}


def _samples(obj: Any) -> dict[str, Reliability]:
    if isinstance(obj, Reliability):
        return {obj.trip.regime: obj}
    if isinstance(obj, Comparison):
        return {k: v for k, v in obj.reliability.items() if isinstance(v, Reliability)}  # door-to-door rows: no band yet
    if isinstance(obj, Mapping):
        return {str(k): v for k, v in obj.items() if isinstance(v, Reliability)}
    return {}


def _crossing_name(place: str) -> str:
    return place.split(" (", maxsplit=1)[0]


def profile(trip: Trip, *, y: str = "time") -> tuple[np.ndarray, np.ndarray, list[tuple[float, float, float, str, str]]]:
    """
    Return the chart's line for one trip.

    Parameters
    ----------
    trip
        A planned or simulated trip.
    y
        ``"time"`` (hours since departure) or ``"cost"`` (USD spent so far).

    Returns
    -------
    (x_km, y, steps)
        Vertices of the line, and the stationary steps at crossings as ``(x_km, y_from, y_to, crossing name,
        main activity)``.

    Examples
    --------
    >>> import transit
    >>> trip = transit.plan_trip(transit.load_network(), "Kashgar", "Osh", departure="2017-10-30T08:00")
    >>> x, t, steps = profile(trip)
    >>> round(float(x[-1]), 1) == round(trip.distance_km, 1), round(float(t[-1]), 4) == round(trip.total_h, 4)
    (True, True)
    >>> [name for _, _, _, name, _ in steps]
    ['Irkeshtam']
    """
    if y not in ("time", "cost"):
        msg = f"y={y!r} is not understood; expected 'time' or 'cost'"
        raise InvalidArgumentError(msg)
    model = trip.cost.model
    if y == "cost" and model is None:
        msg = "this trip's cost carries no cost model; plan it with transit.plan_trip to draw its cost-distance chart"
        raise InvalidArgumentError(msg)
    border = dict(trip.cost.border_by_crossing)
    xs, ys = [0.0], [0.0]
    steps: list[tuple[float, float, float, str, str]] = []
    current: dict[str, Any] | None = None
    for event in trip.events:
        hours = event.duration_h
        if y == "time" or model is None:  # model is None only for y == "time" (checked above)
            dy = hours
        else:
            dy = hours * model.usd_per_h + event.distance_km * model.usd_per_km(event.country)
            if event.activity == "transshipment":
                dy += model.transshipment_usd
        cid = event.crossing_id or (event.segment_id.removesuffix(":link") if event.segment_id.endswith(":link") else "")
        if current is not None and cid != current["id"]:
            steps.append((current["x"], current["y0"], ys[-1], current["name"], max(current["by"], key=current["by"].get)))
            current = None
        if event.segment_id.endswith(":link") and y == "cost":
            bump = border.pop(cid, 0.0)  # border payments: a step before the link between the posts
            xs.append(xs[-1])
            ys.append(ys[-1] + bump)
        if event.crossing_id and event.activity in BORDER_ACTIVITIES:
            if current is None:
                current = {"id": cid, "x": xs[-1], "y0": ys[-1], "name": _crossing_name(event.place), "by": {}}
            current["by"][event.activity] = current["by"].get(event.activity, 0.0) + hours
        xs.append(xs[-1] + event.distance_km)
        ys.append(ys[-1] + dy)
    if current is not None:
        steps.append((current["x"], current["y0"], ys[-1], current["name"], max(current["by"], key=current["by"].get)))
    return np.asarray(xs), np.asarray(ys), steps


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def time_distance(
    obj: Trip | MultimodalTrip | Comparison | Reliability | Mapping[str, Trip | Reliability | MultimodalTrip],
    *,
    y: str = "time",
    ax: Axes | None = None,
    band: tuple[float, float] = (10, 90),
    annotate: bool = True,
    figsize: tuple[float, float] = (9.0, 5.5),
) -> Figure:
    """
    Draw the UNESCAP time-distance (or cost-distance) chart of one or more trips.

    Parameters
    ----------
    obj
        A :class:`~transit.trip.Trip`, a :class:`~transit.comparison.Comparison` (one line per regime, or mode
        set), a :class:`~transit.uncertainty.Reliability`, a door-to-door
        :class:`~transit.multimodal.MultimodalTrip` (truck stretches solid, train dash-dotted), or a dict of labels
        to those.
    y
        ``"time"`` (hours since departure) or ``"cost"`` (cumulative USD).
    ax
        Draw into these axes; default a new figure.
    band
        With samples (``compare(..., samples=...)`` or a Reliability), shade this percentile range of the time
        at each crossing and at arrival. Time charts only.
    annotate
        Label the steps at crossings with the crossing's name and hours (or USD).
    figsize
        Size of a new figure, inches.

    Returns
    -------
    matplotlib.figure.Figure
        Not shown; in Jupyter it displays itself. ``fig.savefig("chart.png")`` writes it.
    """
    trips = _trips(obj)
    mixed = _door_to_door(obj)
    samples = _samples(obj) if y == "time" else {}
    fig, axes = _axes(ax, figsize)
    unit = "h" if y == "time" else "USD"
    for j, (label, door) in enumerate(mixed.items(), start=len(trips)):
        draw_modes(axes, label, door, PALETTE[j % len(PALETTE)], y=y)
    for i, (label, trip) in enumerate(trips.items()):
        colour, style = PALETTE[i % len(PALETTE)], _LINESTYLES[i % len(_LINESTYLES)]
        xs, ys, steps = profile(trip, y=y)
        total = f"{ys[-1]:,.1f} h" if y == "time" else f"${ys[-1]:,.0f}"
        axes.plot(xs, ys, color=colour, linestyle=style, linewidth=2, label=f"{label}: {total}")
        rel = samples.get(label)
        if rel is not None:
            bx, lo, hi = _band(rel, trip, xs, band)
            axes.fill_between(
                bx, lo, hi, color=colour, alpha=0.18, linewidth=0, label=f"{label}: P{band[0]:g}–P{band[1]:g} of {rel.samples:,} samples"
            )
        for x, y0, y1, name, activity in steps:
            if annotate and y1 - y0 > 0:
                amount = f"{y1 - y0:.1f} h" if y == "time" else f"${y1 - y0:,.0f}"
                left = i % 2 == 1  # alternate sides between lines, so that labels of nearby steps do not overlap
                axes.annotate(
                    f"{name}\n{amount} ({activity.replace('_', ' ')})",
                    xy=(x, (y0 + y1) / 2),
                    xytext=(-6 if left else 6, 0),
                    textcoords="offset points",
                    fontsize=8,
                    color=colour,
                    va="center",
                    ha="right" if left else "left",
                )
            axes.plot([x, x], [y0, y1], color=colour, linewidth=4, alpha=0.5, solid_capstyle="butt")
    every: list[Trip | MultimodalTrip] = [*trips.values(), *mixed.values()]
    first = every[0]
    axes.set_xlabel("Distance (km)")
    axes.set_ylabel("Time since departure (h)" if y == "time" else "Cumulative cost (USD)")
    what = "Time" if y == "time" else "Cost"
    departures = {trip.departure for trip in every}
    when = f"departing {first.departure:%a %d %b %Y %H:%M %Z}" if len(departures) == 1 else f"{len(departures)} departures, time since each"
    axes.set_title(f"{what}-distance: {first.origin_name} → {first.destination_name}, {when}")
    axes.set_xlim(left=0)
    axes.set_ylim(bottom=0)
    axes.grid(visible=True, color="#dddddd", linewidth=0.6)
    axes.legend(loc="upper left", fontsize=9, frameon=False)
    axes.text(
        0.99,
        0.01,
        f"vertical steps: standing still (borders, rests); unit {unit}" + ("; truck solid, train dash-dot, transfer dotted" if mixed else ""),
        transform=axes.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        color="#666666",
    )
    return fig


def _band(rel: Reliability, trip: Trip, xs: np.ndarray, band: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile band of elapsed hours on reaching and on leaving each crossing and at arrival, against distance."""
    lo_q, hi_q = band
    if not 0 <= lo_q < hi_q <= 100:
        msg = f"band={band!r} must be two percentiles with 0 <= low < high <= 100"
        raise InvalidArgumentError(msg)
    km_before: dict[str, float] = {}
    km_after: dict[str, float] = {}
    km = 0.0
    for event in trip.events:
        if event.crossing_id and event.crossing_id not in km_before:
            km_before[event.crossing_id] = km
        km += event.distance_km
        if event.segment_id.endswith(":link"):
            cid = event.segment_id.removesuffix(":link")
            km_after[cid] = km
            km_before.setdefault(cid, km - event.distance_km)
    points = [(0.0, np.zeros(1))]
    for cid in rel.runs.crossings:
        if cid in rel.runs.reach_s and cid in km_before:
            points.append((km_before[cid], rel.runs.reach_s[cid] / HOUR_S))
        if cid in rel.runs.passage_s and cid in km_after:
            points.append((km_after[cid], rel.runs.passage_s[cid] / HOUR_S))
    points.append((float(xs[-1]), rel.samples_h))
    bx = np.array([p[0] for p in points])
    lo = np.array([np.percentile(p[1], lo_q) for p in points])
    hi = np.array([np.percentile(p[1], hi_q) for p in points])
    return bx, lo, hi


def timeline(obj: Trip | MultimodalTrip | Reliability, *, ax: Axes | None = None, figsize: tuple[float, float] = (10.0, 3.8)) -> Figure:
    """
    Draw a Gantt chart of one trip: driving, breaks, rests, queues, clearance, closed crossings, transshipment.

    Parameters
    ----------
    obj
        A :class:`~transit.trip.Trip` (for a comparison, pass ``cmp.trips["sco-2017"]``), or a door-to-door
        :class:`~transit.multimodal.MultimodalTrip` (the train's rows hatched).
    ax
        Draw into these axes; default a new figure.
    figsize
        Size of a new figure, inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import transit
    >>> trip = transit.plan_trip(transit.load_network(), "Kashgar", "Osh", departure="2017-10-30T08:00")
    >>> fig = timeline(trip)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()][:2]
    ['driving', 'break']
    """
    trip: object = obj.trip if isinstance(obj, Reliability) else obj  # checked at run time: callers pass anything
    if not isinstance(trip, Trip | MultimodalTrip):
        msg = f"expected a Trip or a MultimodalTrip; got {type(obj).__name__} (for a comparison pass cmp.trips['sco-2017'])"
        raise InvalidArgumentError(msg)
    fig, axes = _axes(ax, figsize)
    t0 = trip.departure.timestamp()
    events = [e for _, e in trip.events] if isinstance(trip, MultimodalTrip) else list(trip.events)
    present = [a for a in (*ACTIVITIES, *_RAIL_ROWS) if any(e.activity == a for e in events)]
    rows = {a: i for i, a in enumerate(present)}
    for activity in present:
        spans = [((e.start - t0) / HOUR_S, e.duration_h) for e in events if e.activity == activity]
        hatch = "//" if activity in _RAIL_ROWS else None
        axes.broken_barh(spans, (rows[activity] - 0.4, 0.8), facecolors=ACTIVITY_COLOURS[activity], edgecolor="white", linewidth=0.3, hatch=hatch)
    labelled: set[str] = set()
    for e in events:
        if e.crossing_id and e.activity in BORDER_ACTIVITIES and e.crossing_id not in labelled:
            labelled.add(e.crossing_id)
            axes.annotate(_crossing_name(e.place), xy=((e.start - t0) / HOUR_S, rows[e.activity] + 0.45), fontsize=8, va="bottom")
    axes.set_yticks(range(len(present)), list(present))
    axes.invert_yaxis()
    axes.set_xlim(0, max(trip.total_h, 1e-9))
    axes.set_xlabel(f"Hours since departure ({trip.departure:%a %d %b %H:%M %Z})")
    how = f"{trip.regime}, {' / '.join(trip.modes)}" if isinstance(trip, MultimodalTrip) else trip.regime
    axes.set_title(f"{trip.origin_name} → {trip.destination_name} ({how}): {trip.total_h:.1f} h, arriving {trip.arrival:%a %d %b %H:%M %Z}")
    axes.grid(visible=True, axis="x", color="#dddddd", linewidth=0.6)
    return fig


# -- the corridor's history ------------------------------------------------------------------------

#: The first day :func:`corridor_status` draws by default.
HISTORY_START = date(2010, 1, 1)


def _status(rule: CrossingRule, directions: tuple[str, ...], events: tuple[TimelineEvent, ...]) -> str:
    """Return a crossing's status under one dated rule (see :func:`corridor_status`)."""
    open_ways = [d for d in directions if rule.open_in(d)]
    if not open_ways:
        return "closed"
    if len(open_ways) < len(directions):
        return "one-way"
    # The rule lets freight through both ways: an event that calls itself closed or one-way is overridden by a later
    # one, or closes the crossing to some trucks only (a transfer, a registration): restricted at most.
    said = {"closed": "restricted", "one-way": "restricted"}
    return max((said.get(e.status, e.status) for e in events), key=_SEVERITY.index, default="open")


_SEVERITY = ("open", "delays", "restricted", "one-way", "closed")
#: Event labels of :func:`corridor_status`: font size, the rows' offsets above a lane and a character's width, points.
_LABEL_FONT_PT = 7
_LABEL_ROWS_PT = (2, 10, 18)
_CHAR_PT = 0.62 * _LABEL_FONT_PT


def _spans(history: History, crossing: Crossing, lo: float, hi: float, events: Mapping[str, TimelineEvent]) -> list[tuple[float, float, str]]:
    """Return ``(start, end, status)`` spans (POSIX seconds) of one crossing between ``lo`` and ``hi``, runs of one status merged."""
    pieces = history.pieces[crossing.id]
    bounds = [*pieces.starts[1:], math.inf]
    spans: list[tuple[float, float, str]] = []
    for first, last, rule, ids in zip(pieces.starts, bounds, pieces.rules, pieces.events, strict=True):
        a, b = max(first, lo), min(last, hi)
        if a >= b:
            continue
        status = _status(rule, crossing.directions, tuple(events[i] for i in ids if i in events))
        if spans and spans[-1][2] == status and spans[-1][1] == a:
            spans[-1] = (spans[-1][0], b, status)
        else:
            spans.append((a, b, status))
    return spans


def corridor_status(
    net: nx.MultiDiGraph,
    *,
    crossings: Sequence[str] | str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """
    Draw each crossing's status over the years, from the network's dated timeline, with the events labelled.

    One horizontal lane per crossing; each stretch of time is coloured by the crossing's status under the rules in
    force then (the rules ``regime="history"`` plans with): **closed** when the rule does not let freight through in
    either direction, **one-way** when it lets it through in one only, otherwise the most severe status the events in
    force give themselves (**restricted**, e.g. trailer swaps or some registrations turned back, then **delays**),
    else **open**. An event that calls itself closed or one-way while the rule lets freight through both ways (a
    later event overrides it, or it closes the crossing to some trucks only) counts as restricted. Each event is
    labelled with its id where it starts (at the left edge if it starts before ``start``).

    Parameters
    ----------
    net
        A network with a dated timeline (``net.graph["timeline"]``).
    crossings
        Crossing ids or names, one lane each, top to bottom. Default: every crossing with an event, in the network's
        order.
    start, end
        The dates drawn (ISO strings accepted). Default: 2010-01-01 to today.
    ax
        Draw into these axes; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.figure.savefig("status.png")`` writes it; in Jupyter, ``ax.figure`` displays itself.

    Raises
    ------
    UnknownIdError
        For a crossing the network does not have, with close matches.
    InvalidDepartureError, InvalidArgumentError
        For a date that cannot be read, or ``end`` before ``start``; InvalidArgumentError also for a network without
        a timeline or no crossing to draw, and its ArgumentTypeError for ``crossings`` that are not a list of names.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> ax = corridor_status(net, crossings=["irkeshtam", "Dostuk"], start="2016-01-01", end="2024-12-31")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Irkeshtam', 'Dostuk/Dustlik']
    >>> "kg-cn-covid-closure-2020" in [t.get_text() for t in ax.texts]
    True
    >>> ax.figure.savefig("corridor-status.png")  # doctest: +SKIP
    """
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch

    check_network(net)
    timeline = timeline_of(net)
    first = as_day(start, "start") or HISTORY_START
    last = as_day(end, "end") or date.today()  # noqa: DTZ011 - the default end: today where the chart is drawn
    check_range(first, last, ("start", "end"))
    all_crossings: Mapping[str, Crossing] = net.graph["crossings"]
    if crossings is None:
        touched = {c for e in timeline.events for c in e.crossings}
        lanes = [cid for cid in all_crossings if cid in touched]
    elif isinstance(crossings, str) or (isinstance(crossings, Iterable) and not isinstance(crossings, Mapping)):
        asked = [crossings] if isinstance(crossings, str) else list(crossings)
        lanes = list(dict.fromkeys(resolve_crossing(net, c) for c in asked))
    else:
        msg = f"crossings={short_repr(crossings)} is not a list of crossing ids or names; pass e.g. crossings=['irkeshtam', 'dostuk']"
        raise ArgumentTypeError(msg)
    if not lanes:
        why = "the timeline has no events" if crossings is None else "crossings is empty"
        msg = f"there is no crossing to draw: {why}; pass crossings=['irkeshtam', ...]"
        raise InvalidArgumentError(msg)
    history = history_of(net)
    events = {e.id: e for e in timeline.events}
    _, axes = _axes(ax, (11.0, 1.2 + 0.7 * len(lanes)))

    def when(t: float) -> float:
        return float(mdates.date2num(datetime.fromtimestamp(t, UTC)))  # type: ignore[no-untyped-call]  # matplotlib.dates is not annotated

    # The axis runs in UTC from the first day's start to the last day's end; the rules change at their own instants
    # (a date in timeline.toml is local midnight at the crossing).
    lo = datetime.combine(first, time(0), UTC).timestamp()
    hi = datetime.combine(last + timedelta(days=1), time(0), UTC).timestamp()
    # Label widths in days: the axes' width in points (before layout, a little less) against the days drawn.
    width_pt = axes.get_window_extent().width * 72 / axes.figure.dpi * 0.85
    per_pt = (when(hi) - when(lo)) / max(width_pt, 1.0)
    omitted = 0
    for lane, cid in enumerate(lanes):
        crossing = all_crossings[cid]
        tz = crossing.posts[0].tz
        for a, b, status in _spans(history, crossing, lo, hi, events):
            axes.barh(lane, when(b) - when(a), left=when(a), height=0.5, color=STATUS_COLOURS[status], edgecolor="none", label=f"_{cid}:{status}")
        shown = [e for e in timeline.events if cid in e.crossings and e.start_s(tz) < hi and e.end_s(tz) > lo]
        starts = {e.id: when(max(e.start_s(tz), lo)) for e in shown}
        for x in starts.values():
            axes.plot([x, x], [lane - 0.3, lane + 0.3], color="#222222", linewidth=0.8)
        # Labels in up to three rows above the lane, the more severe events first; one that would overlap every row
        # is left out (its tick stays) and counted in a note.
        rows: list[list[tuple[float, float]]] = [[] for _ in _LABEL_ROWS_PT]
        for event in sorted(shown, key=lambda e: (-_SEVERITY.index(e.status), starts[e.id])):
            x0 = starts[event.id]
            x1 = x0 + (4 + _CHAR_PT * len(event.id)) * per_pt
            row = next((r for r, placed in enumerate(rows) if all(x1 <= a or x0 >= b for a, b in placed)), None)
            if row is None:
                omitted += 1
                continue
            rows[row].append((x0, x1))
            axes.annotate(
                event.id,
                xy=(x0, lane - 0.3),
                xytext=(2, _LABEL_ROWS_PT[row]),
                textcoords="offset points",
                fontsize=_LABEL_FONT_PT,
                color="#222222",
                va="bottom",
                ha="left",
            )
    axes.set_yticks(range(len(lanes)), [all_crossings[c].name for c in lanes])
    axes.set_ylim(len(lanes) - 0.4, -0.9)
    axes.set_xlim(when(lo), when(hi))
    axes.xaxis.set_major_locator(mdates.YearLocator())  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))  # type: ignore[no-untyped-call]
    axes.grid(visible=True, axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    handles = [Patch(facecolor=STATUS_COLOURS[s], label=s) for s in _SEVERITY]
    axes.legend(handles=handles, title="freight", loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8, title_fontsize=8, frameon=False)
    axes.set_title(f"Border crossings over time: status for freight ({timeline.source_file}, {first} to {last})")
    if omitted:
        axes.annotate(
            f"{omitted} more event label(s) left out where they would overlap (ticks mark every event); `transit timeline` lists them",
            xy=(1.0, 0.0),
            xycoords="axes fraction",
            xytext=(0, -20),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=7,
            color="#666666",
        )
    return axes


# -- map -------------------------------------------------------------------------------------------


def _data_uri(name: str, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(asset_bytes(name)).decode()}"


def _legend(content: str) -> Any:
    """Return a Leaflet control in the map's bottom-left corner holding ``content`` (plain Leaflet: works offline)."""
    from branca.element import MacroElement
    from jinja2 import Template

    class Legend(MacroElement):
        _template = Template(
            """{% macro script(this, kwargs) %}
            var legend_{{ this.get_name() }} = L.control({position: "bottomleft"});
            legend_{{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div");
                div.innerHTML = {{ this.content|tojson }};
                return div;
            };
            legend_{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {% endmacro %}"""
        )

        def __init__(self, text: str) -> None:
            super().__init__()  # type: ignore[no-untyped-call]  # branca's MacroElement is not annotated
            self._name = "Legend"
            self.content = text

    return Legend(content)


def _crossing_hours(trip: Trip) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for e in trip.events:
        if e.crossing_id and e.activity in BORDER_ACTIVITIES:
            out.setdefault(e.crossing_id, {})
            out[e.crossing_id][e.activity] = out[e.crossing_id].get(e.activity, 0.0) + e.duration_h
    return out


def map(  # noqa: A001 - the name the issue and users ask for; the builtin is not used here
    obj: Trip | MultimodalTrip | Comparison | Reliability | Mapping[str, Trip | Reliability | MultimodalTrip],
    *,
    offline: bool = False,
    width: str | int = "100%",
    height: str | int = 520,
) -> folium.Map:
    """
    Draw a folium map of the routes, with each crossing passed coloured by the time spent there.

    Parameters
    ----------
    obj
        As for :func:`time_distance`.
    offline
        Render with no network access: Leaflet is inlined from the copy shipped with transit (BSD-2-Clause) and
        country outlines from Natural Earth (public domain) replace the web tiles. Default: OpenStreetMap tiles and
        Leaflet from its CDN, as folium does.
    width, height
        Size of the map in the page.

    Returns
    -------
    folium.Map
        ``m.save("map.html")`` writes a page; in Jupyter it displays itself.

    Examples
    --------
    >>> import transit
    >>> trip = transit.plan_trip(transit.load_network(), "Kashgar", "Osh", departure="2017-10-30T08:00")
    >>> page = map(trip, offline=True).get_root().render()
    >>> "leaflet.js" in page, "https://" in page.split("<body>")[0]
    (False, False)
    """
    try:
        import folium
    except ModuleNotFoundError as exc:
        raise missing_extra("plot", exc) from None

    trips, mixed = _trips(obj), _door_to_door(obj)
    coords = [c for t in trips.values() for c in t.geometry_coords] + [c for t in mixed.values() for p in t.parts for c in p.geometry_coords]
    if not coords:
        msg = "these trips carry no geometry; plan them with transit.plan_trip"
        raise InvalidArgumentError(msg)
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    fmap = folium.Map(tiles=None if offline else "OpenStreetMap", width=width, height=height, control_scale=True, prefer_canvas=False)
    if offline:
        fmap.default_js = [("leaflet", _data_uri("leaflet/leaflet.js", "text/javascript"))]
        fmap.default_css = [("leaflet_css", _data_uri("leaflet/leaflet.css", "text/css"))]
        pad = max(north - south, east - west, 1.0) * 0.6
        outline = country_outlines((round(west - pad, 1), round(south - pad, 1), round(east + pad, 1), round(north + pad, 1)))
        folium.GeoJson(
            outline,
            name="Countries (Natural Earth)",
            style_function=lambda _: {"fillColor": "#f4f1ea", "color": "#8a8a8a", "weight": 1, "fillOpacity": 1.0},
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(fmap)
        cast("HtmlFigure", fmap.get_root()).header.add_child(folium.Element("<style>.leaflet-container { background: #cfe3ef; }</style>"))
    for i, (label, trip) in enumerate(trips.items()):
        colour = PALETTE[i % len(PALETTE)]
        layer = folium.FeatureGroup(name=f"{label}: {trip.total_h:.1f} h").add_to(fmap)
        folium.PolyLine(  # type: ignore[no-untyped-call]  # folium's PolyLine is not annotated
            [(lat, lon) for lon, lat in trip.geometry_coords],
            color=colour,
            weight=5,
            opacity=1.0,
            dash_array=None if i == 0 else "10 6",
            tooltip=f"{label}: {trip.total_h:.1f} h, {trip.distance_km:,.0f} km, ${trip.cost_usd:,.0f}",
        ).add_to(layer)
        hours = _crossing_hours(trip)
        for cid, name, lon, lat in trip.crossing_points:
            spent = hours.get(cid, {})
            total = sum(spent.values())
            rows = "".join(
                f"<tr><td>{html.escape(a.replace('_', ' '))}</td><td style='text-align:right'>{h:.1f} h</td></tr>" for a, h in spent.items()
            )
            card = (
                f"<b>{html.escape(name)}</b> ({html.escape(label)})<table>{rows}"
                f"<tr><td><b>total</b></td><td style='text-align:right'><b>{total:.1f} h</b></td></tr></table>"
            )
            # A tooltip, not a popup: folium's popups need jQuery, which the offline page does not carry.
            folium.CircleMarker(
                (lat, lon),
                radius=max(11 - 4 * i, 4),
                color="#222222",
                weight=1.5,
                fill=True,
                fill_color=delay_colour(total),
                fill_opacity=0.95,
                tooltip=folium.Tooltip(card, sticky=True),
            ).add_to(layer)
        first = trip
        for (lon, lat), label_text in (((first.geometry_coords[0]), first.origin_name), ((first.geometry_coords[-1]), first.destination_name)):
            folium.CircleMarker((lat, lon), radius=5, color=colour, fill=True, fill_color="#ffffff", fill_opacity=1, tooltip=label_text).add_to(layer)
    for j, (label, door) in enumerate(mixed.items(), start=len(trips)):
        add_to_map(fmap, label, door, PALETTE[j % len(PALETTE)])
    legend = "".join(
        f"<div><span style='display:inline-block;width:12px;height:12px;border-radius:6px;background:{c};border:1px solid #222;margin-right:6px'>"
        f"</span>{t}</div>"
        for _, c, t in DELAY_BINS
    )
    routes = "".join(
        f"<div><span style='display:inline-block;width:18px;border-top:4px {'solid' if i == 0 else 'dashed'} {PALETTE[i % len(PALETTE)]};"
        f"margin-right:6px;vertical-align:middle'></span>{html.escape(label)}</div>"
        for i, label in enumerate([*trips, *mixed])
    )
    box_html = (
        "<div style='background:rgba(255,255,255,0.9);padding:6px 8px;font:12px sans-serif;border:1px solid #999'>"
        f"{routes}<div style='margin-top:4px'><b>time at crossing</b></div>{legend}"
        + ("<div style='margin-top:4px;color:#555'>outlines: Natural Earth</div>" if offline else "")
        + "</div>"
    )
    _legend(box_html).add_to(fmap)
    if not offline:  # its toggle is an image from Leaflet's CDN folder
        folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.fit_bounds([(south, west), (north, east)], padding=(20, 20))
    return fmap
