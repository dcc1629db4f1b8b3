"""
The colours every picture shares.

The matplotlib charts and folium map of :mod:`transit.plot` and the planner's page of :mod:`transit.api` (which
draws in the browser and must not need matplotlib) take their colours from here, so the two never disagree.

Colours are the Okabe-Ito palette (Okabe & Ito 2008), which stays distinguishable with the common colour-vision
deficiencies; the crossings' time bins use viridis, which is too.
"""

from __future__ import annotations

__all__ = ["ACTIVITY_COLOURS", "BORDER_ACTIVITIES", "DELAY_BINS", "PALETTE", "delay_colour"]

#: One colour per regime (or date), in order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")

#: Colour of each timeline activity (Okabe-Ito, with grey for closed crossings).
ACTIVITY_COLOURS = {
    "driving": "#0072B2",
    "break": "#56B4E9",
    "daily_rest": "#009E73",
    "weekly_rest": "#F0E442",
    "queue": "#E69F00",
    "clearance": "#CC79A7",
    "closed_wait": "#999999",
    "transshipment": "#D55E00",
    # a door-to-door trip's train and transfers (transit.multimodal): the same palette, hatched in the Gantt chart
    "rail": "#0072B2",
    "train_wait": "#999999",
    "rail_border": "#E69F00",
    "gauge_change": "#D55E00",
    "transfer": "#CC79A7",
}

#: The activities that count as time spent at a crossing.
BORDER_ACTIVITIES = ("queue", "clearance", "closed_wait", "transshipment")

#: Time spent at a crossing, binned for the maps: (upper bound in hours, colour, label), viridis from light to dark.
DELAY_BINS = (
    (2.0, "#FDE725", "< 2 h"),
    (8.0, "#5EC962", "2–8 h"),
    (24.0, "#21918C", "8–24 h"),
    (72.0, "#3B528B", "1–3 days"),
    (float("inf"), "#440154", "> 3 days"),
)


def delay_colour(hours: float) -> str:
    """
    Return the map colour of a crossing where a truck spent ``hours``.

    Examples
    --------
    >>> delay_colour(0.5), delay_colour(30.0)
    ('#FDE725', '#3B528B')
    """
    return next(colour for limit, colour, _ in DELAY_BINS if hours < limit)
