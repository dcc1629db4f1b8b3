"""
transit: freight transit times for Central Asia's SCO road-permit routes.

A network of places and border crossings (``load_network``), border regimes
as data (``pre-2017``, ``sco-2017``), a time-true simulation of driving,
drivers' rest, queues, opening hours and transshipment (``plan_trip``), and
side-by-side regime comparisons (``compare``), and the reliability of a
transit time under uncertain border delays: percentiles and on-time
probability (``reliability``), the best day to leave (``departure_profile``)
and origin-destination tables (``matrix``).

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> cmp = transit.compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "sco-2017"],
...                       departure="2017-10-30T08:00", via=["Irkeshtam"])
>>> cmp.trips["sco-2017"].total_h < cmp.trips["pre-2017"].total_h
True
"""

from . import (
    calibration,
    comparison,
    convert,
    datasets,
    delays,
    geo,
    io,
    lookup,
    model,
    montecarlo,
    multimodal,
    network,
    odmatrix,
    osm,
    rail,
    regimes,
    routing,
    schedule,
    simulation,
    sweeps,
    timeline,
    trip,
    uncertainty,
)
from ._version import __version__
from .calibration import CalibrationReport, validate
from .comparison import Comparison, compare
from .convert import to_gdfs
from .cost import CostBreakdown, CostModel
from .crossings import Crossing, Post
from .drivers import BreakRule, CrewRule, DriverRules
from .errors import (
    ArgumentTypeError,
    ComputeCancelled,
    DataError,
    InvalidArgumentError,
    InvalidDepartureError,
    InvalidNetworkError,
    InvalidVehicleError,
    MissingExtraError,
    NoRouteError,
    ReadOnlyNetworkError,
    TransitError,
    UnknownIdError,
    UnknownPlaceError,
    UnknownRegimeError,
)
from .io import save_network
from .lookup import get_regime, resolve_place, snap
from .model import DesignatedRoute, Place, Segment, Source, node_id
from .montecarlo import Runs
from .multimodal import MultimodalTrip, plan_multimodal
from .network import build_network, editable, freeze, load_network
from .odmatrix import matrix
from .osm import graph_from_osm
from .regimes import CrossingRule, Delay, Regime
from .routing import plan_trip
from .schedule import PostSchedule
from .simulation import simulate
from .sweeps import sweep
from .timeline import History, Timeline, TimelineEvent, regime_on
from .trip import Event, SearchStats, Trip
from .uncertainty import Reliability, departure_profile, reliability
from .vehicles import Vehicle

__all__ = [
    "ArgumentTypeError",
    "BreakRule",
    "CalibrationReport",
    "Comparison",
    "ComputeCancelled",
    "CostBreakdown",
    "CostModel",
    "CrewRule",
    "Crossing",
    "CrossingRule",
    "DataError",
    "Delay",
    "DesignatedRoute",
    "DriverRules",
    "Event",
    "History",
    "InvalidArgumentError",
    "InvalidDepartureError",
    "InvalidNetworkError",
    "InvalidVehicleError",
    "MissingExtraError",
    "MultimodalTrip",
    "NoRouteError",
    "Place",
    "Post",
    "PostSchedule",
    "ReadOnlyNetworkError",
    "Regime",
    "Reliability",
    "Runs",
    "SearchStats",
    "Segment",
    "Source",
    "Timeline",
    "TimelineEvent",
    "TransitError",
    "Trip",
    "UnknownIdError",
    "UnknownPlaceError",
    "UnknownRegimeError",
    "Vehicle",
    "__version__",
    "build_network",
    "calibration",
    "compare",
    "comparison",
    "convert",
    "datasets",
    "delays",
    "departure_profile",
    "editable",
    "freeze",
    "geo",
    "get_regime",
    "graph_from_osm",
    "io",
    "load_network",
    "lookup",
    "matrix",
    "model",
    "montecarlo",
    "multimodal",
    "network",
    "node_id",
    "odmatrix",
    "osm",
    "plan_multimodal",
    "plan_trip",
    "rail",
    "regime_on",
    "regimes",
    "reliability",
    "resolve_place",
    "routing",
    "save_network",
    "schedule",
    "simulate",
    "simulation",
    "snap",
    "sweep",
    "sweeps",
    "timeline",
    "to_gdfs",
    "trip",
    "uncertainty",
    "validate",
]


def __getattr__(name: str) -> object:
    # ``transit.plot`` imports matplotlib and folium: load it on first use, not with ``import transit``.
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    msg = f"module 'transit' has no attribute {name!r}"
    raise AttributeError(msg)
