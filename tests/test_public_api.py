"""The public surface is deliberate, and importing transit stays light."""

import subprocess
import sys

import transit

PUBLIC = [
    "CalibrationReport", "Comparison", "Crossing", "CrossingRule", "DataError", "Delay", "Event",
    "InvalidDepartureError", "InvalidVehicleError", "NoRouteError", "Post", "PostSchedule", "Regime",
    "TransitError", "Trip", "UnknownPlaceError", "UnknownRegimeError", "Vehicle", "__version__",
    "build_network", "calibration", "compare", "get_regime", "load_network", "network", "plan_trip",
    "regimes", "resolve_place", "routing", "schedule", "simulate", "to_gdfs", "validate",
    "InvalidArgumentError", "Reliability", "delays", "graph_from_osm", "osm", "departure_profile", "matrix", "montecarlo", "odmatrix", "reliability", "uncertainty",
    "InvalidNetworkError", "io", "save_network",
]


def test_all_is_pinned():
    assert sorted(transit.__all__) == sorted(PUBLIC)
    for name in transit.__all__:
        assert hasattr(transit, name), name


def test_error_hierarchy():
    assert issubclass(transit.UnknownPlaceError, KeyError)
    assert issubclass(transit.NoRouteError, LookupError)
    for err in (transit.DataError, transit.InvalidArgumentError, transit.InvalidDepartureError, transit.UnknownRegimeError, transit.InvalidVehicleError, transit.InvalidNetworkError):
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
