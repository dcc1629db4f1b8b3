"""
A door-to-door trip (:class:`transit.multimodal.MultimodalTrip`) drawn by mode: its time-distance line and its map.

Used by :func:`transit.plot.time_distance` and :func:`transit.plot.map`: a truck's stretches are drawn solid, a
train's dash-dotted and thicker (on the map, dashed from station to station), transfers dotted (on the map, a
marker at the terminal); standing still is a vertical step on the chart; all in the trip's colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._units import HOUR_S
from .multimodal import MultimodalTrip

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MODE_STYLES", "add_to_map", "draw"]

#: Line style and width by mode.
MODE_STYLES = {"road": ("-", 2.0), "rail": ("-.", 3.2), "transfer": (":", 2.0)}


def draw(axes: Axes, label: str, trip: MultimodalTrip, colour: str, *, y: str = "time") -> None:
    """Draw ``trip`` on ``axes``: x the distance covered (km), y the time since departure (h) or the cost so far (USD)."""
    t0 = trip.departure.timestamp()
    km = 0.0
    spent = 0.0
    per_mode_cost = {p.mode: p.cost_usd for p in trip.parts}
    labelled = next((p for p in trip.parts if p.mode == "rail"), trip.parts[0] if trip.parts else None)  # the legend shows the main mode
    for part in trip.parts:
        style, width = MODE_STYLES[part.mode]
        xs, ys = [km], [spent if y == "cost" else 0.0]
        if y == "time" and part.events:
            ys = [(part.events[0].start - t0) / HOUR_S]
        for e in part.events:
            km += e.distance_km
            xs.append(km)
            ys.append((e.end - t0) / HOUR_S if y == "time" else spent)
        if y == "cost":
            spent += per_mode_cost.get(part.mode, 0.0) if part.trip is None else part.cost_usd
            ys[-1] = spent
        name = f"{label}: {trip.total_h:,.1f} h ({' / '.join(trip.modes)})" if y == "time" else f"{label}: ${trip.cost_usd:,.0f}"
        axes.plot(xs, ys, color=colour, linestyle=style, linewidth=width, label=name if part is labelled else None)


def add_to_map(fmap: Any, label: str, trip: MultimodalTrip, colour: str) -> None:
    """Add ``trip`` to a folium map as a layer: trucks solid, trains dashed, a marker at each transfer."""
    import folium

    layer = folium.FeatureGroup(name=f"{label}: {trip.total_h:.1f} h ({' / '.join(trip.modes)})").add_to(fmap)
    for feature in trip.geojson()["features"]:  # the same path the API and the planner's page draw
        props, geometry = feature["properties"], feature["geometry"]
        if geometry["type"] == "Point":
            lon, lat = geometry["coordinates"]
            folium.CircleMarker(
                (lat, lon), radius=6, color=colour, weight=2, fill=True, fill_color="#ffffff", fill_opacity=1, tooltip=f"{props['place']}: transfer"
            ).add_to(layer)
        else:
            rail = props["mode"] == "rail"
            folium.PolyLine(  # type: ignore[no-untyped-call]  # folium's PolyLine is not annotated
                [(lat, lon) for lon, lat in geometry["coordinates"]],
                color=colour,
                weight=6 if rail else 4,
                opacity=1.0,
                dash_array="12 8" if rail else None,
                tooltip=f"{label}, by {props['mode']}: {props['distance_km']:,.0f} km",
            ).add_to(layer)
