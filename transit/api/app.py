"""
The FastAPI application: a thin HTTP layer over :mod:`transit`, with no business logic of its own.

The network is loaded once, when the app is made, and shared read-only by every request. Computations run in
worker threads under a per-request time limit; request bodies, sample counts and matrix sizes are bounded
(:class:`Limits`, reported by ``GET /health``). CORS is off unless origins are given.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import resources
from typing import Any, TypeVar

import anyio
import networkx as nx
from fastapi import FastAPI, Query
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..comparison import compare
from ..network import load_network
from ..odmatrix import matrix
from ..routing import plan_trip
from ..schedule import zone
from ..trip import Trip
from ..uncertainty import reliability
from . import models as m
from .problems import (
    PROBLEM_MEDIA_TYPE,
    ComputeTimeout,
    LimitExceeded,
    RequestGuard,
    UnknownNameError,
    install,
)

__all__ = ["Limits", "create_app"]

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Per-request bounds that keep one request from taking the server down.

    Attributes
    ----------
    max_body_bytes
        Largest request body accepted (413 beyond it).
    max_samples
        Most Monte Carlo samples per trip (per regime for /compare).
    max_matrix_cells
        Most origin-destination pairs in one /matrix request.
    max_matrix_samples
        Most pairs times samples in one /matrix request.
    timeout_s
        Wall-clock limit on one computation (503 beyond it).
    """

    max_body_bytes: int = 64 * 1024
    max_samples: int = 100_000
    max_matrix_cells: int = 400
    max_matrix_samples: int = 400_000
    timeout_s: float = 30.0


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        404: "Unknown place or name (with close matches)",
        413: "Request body too large",
        422: "Invalid request: a field, a date-time, a regime, a limit, or no feasible route",
        500: "Server error (quotes a request id; no details)",
        503: "The computation ran past the time limit",
    }
    schema = {"$ref": "#/components/schemas/Problem"}
    return {code: {"description": text[code], "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}}} for code in codes}


_POST_ERRORS = _problems(404, 413, 422, 500, 503)
_GET_ERRORS = _problems(422, 500)


def create_app(network: nx.MultiDiGraph | None = None, *, limits: Limits | None = None, cors_origins: list[str] | None = None) -> FastAPI:
    """
    Make the HTTP application.

    Parameters
    ----------
    network
        The network to serve; default :func:`transit.load_network` (the embedded SCO dataset), loaded now.
    limits
        Request bounds; default :class:`Limits`.
    cors_origins
        Origins allowed to call the API from a browser; default none (CORS off).

    Returns
    -------
    fastapi.FastAPI
        Serve it with uvicorn (``transit serve``), or test it with ``fastapi.testclient.TestClient``.

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> client = TestClient(create_app())
    >>> client.get("/health").json()["status"]
    'ok'
    """
    net = load_network() if network is None else network
    lim = limits or Limits()
    app = FastAPI(
        title="transit",
        version=__version__,
        summary="Freight transit times on Central Asia's SCO road-permit routes: driving, rests, borders, regimes.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.network = net
    app.state.limits = lim
    install(app)
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"], allow_headers=["content-type", "x-request-id"])
    app.add_middleware(RequestGuard, max_body_bytes=lim.max_body_bytes)
    _docs(app)
    listings = _Listings(net)

    async def run(func: Callable[[], T]) -> T:
        """Run a computation in a worker thread, giving up (503) after the time limit."""
        try:
            with anyio.fail_after(lim.timeout_s):
                return await anyio.to_thread.run_sync(func, abandon_on_cancel=True)
        except TimeoutError:
            msg = f"the computation took longer than the limit of {lim.timeout_s:g} s; ask for fewer samples or pairs"
            raise ComputeTimeout(msg, limit=lim.timeout_s) from None

    def check_samples(samples: int, limit: int) -> None:
        if samples > limit:
            raise LimitExceeded(f"samples={samples:,} exceeds the limit of {limit:,} per request", limit=float(limit))

    @app.get("/health", response_model=m.Health, responses=_GET_ERRORS, tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness, versions, and the request limits."""
        return {
            "status": "ok",
            "version": __version__,
            "dataset_version": str(net.graph.get("dataset_version", "")),
            "places": len(listings.places),
            "crossings": len(listings.crossings),
            "regimes": sorted(net.graph.get("regimes", {})),
            "limits": asdict(lim),
        }

    @app.get("/places", response_model=list[m.PlaceInfo], responses=_GET_ERRORS, tags=["dataset"])
    def places(country: str | None = Query(default=None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, e.g. KG.")) -> list[dict[str, Any]]:
        """Places of the network (cities, towns, junctions), optionally of one country."""
        return [p for p in listings.places if country is None or p["country"] == country.upper()]

    @app.get("/crossings", response_model=list[m.CrossingInfo], responses=_GET_ERRORS, tags=["dataset"])
    def crossings(country: str | None = Query(default=None, pattern=r"^[A-Za-z]{2}$", description="Only crossings of this country.")) -> list[dict[str, Any]]:
        """Border crossings with their posts and opening schedules."""
        return [c for c in listings.crossings if country is None or country.upper() in c["countries"]]

    @app.get("/regimes", response_model=list[m.RegimeInfo], responses=_GET_ERRORS, tags=["dataset"])
    def regimes() -> list[dict[str, Any]]:
        """The border regimes the network holds."""
        return listings.regimes

    @app.get("/routes", response_model=list[m.RouteInfo], responses={**_GET_ERRORS, **_problems(404)}, tags=["dataset"])
    def routes(
        country: str | None = Query(default=None, pattern=r"^[A-Za-z]{2}$", description="Only routes through this country."),
        route: str | None = Query(default=None, min_length=1, max_length=100, description="One route id, e.g. sco-1."),
    ) -> list[dict[str, Any]]:
        """The designated SCO routes (reconstructions, see `status`) and the documented corridors."""
        if route is not None and route not in listings.route_ids:
            close = tuple(difflib.get_close_matches(route, listings.route_ids, n=3))
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else f"; known: {', '.join(listings.route_ids)}"
            raise UnknownNameError(f"unknown route {route!r}{hint}", suggestions=close)
        return [r for r in listings.routes if (route is None or r["id"] == route) and (country is None or country.upper() in r["countries"])]

    @app.post("/trips", response_model=m.TripResponse, responses=_POST_ERRORS, tags=["trips"])
    async def trips(body: m.TripRequest) -> dict[str, Any]:
        """Plan one trip: totals, breakdown, cost, the timeline and the path as GeoJSON."""

        def work() -> dict[str, Any]:
            trip = plan_trip(net, body.origin, body.destination, regime=body.regime, departure=body.departure, via=body.via, vehicle=_vehicle(body.vehicle))
            return _trip_body(trip)

        return await run(work)

    @app.post("/compare", response_model=m.CompareResponse, responses=_POST_ERRORS, tags=["trips"])
    async def compare_endpoint(body: m.CompareRequest) -> dict[str, Any]:
        """The same trip under several regimes, with percentiles when `samples` > 0."""
        check_samples(body.samples, lim.max_samples)

        def work() -> dict[str, Any]:
            cmp = compare(
                net, body.origin, body.destination, regimes=body.regimes, departure=body.departure, via=body.via,
                vehicle=_vehicle(body.vehicle), samples=body.samples, rng=body.seed,
            )
            table = cmp.table
            rows = []
            for regime, row in table.iterrows():
                trip = cmp.trips.get(str(regime))
                rows.append({
                    "regime": regime,
                    "status": row["status"],
                    **{k: _num(row[k]) for k in ("total_h", "total_days", "driving_h", "rest_h", "border_h", "transshipment_h", "closed_wait_h", "distance_km", "cost_usd", "saving_h", "saving_usd")},
                    "arrival": trip.arrival.isoformat() if trip else None,
                    "crossings": list(trip.crossings) if trip else [],
                    "transshipments": list(trip.transshipments) if trip else [],
                    **({f"p{q}_h": _num(row[f"p{q}_h"]) for q in (50, 90, 95)} if body.samples else {}),
                })
            return {
                "origin": cmp.origin, "destination": cmp.destination, "departure": cmp.departure.isoformat(), "via": list(cmp.via),
                "baseline": cmp.baseline, "samples": body.samples, "seed": body.seed, "rows": rows,
            }

        return await run(work)

    @app.post("/reliability", response_model=m.ReliabilityResponse, responses=_POST_ERRORS, tags=["trips"])
    async def reliability_endpoint(body: m.ReliabilityRequest) -> dict[str, Any]:
        """Percentiles and on-time probability of one trip under uncertain border delays."""
        check_samples(body.samples, lim.max_samples)

        def work() -> dict[str, Any]:
            rel = reliability(
                net, body.origin, body.destination, regime=body.regime, departure=body.departure, via=body.via,
                vehicle=_vehicle(body.vehicle), samples=body.samples, rng=body.seed, route=body.route,
            )
            out = {
                "origin": rel.trip.origin_name, "destination": rel.trip.destination_name, "regime": rel.trip.regime,
                "departure": rel.trip.departure.isoformat(), "route": list(rel.trip.crossings), "route_choice": rel.route,
                "samples": rel.samples, "seed": body.seed, "deterministic_h": rel.trip.total_h, "mean_h": rel.mean_h,
                "percentiles_h": {str(q): v for q, v in rel.percentiles_h.items()},
                "arrivals": {str(q): rel.arrival_at(q).isoformat() for q in rel.percentiles_h},
                "breakdown_mean_h": rel.breakdown_h,
                "crossings": rel.crossings_h.reset_index().to_dict(orient="records"),
            }
            if body.deadline is not None:
                out["deadline"] = body.deadline
                out["on_time_probability"] = rel.on_time_probability(body.deadline)
            if rel.route_choice is not None:
                out["candidates"] = rel.route_choice.drop(columns=["score_h"]).to_dict(orient="records")
            return out

        return await run(work)

    @app.post("/matrix", response_model=m.MatrixResponse, responses=_POST_ERRORS, tags=["trips"])
    async def matrix_endpoint(body: m.MatrixRequest) -> dict[str, Any]:
        """Many origin-destination pairs at once (bounded in pairs and in pairs times samples)."""
        cells = len(body.origins) * len(body.destinations)
        if cells > lim.max_matrix_cells:
            raise LimitExceeded(f"{len(body.origins)} origins x {len(body.destinations)} destinations = {cells:,} pairs exceeds the limit of {lim.max_matrix_cells:,}", limit=float(lim.max_matrix_cells))
        check_samples(body.samples, lim.max_samples)
        if cells * body.samples > lim.max_matrix_samples:
            raise LimitExceeded(f"{cells:,} pairs x {body.samples:,} samples exceeds the limit of {lim.max_matrix_samples:,}", limit=float(lim.max_matrix_samples))

        def work() -> dict[str, Any]:
            table = matrix(
                net, body.origins, body.destinations, regime=body.regime, departure=body.departure, via=body.via,
                vehicle=_vehicle(body.vehicle), samples=body.samples, rng=body.seed,
            )
            rows = []
            for row in table.to_dict(orient="records"):
                rows.append({
                    "origin": row["origin"], "destination": row["destination"], "status": row["status"], "total_h": _num(row["total_h"]),
                    "arrival": row["arrival"], "distance_km": _num(row["distance_km"]), "cost_usd": _num(row["cost_usd"]), "route": row["route"],
                    **({f"p{q}_h": _num(row[f"p{q}_h"]) for q in (50, 90, 95)} if body.samples else {}),
                })
            first = table["departure"].iloc[0] if len(table) else body.departure
            return {"regime": str(table["regime"].iloc[0]) if len(table) else (body.regime or str(net.graph.get("default_regime"))), "departure": first, "samples": body.samples, "seed": body.seed, "rows": rows}

        return await run(work)

    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original_openapi()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = m.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _docs(app: FastAPI) -> None:
    """Interactive docs at /docs from assets served by the app itself: they work without internet access."""
    assets = resources.files("transit.api") / "static" / "swagger-ui"
    app.mount("/static/swagger-ui", StaticFiles(directory=str(assets)), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="transit API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )


class _Listings:
    """The static listings, built once."""

    def __init__(self, net: nx.MultiDiGraph) -> None:
        self.places = [
            {"id": d.get("ref", str(n)), "name": d["name"], "country": d["country"], "kind": d["kind"], "lon": d["x"], "lat": d["y"], "tz": d["tz"], "aliases": list(d.get("aliases", ()))}
            for n, d in net.nodes(data=True)
            if d.get("kind") != "border_post"
        ]
        self.crossings = []
        for c in net.graph["crossings"].values():
            a, b = c.posts
            self.crossings.append({
                "id": c.id, "name": c.name, "countries": list(c.countries), "posts": [a.name, b.name],
                "schedule": {p.country: p.schedule.describe() for p in c.posts}, "lon": (a.lon + b.lon) / 2, "lat": (a.lat + b.lat) / 2,
            })
        self.regimes = [
            {"id": r.id, "name": r.name, "in_force_from": r.in_force_from.isoformat() if r.in_force_from else None, "permits": list(r.permits), "description": r.description.strip()}
            for r in net.graph["regimes"].values()
        ]
        self.routes = [
            {"id": r.id, "name": r.name, "kind": r.kind, "status": r.status, "countries": list(r.countries), "sequence": list(r.sequence)}
            for r in net.graph["routes"].values()
        ]
        self.route_ids = [r["id"] for r in self.routes]


def _vehicle(model: m.VehicleModel | None) -> dict[str, Any] | None:
    if model is None:
        return None
    fields = model.model_dump(exclude_none=True)
    if "registration" in fields:
        fields["registration"] = fields["registration"].upper()
    return fields


def _num(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _geometry(trip: Trip) -> dict[str, Any]:
    """The path's road geometry as a GeoJSON Feature."""
    props = {"origin": trip.origin_name, "destination": trip.destination_name, "regime": trip.regime, "crossings": list(trip.crossings), "distance_km": trip.distance_km}
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(p) for p in trip.geometry_coords]}, "properties": props}


def _local(t: float, tz: str) -> str:
    return datetime.fromtimestamp(t, zone(tz)).isoformat()


def _trip_body(trip: Trip) -> dict[str, Any]:
    summary = trip.summary()
    summary["crossings"] = list(trip.crossings)
    summary["transshipments"] = list(trip.transshipments)
    timeline = [
        {
            "activity": e.activity, "place": e.place, "country": e.country, "start": _local(e.start, e.tz), "end": _local(e.end, e.tz),
            "duration_h": e.duration_h, "distance_km": e.distance_km, "note": e.note, "source": e.source,
            "crossing_id": e.crossing_id, "segment_id": e.segment_id,
        }
        for e in trip.events
    ]
    return {**summary, "breakdown_h": trip.breakdown_h, "cost": trip.cost.as_dict(), "timeline": timeline, "geometry": _geometry(trip)}
