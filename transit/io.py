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
import csv
import io as _stdio
import math
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx

from . import _cache
from ._regime_files import load_country_clearance, load_regime
from ._toml import Inline, dumps
from ._validate import check_network
from .cost import CostModel, load_cost_model
from .crossings import Crossing
from .datasets import read_crossings, read_routes, read_sources
from .drivers import DriverRules, load_driver_rules
from .errors import DataError, InvalidArgumentError, InvalidNetworkError
from .model import DesignatedRoute, Source
from .regimes import ZERO_DELAY, CrossingRule, Delay, Regime
from .schedule import Hours, PostSchedule, Season
from .timeline import Timeline, read_timeline

__all__ = ["FORMAT", "FORMAT_VERSION", "NO_SOURCE", "STUB_NOTE", "load_saved_network", "save_network"]

#: Value of the graph attribute ``transit:format``.
FORMAT = "transit-network"
#: Version of the layout; a file of a later version is refused with a request to upgrade transit.
FORMAT_VERSION = 1
#: How an empty source text is written (the dataset readers refuse empty sources); read back as ``""``.
NO_SOURCE = "ESTIMATE: no source was recorded on the saved network"
#: Note of the ``sources.csv`` rows written for source ids the rules cite but the network does not list.
STUB_NOTE = "stub written by transit.save_network: cited by the rules, not listed in the network's sources"

#: Graph attributes that hold the model objects, written as dataset files.
MODEL_KEYS = ("crossings", "regimes", "driver_rules", "cost_model", "routes", "sources", "timeline")
_P = "transit:"
_FILE = f"{_P}file:"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_INT = re.compile(r"^[+-]?\d+$")
_SCHEDULE_SOURCE = "ESTIMATE: the saved network keeps no separate source for a post's schedule"
_CLEARANCE_SOURCE = "ESTIMATE: not used; every rule of the saved regimes gives its delays"


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
    files, fixups = _rules_to_files(graph)
    _verify(graph, files, fixups)
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


# -- rules as dataset files ------------------------------------------------------------------------


def _src(text: str) -> str:
    return text or NO_SOURCE


def _hours(hours: Hours) -> list[str]:
    return [f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in hours.windows]


def _season(season: Season) -> dict[str, str]:
    return {"from": f"{season.start[0]:02d}-{season.start[1]:02d}", "to": f"{season.end[0]:02d}-{season.end[1]:02d}"}


def _schedule(schedule: PostSchedule) -> Inline:
    """Return a post schedule as the ``schedule`` table of ``crossings.toml`` (what :meth:`PostSchedule.build` takes)."""
    spec = Inline(weekdays=[_WEEKDAYS[d] for d in sorted(schedule.weekdays)], hours=_hours(schedule.hours))
    if schedule.hours_out is not None:
        spec["hours_out"] = _hours(schedule.hours_out)
    if schedule.hours_in is not None:
        spec["hours_in"] = _hours(schedule.hours_in)
    if schedule.seasonal_hours:
        spec["seasonal_hours"] = [Inline(**_season(season), hours=_hours(hours)) for season, hours in schedule.seasonal_hours]
    if schedule.closures:
        spec["closures"] = [Inline(_season(season)) for season in schedule.closures]
    if schedule.holidays:
        spec["holidays"] = list(schedule.holidays)
    return spec


def _number(value: float) -> float | int:
    return value if isinstance(value, int) and not isinstance(value, bool) else float(value)


def _crossings_toml(crossings: Iterable[Crossing]) -> str:
    tables = []
    for crossing in crossings:
        table: dict[str, Any] = {"id": crossing.id, "name": crossing.name}
        if crossing.aliases:
            table["aliases"] = list(crossing.aliases)
        table.update(link_km=float(crossing.link_km), source=_src(crossing.source))
        if crossing.notes:
            table["notes"] = crossing.notes
        posts = []
        for post in crossing.posts:
            spec: dict[str, Any] = {"id": post.id, "name": post.name, "country": post.country, "lon": _number(post.lon), "lat": _number(post.lat)}
            if post.elevation_m is not None:
                spec["elevation_m"] = _number(post.elevation_m)
            spec.update(tz=post.tz, source=_src(post.source), schedule=_schedule(post.schedule), schedule_source=_SCHEDULE_SOURCE)
            posts.append(spec)
        table["post"] = posts
        tables.append(table)
    return dumps({"crossing": tables}, header="Border crossings of a network saved by transit.save_network (format of routes/crossings.toml).")


def _delay_keys(prefix: str, delay: Delay) -> dict[str, Any]:
    if delay.distribution == "empirical":
        return {f"{prefix}_distribution": "empirical", f"{prefix}_values_h": [float(v) for v in delay.values_h]}
    keys: dict[str, Any] = {f"{prefix}_median_h": float(delay.median_h), f"{prefix}_p90_h": float(delay.p90_h)}
    if delay.distribution != "lognormal":
        keys[f"{prefix}_distribution"] = delay.distribution
    return keys


def _rule_tables(cid: str, rule: CrossingRule) -> list[dict[str, Any]]:
    """``[[rule]]`` tables that resolve to ``rule`` exactly, the one with the rule's own source last."""
    tables: list[dict[str, Any]] = []
    main: dict[str, Any] = {"crossings": [cid], "open_to_freight": bool(rule.open_to_freight)}
    if rule.reason:
        main["reason"] = rule.reason
    if rule.through:
        main["through"] = Inline(rule.through)
    if rule.closed_directions:
        main["closed_directions"] = sorted(rule.closed_directions)
    if rule.transfer != "cargo":
        main["transfer"] = rule.transfer
    if rule.schedules:
        main["schedules"] = Inline({country: _schedule(schedule) for country, schedule in rule.schedules.items()})
    if rule.transshipment != ZERO_DELAY:
        if rule.transshipment.source == rule.source:
            main.update(_delay_keys("transshipment", rule.transshipment))
        else:
            tables.append({"crossings": [cid], **_delay_keys("transshipment", rule.transshipment), "source": rule.transshipment.source})
    # Delays of one direction that cite different sources go to different tables (a table has one source).
    groups: dict[str, list[dict[str, Any]]] = {}
    for direction in dict.fromkeys([*rule.queue, *rule.clearance, *rule.sides]):
        stages = [("queue", rule.queue.get(direction)), ("clearance", rule.clearance.get(direction))]
        if direction in rule.sides:
            stages += [("exit_side", rule.sides[direction][0]), ("entry_side", rule.sides[direction][1])]
        by_source: dict[str, dict[str, Any]] = {}
        for prefix, delay in stages:
            if delay is not None:
                by_source.setdefault(delay.source, {"source": delay.source}).update(_delay_keys(prefix, delay))
        groups[direction] = list(by_source.values())
    tables.extend(
        {"crossings": [cid], "delays": {d: g[i] for d, g in groups.items() if i < len(g)}}
        for i in range(max((len(g) for g in groups.values()), default=0))
    )
    if rule.source:
        main["source"] = rule.source
    tables.append(main)
    return tables


def _regime_toml(regime: Regime, crossings: Iterable[str]) -> str:
    doc: dict[str, Any] = {"id": regime.id, "name": regime.name}
    if regime.description:
        doc["description"] = regime.description
    if regime.in_force_from is not None:
        doc["in_force_from"] = regime.in_force_from
    if regime.valid_until is not None:
        doc["valid_until"] = regime.valid_until
    if regime.source:
        doc["source"] = regime.source
    doc["permits"] = {pid: {"name": p.name, "routes": list(p.routes), "source": p.source} for pid, p in regime.permits.items()}
    doc["defaults"] = {}
    doc["rule"] = [table for cid in crossings if cid in regime.rules for table in _rule_tables(cid, regime.rules[cid])]
    return dumps(
        doc,
        header=(
            f"Regime {regime.id!r} of a network saved by transit.save_network (format of routes/regimes/), resolved:\n"
            "every crossing's rule is given in full."
        ),
    )


def _csv(header: Iterable[str], rows: Iterable[Iterable[object]], *, comment: str) -> str:
    out = _stdio.StringIO()
    out.write(f"# {comment}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _drivers_toml(rules: DriverRules) -> str:
    names = {1: "one", 2: "two", 3: "three", 4: "four"}
    doc: dict[str, Any] = {"source": rules.source, "default_break_rule": rules.default_break_rule}
    doc["break_rules"] = {
        rid: {"name": r.name, "break_after_h": float(r.break_after_h), "break_h": float(r.break_h), "source": r.source}
        for rid, r in rules.break_rules.items()
    }
    doc["countries"] = dict(rules.countries)
    crews = {}
    for drivers, crew in rules.crews.items():
        crews[names.get(drivers, f"crew-{drivers}")] = {
            "drivers": int(crew.drivers),
            **{f.name: _number(getattr(crew, f.name)) for f in dataclass_fields(crew) if f.name not in ("drivers", "breaks", "source")},
            "breaks": bool(crew.breaks),
            "source": crew.source,
        }
    doc["crews"] = crews
    return dumps(doc, header="Drivers' hours of a network saved by transit.save_network (format of routes/drivers.toml).")


def _costs_toml(model: CostModel) -> str:
    def source(where: str) -> str:
        return _src(model.sources.get(where, ""))

    doc = {
        "time": {"usd_per_h": float(model.usd_per_h), "source": source("time")},
        "distance": {c: Inline(usd_per_km=float(v), source=source(f"distance.{c}")) for c, v in model.distance_usd_per_km.items()},
        "border": {c: Inline(usd=float(v), source=source(f"border.{c}")) for c, v in model.border_usd.items()},
        "transshipment": {"usd": float(model.transshipment_usd), "source": source("transshipment")},
    }
    return dumps(doc, header="Cost parameters of a network saved by transit.save_network (format of routes/costs.toml).")


def _routes_toml(routes: Iterable[DesignatedRoute]) -> str:
    tables = [
        {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "status": r.status,
            "countries": list(r.countries),
            "sequence": list(r.sequence),
            "source": _src(r.source),
            "note": r.note,
        }
        for r in routes
    ]
    return dumps({"route": tables}, header="Designated routes of a network saved by transit.save_network (format of routes/routes.toml).")


def _cited(text: str) -> list[str]:
    """Source ids a ``source`` cell cites (as the dataset readers split it)."""
    head = text.partition("ESTIMATE")[0]
    return [t.strip() for t in head.replace(",", ";").split(";") if t.strip()]


def _rules_to_files(graph: nx.MultiDiGraph) -> tuple[dict[str, str], dict[str, Any]]:
    """Return the network's rules as dataset files (name -> text), and the facts the formats cannot say."""
    g = graph.graph
    crossings: Mapping[str, Crossing] = g["crossings"]
    regimes: Mapping[str, Regime] = g["regimes"]
    routes: Mapping[str, DesignatedRoute] = g.get("routes") or {}
    sources: Mapping[str, Source] = g.get("sources") or {}
    files: dict[str, str] = {}
    fixups: dict[str, Any] = {"missing_rules": [], "sides": []}
    name, version = g.get("name"), g.get("dataset_version")
    files["dataset.toml"] = dumps(
        {"name": str(name) if name is not None else "", "version": str(version) if version is not None else ""},
        header="Metadata of a network saved by transit.save_network (format of routes/dataset.toml).",
    )
    cited: dict[str, None] = {}
    for crossing in crossings.values():
        for text in (crossing.source, *(p.source for p in crossing.posts)):
            cited.update(dict.fromkeys(_cited(text)))
    for route in routes.values():
        cited.update(dict.fromkeys(_cited(route.source)))
    rows = [[s.id, s.title, s.url, s.year, s.note] for s in sources.values()]
    rows += [[token, token, "", "", STUB_NOTE] for token in cited if token not in sources]
    files["sources.csv"] = _csv(
        ("id", "title", "url", "year", "note"), rows, comment="Sources of a network saved by transit.save_network (format of routes/sources.csv)."
    )
    if crossings:
        files["crossings.toml"] = _crossings_toml(crossings.values())
    countries = sorted({c for crossing in crossings.values() for c in crossing.countries})
    files["clearance.csv"] = _csv(
        ("country", "out_median_h", "out_p90_h", "in_median_h", "in_p90_h", "source"),
        ([c, 0.0, 0.0, 0.0, 0.0, _CLEARANCE_SOURCE] for c in countries),
        comment="Countries of the crossings of a network saved by transit.save_network (format of routes/clearance.csv); the hours are not used.",
    )
    for rid, regime in regimes.items():
        if rid != regime.id or not rid or "/" in rid or "\\" in rid or rid.startswith("."):
            msg = (
                f"regime {rid!r} cannot be saved: its id must be a file name (no '/', not starting with '.') "
                f"and equal the key it is stored under (it is {regime.id!r})"
            )
            raise InvalidArgumentError(msg)
        files[f"regimes/{rid}.toml"] = _regime_toml(regime, crossings)
        for cid, crossing in crossings.items():
            if cid not in regime.rules:
                fixups["missing_rules"].append([rid, cid])
            elif set(regime.rules[cid].sides) != set(crossing.directions):
                fixups["sides"].append([rid, cid, sorted(regime.rules[cid].sides)])
    timeline: Timeline | None = g.get("timeline")
    if timeline is not None:
        if not timeline.raw:
            msg = "the network's timeline was not read from a timeline.toml file, so it cannot be saved; load it with transit.timeline.read_timeline"
            raise InvalidArgumentError(msg)
        files["timeline.toml"] = timeline.raw
    files["drivers.toml"] = _drivers_toml(g["driver_rules"])
    files["costs.toml"] = _costs_toml(g["cost_model"])
    files["routes.toml"] = _routes_toml(routes.values())
    return files, fixups


# -- reading the rules back ------------------------------------------------------------------------


def _unmark(text: str) -> str:
    return "" if text == NO_SOURCE else text


def _read_model(files: Mapping[str, str], fixups: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Read the dataset files with the dataset readers; the model objects by graph attribute."""
    with tempfile.TemporaryDirectory(prefix="transit-saved-") as tmp:
        base = Path(tmp)
        (base / "regimes").mkdir()
        for name, text in files.items():
            (base / name).write_text(text, encoding="utf-8")
        listed = read_sources(base / "sources.csv")
        sources = {sid: s for sid, s in listed.items() if s.note != STUB_NOTE}
        crossings: dict[str, Crossing] = {}
        if (base / "crossings.toml").is_file():
            for c in read_crossings(base / "crossings.toml", listed):
                posts = tuple(replace(p, source=_unmark(p.source)) for p in c.posts)
                crossings[c.id] = replace(c, source=_unmark(c.source), posts=posts)  # type: ignore[arg-type]
        clearance = load_country_clearance(base / "clearance.csv")
        regimes = {}
        for name in files:
            if name.startswith("regimes/"):
                regime = load_regime(base / name, crossings=crossings, country_clearance=clearance)
                regimes[regime.id] = regime
        driver_rules = load_driver_rules(base / "drivers.toml")
        cost_model = load_cost_model(base / "costs.toml")
        routes = {r.id: replace(r, source=_unmark(r.source)) for r in read_routes(base / "routes.toml", listed)}
        timeline = read_timeline(base / "timeline.toml", crossings=crossings, regimes=regimes, only_known=True) if "timeline.toml" in files else None
    cost_sources = {k: v for k, v in cost_model.sources.items() if v != NO_SOURCE}
    if len(cost_sources) != len(cost_model.sources):
        cost_model = replace(cost_model, sources=cost_sources)
    for rid, cid in fixups.get("missing_rules", ()):
        regimes[rid] = replace(regimes[rid], rules={k: r for k, r in regimes[rid].rules.items() if k != cid})
    for rid, cid, directions in fixups.get("sides", ()):
        rules = dict(regimes[rid].rules)
        rules[cid] = replace(rules[cid], sides={d: s for d, s in rules[cid].sides.items() if d in directions})
        regimes[rid] = replace(regimes[rid], rules=rules)
    model = {
        "crossings": crossings,
        "regimes": regimes,
        "driver_rules": driver_rules,
        "cost_model": cost_model,
        "routes": routes,
        "sources": sources,
        "timeline": timeline,
    }
    return {k: model[k] for k in keys}


def _verify(graph: nx.MultiDiGraph, files: Mapping[str, str], fixups: Mapping[str, Any]) -> None:
    """Refuse to save rules that would not read back equal."""
    keys = [k for k in MODEL_KEYS if k in graph.graph]
    try:
        model = _read_model(files, fixups, keys)
    except DataError as exc:
        msg = f"the network's rules cannot be written in the dataset formats of routes/: reading them back says {exc}; fix the value it names"
        raise InvalidArgumentError(msg) from None
    for key in keys:
        mine, back = graph.graph[key], model[key]
        if key == "routes":
            mine = mine or {}
        if key in ("crossings", "regimes", "routes", "sources"):
            mine = dict(mine)
            for name in mine:
                if name not in back or not _same(mine[name], back[name]):
                    what = _difference(mine[name], back.get(name))
                    msg = f"graph.graph[{key!r}][{name!r}] does not read back equal from the dataset formats of routes/ ({what}); it cannot be saved"
                    raise InvalidArgumentError(msg)
            extra = set(back) - set(mine)
            if extra:
                msg = f"graph.graph[{key!r}] reads back with extra entries {sorted(extra)}; it cannot be saved"
                raise InvalidArgumentError(msg)
        elif mine != back:
            msg = f"graph.graph[{key!r}] does not read back equal from the dataset formats of routes/ ({_difference(mine, back)}); it cannot be saved"
            raise InvalidArgumentError(msg)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Regime) and isinstance(b, Regime):
        return a == b and (a.name, a.description.strip(), a.in_force_from, a.valid_until, a.source) == (
            b.name,
            b.description.strip(),
            b.in_force_from,
            b.valid_until,
            b.source,
        )
    return bool(a == b)


def _difference(a: Any, b: Any) -> str:
    if b is None:
        return "it is missing"
    if isinstance(a, Regime) and isinstance(b, Regime):
        for cid, rule in a.rules.items():
            other = b.rules.get(cid)
            if other != rule:
                return f"the rule for {cid!r}: {_difference(rule, other)}"
    names = [f.name for f in dataclass_fields(a)] if hasattr(a, "__dataclass_fields__") else []
    for name in names:
        if getattr(a, name) != getattr(b, name, None):
            return f"{name} {getattr(a, name)!r:.120} becomes {getattr(b, name, None)!r:.120}"
    return f"{a!r:.120} becomes {b!r:.120}"


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
        model = _read_model(files, fixups, keys)
    except DataError as exc:
        raise DataError(f"holds rules that do not read: {exc}", file=source.name) from None
    graph.graph = {**others, **model}
    check_network(graph)
    return _cache.freeze(graph)
