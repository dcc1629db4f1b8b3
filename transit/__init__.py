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

from . import calibration, delays, io, montecarlo, network, odmatrix, osm, regimes, routing, schedule, uncertainty
from ._version import __version__
from .calibration import CalibrationReport, validate
from .compare import Comparison, compare
from .crossings import Crossing, Post
from .errors import (
    DataError,
    InvalidArgumentError,
    InvalidDepartureError,
    InvalidNetworkError,
    InvalidVehicleError,
    NoRouteError,
    TransitError,
    UnknownPlaceError,
    UnknownRegimeError,
)
from .io import save_network
from .network import build_network, get_regime, load_network, resolve_place, to_gdfs
from .odmatrix import matrix
from .osm import graph_from_osm
from .regimes import CrossingRule, Delay, Regime
from .routing import plan_trip
from .schedule import PostSchedule
from .simulate import Event, Trip, simulate
from .uncertainty import Reliability, departure_profile, reliability
from .vehicles import Vehicle

__all__ = [
    "CalibrationReport",
    "Comparison",
    "Crossing",
    "CrossingRule",
    "DataError",
    "Delay",
    "Event",
    "InvalidArgumentError",
    "InvalidDepartureError",
    "InvalidNetworkError",
    "InvalidVehicleError",
    "NoRouteError",
    "Post",
    "PostSchedule",
    "Regime",
    "Reliability",
    "TransitError",
    "Trip",
    "UnknownPlaceError",
    "UnknownRegimeError",
    "Vehicle",
    "__version__",
    "build_network",
    "calibration",
    "compare",
    "delays",
    "departure_profile",
    "get_regime",
    "graph_from_osm",
    "io",
    "load_network",
    "matrix",
    "montecarlo",
    "network",
    "odmatrix",
    "osm",
    "plan_trip",
    "regimes",
    "reliability",
    "resolve_place",
    "routing",
    "save_network",
    "schedule",
    "simulate",
    "to_gdfs",
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
