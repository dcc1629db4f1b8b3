"""
Save a network to one GraphML file and load it back: :func:`save_network` and :func:`load_saved_network`.

``transit.load_network(path)`` loads such a file (and still loads a dataset directory), so a network built once from
a large OpenStreetMap extract, or a what-if network, is a file away from the next session.

The file
--------
One GraphML file (``.graphml``), written with ``osmnx.io.save_graphml`` and read with ``osmnx.io.load_graphml``:

* **nodes and edges** are osmnx's: every attribute as text, ``geometry`` as WKT (written with the full precision of
  Python's ``repr``, so coordinates come back bit for bit). The Python type of each attribute (``float``, ``int``,
  ``str``, ``tuple``, ``None``...) is recorded per attribute in the graph attribute ``transit:node_types`` /
  ``transit:edge_types`` and turned into ``load_graphml``'s ``node_dtypes`` / ``edge_dtypes`` on reading, so
  ``aliases`` comes back a tuple and ``elevation_m`` a float or ``None``.
* **the rules** (crossings, regimes, driver rules, cost model, designated routes, sources) are graph attributes named
  ``transit:file:<name>``, each holding the text of one file of the dataset layout of ``routes/`` (its README):
  ``crossings.toml``, ``regimes/<id>.toml``, ``clearance.csv``, ``drivers.toml``, ``costs.toml``, ``routes.toml``,
  ``sources.csv`` and ``dataset.toml``. They are read back by the same readers as the embedded dataset. A regime is
  written already resolved: an empty ``[defaults]`` and, for every crossing, ``[[rule]]`` tables that give every
  delay explicitly (several tables for one crossing where its delays cite different sources), so ``clearance.csv``
  only lists the countries (its hours are not used).
* ``transit:format`` (``"transit-network"``) and ``transit:format_version`` (:data:`FORMAT_VERSION`);
  ``transit:graph``, the other graph attributes (``crs``, ``name``, ``osm_crossings``...) as a Python literal; and
  ``transit:fixups``, the few facts the dataset formats cannot say (a regime without a rule for some crossing, a
  rule without the per-side delays that ``transit validate`` reports).

Empty source texts, which the dataset readers refuse, are written as :data:`NO_SOURCE` and read back empty; source
ids that the rules cite but the network has no ``sources.csv`` entry for (an OpenStreetMap network has none) get a
stub row marked :data:`STUB_NOTE`, left out again on reading.

Before anything is written, the rules are read back from the texts and compared with the network's own: a network
whose rules the formats cannot hold is refused with the reason, never saved wrong. The file is written to a
temporary file beside the target and renamed over it: a reader sees the old file or the new one, never half of one.

Examples
--------
>>> import tempfile, pathlib
>>> import transit
>>> net = transit.load_network()
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = transit.save_network(net, pathlib.Path(tmp) / "sco.graphml")
...     again = transit.load_network(path)
>>> again.graph["regimes"] == net.graph["regimes"], again.graph["crossings"] == net.graph["crossings"]
(True, True)
>>> trip = transit.plan_trip(again, "Kashgar", "Osh", regime="sco-2017", departure="2017-10-30T08:00")
>>> trip.total_h == transit.plan_trip(net, "Kashgar", "Osh", regime="sco-2017", departure="2017-10-30T08:00").total_h
True
"""

from __future__ import annotations

import ast
import contextlib
import math
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from . import _cache
from ._rule_files import MODEL_KEYS, NO_SOURCE, STUB_NOTE, read_model, rules_to_files, verify_rules
from ._validate import check_network
from .errors import DataError, InvalidArgumentError, InvalidNetworkError

__all__ = ["FORMAT", "FORMAT_VERSION", "NO_SOURCE", "STUB_NOTE", "load_saved_network", "save_network"]

#: Value of the graph attribute ``transit:format``.
FORMAT = "transit-network"
#: Version of the layout; a file of a later version is refused with a request to upgrade transit.
FORMAT_VERSION = 1

_P = "transit:"
_FILE = f"{_P}file:"
_INT = re.compile(r"^[+-]?\d+$")


# -- saving ----------------------------------------------------------------------------------------


def save_network(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """
    Save a network (curated, from OpenStreetMap or built by hand) to one GraphML file, atomically.

    Parameters
    ----------
    graph
        A network from :func:`transit.load_network`, :func:`transit.graph_from_osm` or
        :func:`transit.build_network`.
    path
        The file to write, ending in ``.graphml``; its folder must exist. An existing file is replaced.

    Returns
    -------
    pathlib.Path
        The file written. :func:`transit.load_network` reads it back.

    Raises
    ------
    InvalidNetworkError
        If ``graph`` is not a transit network (see :func:`transit._validate.check_network`).
    InvalidArgumentError
        For a path not ending in ``.graphml`` or in a missing folder, or a network holding something the file cannot
        keep (an attribute of another type than text, number, boolean, ``None``, a tuple, list or dict of those, or
        an edge geometry; rules that do not read back equal), naming it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import transit
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     transit.save_network(transit.load_network(), pathlib.Path(tmp) / "net.txt")
    Traceback (most recent call last):
    ...
    transit.errors.InvalidArgumentError: cannot save a network to '...net.txt': expected a file name ending in .graphml, e.g. 'network.graphml'
    """
    import osmnx as ox

    target = Path(path)
    if target.suffix.lower() != ".graphml":
        msg = f"cannot save a network to {str(target)!r}: expected a file name ending in .graphml, e.g. 'network.graphml'"
        raise InvalidArgumentError(msg)
    if not target.parent.is_dir():
        msg = f"cannot save a network to {str(target)!r}: the folder {str(target.parent)!r} does not exist; create it first"
        raise InvalidArgumentError(msg)
    check_network(graph)
    files, fixups = rules_to_files(graph)
    verify_rules(graph, files, fixups)
    header = _header(graph, files, fixups)
    out = _text_graph(graph, header)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        ox.save_graphml(out, tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _kind(value: Any) -> str:
    """Return the type tag of an attribute value, or ``""`` for one the file cannot keep."""
    import numpy as np

    if value is None:
        return "none"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, float | np.floating):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, tuple | list | dict):
        return type(value).__name__ if _literal(value) else ""
    return ""


def _literal(value: Any) -> bool:
    """Whether ``repr(value)`` reads back equal with :func:`ast.literal_eval`."""
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, tuple | list):
        return all(_literal(v) for v in value)
    if isinstance(value, dict):
        return all(_literal(k) and _literal(v) for k, v in value.items())
    return False


def _wkt(geometry: Any) -> str:
    """WKT of a line with every coordinate as Python writes it (shortest text that reads back the same double)."""
    if geometry.geom_type == "LineString":
        return "LINESTRING (" + ", ".join(" ".join(repr(float(c)) for c in xy) for xy in geometry.coords) + ")"
    return str(geometry.wkt)


def _text(value: Any, kind: str) -> str:
    if kind == "float":
        return repr(float(value))
    if kind == "int":
        return str(int(value))
    if kind == "bool":
        return str(bool(value))
    if kind == "str":
        return str(value)
    return repr(value)


def _text_graph(graph: nx.MultiDiGraph, header: dict[str, str]) -> nx.MultiDiGraph:
    """Return a copy of ``graph`` with every attribute as text, its types recorded in ``header``."""
    node_kinds: dict[str, set[str]] = {}
    edge_kinds: dict[str, set[str]] = {}
    node_text: dict[Any, str] = {}
    out = nx.MultiDiGraph()
    id_kinds = set()
    for node, data in graph.nodes(data=True):
        id_kind = _kind(node)
        if id_kind not in ("int", "str"):
            msg = f"node id {node!r} is a {type(node).__name__}; save_network keeps integer or text node ids (osmnx uses integers): relabel the nodes"
            raise InvalidArgumentError(msg)
        id_kinds.add(id_kind)
        node_text[node] = _text(node, id_kind)
        out.add_node(node_text[node], **_encode(data, node_kinds, where=f"node {node!r}"))
    if len(id_kinds) > 1:
        msg = "the network mixes integer and text node ids; save_network needs one kind: relabel the nodes"
        raise InvalidArgumentError(msg)
    for u, v, key, data in graph.edges(keys=True, data=True):
        if _kind(key) != "int":
            msg = (
                f"edge ({u!r}, {v!r}, {key!r}) has a {type(key).__name__} key; "
                "save_network keeps integer edge keys (as osmnx makes them): relabel the edges"
            )
            raise InvalidArgumentError(msg)
        out.add_edge(node_text[u], node_text[v], key=int(key), **_encode(data, edge_kinds, where=f"edge ({u!r}, {v!r}, {key!r})", geometry=True))
    header[f"{_P}node_id_type"] = next(iter(id_kinds), "int")
    header[f"{_P}node_types"] = repr({k: sorted(v) for k, v in node_kinds.items()})
    header[f"{_P}edge_types"] = repr({k: sorted(v) for k, v in edge_kinds.items()})
    header[f"{_P}exceptions"] = repr(_exceptions(graph, node_kinds, edge_kinds))
    out.graph.update(header)
    return out


def _encode(data: Mapping[str, Any], kinds: dict[str, set[str]], *, where: str, geometry: bool = False) -> dict[str, str]:
    from shapely.geometry.base import BaseGeometry

    encoded = {}
    for attr, value in data.items():
        if geometry and attr == "geometry" and isinstance(value, BaseGeometry):
            kinds.setdefault(attr, set()).add("geometry")
            encoded[attr] = _wkt(value)
            continue
        kind = _kind(value)
        if not kind or (geometry and attr == "geometry") or attr == "id":
            why = "osmnx drops an edge attribute named 'id' on reading" if attr == "id" else f"it is a {type(value).__name__}"
            msg = (
                f"{where} has attribute {attr!r} = {value!r:.80}, which save_network cannot keep ({why}); "
                "attributes may be text, numbers, booleans, None, or tuples, lists and dicts of those (edges also a shapely geometry): "
                "convert or remove it"
            )
            raise InvalidArgumentError(msg)
        kinds.setdefault(attr, set()).add(kind)
        encoded[attr] = _text(value, kind)
    return encoded


def _exceptions(graph: nx.MultiDiGraph, node_kinds: dict[str, set[str]], edge_kinds: dict[str, set[str]]) -> dict[str, list[Any]]:
    """Text values the typed reading would turn into something else (the text ``"None"`` where numbers also occur...)."""
    found: dict[str, list[Any]] = {"nodes": [], "edges": []}
    for node, data in graph.nodes(data=True):
        found["nodes"].extend(
            [node, attr, value]
            for attr, value in data.items()
            if isinstance(value, str) and _decode(value, node_kinds[attr], osmnx_eval=True) != value
        )
    for u, v, key, data in graph.edges(keys=True, data=True):
        found["edges"].extend(
            [u, v, key, attr, value]
            for attr, value in data.items()
            if isinstance(value, str) and attr != "geometry" and _decode(value, edge_kinds[attr], osmnx_eval=True) != value
        )
    return found


def _header(graph: nx.MultiDiGraph, files: dict[str, str], fixups: dict[str, Any]) -> dict[str, str]:
    others = {k: v for k, v in graph.graph.items() if k not in MODEL_KEYS}
    for key, value in others.items():
        if not isinstance(key, str) or key.startswith(_P) or not _literal(value):
            msg = (
                f"graph attribute {key!r} = {value!r:.80} cannot be saved: save_network keeps graph attributes that are text, numbers, "
                f"booleans, None, or tuples, lists and dicts of those, besides {', '.join(MODEL_KEYS)}; convert or remove it"
            )
            raise InvalidArgumentError(msg)
    header = {
        f"{_P}format": FORMAT,
        f"{_P}format_version": str(FORMAT_VERSION),
        f"{_P}model_keys": ",".join(k for k in MODEL_KEYS if k in graph.graph),
        f"{_P}graph": repr(others),
        f"{_P}fixups": repr(fixups),
    }
    # Plain copies for other GraphML readers (osmnx, Gephi); transit reads transit:graph.
    for key in ("crs", "name", "dataset_version"):
        if key in others:
            header[key] = str(others[key])
    header.update({f"{_FILE}{name}": text for name, text in files.items()})
    return header


# -- loading ---------------------------------------------------------------------------------------


def _decode(text: str, kinds: Iterable[str], *, osmnx_eval: bool = False) -> Any:
    """Return the value a text attribute had, given the types its attribute takes (osmnx evaluates ``[...]`` and ``{...}``)."""
    kinds = set(kinds)
    if osmnx_eval and ((text.startswith("[") and text.endswith("]")) or (text.startswith("{") and text.endswith("}"))):
        with contextlib.suppress(SyntaxError, ValueError):
            return ast.literal_eval(text)
    if "none" in kinds and text == "None":
        return None
    if "bool" in kinds and text in ("True", "False"):
        return text == "True"
    if "int" in kinds and _INT.match(text):
        return int(text)
    if "float" in kinds:
        with contextlib.suppress(ValueError):
            return float(text)
    if kinds & {"tuple", "list", "dict"} and text[:1] in "([{":
        with contextlib.suppress(SyntaxError, ValueError):
            return ast.literal_eval(text)
    return text


def _converter(kinds: Iterable[str]) -> Callable[[Any], Any]:
    frozen = frozenset(kinds)

    def convert(value: Any) -> Any:
        return _decode(value, frozen) if isinstance(value, str) else value

    return convert


def _unchanged(value: Any) -> Any:
    return value


def _peek(path: Path) -> dict[str, str]:
    """Return the graph attributes of a GraphML file (networkx writes them after the edges: one streaming pass, little memory)."""
    names: dict[str, str] = {}
    attrs: dict[str, str] = {}
    depth = 0
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):  # noqa: S314 - the GraphML file the caller chose to load, parsed as networkx parses it
            tag = element.tag.rpartition("}")[2]
            if event == "start":
                depth += tag in ("node", "edge")
                continue
            if tag == "key" and element.get("for") == "graph":
                names[element.get("id", "")] = element.get("attr.name", "")
            elif tag == "data" and not depth and element.get("key") in names:
                attrs[names[element.get("key", "")]] = element.text or ""
            elif tag in ("node", "edge"):
                depth -= 1
                element.clear()
    except ET.ParseError as exc:
        raise DataError(f"is not a GraphML file ({exc})", file=path.name) from None
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror})", file=path.name) from None
    return attrs


def load_saved_network(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """
    Load a network written by :func:`save_network` (``transit.load_network(path)`` calls this for a file).

    Parameters
    ----------
    path
        A ``.graphml`` file written by :func:`save_network`.

    Returns
    -------
    networkx.MultiDiGraph
        The network as it was saved: nodes, edges and their attributes with their types, the graph attributes, and
        the rules (crossings, regimes, driver rules, cost model, routes, sources) as model objects.

    Raises
    ------
    InvalidNetworkError
        For a GraphML file that :func:`save_network` did not write (a plain osmnx graph, say), saying how to build a
        network from it.
    DataError
        For a file that cannot be read, is not GraphML, comes from a later transit, or whose rules are malformed
        (naming the embedded file, row and column).

    Examples
    --------
    >>> load_saved_network("no-such-file.graphml")
    Traceback (most recent call last):
    ...
    transit.errors.DataError: file no-such-file.graphml: cannot be read (No such file or directory)
    """
    import osmnx as ox

    source = Path(path)
    header = _peek(source)
    if header.get(f"{_P}format") != FORMAT:
        msg = (
            f"{str(source)!r} is a GraphML file that transit.save_network did not write, so it holds no crossings, regimes or rules; "
            "build a network from OpenStreetMap data with transit.graph_from_osm(path), then save it with transit.save_network(G, path)"
        )
        raise InvalidNetworkError(msg, problems=(msg,))
    version = header.get(f"{_P}format_version", "")
    if not version.isdigit() or int(version) > FORMAT_VERSION:
        msg = f"was written in format version {version!r}; this transit reads versions up to {FORMAT_VERSION}: upgrade transit"
        raise DataError(msg, file=source.name)
    try:
        node_kinds: dict[str, list[str]] = ast.literal_eval(header[f"{_P}node_types"])
        edge_kinds: dict[str, list[str]] = ast.literal_eval(header[f"{_P}edge_types"])
        exceptions: dict[str, list[Any]] = ast.literal_eval(header[f"{_P}exceptions"])
        others: dict[str, Any] = ast.literal_eval(header[f"{_P}graph"])
        fixups: dict[str, Any] = ast.literal_eval(header[f"{_P}fixups"])
        id_kind = header[f"{_P}node_id_type"]
        keys = [k for k in header[f"{_P}model_keys"].split(",") if k]
    except (KeyError, SyntaxError, ValueError) as exc:
        raise DataError(f"has a damaged transit header ({exc!r}); save the network again", file=source.name) from None
    files = {name[len(_FILE) :]: text for name, text in header.items() if name.startswith(_FILE)}
    # Attributes that can hold lists are converted after osmnx, which would convert the items of a list one by one.
    node_dtypes: dict[str, Any] = {a: _converter(k) for a, k in node_kinds.items() if "list" not in k}
    node_dtypes["osmid"] = int if id_kind == "int" else str
    edge_dtypes: dict[str, Any] = {a: _converter(k) for a, k in edge_kinds.items() if "list" not in k and a != "geometry"}
    # osmnx's own default dtypes would convert these names item by item or to its types: the recorded types decide.
    for name in ("length", "speed_kph", "travel_time", "oneway", "reversed", "osmid", "bearing", "grade", "grade_abs"):
        edge_dtypes.setdefault(name, _unchanged)
    for name in ("elevation", "elevation_res", "street_count", "x", "y"):
        node_dtypes.setdefault(name, _unchanged)
    graph = ox.load_graphml(source, node_dtypes=node_dtypes, edge_dtypes=edge_dtypes)
    late_nodes = {a: _converter(k) for a, k in node_kinds.items() if "list" in k}
    late_edges = {a: _converter(k) for a, k in edge_kinds.items() if "list" in k}
    if late_nodes:
        for _, data in graph.nodes(data=True):
            for attr in data.keys() & late_nodes.keys():
                data[attr] = late_nodes[attr](data[attr])
    if late_edges:
        for _, _, data in graph.edges(data=True):
            for attr in data.keys() & late_edges.keys():
                data[attr] = late_edges[attr](data[attr])
    for node, attr, value in exceptions.get("nodes", ()):
        graph.nodes[node][attr] = value
    for u, v, key, attr, value in exceptions.get("edges", ()):
        graph.edges[u, v, key][attr] = value
    try:
        model = read_model(files, fixups, keys)
    except DataError as exc:
        raise DataError(f"holds rules that do not read: {exc}", file=source.name) from None
    graph.graph = {**others, **model}
    check_network(graph)
    return _cache.freeze(graph)
