"""
Check that a graph is a transit network before any public function works on it.

Modelled on osmnx's ``_validate.py``: one function, :func:`check_network`, looks at the graph attributes (the model
objects ``crossings``, ``regimes``, ``driver_rules``, ``cost_model``), every node (``x``, ``y``, ``country``, ``tz``,
``name``) and every edge (``length``, ``travel_time``, ``speed_kph``, ``country``; ``crossing_id`` on crossing
links), and raises :class:`~transit.errors.InvalidNetworkError` saying what is missing where and how to get a
network that has it. The common mistakes get their own advice: a graph read with ``osmnx.load_graphml`` (its
graph attributes are text), a plain osmnx graph (no crossings or regimes), a projected graph (``x``/``y`` in metres).

The verdict is kept in the network's cache (:mod:`transit._cache`): for a frozen network (every network the library
returns) it is computed once, so the public functions call this on every call for almost nothing; an unfrozen network
(built by hand, or :func:`transit.editable`) may change between calls and is checked again on each.

Examples
--------
>>> import networkx as nx
>>> import transit
>>> check_network(transit.load_network())
>>> check_network(nx.MultiDiGraph(crs="EPSG:4326"))
Traceback (most recent call last):
...
transit.errors.InvalidNetworkError: this graph is not a transit network: it lacks the graph attributes 'crossings', 'regimes', 'driver_rules', 'cost_model'. Build one with transit.load_network() (the curated dataset), transit.graph_from_osm(path) (an OpenStreetMap file) or transit.build_network(...); a network saved with transit.save_network(G, path) loads with transit.load_network(path).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real

import networkx as nx

from . import _cache
from .cost import CostModel
from .crossings import Crossing
from .drivers import DriverRules
from .errors import InvalidNetworkError
from .regimes import Regime

__all__ = ["MODEL_ATTRIBUTES", "check_network"]

#: Graph attributes a network must hold, with the type of their values.
MODEL_ATTRIBUTES: dict[str, tuple[type, str]] = {
    "crossings": (Crossing, "a dict of crossing id -> transit.Crossing"),
    "regimes": (Regime, "a dict of regime id -> transit.Regime"),
    "driver_rules": (DriverRules, "a transit.drivers.DriverRules"),
    "cost_model": (CostModel, "a transit.cost.CostModel"),
}
NODE_ATTRIBUTES = ("x", "y", "country", "tz", "name")
EDGE_ATTRIBUTES = ("length", "travel_time", "speed_kph", "country")
#: At most this many offending nodes or edges are named in a message.
SHOWN = 3

_BUILD = (
    "Build one with transit.load_network() (the curated dataset), transit.graph_from_osm(path) (an OpenStreetMap file) "
    "or transit.build_network(...); a network saved with transit.save_network(G, path) loads with transit.load_network(path)."
)


def check_network(graph: object) -> None:
    """
    Raise :class:`~transit.errors.InvalidNetworkError` unless ``graph`` has what transit needs.

    Parameters
    ----------
    graph
        The graph a public function was given.

    Raises
    ------
    InvalidNetworkError
        Naming what is missing or wrong (the graph attribute, or up to three nodes or edges and the attribute) and
        how to fix it; ``problems`` lists each finding.

    Examples
    --------
    >>> import transit
    >>> net = transit.editable(transit.load_network())
    >>> u, v, k = next(iter(net.edges(keys=True)))
    >>> del net.edges[u, v, k]["length"]
    >>> check_network(net)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    transit.errors.InvalidNetworkError: this graph is not a usable transit network: no 'length' on edge (-417384767, -4230510023, 0) (Kashgar – Artux). ...
    """
    if isinstance(graph, nx.MultiDiGraph) and _cache.store(graph)["verdict"].get("valid", False):
        return
    problems = _graph_problems(graph)
    if problems:
        raise InvalidNetworkError(problems[0] if len(problems) == 1 and problems[0].startswith("this graph") else _join(problems), problems=problems)
    problems = [*_node_problems(graph), *_edge_problems(graph)]  # type: ignore[arg-type]
    if problems:
        raise InvalidNetworkError(_join(problems), problems=problems)
    _cache.store(graph)["verdict"].put("valid", True)  # type: ignore[arg-type]


def _join(problems: list[str]) -> str:
    return "this graph is not a usable transit network: " + "; ".join(problems) + ". " + _BUILD


def _graph_problems(graph: object) -> list[str]:
    if not isinstance(graph, nx.MultiDiGraph):
        return [f"expected a network (a networkx.MultiDiGraph), got a {type(graph).__name__}. {_BUILD}"]
    attrs = graph.graph
    if attrs.get("transit:format"):
        return [
            "this graph is a file written by transit.save_network read with another reader (osmnx.load_graphml or networkx): "
            "its crossings, regimes and rules are still text. Load it with transit.load_network(path)"
        ]
    missing = [key for key in MODEL_ATTRIBUTES if key not in attrs]
    if len(missing) == len(MODEL_ATTRIBUTES):
        return [f"this graph is not a transit network: it lacks the graph attributes {', '.join(repr(k) for k in missing)}. {_BUILD}"]
    texts = [key for key in MODEL_ATTRIBUTES if isinstance(attrs.get(key), str)]
    if texts:
        return [
            f"this graph's {', '.join(repr(k) for k in texts)} are text, not transit objects: it was written to GraphML and read back "
            "with osmnx.load_graphml (or networkx), which keeps only text. Save networks with transit.save_network(G, path) "
            "and load them with transit.load_network(path)"
        ]
    problems = [f"it lacks the graph attribute {key!r} ({MODEL_ATTRIBUTES[key][1]})" for key in missing]
    for key, (kind, expected) in MODEL_ATTRIBUTES.items():
        value = attrs.get(key)
        if key in missing:
            continue
        if key in ("crossings", "regimes"):
            if not isinstance(value, Mapping):
                problems.append(f"graph attribute {key!r} is a {type(value).__name__}; expected {expected}")
                continue
            wrong = [k for k, v in value.items() if not isinstance(v, kind)]
            if wrong:
                problems.append(f"graph attribute {key!r} holds {type(value[wrong[0]]).__name__} for {wrong[0]!r}; expected {expected}")
        elif not isinstance(value, kind):
            problems.append(f"graph attribute {key!r} is a {type(value).__name__}; expected {expected}")
    crs = attrs.get("crs")
    if crs is not None and str(crs).strip().upper() not in ("EPSG:4326", "WGS84", "WGS 84", "OGC:CRS84"):
        problems.append(
            f"graph attribute 'crs' is {str(crs)!r}; expected 'EPSG:4326' (x = longitude, y = latitude in degrees): "
            "unproject it with osmnx.project_graph(G, to_latlong=True)"
        )
    return problems


def _real(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _collect(found: dict[str, list[str]], what: str, where: str) -> None:
    found.setdefault(what, []).append(where)


def _summarise(found: dict[str, list[str]], noun: str) -> list[str]:
    out = []
    for what, where in found.items():
        more = f" and {len(where) - SHOWN} more" if len(where) > SHOWN else ""
        places = f"{noun} {where[0]}" if len(where) == 1 else f"{len(where)} {noun}s: {', '.join(where[:SHOWN])}{more}"
        out.append(f"{what} on {places}")
    return out


def _node_problems(graph: nx.MultiDiGraph) -> list[str]:
    found: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        where = f"{node!r}"
        for attr in NODE_ATTRIBUTES:
            if attr not in data:
                _collect(found, f"no {attr!r}", where)
        x, y = data.get("x"), data.get("y")
        if "x" in data and "y" in data:
            if not (_real(x) and _real(y)):
                _collect(found, "'x'/'y' that are not finite numbers (expected degrees)", where)
            elif not (-180 <= x <= 180 and -90 <= y <= 90):  # type: ignore[operator]
                _collect(found, "'x'/'y' outside -180..180 / -90..90 (a projected graph? unproject it with osmnx.project_graph(G, to_latlong=True))", where)
        for attr in ("country", "tz"):
            if attr in data and not isinstance(data[attr], str):
                _collect(found, f"{attr!r} that is not text", where)
    return _summarise(found, "node")


def _edge_problems(graph: nx.MultiDiGraph) -> list[str]:
    found: dict[str, list[str]] = {}
    crossings = graph.graph["crossings"]
    for u, v, key, data in graph.edges(keys=True, data=True):
        label = data.get("name")
        where = f"({u!r}, {v!r}, {key!r})" + (f" ({label})" if isinstance(label, str) else "")
        for attr in EDGE_ATTRIBUTES:
            if attr not in data:
                _collect(found, f"no {attr!r}", where)
        for attr in ("length", "travel_time"):
            value = data.get(attr)
            if attr in data and not (_real(value) and value >= 0):  # type: ignore[operator]
                _collect(found, f"{attr!r} that is not a number >= 0", where)
        speed = data.get("speed_kph")
        if "speed_kph" in data and not (_real(speed) and speed > 0):  # type: ignore[operator]
            _collect(found, "'speed_kph' that is not a number > 0", where)
        if data.get("kind") == "crossing" and data.get("crossing_id") not in crossings:
            _collect(found, "a 'crossing_id' that graph.graph['crossings'] does not hold", where)
    return _summarise(found, "edge")
