"""The public surface is deliberate, and importing transit stays light."""

import subprocess
import sys

import transit

PUBLIC = [
    # results and model objects
    "BreakRule",
    "CalibrationReport",
    "Comparison",
    "CostBreakdown",
    "CostModel",
    "CrewRule",
    "Crossing",
    "CrossingRule",
    "Delay",
    "DesignatedRoute",
    "DriverRules",
    "Event",
    "History",
    "Timeline",
    "TimelineEvent",
    "Place",
    "Post",
    "PostSchedule",
    "Regime",
    "Reliability",
    "Runs",
    "SearchStats",
    "Segment",
    "Source",
    "Trip",
    "Vehicle",
    "__version__",
    # errors
    "ArgumentTypeError",
    "ComputeCancelled",
    "DataError",
    "InvalidNetworkError",
    "InvalidArgumentError",
    "MissingExtraError",
    "MultimodalTrip",
    "InvalidDepartureError",
    "InvalidVehicleError",
    "NoRouteError",
    "ReadOnlyNetworkError",
    "TransitError",
    "UnknownIdError",
    "UnknownPlaceError",
    "UnknownRegimeError",
    # functions
    "build_network",
    "compare",
    "departure_profile",
    "editable",
    "freeze",
    "get_regime",
    "graph_from_osm",
    "save_network",
    "load_network",
    "matrix",
    "node_id",
    "plan_multimodal",
    "plan_trip",
    "reliability",
    "resolve_place",
    "simulate",
    "snap",
    "regime_on",
    "timeline",
    "to_gdfs",
    "validate",
    # modules
    "calibration",
    "comparison",
    "convert",
    "datasets",
    "delays",
    "geo",
    "io",
    "lookup",
    "model",
    "montecarlo",
    "multimodal",
    "network",
    "odmatrix",
    "osm",
    "rail",
    "regimes",
    "routing",
    "schedule",
    "simulation",
    "sweep",
    "sweeps",
    "trip",
    "uncertainty",
]


def test_all_is_pinned():
    assert sorted(transit.__all__) == sorted(PUBLIC)
    for name in transit.__all__:
        assert hasattr(transit, name), name


def test_no_function_hides_its_module():
    import importlib
    import pkgutil
    import types

    for info in pkgutil.iter_modules(transit.__path__):
        if info.name.startswith("_") or info.name in {"api", "plot", "cli"}:
            continue
        importlib.import_module(f"transit.{info.name}")
        assert isinstance(getattr(transit, info.name), types.ModuleType), info.name


def test_error_hierarchy():
    assert issubclass(transit.UnknownPlaceError, KeyError)
    assert issubclass(transit.NoRouteError, LookupError)
    for err in (
        transit.DataError,
        transit.InvalidArgumentError,
        transit.InvalidDepartureError,
        transit.UnknownRegimeError,
        transit.InvalidVehicleError,
        transit.InvalidNetworkError,
    ):
        assert issubclass(err, ValueError) and issubclass(err, transit.TransitError)


def test_import_does_not_pull_plotting_or_web_stacks():
    code = "import sys, transit; print(sorted(m for m in ('matplotlib', 'folium', 'fastapi', 'geopandas', 'osmnx', 'tqdm', 'osmium', 'scipy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def test_options_are_keyword_only():
    import inspect

    for func in (transit.plan_trip, transit.compare, transit.simulate, transit.reliability, transit.departure_profile, transit.matrix):
        params = list(inspect.signature(func).parameters.values())
        positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        assert len(positional) <= 3, (func.__name__, positional)
