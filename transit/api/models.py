"""
Request and response bodies of the HTTP API (pydantic). Field names carry their units.

Times in requests are ISO 8601 strings: with an offset, or naive for local time at the origin (departures) or at the
destination (deadlines). Times in responses are ISO 8601 with the local offset of the place.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "CompareRequest",
    "CompareResponse",
    "CompareRow",
    "CostOut",
    "CrossingInfo",
    "Feature",
    "Health",
    "HealthLimits",
    "HistoryEvent",
    "HistoryPeriod",
    "LineGeometry",
    "MatrixRequest",
    "MatrixResponse",
    "MatrixRow",
    "PlaceInfo",
    "Problem",
    "RegimeInfo",
    "ReliabilityRequest",
    "ReliabilityResponse",
    "RouteInfo",
    "SourceRef",
    "TimelineEvent",
    "TimelineResponse",
    "TripRequest",
    "TripResponse",
    "VehicleModel",
]

_STRICT = ConfigDict(extra="forbid", strict=True)
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})(?::?\d{2}(?:\.\d+)?)?$")
_MAX_OFFSET_MIN = 14 * 60


def _offset_within_14_h(value: str | None) -> str | None:
    """Refuse a UTC offset beyond +-14:00 (none exists; the library would otherwise read +23:00 as given)."""
    if value is None or "T" not in value.upper():
        return value
    found = _OFFSET.search(value.upper().split("T", 1)[1])
    if found is not None:
        sign, hours, minutes = found.groups()
        total = int(hours) * 60 + int(minutes)
        if total > _MAX_OFFSET_MIN:
            msg = (
                f"the UTC offset {sign}{hours}:{minutes} of {value!r} is outside -14:00..+14:00; "
                "give a real offset (e.g. +08:00) or none for local time"
            )
            raise ValueError(msg)
    return value


def _no_via(value: Any) -> Any:
    """``"via": null`` means no waypoints."""
    return [] if value is None else value


DateTime = Annotated[str, AfterValidator(_offset_within_14_h)]
ViaList = Annotated[Annotated[list[str], Field(max_length=10)] | None, BeforeValidator(_no_via)]
Name = Field(min_length=1, max_length=100, description="A place name, alias or id, e.g. 'Kashgar'.")
Departure = Field(
    min_length=1,
    max_length=40,
    description="ISO 8601, e.g. '2017-10-30T08:00' (local time at the origin) or '2017-10-30T08:00+08:00'.",
    examples=["2017-10-30T08:00"],
)
Via: list[str] = Field(default_factory=list, description="Places or crossings to pass, in order, e.g. ['Irkeshtam']; null or [] for none.")
Regime = Field(default=None, min_length=1, max_length=100, description="Regime id, e.g. 'sco-2017'; null for the dataset's default regime.")
_WARNINGS = "Why the trip may not be what was meant: long closed waits, seasonal closures, a departure before the regime was in force."
Seed = Field(default=None, ge=0, le=2**63 - 1, description="Random seed: the same seed gives the same percentiles.")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(description="A URI identifying the kind of problem.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The request path.")
    request_id: str = Field(description="Also in the X-Request-ID response header; quote it when reporting a problem.")
    suggestions: list[str] | None = Field(default=None, description="Close matches for an unknown place.")
    name: str | None = Field(default=None, description="The unknown place as given, for a client to find the field that holds it.")
    valid: list[str] | None = Field(default=None, description="The valid values, for an unknown regime.")
    blocking: list[str] | None = Field(default=None, description="Crossings or rules that block every route.")
    errors: list[dict[str, Any]] | None = Field(default=None, description="Per field: where and what is wrong.")
    limit: float | None = Field(default=None, description="The limit that was exceeded.")


class HealthLimits(BaseModel):
    """The request limits of this server (see :class:`transit.api.Limits`)."""

    max_body_bytes: int
    max_samples: int
    max_matrix_cells: int
    max_matrix_samples: int
    timeout_s: float
    compute_slots: int = Field(description="Computations that run at once in one worker process.")
    max_queue: int = Field(description="Requests that may wait for a compute slot; more get 503 with Retry-After.")
    retry_after_s: int
    body_timeout_s: float


class Health(BaseModel):
    """The ``GET /health`` response: the server's version, dataset and limits."""

    status: Literal["ok"]
    version: str
    dataset_version: str
    places: int
    crossings: int
    regimes: list[str]
    limits: HealthLimits


class VehicleModel(BaseModel):
    """The truck. Default: one driver, registered in the origin's country."""

    model_config = _STRICT
    registration: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, e.g. 'UZ'.")
    drivers: int = Field(default=1, ge=1, le=2)
    permits: list[str] | None = Field(default=None, max_length=20, description="Permit ids held; default: every permit its registration may hold.")
    max_speed_kph: float | None = Field(default=None, gt=0, le=200)


class TripRequest(BaseModel):
    """The ``POST /trips`` request: one trip question."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "origin": "Kashgar",
                    "destination": "Tashkent",
                    "via": ["Irkeshtam"],
                    "regime": "history",
                    "departure": "2017-10-30T08:00",
                    "vehicle": {"registration": "UZ", "drivers": 1},
                }
            ]
        },
    )
    origin: str = Name
    destination: str = Name
    via: ViaList = Via
    regime: str | None = Regime
    departure: DateTime = Departure
    vehicle: VehicleModel | None = None
    modes: list[Literal["road", "rail"]] | None = Field(
        default=None,
        min_length=1,
        max_length=2,
        description="Modes allowed: ['road'] (the default, null: a truck trip), ['rail'] (the main haul by train) or ['road', 'rail'] (any mix, "
        "door to door; the answer is then a MultimodalTripResponse, and via is not allowed).",
    )


class _Step(BaseModel):
    """What every timeline row says: the activity, where, when (local time of the place), how long, and its source."""

    activity: str
    place: str
    country: str
    start: str = Field(description="ISO 8601, local time of the place.")
    end: str
    duration_h: float
    distance_km: float
    note: str
    source: str


class TimelineEvent(_Step):
    """One row of a trip's timeline: driving, a rest, a queue, clearance, a closed wait or transshipment."""

    crossing_id: str
    segment_id: str


class CostOut(BaseModel):
    """A trip's cost, in US dollars, by kind."""

    distance_usd: float
    time_usd: float
    border_usd: float
    transshipment_usd: float
    total_usd: float


class LineGeometry(BaseModel):
    """A GeoJSON LineString (RFC 7946)."""

    type: Literal["LineString"]
    coordinates: list[list[float]] = Field(description="[lon, lat] pairs, EPSG:4326.")


class Feature(BaseModel):
    """A GeoJSON Feature (RFC 7946)."""

    type: Literal["Feature"]
    geometry: LineGeometry
    properties: dict[str, Any]


class TripResponse(BaseModel):
    """The ``POST /trips`` response: the trip's totals, cost, timeline and road geometry."""

    origin: str
    destination: str
    regime: str
    registration: str
    drivers: int
    departure: str
    arrival: str
    total_h: float
    total_days: float
    driving_h: float
    rest_h: float
    border_h: float
    transshipment_h: float
    closed_wait_h: float
    distance_km: float
    cost_usd: float
    crossings: list[str]
    transshipments: list[str]
    warnings: list[str] = Field(default_factory=list, description=_WARNINGS)
    snapped_km: list[float] = Field(
        default_factory=lambda: [0.0, 0.0],
        min_length=2,
        max_length=2,
        description="[origin, destination]: how far a place given as (lat, lon) lay from the road node it was snapped to, km (0 for names).",
    )
    breakdown_h: dict[str, float]
    cost: CostOut
    timeline: list[TimelineEvent]
    geometry: Feature


class MultimodalEvent(_Step):
    """One row of a door-to-door trip's timeline, with its mode."""

    mode: Literal["road", "rail", "transfer"]
    crossing_id: str = Field(default="", description="The road crossing of a border step ('' elsewhere).")


class MultimodalTripResponse(BaseModel):
    """The ``POST /trips`` response when ``modes`` allows rail: totals, cost by mode and the timeline with each step's mode."""

    origin: str
    destination: str
    regime: str
    modes: list[str] = Field(description="The modes used, in order, e.g. ['road', 'rail', 'road'].")
    departure: str
    arrival: str
    total_h: float
    total_days: float
    driving_h: float
    rest_h: float
    rail_h: float
    border_h: float
    transshipment_h: float
    closed_wait_h: float
    distance_km: float
    road_km: float
    rail_km: float
    cost_usd: float
    cost: dict[str, float] = Field(description="road_usd, border_usd, rail_usd, transfer_usd and total_usd.")
    crossings: list[str]
    transshipments: list[str]
    warnings: list[str] = Field(default_factory=list, description=_WARNINGS)
    timeline: list[MultimodalEvent]
    geometry: dict[str, Any] = Field(
        description="The path as a GeoJSON FeatureCollection: a LineString per road or rail part (mode, distance_km), a Point per transfer."
    )


class DoorToDoorReliabilityResponse(BaseModel):
    """The ``POST /reliability`` response when ``modes`` allows rail: percentiles of the door-to-door trip."""

    origin: str
    destination: str
    regime: str
    modes: list[str]
    departure: str
    route: str
    samples: int
    seed: int | None
    deterministic_h: float
    mean_h: float
    p50_h: float
    p90_h: float
    p95_h: float
    p90_arrival: str
    on_time_probability: float | None = Field(default=None, description="With a deadline: the share of samples in by then.")


class CompareRequest(BaseModel):
    """The ``POST /compare`` request: one trip question under several regimes, at one departure or several (dates)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "origin": "Kashgar",
                    "destination": "Tashkent",
                    "via": ["Irkeshtam"],
                    "regimes": ["pre-2017", "history"],
                    "departure": "2017-10-30T08:00",
                    "samples": 1000,
                    "seed": 42,
                },
                {
                    "origin": "Tashkent",
                    "destination": "Kashgar",
                    "regimes": ["history"],
                    "departures": ["2016-10-31T08:00", "2017-10-30T08:00", "2021-06-01T08:00", "2024-06-03T08:00"],
                },
            ]
        },
    )
    origin: str = Name
    destination: str = Name
    via: ViaList = Via
    regimes: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description=(
            "The first is the baseline; null for every regime of the dataset, its default regime last "
            "(with several departures: the default regime only)."
        ),
    )
    departure: DateTime | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="One departure: ISO 8601, e.g. '2017-10-30T08:00' (local time at the origin). Give it or departures.",
        examples=["2017-10-30T08:00"],
    )
    departures: list[DateTime] | None = Field(
        default=None,
        min_length=1,
        max_length=12,
        description="Several departures to compare (dates), instead of departure; rows go date by date, regimes within a date.",
    )
    modes: list[Literal["road", "rail", "road+rail"]] | None = Field(
        default=None,
        min_length=1,
        max_length=3,
        description="Mode sets to compare, e.g. ['road', 'road+rail']: road only beside the best door-to-door mix; null: road only.",
    )
    vehicle: VehicleModel | None = None
    samples: int = Field(default=0, ge=0, description="Monte Carlo samples per regime (0: deterministic only); see /health for the limit.")
    seed: int | None = Seed
    trips: bool = Field(
        default=False,
        description=(
            "Also return each row's trip (timeline and road geometry, as POST /trips gives it) under `trips`: "
            "one request for a page's table, chart and map."
        ),
    )


class CompareRow(BaseModel):
    """One row of a comparison (a regime at a departure); the totals are null when it has no route."""

    row: str = Field(description="The row's label: the regime id, or '<date> <regime>' when comparing departures.")
    regime: str
    departure: str
    status: str = Field(description="'ok', or why the regime has no route.")
    total_h: float | None
    total_days: float | None
    driving_h: float | None
    rest_h: float | None
    border_h: float | None
    transshipment_h: float | None
    closed_wait_h: float | None
    distance_km: float | None
    cost_usd: float | None
    saving_h: float | None
    saving_usd: float | None
    saving_vs_previous_h: float | None
    arrival: str | None
    crossings: list[str]
    transshipments: list[str]
    warnings: list[str] = Field(default_factory=list, description=_WARNINGS + " Empty for a regime with no route.")
    p50_h: float | None = None
    p90_h: float | None = None
    p95_h: float | None = None


class CompareResponse(BaseModel):
    """The ``POST /compare`` response: the question and one row per regime."""

    origin: str
    destination: str
    departure: str
    departures: list[str]
    via: list[str]
    baseline: str
    samples: int
    seed: int | None
    rows: list[CompareRow]
    trips: dict[str, TripResponse | MultimodalTripResponse] | None = Field(
        default=None, description="With `trips: true`: row label mapped to its trip (rows with no route are missing)."
    )


class ReliabilityRequest(BaseModel):
    """The ``POST /reliability`` request: one trip question and the Monte Carlo settings."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "origin": "Kashgar",
                    "destination": "Tashkent",
                    "departure": "2017-10-30T08:00",
                    "samples": 1000,
                    "seed": 42,
                    "deadline": "2017-11-01T18:00",
                }
            ]
        },
    )
    origin: str = Name
    destination: str = Name
    via: ViaList = Via
    regime: str | None = Regime
    departure: DateTime = Departure
    vehicle: VehicleModel | None = None
    samples: int = Field(default=10_000, ge=1, description="Monte Carlo samples; see /health for the limit.")
    seed: int | None = Seed
    route: str = Field(
        default="planned", pattern=r"^(planned|best_mean|best_p\d{1,2})$", description="'planned', 'best_p90' (any best_pNN) or 'best_mean'."
    )
    deadline: DateTime | None = Field(default=None, min_length=1, max_length=40, description="ISO 8601; naive is local time at the destination.")
    modes: list[Literal["road", "rail"]] | None = Field(
        default=None,
        min_length=1,
        max_length=2,
        description="Modes allowed, as for /trips; allowing rail samples the door-to-door trip (route 'planned', no via).",
    )


class CrossingStat(BaseModel):
    """The sampled hours spent at one crossing."""

    crossing_id: str
    p50_h: float
    p90_h: float
    mean_h: float


class RouteChoice(BaseModel):
    """One candidate route of a reliability question, with its sampled hours."""

    route: str
    deterministic_h: float
    p50_h: float
    p90_h: float
    mean_h: float
    chosen: bool


class ReliabilityResponse(BaseModel):
    """The ``POST /reliability`` response: the sampled door-to-door hours and arrival times."""

    origin: str
    destination: str
    regime: str
    departure: str
    route: list[str]
    route_choice: str
    samples: int
    seed: int | None
    deterministic_h: float
    mean_h: float
    percentiles_h: dict[str, float] = Field(description="Keys '50', '80', '90', '95'.")
    arrivals: dict[str, str] = Field(description="Arrival time by which that percentage of samples has arrived.")
    breakdown_mean_h: dict[str, float]
    crossings: list[CrossingStat]
    warnings: list[str] = Field(default_factory=list, description="Of the deterministic trip. " + _WARNINGS)
    deadline: str | None = None
    on_time_probability: float | None = None
    candidates: list[RouteChoice] | None = None


class MatrixRequest(BaseModel):
    """The ``POST /matrix`` request: every origin to every destination."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"origins": ["Kashgar", "Urumqi"], "destinations": ["Tashkent", "Almaty"], "departure": "2017-10-30T08:00"}]},
    )
    origins: list[str] = Field(min_length=1, max_length=100)
    destinations: list[str] = Field(min_length=1, max_length=100)
    regime: str | None = Regime
    departure: DateTime = Departure
    via: ViaList = Via
    vehicle: VehicleModel | None = None
    samples: int = Field(default=0, ge=0)
    seed: int | None = Seed


class MatrixRow(BaseModel):
    """One origin-destination pair of a matrix."""

    origin: str
    destination: str
    status: str
    total_h: float | None
    arrival: str | None
    distance_km: float | None
    cost_usd: float | None
    route: str
    warnings: list[str] = Field(default_factory=list, description="Of this pair's trip. " + _WARNINGS + " Empty for a pair with no route.")
    p50_h: float | None = None
    p90_h: float | None = None
    p95_h: float | None = None


class MatrixResponse(BaseModel):
    """The ``POST /matrix`` response: one row per origin-destination pair."""

    regime: str
    departure: str
    samples: int
    seed: int | None
    rows: list[MatrixRow]


class PlaceInfo(BaseModel):
    """A place of the network (``GET /places``)."""

    id: str
    name: str
    country: str
    kind: str
    lon: float
    lat: float
    tz: str
    aliases: list[str]


class CrossingInfo(BaseModel):
    """A border crossing of the network (``GET /crossings``)."""

    id: str
    name: str
    countries: list[str]
    posts: list[str]
    schedule: dict[str, str]
    lon: float
    lat: float


class RegimeInfo(BaseModel):
    """A border regime of the network (``GET /regimes``)."""

    id: str
    name: str
    in_force_from: str | None
    permits: list[str]
    description: str


class RouteInfo(BaseModel):
    """A designated SCO route or documented corridor (``GET /routes``)."""

    id: str
    name: str
    kind: str
    status: str
    countries: list[str]
    sequence: list[str]


class SourceRef(BaseModel):
    """A source of ``routes/sources.csv``, cited by a timeline period or event."""

    id: str
    title: str = Field(description="Empty for an id the dataset's sources.csv lacks.")
    url: str | None = Field(description="Null where the source has no stored URL.")


_FROM = "ISO 8601: a date (from local midnight at each crossing) or a date-time with its offset."


class HistoryPeriod(BaseModel):
    """A stretch of time whose base rules come from one regime (``GET /timeline``)."""

    model_config = ConfigDict(populate_by_name=True)
    regime: str
    from_: str = Field(alias="from", description="First day, ISO date.")
    to: str | None = Field(description="First day no longer covered; null: open-ended.")
    source: str = Field(description="As written in timeline.toml.")
    sources: list[SourceRef]
    estimate: str | None = Field(description="The ESTIMATE part of the source and its method, or null.")


class HistoryEvent(BaseModel):
    """One dated change at one or more crossings (``GET /timeline``)."""

    model_config = ConfigDict(populate_by_name=True)
    id: str
    title: str
    from_: str = Field(alias="from", description=_FROM)
    to: str | None = Field(description="Exclusive, same forms as from; null while still in force.")
    crossings: list[str]
    directions: list[str] = Field(description="The directions its delays apply to; empty for both.")
    status: Literal["open", "closed", "one-way", "restricted", "delays"] = Field(description="How the corridor-status chart draws it.")
    changes: dict[str, Any] = Field(description="The keys that change rules, as written in timeline.toml (see routes/README.md).")
    source: str = Field(description="As written in timeline.toml: source ids, or ESTIMATE and its method.")
    sources: list[SourceRef]
    estimate: str | None = Field(description="The ESTIMATE part of the source and its method, or null.")
    note: str
    disagreement: str = Field(description="Where sources disagree: what each says and which the timeline takes; empty if none.")


class TimelineResponse(BaseModel):
    """The ``GET /timeline`` response: the base periods and the events asked for, with their sources."""

    source_file: str
    starts: str = Field(description="The first day the timeline covers; an earlier departure follows its first period.")
    periods: list[HistoryPeriod]
    events: list[HistoryEvent]
