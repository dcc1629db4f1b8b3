"""
Finding things in a network: places by name, alias or point, ``via`` waypoints, regimes by id, and close-match suggestions for typos.

Matching ignores case, accents, spaces and punctuation. Indexes are built once
per network and kept in the per-graph cache (:mod:`transit._cache`).

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> net.nodes[resolve_place(net, "kashi")]["ref"]
'kashgar'
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import networkx as nx

from . import _cache
from ._validate import MAX_NAME_CHARS, check_network
from .errors import UnknownPlaceError, UnknownRegimeError
from .geo import haversine_km_to_many
from .model import PlaceRef
from .regimes import Regime
from .timeline import HISTORY, history_of

__all__ = ["SNAP_KM", "fold", "get_regime", "node_of", "resolve_place", "resolve_waypoint", "snap", "suggest"]


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key (``Ürümqi`` -> ``urumqi``)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if c.isalnum()).casefold()


@dataclass
class _Index:
    names: dict[str, int] = field(default_factory=dict)
    refs: dict[str, int] = field(default_factory=dict)
    crossings: dict[str, str] = field(default_factory=dict)
    display: list[str] = field(default_factory=list)
    coords: tuple[list[int], Any, Any] | None = None


def _index(graph: nx.MultiDiGraph) -> _Index:
    return _cache.memo(graph, "index", "lookup", lambda: _build_index(graph))


def _build_index(graph: nx.MultiDiGraph) -> _Index:
    index = _Index()
    for node, data in graph.nodes(data=True):
        index.refs[str(data.get("ref", node))] = node
        if data.get("kind") == "border_post":
            continue
        for label in (str(data.get("ref", node)), data.get("name", ""), *data.get("aliases", ())):
            if label:
                index.names.setdefault(fold(label), node)
        index.display.append(data.get("name", node))
    for crossing in graph.graph.get("crossings", {}).values():
        for label in (crossing.id, crossing.name, *crossing.aliases, *(p.name for p in crossing.posts)):
            index.crossings.setdefault(fold(label), crossing.id)
        index.display.append(crossing.name)
    return index


def node_of(graph: nx.MultiDiGraph, ref: object) -> int:
    """Return the node for a dataset id (``"irkeshtam-kg"``) or a node id, posts included."""
    if ref in graph:
        return ref  # type: ignore[return-value]
    node = _index(graph).refs.get(ref) if isinstance(ref, str) else None
    if node is None:
        raise UnknownPlaceError(ref, suggestions=suggest(graph, ref))
    return node


def resolve_place(graph: nx.MultiDiGraph, name: PlaceRef) -> int:
    """
    Return the node id of a place given by dataset id, name, alias, node id or ``(lat, lon)``.

    Matching ignores case, accents, spaces and punctuation. A ``(lat, lon)``
    pair snaps to the nearest node that is not a border post (:func:`snap`).

    Parameters
    ----------
    graph
        A network.
    name
        ``"Kashgar"``, ``"kashi"``, ``"Ürümqi"``... or ``(39.47, 75.99)``.

    Returns
    -------
    int
        Node id (see :func:`node_id`).

    Raises
    ------
    UnknownPlaceError
        With close matches, e.g. ``'Tashkentt'`` -> ``'Tashkent'``.

    Examples
    --------
    >>> from transit import load_network
    >>> net = load_network()
    >>> resolve_place(net, "Tashkentt")
    Traceback (most recent call last):
    ...
    transit.errors.UnknownPlaceError: unknown place 'Tashkentt'; did you mean 'Tashkent'? (see `transit places` for all names)
    """
    check_network(graph)
    given: object = name  # a (lat, lon) pair is accepted too
    if isinstance(given, tuple | list) and len(given) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in given):
        return snap(graph, float(given[0]), float(given[1]))
    if (
        isinstance(given, Hashable)
        and not isinstance(given, str | tuple | bool)
        and given in graph
        and graph.nodes[given].get("kind") != "border_post"
    ):
        return cast("int", given)  # a node id: an int, or a numpy integer from a DataFrame
    index = _index(graph)
    node = index.names.get(fold(name)) if isinstance(name, str) else None
    if node is None:
        raise UnknownPlaceError(name, suggestions=suggest(graph, name))
    return node


#: A point farther than this from every node is refused by :func:`snap`, km.
SNAP_KM = 5.0


def snap(graph: nx.MultiDiGraph, lat: float, lon: float, *, max_km: float = SNAP_KM) -> int:
    """
    Return the node nearest to a point (border posts excluded), by great-circle distance.

    Parameters
    ----------
    graph
        A network.
    lat, lon
        WGS84 degrees.
    max_km
        Refuse points farther than this from every node.

    Raises
    ------
    UnknownPlaceError
        For a point more than ``max_km`` from any node, or outside -90..90 / -180..180, giving the distance.

    Examples
    --------
    >>> from transit import load_network
    >>> net = load_network()
    >>> net.nodes[snap(net, 39.47, 75.99)]["name"]
    'Kashgar'
    """
    import numpy as np

    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        error = UnknownPlaceError((lat, lon))
        error.args = (f"point ({lat}, {lon}) is not a (lat, lon) pair in degrees; expected -90..90 and -180..180, e.g. (39.47, 75.99)",)
        raise error
    index = _index(graph)
    if index.coords is None:
        ids = [n for n, d in graph.nodes(data=True) if d.get("kind") != "border_post"]
        index.coords = (ids, np.array([graph.nodes[n]["x"] for n in ids]), np.array([graph.nodes[n]["y"] for n in ids]))
    ids, lons, lats = index.coords
    km = haversine_km_to_many(lon, lat, lons, lats)
    best = int(np.argmin(km))
    if km[best] > max_km:
        msg = (
            f"point ({lat}, {lon}) is {km[best]:.1f} km from the nearest road node of this network "
            f"({graph.nodes[ids[best]].get('name', ids[best])}); the limit is {max_km:g} km: check the order (lat, lon) or use a place name"
        )
        error = UnknownPlaceError((lat, lon))
        error.args = (msg,)
        raise error
    return ids[best]


def resolve_waypoint(graph: nx.MultiDiGraph, name: str) -> tuple[str, Any]:
    """
    Resolve a ``via`` name to ``("place", node_id)`` or ``("crossing", crossing_id)``.

    Crossing names win over places of the same name (``"Irkeshtam"`` is the crossing).

    Raises
    ------
    UnknownPlaceError
        With close matches among places and crossings.
    """
    index = _index(graph)
    key = fold(name) if isinstance(name, str) else ""
    if key in index.crossings:
        return ("crossing", index.crossings[key])
    return ("place", resolve_place(graph, name))


def suggest(graph: nx.MultiDiGraph, name: object, *, n: int = 3) -> list[str]:
    """
    Return up to ``n`` display names close to ``name``: the best match and any nearly as good.

    Names longer than :data:`~transit._validate.MAX_NAME_CHARS` get no suggestions: comparing
    them would take time quadratic in their length, and no place name is that long.
    """
    index = _index(graph)
    text = str(name)
    if len(text) > MAX_NAME_CHARS:
        return []
    key = fold(text)
    by_fold = {fold(d): d for d in index.display}
    scored = sorted(((difflib.SequenceMatcher(None, key, k).ratio(), k) for k in by_fold), reverse=True)
    if not scored or scored[0][0] < 0.6:
        return []
    best = scored[0][0]
    return [by_fold[k] for ratio, k in scored[:n] if ratio >= max(0.6, best - 0.1)]


def get_regime(graph: nx.MultiDiGraph, regime: str | Regime | None = None) -> Regime:
    """
    Return the :class:`~transit.regimes.Regime` for an id, or pass a Regime through.

    ``None`` means the network's default regime (``graph.graph["default_regime"]``,
    from ``default_regime`` in the dataset's ``dataset.toml``). ``"history"`` is the
    regime that follows the network's dated timeline (:class:`transit.timeline.History`).

    Raises
    ------
    UnknownRegimeError
        Listing the valid ids (also for ``None`` on a network without a default regime).

    Examples
    --------
    >>> from transit import load_network
    >>> get_regime(load_network()).id
    'history'
    >>> get_regime(load_network(), "sco2017")
    Traceback (most recent call last):
    ...
    transit.errors.UnknownRegimeError: unknown regime 'sco2017'; expected one of 'pre-2017', 'sco-2017', 'history' (did you mean 'sco-2017'?)
    """
    check_network(graph)
    if isinstance(regime, Regime):
        return regime
    regimes: Mapping[str, Regime] = graph.graph.get("regimes", {})
    valid_ids = sorted(regimes) + ([HISTORY] if graph.graph.get("timeline") is not None else [])
    if regime is None:
        default = graph.graph.get("default_regime")
        if default is None or default not in valid_ids:
            valid = ", ".join(repr(r) for r in valid_ids) or "(the network has no regimes: build it with regimes=[...])"
            msg = (
                f"regime=None means the network's default regime, but this network has no default regime (graph['default_regime'] is {default!r}); "
                f"pass regime= one of {valid}"
            )
            raise UnknownRegimeError(msg, valid=valid_ids)
        regime = default
    if regime == HISTORY:
        return history_of(graph)
    if isinstance(regime, str) and regime in regimes:
        return regimes[regime]
    valid = ", ".join(repr(r) for r in valid_ids)
    close = difflib.get_close_matches(str(regime), valid_ids, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    msg = f"unknown regime {regime!r}; expected one of {valid}{hint}"
    raise UnknownRegimeError(msg, valid=valid_ids)
