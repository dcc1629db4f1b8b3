"""
The planner's page: ``GET /`` serves a small single-page app that asks the API's own endpoints.

Everything the page needs is served by the app itself, so it works on a laptop with no internet: its HTML, script
and style sheet (``transit/api/static/page``, plain JavaScript with no build step), Leaflet (vendored in
``transit/_data/leaflet`` with its licence) and the Natural Earth country outlines around the served network
(``GET /ui/outlines.geojson``), drawn instead of web tiles. The page's colours come from :mod:`transit._palette`,
the table :mod:`transit.plot` draws with, written into the page as JSON. A Content-Security-Policy header keeps the
page from loading or sending anything outside the server.

The question lives in the URL (``/?from=Kashgar&to=Tashkent&depart=2017-10-30T08:00&via=Irkeshtam&regimes=pre-2017,sco-2017``);
the page asks ``POST /compare`` with ``trips: true`` once per question and draws the table, the time-distance chart,
the map and the timeline from that one answer.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from importlib import resources
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from .. import __version__
from .._outlines import EURASIA_BOUNDS, country_outlines
from .._palette import ACTIVITY_COLOURS, BORDER_ACTIVITIES, DELAY_BINS, PALETTE

if TYPE_CHECKING:
    import networkx as nx

    from .app import Limits

__all__ = ["CONTENT_SECURITY_POLICY", "install_page"]

#: Only the server itself: scripts and styles from its files (Leaflet sets inline styles on map elements, and draws
#: nothing from images but data: URIs), requests to its API, no frames.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_PAD_DEG = 3.0


def install_page(app: FastAPI, network: nx.MultiDiGraph, *, limits: Limits) -> None:
    """
    Add the planner's page to ``app``: ``GET /``, its files under ``/ui``, and the map's outlines.

    Parameters
    ----------
    app
        The application of :func:`transit.api.create_app`.
    network
        The served network: the outlines cover its extent.
    limits
        The app's :class:`~transit.api.Limits`, told to the page so that it can say what to change.
    """
    files = resources.files("transit.api") / "static" / "page"
    leaflet = resources.files("transit") / "_data" / "leaflet"
    app.mount("/ui/leaflet", StaticFiles(directory=str(leaflet)), name="page-leaflet")
    app.mount("/ui/files", StaticFiles(directory=str(files)), name="page-files")
    config = {
        "version": __version__,
        "dataset_version": str(network.graph.get("dataset_version", "")),
        "palette": list(PALETTE),
        "activity_colours": ACTIVITY_COLOURS,
        "border_activities": list(BORDER_ACTIVITIES),
        "delay_bins": [{"below_h": None if math.isinf(limit) else limit, "colour": colour, "label": label} for limit, colour, label in DELAY_BINS],
        "limits": asdict(limits),
    }
    # </script> cannot occur in this JSON (no user input), but escape '<' anyway: the block is inside HTML.
    page = (files / "index.html").read_text(encoding="utf-8").replace("{{CONFIG}}", json.dumps(config).replace("<", "\\u003c"))
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
    bounds = _bounds(network)

    @app.get("/", include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(page, headers=headers)

    @app.get("/ui/outlines.geojson", include_in_schema=False)
    def outlines() -> JSONResponse:  # a plain def: the first call clips the outlines (0.2 s for the SCO network), in a thread
        return JSONResponse(country_outlines(bounds), media_type="application/geo+json", headers={"Cache-Control": "max-age=86400"})


def _bounds(network: nx.MultiDiGraph) -> tuple[float, float, float, float]:
    """Return the network's extent in degrees, padded and rounded (the outlines are cached by it)."""
    xs = [float(d["x"]) for _, d in network.nodes(data=True) if "x" in d]
    ys = [float(d["y"]) for _, d in network.nodes(data=True) if "y" in d]
    if not xs:
        return EURASIA_BOUNDS
    return (
        round(max(min(xs) - _PAD_DEG, -180.0), 1),
        round(max(min(ys) - _PAD_DEG, -90.0), 1),
        round(min(max(xs) + _PAD_DEG, 180.0), 1),
        round(min(max(ys) + _PAD_DEG, 90.0), 1),
    )
