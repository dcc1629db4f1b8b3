"""
Checks at the public entry points, raising errors that name the value, what was expected and a fix: one module.

* **Arguments** (``check_number``, ``check_int``, ``check_bool``, ``check_str``, ``check_samples``): numbers in
  range, whole numbers, booleans and bounded strings, with close-match hints.
* **Graphs** (:func:`check_network`): modelled on osmnx's ``_validate.py``, it looks at the graph attributes (the
  model objects ``crossings``, ``regimes``, ``driver_rules``, ``cost_model``), every node (``x``, ``y``,
  ``country``, ``tz``, ``name``) and every edge (``length``, ``travel_time``, ``speed_kph``, ``country``;
  ``crossing_id`` on crossing links), and raises :class:`~transit.errors.InvalidNetworkError` saying what is
  missing where and how to get a network that has it. The common mistakes get their own advice: a graph read with
  ``osmnx.load_graphml`` (its graph attributes are text), a plain osmnx graph (no crossings or regimes), a
  projected graph (``x``/``y`` in metres). The verdict is kept in the network's cache (:mod:`transit._cache`): for
  a frozen network (every network the library returns) it is computed once, so the public functions call this on
  every call for almost nothing; an unfrozen network (built by hand, or :func:`transit.editable`) may change
  between calls and is checked again on each.

This module sits below the model modules (``crossings``, ``regimes``, ``vehicles`` use the argument checks), so the
graph checks import the model classes when they run.

Examples
--------
>>> check_number(80, name="max_speed_kph", low=5, high=150)
80.0
>>> check_number("80", name="max_speed_kph", low=5, high=150, example=80)
Traceback (most recent call last):
...
transit.errors.ArgumentTypeError: max_speed_kph='80' is not a number; expected a number from 5 to 150, e.g. max_speed_kph=80
>>> import networkx as nx
>>> import transit
>>> check_network(transit.load_network())
>>> check_network(nx.MultiDiGraph(crs="EPSG:4326"))  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
transit.errors.InvalidNetworkError: this graph is not a transit network: it lacks the graph attributes 'crossings', 'regimes', 'driver_rules',
'cost_model'. Build one with transit.load_network() (the curated dataset), transit.graph_from_osm(path) (an OpenStreetMap file) or
transit.build_network(...); a network saved with transit.save_network(G, path) loads with transit.load_network(path).
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import TypeGuard

import networkx as nx

from . import _cache
from .errors import ArgumentTypeError, InvalidArgumentError, InvalidNetworkError, InvalidVehicleError, short_repr

__all__ = [
    "EDGE_ATTRIBUTES",
    "MAX_NAME_CHARS",
    "MAX_SAMPLES",
    "MODEL_ATTRIBUTES",
    "NODE_ATTRIBUTES",
    "check_bool",
    "check_int",
    "check_network",
    "check_number",
    "check_samples",
    "check_str",
    "close_match",
    "close_match_hint",
    "short_repr",
]

# -- arguments -------------------------------------------------------------------------------------

#: Upper limit on Monte Carlo samples per call (memory: about 100 bytes per sample per crossing).
MAX_SAMPLES = 2_000_000
#: Longest name (of a place, a crossing, a permit) worth comparing with the known ones.
MAX_NAME_CHARS = 200


def close_match(value: object, choices: Iterable[str]) -> str | None:
    """
    Return the closest of ``choices`` to ``value`` (ignoring case), or ``None``.

    Values longer than :data:`MAX_NAME_CHARS` are not compared (the comparison is quadratic).

    Examples
    --------
    >>> close_match("SCO", ["sco", "bilateral"])
    'sco'
    """
    text = str(value)
    if len(text) > MAX_NAME_CHARS:
        return None
    by_lower = {str(c).lower(): str(c) for c in choices}
    close = difflib.get_close_matches(text.lower(), list(by_lower), n=1)
    return by_lower[close[0]] if close else None


def close_match_hint(value: object, choices: Iterable[str]) -> str:
    """
    ``"; did you mean 'x'?"`` for the closest of ``choices`` (see :func:`close_match`), or ``""``.

    Examples
    --------
    >>> close_match_hint("SCO", ["sco", "bilateral"])
    "; did you mean 'sco'?"
    """
    found = close_match(value, choices)
    return f"; did you mean {found!r}?" if found else ""


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value: object) -> TypeGuard[numbers.Integral]:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"a number from {low:g} to {high:g}"
    if low is not None:
        return f"a number >= {low:g}"
    if high is not None:
        return f"a number <= {high:g}"
    return "a finite number"


def check_number(
    value: object,
    *,
    name: str,
    low: float | None = None,
    high: float | None = None,
    error: type[InvalidArgumentError | InvalidVehicleError] = InvalidArgumentError,
    unit: str = "",
    example: float | None = None,
) -> float:
    """
    Return ``value`` as a float if it is a finite real number within ``[low, high]``.

    Parameters
    ----------
    value
        What the caller passed.
    name
        The argument's name, for the message.
    low, high
        Inclusive bounds; ``None`` for none.
    error
        The error class for a value out of range (a wrong type raises
        :class:`~transit.errors.ArgumentTypeError` when ``error`` is the default).
    unit
        Appended to the bounds in the message (``" h"``).
    example
        A good value, shown in the message (default: ``low``).

    Raises
    ------
    InvalidArgumentError
        For a bool, a string, NaN, an infinity or a value out of range.
    """
    expected = _range_text(low, high) + unit
    if example is None:
        example = low if low is not None else (high if high is not None else 1)
    if not _is_number(value):
        kind = ArgumentTypeError if error is InvalidArgumentError else error
        msg = f"{name}={short_repr(value)} is not a number; expected {expected}, e.g. {name}={example:g}"
        raise kind(msg)
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or (low is not None and number < low) or (high is not None and number > high):
        msg = f"{name}={number!r} is out of range; expected {expected}, e.g. {name}={example:g}"
        raise error(msg)
    return number


def check_int(
    value: object,
    *,
    name: str,
    low: int | None = None,
    high: int | None = None,
    error: type[InvalidArgumentError | InvalidVehicleError] = InvalidArgumentError,
    example: int | None = None,
) -> int:
    """
    Return ``value`` if it is a whole number (not a bool, not a float) within ``[low, high]``.

    Raises
    ------
    InvalidArgumentError
        For anything else, naming the value and the range.
    """
    expected = _range_text(low, high).replace("a number", "a whole number")
    if example is None:
        example = low if low is not None else (high if high is not None else 1)
    if not _is_int(value):
        kind = ArgumentTypeError if error is InvalidArgumentError else error
        msg = f"{name}={short_repr(value)} is not a whole number; expected {expected}, e.g. {name}={example}"
        raise kind(msg)
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        msg = f"{name}={number!r} is out of range; expected {expected}, e.g. {name}={example}"
        raise error(msg)
    return number


def check_bool(value: object, *, name: str, error: type[InvalidArgumentError | InvalidVehicleError] = InvalidArgumentError) -> bool:
    """
    Return ``value`` if it is ``True`` or ``False`` (not ``"no"``, not ``0``).

    Examples
    --------
    >>> check_bool("no", name="open_to_freight")
    Traceback (most recent call last):
    ...
    transit.errors.ArgumentTypeError: open_to_freight='no' is not a boolean; expected True or False, e.g. open_to_freight=False
    """
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy.bool_ too
        return bool(value)
    kind = ArgumentTypeError if error is InvalidArgumentError else error
    msg = f"{name}={short_repr(value)} is not a boolean; expected True or False, e.g. {name}=False"
    raise kind(msg)


def check_str(
    value: object, *, name: str, max_chars: int = MAX_NAME_CHARS, error: type[InvalidArgumentError | InvalidVehicleError] = InvalidArgumentError
) -> str:
    """
    Return ``value`` if it is a string of at most ``max_chars`` characters.

    Raises
    ------
    InvalidArgumentError
        For another type, or a longer string (its length named).
    """
    if not isinstance(value, str):
        kind = ArgumentTypeError if error is InvalidArgumentError else error
        msg = f"{name}={short_repr(value)} is not a string; expected text of at most {max_chars:,} characters"
        raise kind(msg)
    if len(value) > max_chars:
        msg = f"{name}={short_repr(value)} is too long; expected at most {max_chars:,} characters"
        raise error(msg)
    return value


def check_samples(samples: object) -> int:
    """
    Return a Monte Carlo sample count if it is a whole number from 1 to :data:`MAX_SAMPLES`.

    Raises
    ------
    InvalidArgumentError
        Otherwise, with an example.
    """
    if not _is_int(samples) or not 1 <= int(samples) <= MAX_SAMPLES:
        msg = f"samples={short_repr(samples)} must be a whole number from 1 to {MAX_SAMPLES:,}; e.g. samples=10_000"
        raise InvalidArgumentError(msg)
    return int(samples)


# -- graphs ----------------------------------------------------------------------------------------

#: Graph attributes a network must hold, with the type of their values.
MODEL_ATTRIBUTES: dict[str, str] = {
    "crossings": "a dict of crossing id -> transit.Crossing",
    "regimes": "a dict of regime id -> transit.Regime",
    "driver_rules": "a transit.drivers.DriverRules",
    "cost_model": "a transit.cost.CostModel",
}


def _model_types() -> dict[str, type]:
    """Return the class each of :data:`MODEL_ATTRIBUTES` holds (imported here: the model modules import this one)."""
    from .cost import CostModel
    from .crossings import Crossing
    from .drivers import DriverRules
    from .regimes import Regime

    return {"crossings": Crossing, "regimes": Regime, "driver_rules": DriverRules, "cost_model": CostModel}


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
    >>> check_network(net)  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    transit.errors.InvalidNetworkError: this graph is not a usable transit network: no 'length' on edge (-417384767, -4230510023, 0)
    (Kashgar – Artux). ...
    """
    if isinstance(graph, nx.MultiDiGraph) and _cache.store(graph)["verdict"].get("valid", False):
        return
    problems = _graph_problems(graph)
    if problems:
        raise InvalidNetworkError(problems[0] if len(problems) == 1 and problems[0].startswith("this graph") else _join(problems), problems=problems)
    problems = [*_node_problems(graph), *_edge_problems(graph)]
    if problems:
        raise InvalidNetworkError(_join(problems), problems=problems)
    _cache.store(graph)["verdict"].put("valid", value=True)


def _join(problems: list[str]) -> str:
    return "this graph is not a usable transit network: " + "; ".join(problems) + ". " + _BUILD


def _graph_problems(graph: object) -> list[str]:
    if not isinstance(graph, nx.MultiDiGraph):
        return [f"expected a network (a networkx.MultiDiGraph), got a {type(graph).__name__}. {_BUILD}"]
    attrs = graph.graph
    if attrs.get("transit:format"):
        return [
            (
                "this graph is a file written by transit.save_network read with another reader (osmnx.load_graphml or networkx): "
                "its crossings, regimes and rules are still text. Load it with transit.load_network(path)"
            )
        ]
    missing = [key for key in MODEL_ATTRIBUTES if key not in attrs]
    if len(missing) == len(MODEL_ATTRIBUTES):
        return [f"this graph is not a transit network: it lacks the graph attributes {', '.join(repr(k) for k in missing)}. {_BUILD}"]
    texts = [key for key in MODEL_ATTRIBUTES if isinstance(attrs.get(key), str)]
    if texts:
        return [
            (
                f"this graph's {', '.join(repr(k) for k in texts)} are text, not transit objects: it was written to GraphML and read back "
                "with osmnx.load_graphml (or networkx), which keeps only text. Save networks with transit.save_network(G, path) "
                "and load them with transit.load_network(path)"
            )
        ]
    problems = [f"it lacks the graph attribute {key!r} ({MODEL_ATTRIBUTES[key]})" for key in missing]
    types = _model_types()
    for key, expected in MODEL_ATTRIBUTES.items():
        kind = types[key]
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
    return not isinstance(value, bool) and isinstance(value, Real) and math.isfinite(value)


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
            elif not (-180 <= x <= 180 and -90 <= y <= 90):
                _collect(
                    found, "'x'/'y' outside -180..180 / -90..90 (a projected graph? unproject it with osmnx.project_graph(G, to_latlong=True))", where
                )
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
            if attr in data and not (_real(value) and value >= 0):
                _collect(found, f"{attr!r} that is not a number >= 0", where)
        speed = data.get("speed_kph")
        if "speed_kph" in data and not (_real(speed) and speed > 0):
            _collect(found, "'speed_kph' that is not a number > 0", where)
        if data.get("kind") == "crossing" and data.get("crossing_id") not in crossings:
            _collect(found, "a 'crossing_id' that graph.graph['crossings'] does not hold", where)
    return _summarise(found, "edge")
