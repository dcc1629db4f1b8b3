"""
The FastAPI application: a thin HTTP layer over :mod:`transit`, with no business logic of its own.

The network is loaded once, when the app is made, and shared read-only by every request (a FastAPI dependency).
Computations run in a fixed number of compute slots per process with a bounded waiting list, under a per-request
time limit after which they are stopped (:mod:`transit.api.compute`); the listings and ``/health`` run on the event
loop and never wait behind them. Request bodies, sample counts and matrix sizes are bounded (:class:`Limits`,
reported by ``GET /health``). Response bodies come from :mod:`transit.serialize`, the shapes the command line prints
too. CORS is off unless origins are given.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from .. import __version__
from .._history_query import no_timeline_message, select_events
from ..comparison import compare
from ..errors import InvalidArgumentError
from ..lookup import get_regime
from ..multimodal import DoorToDoorReliability, MultimodalTrip
from ..network import load_network
from ..odmatrix import matrix
from ..routing import plan_trip
from ..serialize import comparison_to_dict, reliability_to_dict, timeline_to_dict, trip_to_dict
from ..timeline import HISTORY
from ..uncertainty import reliability
from . import models as m
from .compute import ComputeGate
from .page import install_page
from .problems import PROBLEM_MEDIA_TYPE, LimitExceeded, NoTimeline, RequestGuard, UnknownNameError, install

__all__ = ["Limits", "create_app", "router"]


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
        Wall-clock limit on one computation, waiting for a slot included (503 beyond it; the computation stops).
    compute_slots
        Computations that run at once in one worker process (threads; CPU-bound work gains nothing from more:
        serve more worker processes instead).
    max_queue
        Requests that may wait for a compute slot; beyond it, 503 at once with ``Retry-After``.
    retry_after_s
        The ``Retry-After`` advised with that 503.
    body_timeout_s
        Time allowed for a request body to arrive (408 beyond it).
    """

    max_body_bytes: int = 64 * 1024
    max_samples: int = 100_000
    max_matrix_cells: int = 400
    max_matrix_samples: int = 400_000
    timeout_s: float = 30.0
    compute_slots: int = 1
    max_queue: int = 64
    retry_after_s: int = 2
    body_timeout_s: float = 10.0


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        404: "Unknown place, id or name (with close matches), or no dated timeline in the served network",
        408: "The request body did not arrive in time",
        413: "Request body too large",
        422: "Invalid request: a field, a date-time, a regime, a limit, or no feasible route",
        500: "Server error or misconfiguration (quotes a request id; no details)",
        503: "The computation ran past the time limit (and was stopped), was cancelled, or the server is busy (Retry-After)",
    }
    schema = {"$ref": "#/components/schemas/Problem"}
    return {code: {"description": text[code], "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}}} for code in codes}


_POST_ERRORS = _problems(404, 408, 413, 422, 500, 503)
_GET_ERRORS = _problems(422, 500)


class _Service:
    """What the endpoints share: the network, its listings, the limits and the compute slots."""

    def __init__(self, network: nx.MultiDiGraph, limits: Limits) -> None:
        self.network = network
        self.limits = limits
        self.listings = _Listings(network)
        self.gate = ComputeGate(slots=limits.compute_slots, queue=limits.max_queue, timeout_s=limits.timeout_s, retry_after_s=limits.retry_after_s)
        health = {
            "status": "ok",
            "version": __version__,
            "dataset_version": str(network.graph.get("dataset_version", "")),
            "places": len(self.listings.places),
            "crossings": len(self.listings.crossings),
            "regimes": [r["id"] for r in self.listings.regimes],
            "limits": asdict(limits),
        }
        self.health_body = m.Health.model_validate(health).model_dump_json().encode()

    def check_samples(self, samples: int) -> None:
        limit = self.limits.max_samples
        if samples > limit:
            raise LimitExceeded(f"samples={samples:,} exceeds the limit of {limit:,} per request", limit=limit)

    async def compute(self, request: Request, func: Callable[[], Response]) -> Response:
        return await self.gate.run(func, receive=request.receive)


# The dependencies are coroutines: FastAPI runs a plain ``def`` dependency in its thread pool, two thread hops per
# request that, under load, wait for the GIL behind the compute thread (most of /health's latency at p99).
async def get_service(request: Request) -> _Service:
    """Return the app's shared state (a FastAPI dependency)."""
    service: _Service = request.app.state.service
    return service


async def get_network(service: Annotated[_Service, Depends(get_service)]) -> nx.MultiDiGraph:
    """Return the network the app serves (a FastAPI dependency; override it in tests with ``app.dependency_overrides``)."""
    return service.network


Service = Annotated[_Service, Depends(get_service)]
Network = Annotated[nx.MultiDiGraph, Depends(get_network)]

router = APIRouter()


def _json(model: type[BaseModel], body: dict[str, Any], *, exclude: set[str] | None = None) -> Response:
    """Validate ``body`` against its response model and render it (in the compute thread, off the event loop)."""
    return Response(model.model_validate(body).model_dump_json(exclude=exclude).encode(), media_type="application/json")


def trip_response(trip: Any) -> Response:
    """Return the ``POST /trips`` response for a :class:`~transit.trip.Trip` (or a door-to-door :class:`~transit.multimodal.MultimodalTrip`)."""
    if isinstance(trip, MultimodalTrip):
        return _json(m.MultimodalTripResponse, trip.to_dict())
    return _json(m.TripResponse, trip_to_dict(trip))


def comparison_response(comparison: Any, *, seed: int | None, trips: bool = False) -> Response:
    """Return the ``POST /compare`` response for a :class:`~transit.comparison.Comparison` (with each row's trip if ``trips``)."""
    body = comparison_to_dict(comparison, seed=seed)
    if trips:
        body["trips"] = {label: t.to_dict() if isinstance(t, MultimodalTrip) else trip_to_dict(t) for label, t in comparison.trips.items()}
    # without trips, the body is the command line's `transit compare --format json`, key for key
    return _json(m.CompareResponse, body, exclude=None if trips else {"trips"})


def reliability_response(rel: Any, *, seed: int | None, deadline: str | None) -> Response:
    """Return the ``POST /reliability`` response for a :class:`~transit.uncertainty.Reliability`."""
    return _json(m.ReliabilityResponse, reliability_to_dict(rel, seed=seed, deadline=deadline))


def matrix_response(table: Any, *, regime: str | None, departure: str, samples: int, seed: int | None) -> Response:
    """Return the ``POST /matrix`` response for the frame of :func:`transit.matrix`."""
    rows = []
    for row in table.to_dict(orient="records"):
        out = {k: row[k] for k in ("origin", "destination", "status", "arrival", "route")}
        out.update({k: _num(row[k]) for k in ("total_h", "distance_km", "cost_usd")})
        out["warnings"] = list(row["warnings"])
        if samples:
            out.update({f"p{q}_h": _num(row[f"p{q}_h"]) for q in (50, 90, 95)})
        rows.append(out)
    first = table["departure"].iloc[0] if len(table) else departure
    body = {"regime": str(table["regime"].iloc[0]) if len(table) else regime, "departure": first, "samples": samples, "seed": seed, "rows": rows}
    return _json(m.MatrixResponse, body)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


@router.api_route("/health", methods=["GET"], response_model=m.Health, responses=_GET_ERRORS, tags=["meta"])
async def health(service: Service) -> Response:
    """Liveness, versions, and the request limits. Answered on the event loop: never queued behind computations.

    The body never changes while the server runs, so it is rendered once, when the app is made.
    """
    return Response(service.health_body, media_type="application/json")


@router.get("/places", response_model=list[m.PlaceInfo], responses=_GET_ERRORS, tags=["dataset"])
async def places(
    service: Service, country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, e.g. KG.")] = None
) -> list[dict[str, Any]]:
    """Places of the network (cities, towns, junctions), optionally of one country."""
    return [p for p in service.listings.places if country is None or p["country"] == country.upper()]


@router.get("/crossings", response_model=list[m.CrossingInfo], responses=_GET_ERRORS, tags=["dataset"])
async def crossings(
    service: Service, country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="Only crossings of this country.")] = None
) -> list[dict[str, Any]]:
    """Border crossings with their posts and opening schedules."""
    return [c for c in service.listings.crossings if country is None or country.upper() in c["countries"]]


@router.get("/regimes", response_model=list[m.RegimeInfo], responses=_GET_ERRORS, tags=["dataset"])
async def regimes(service: Service) -> list[dict[str, Any]]:
    """List the border regimes the network holds, and `history` (the rules in force on each date) when it has a dated timeline."""
    return service.listings.regimes


@router.get("/routes", response_model=list[m.RouteInfo], responses={**_GET_ERRORS, **_problems(404)}, tags=["dataset"])
async def routes(
    service: Service,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="Only routes through this country.")] = None,
    route: Annotated[str | None, Query(min_length=1, max_length=100, description="One route id, e.g. sco-1.")] = None,
) -> list[dict[str, Any]]:
    """List the designated SCO routes (reconstructions, see `status`) and the documented corridors."""
    listings = service.listings
    if route is not None and route not in listings.route_ids:
        close = tuple(difflib.get_close_matches(route, listings.route_ids, n=3))
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else f"; known: {', '.join(listings.route_ids)}"
        raise UnknownNameError(f"unknown route {route!r}{hint}", suggestions=close)
    return [r for r in listings.routes if (route is None or r["id"] == route) and (country is None or country.upper() in r["countries"])]


_TIMELINE_FILTERS = ("crossing", "country", "from", "to")


@router.get("/timeline", response_model=m.TimelineResponse, responses={**_GET_ERRORS, **_problems(404)}, tags=["dataset"])
async def timeline(
    request: Request,
    net: Network,
    crossing: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Only events at this crossing: id or name, e.g. irkeshtam (see /crossings).")
    ] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="Only events at crossings of this country, ISO-2, e.g. KG.")] = None,
    start: Annotated[
        str | None, Query(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", description="Only events in force on or after this day, e.g. 2017-01-01.")
    ] = None,
    end: Annotated[str | None, Query(alias="to", pattern=r"^\d{4}-\d{2}-\d{2}$", description="Only events in force on or before this day.")] = None,
) -> Response:
    """List the corridor's dated history: the base periods and the events (which crossing was open to whom, when), with sources.

    `regime="history"` plans under these rules; the same body as `transit timeline --format json`.
    """
    unknown = sorted(set(request.query_params) - set(_TIMELINE_FILTERS))
    repeated = sorted(k for k in _TIMELINE_FILTERS if len(request.query_params.getlist(k)) > 1)
    if unknown or repeated:
        what = f"unknown query parameter(s) {', '.join(map(repr, unknown))}" if unknown else f"{', '.join(map(repr, repeated))} given more than once"
        raise InvalidArgumentError(f"{what}; /timeline takes each of {', '.join(_TIMELINE_FILTERS)} at most once")
    if net.graph.get("timeline") is None:
        raise NoTimeline(no_timeline_message(net))
    selection = select_events(net, crossing=crossing, country=country, start=start, end=end)
    body = timeline_to_dict(selection.timeline, selection.events, net.graph.get("sources", {}))
    return Response(m.TimelineResponse.model_validate(body).model_dump_json(by_alias=True).encode(), media_type="application/json")


@router.post("/trips", response_model=m.TripResponse | m.MultimodalTripResponse, responses=_POST_ERRORS, tags=["trips"])
async def trips(body: m.TripRequest, request: Request, service: Service, net: Network) -> Response:
    """Plan one trip: totals, breakdown, cost, the timeline and the path as GeoJSON; with `modes` allowing rail, door to door by road and rail."""

    def work() -> Response:
        trip = plan_trip(
            net,
            body.origin,
            body.destination,
            regime=body.regime,
            departure=body.departure,
            via=body.via,
            vehicle=_vehicle(body.vehicle),
            modes=tuple(body.modes) if body.modes else ("road",),
        )
        return trip_response(trip)

    return await service.compute(request, work)


@router.post("/compare", response_model=m.CompareResponse, responses=_POST_ERRORS, tags=["trips"])
async def compare_endpoint(body: m.CompareRequest, request: Request, service: Service, net: Network) -> Response:
    """Compare the same trip under several regimes, or at several departures (dates), with percentiles when `samples` > 0."""
    service.check_samples(body.samples)

    def work() -> Response:
        cmp = compare(
            net,
            body.origin,
            body.destination,
            regimes=body.regimes,
            departure=body.departure,
            departures=body.departures,
            via=body.via,
            vehicle=_vehicle(body.vehicle),
            samples=body.samples,
            rng=body.seed,
            modes=body.modes,
        )
        return comparison_response(cmp, seed=body.seed, trips=body.trips)

    return await service.compute(request, work)


@router.post("/reliability", response_model=m.ReliabilityResponse | m.DoorToDoorReliabilityResponse, responses=_POST_ERRORS, tags=["trips"])
async def reliability_endpoint(body: m.ReliabilityRequest, request: Request, service: Service, net: Network) -> Response:
    """Percentiles and on-time probability of one trip under uncertain border delays."""
    service.check_samples(body.samples)

    def work() -> Response:
        rel = reliability(
            net,
            body.origin,
            body.destination,
            regime=body.regime,
            departure=body.departure,
            via=body.via,
            vehicle=_vehicle(body.vehicle),
            samples=body.samples,
            rng=body.seed,
            route=body.route,
            modes=tuple(body.modes) if body.modes else ("road",),
        )
        if isinstance(rel, DoorToDoorReliability):
            on_time = None if body.deadline is None else round(rel.on_time_probability(body.deadline), 4)
            return _json(m.DoorToDoorReliabilityResponse, {**rel.summary(), "seed": body.seed, "on_time_probability": on_time})
        return reliability_response(rel, seed=body.seed, deadline=body.deadline)

    return await service.compute(request, work)


@router.post("/matrix", response_model=m.MatrixResponse, responses=_POST_ERRORS, tags=["trips"])
async def matrix_endpoint(body: m.MatrixRequest, request: Request, service: Service, net: Network) -> Response:
    """Many origin-destination pairs at once (bounded in pairs and in pairs times samples)."""
    lim = service.limits
    cells = len(body.origins) * len(body.destinations)
    if cells > lim.max_matrix_cells:
        raise LimitExceeded(
            f"{len(body.origins)} origins x {len(body.destinations)} destinations = {cells:,} pairs exceeds the limit of {lim.max_matrix_cells:,}",
            limit=lim.max_matrix_cells,
        )
    service.check_samples(body.samples)
    if cells * body.samples > lim.max_matrix_samples:
        raise LimitExceeded(
            f"{cells:,} pairs x {body.samples:,} samples exceeds the limit of {lim.max_matrix_samples:,}", limit=lim.max_matrix_samples
        )

    def work() -> Response:
        table = matrix(
            net,
            body.origins,
            body.destinations,
            regime=body.regime,
            departure=body.departure,
            via=body.via,
            vehicle=_vehicle(body.vehicle),
            samples=body.samples,
            rng=body.seed,  # in the request's own thread: worker processes are the server's (scheduler=None)
        )
        return matrix_response(table, regime=body.regime, departure=body.departure, samples=body.samples, seed=body.seed)

    return await service.compute(request, work)


def create_app(network: nx.MultiDiGraph | None = None, *, limits: Limits | None = None, cors_origins: list[str] | None = None) -> FastAPI:
    """
    Make the HTTP application.

    Parameters
    ----------
    network
        The network to serve; default :func:`transit.load_network` (the embedded SCO dataset), loaded now.
    limits
        Request bounds and compute slots; default :class:`Limits`.
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
    app.state.service = _Service(net, lim)
    app.state.network = net
    app.state.limits = lim
    install(app)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "HEAD", "POST"], allow_headers=["content-type", "x-request-id"]
        )
    app.add_middleware(RequestGuard, max_body_bytes=lim.max_body_bytes, body_timeout_s=lim.body_timeout_s)
    _docs(app)
    install_page(app, net, limits=lim)
    app.include_router(router)

    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original_openapi()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = m.Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
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
            {
                "id": d.get("ref", str(n)),
                "name": d["name"],
                "country": d["country"],
                "kind": d["kind"],
                "lon": d["x"],
                "lat": d["y"],
                "tz": d["tz"],
                "aliases": list(d.get("aliases", ())),
            }
            for n, d in net.nodes(data=True)
            if d.get("kind") != "border_post"
        ]
        self.crossings = []
        for c in net.graph["crossings"].values():
            a, b = c.posts
            self.crossings.append(
                {
                    "id": c.id,
                    "name": c.name,
                    "countries": list(c.countries),
                    "posts": [a.name, b.name],
                    "schedule": {p.country: p.schedule.describe() for p in c.posts},
                    "lon": (a.lon + b.lon) / 2,
                    "lat": (a.lat + b.lat) / 2,
                }
            )
        self.regimes = [
            {
                "id": r.id,
                "name": r.name,
                "in_force_from": r.in_force_from.isoformat() if r.in_force_from else None,
                "permits": list(r.permits),
                "description": r.description.strip(),
            }
            for r in [*net.graph["regimes"].values(), *([get_regime(net, HISTORY)] if net.graph.get("timeline") is not None else [])]
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
