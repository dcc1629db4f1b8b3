"""
Every per-network cache of the library, in one place with one eviction policy.

Routing, lookup, the compiled steps of both engines and the Monte Carlo's
opening tables memoise work per network. A stale entry would be a wrong
answer, so the rules are:

* **Networks the library returns are read-only.** :func:`freeze` (applied by
  ``build_network``, ``load_network`` and ``graph_from_osm``) blocks every
  structural change, as :func:`networkx.freeze` does, *and* makes the node,
  edge and graph attribute dicts read-only; an edit raises
  :class:`~transit.errors.ReadOnlyNetworkError`, whose message says to edit
  :func:`editable` ``(G)`` (an unfrozen copy with its own attribute dicts)
  instead. A frozen network therefore cannot change, and its caches are keyed
  on the graph object itself (weakly: they go when the graph goes).
* **An unfrozen network is never cached across calls.** Hand-built or
  :func:`editable` graphs may be edited at any time, so their caches live for
  one public call only (:func:`per_call` opens that scope; outside any scope
  every access gets a fresh, empty store). Edit between two calls and the
  second call sees the edit. ``freeze`` an edited copy to get caching back.
* **Regimes are keys by content**: :class:`~transit.regimes.Regime` hashes
  consistently with its ``__eq__``, so an equal copy finds the same entries
  and a changed copy never does.
* **One eviction policy**: each cache *kind* (:data:`LIMITS`) is a
  least-recently-used map bounded to a number of entries; the least recently
  used entry goes first. Loaded datasets (``load_network``) are an LRU of
  :data:`LIMITS` ``["dataset"]`` entries keyed by path and modification time.
"""

from __future__ import annotations

import contextvars
import functools
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import networkx as nx

from .errors import ReadOnlyNetworkError

__all__ = ["LIMITS", "LRU", "ReadOnlyDict", "datasets", "editable", "freeze", "is_frozen", "memo", "per_call", "store"]

#: Entries kept per cache kind and network before the least recently used goes.
LIMITS: dict[str, int] = {
    "index": 16,  # whole-network indexes: place names (lookup), posts by country (routing)
    "domestic": 16,  # routing: domestic road matrices, one per speed cap
    "dijkstra": 4096,  # routing: shortest-path trees per source, inside each domestic matrix
    "crossing_graph": 64,
    "heuristic": 512,  # routing: A* heuristics per (destination, waypoints), inside each crossing graph  # routing: one per (regime, speed cap)
    "candidates": 100_000,  # routing: candidate paths per question
    "legs": 100_000,  # route search (_labels): the fastest domestic leg between two nodes, per speed cap
    "leg_drives": 20_000,  # route search (_legs): what driving a leg does to a run, per leg and crew state
    "edge": 200_000,  # compiled steps (_steps): one per edge
    "path": 200_000,  # compiled steps: one tuple per path
    "remaining": 200_000,  # driving left after each step, per (path, speed cap)
    "coords": 200_000,  # road geometry per path
    "openings": 10_000,  # Monte Carlo opening tables per (regime, crossing, direction)
    "schedule_day": 20_000,  # a post's open windows per (local day, direction); per schedule, not per network
    "verdict": 1,  # _validate.check_network: whether the network has what transit needs
    "dataset": 4,  # load_network: graphs per (dataset path, modification time); not per network
}

_HOW_TO_EDIT = (
    "this network is read-only (the library's caches depend on it); edit a copy: "
    "`G = transit.editable(net)`, change G, then use G (or `transit.freeze(G)` to cache it again)"
)

_MISSING = object()
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class LRU:
    """A mapping bounded to ``limit`` entries; the least recently used goes first."""

    __slots__ = ("_data", "limit")

    def __init__(self, limit: int) -> None:
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self.limit = limit

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the value for ``key`` (now the most recently used), or ``default``."""
        try:
            value = self._data[key]
            self._data.move_to_end(key)
        except KeyError:  # absent, or evicted by another thread in between
            return default
        return value

    def put(self, key: Hashable, value: T) -> T:
        """Store ``value`` under ``key`` and evict beyond the limit; return ``value``."""
        self._data[key] = value
        while len(self._data) > self.limit:
            try:
                self._data.popitem(last=False)
            except KeyError:
                break
        return value

    def clear(self) -> None:
        self._data.clear()


class Store:
    """The caches of one network: an :class:`LRU` per kind of :data:`LIMITS`."""

    __slots__ = ("_kinds",)

    def __init__(self) -> None:
        self._kinds: dict[str, LRU] = {}

    def __getitem__(self, kind: str) -> LRU:
        found = self._kinds.get(kind)
        if found is None:
            found = self._kinds.setdefault(kind, LRU(LIMITS[kind]))
        return found


_FROZEN: weakref.WeakKeyDictionary[nx.Graph, Store] = weakref.WeakKeyDictionary()
#: Stores of unfrozen networks for the public call in progress (id -> (graph, store)).
_SCOPE: contextvars.ContextVar[dict[int, tuple[nx.Graph, Store]] | None] = contextvars.ContextVar("transit_cache_scope", default=None)
_DATASETS = LRU(LIMITS["dataset"])


def is_frozen(graph: nx.Graph) -> bool:
    """Whether ``graph`` is read-only (frozen by :func:`freeze`)."""
    return bool(getattr(graph, "frozen", False)) and isinstance(graph.graph, ReadOnlyDict)


def store(graph: nx.Graph) -> Store:
    """Return the caches of ``graph``: kept while it lives if frozen, else for the current call only."""
    if is_frozen(graph):
        found = _FROZEN.get(graph)
        if found is None:
            found = _FROZEN.setdefault(graph, Store())
        return found
    scope = _SCOPE.get()
    if scope is not None:
        entry = scope.get(id(graph))
        if entry is not None and entry[0] is graph:
            return entry[1]
    return Store()


def memo(graph: nx.Graph, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, memoised in ``graph``'s cache of ``kind`` under ``key``."""
    cache = store(graph)[kind]
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = cache.put(key, compute())
    return found  # type: ignore[no-any-return]


def datasets() -> LRU:
    """Return the graphs ``load_network`` has read, keyed by (dataset path, modification time)."""
    return _DATASETS


@contextmanager
def _scope(graph: Any) -> Iterator[None]:
    if not isinstance(graph, nx.Graph) or is_frozen(graph):
        yield
        return
    current = _SCOPE.get() or {}
    entry = current.get(id(graph))
    if entry is not None and entry[0] is graph:
        yield
        return
    token = _SCOPE.set({**current, id(graph): (graph, Store())})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def per_call(func: F) -> F:
    """Decorate a public function whose first argument is a network: an unfrozen one is cached for the call."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        graph = args[0] if args else kwargs.get("graph")
        with _scope(graph):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# -- read-only networks ----------------------------------------------------------------------------


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise ReadOnlyNetworkError(_HOW_TO_EDIT)


class ReadOnlyDict(dict):  # type: ignore[type-arg]
    """An attribute dict of a frozen network: reads as a dict, refuses every change."""

    __slots__ = ()

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReadOnlyDict, (dict(self),))

    def __repr__(self) -> str:
        return dict.__repr__(self)


_STRUCTURE = (
    "add_node",
    "add_nodes_from",
    "remove_node",
    "remove_nodes_from",
    "add_edge",
    "add_edges_from",
    "add_weighted_edges_from",
    "remove_edge",
    "remove_edges_from",
    "clear",
    "clear_edges",
    "update",
)


def freeze(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Make ``graph`` read-only in place (structure and attribute dicts) and return it."""
    if is_frozen(graph):
        return graph
    for name in _STRUCTURE:
        setattr(graph, name, _refuse)
    graph.frozen = True
    graph.graph = ReadOnlyDict({k: ReadOnlyDict(v) if type(v) is dict else v for k, v in graph.graph.items()})
    nodes = graph._node  # noqa: SLF001 - networkx keeps its node dict private; freezing wraps it in place
    for n, data in nodes.items():
        nodes[n] = ReadOnlyDict(data)
    succ, pred = graph._adj, getattr(graph, "_pred", None)  # noqa: SLF001 - as for _node: networkx's adjacency dicts
    for u, nbrs in succ.items():
        for v, keydict in nbrs.items():
            if graph.is_multigraph():
                for k, data in keydict.items():
                    if not isinstance(data, ReadOnlyDict):
                        keydict[k] = ReadOnlyDict(data)
                        if pred is not None:  # directed: the predecessor view holds the same dict
                            pred[v][u][k] = keydict[k]
            elif not isinstance(keydict, ReadOnlyDict):
                nbrs[v] = ReadOnlyDict(keydict)
                (pred[v] if pred is not None else succ[v])[u] = nbrs[v]
    return graph


def editable(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return an unfrozen copy of ``graph`` with its own node, edge and graph attribute dicts."""
    copy = graph.__class__()
    copy.graph.update({k: dict(v) if isinstance(v, ReadOnlyDict) else v for k, v in graph.graph.items()})
    copy.add_nodes_from((n, dict(d)) for n, d in graph.nodes(data=True))
    if graph.is_multigraph():
        copy.add_edges_from((u, v, k, dict(d)) for u, v, k, d in graph.edges(keys=True, data=True))
    else:
        copy.add_edges_from((u, v, dict(d)) for u, v, d in graph.edges(data=True))
    return copy
