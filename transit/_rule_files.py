"""
A network's rules as files of the dataset layout of ``routes/``, and back: the rule half of :mod:`transit.io`.

:func:`rules_to_files` writes crossings, regimes, driver rules, costs, routes, sources and the timeline as the texts of
``crossings.toml``, ``regimes/<id>.toml`` and the rest; :func:`read_model` reads them back with the dataset's own
readers; :func:`verify_rules` refuses rules that would not read back equal. See :mod:`transit.io` for the file.
"""

from __future__ import annotations

import csv
import io as _stdio
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx

from ._regime_files import load_country_clearance, load_regime
from ._toml import Inline, dumps
from .cost import CostModel, load_cost_model
from .crossings import Crossing
from .datasets import read_crossings, read_routes, read_sources
from .drivers import DriverRules, load_driver_rules
from .errors import DataError, InvalidArgumentError
from .model import DesignatedRoute, Source
from .rail import RailNetwork, read_rail
from .regimes import ZERO_DELAY, CrossingRule, Delay, Regime
from .schedule import Hours, PostSchedule, Season
from .timeline import Timeline, read_timeline

__all__ = ["MODEL_KEYS", "NO_SOURCE", "STUB_NOTE", "read_model", "rules_to_files", "verify_rules"]

#: How an empty source text is written (the dataset readers refuse empty sources); read back as ``""``.
NO_SOURCE = "ESTIMATE: no source was recorded on the saved network"
#: Note of the ``sources.csv`` rows written for source ids the rules cite but the network does not list.
STUB_NOTE = "stub written by transit.save_network: cited by the rules, not listed in the network's sources"
#: Graph attributes that hold the model objects, written as dataset files.
MODEL_KEYS = ("crossings", "regimes", "driver_rules", "cost_model", "routes", "sources", "timeline", "rail")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SCHEDULE_SOURCE = "ESTIMATE: the saved network keeps no separate source for a post's schedule"
_CLEARANCE_SOURCE = "ESTIMATE: not used; every rule of the saved regimes gives its delays"


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


def rules_to_files(graph: nx.MultiDiGraph) -> tuple[dict[str, str], dict[str, Any]]:
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
    rail: RailNetwork | None = g.get("rail")
    if rail is not None:
        if not rail.files:
            msg = "the network's rail layer was not read from a rail/ folder, so it cannot be saved; read it with transit.rail.read_rail"
            raise InvalidArgumentError(msg)
        files.update({f"rail/{name}": text for name, text in rail.files.items()})
    files["drivers.toml"] = _drivers_toml(g["driver_rules"])
    files["costs.toml"] = _costs_toml(g["cost_model"])
    files["routes.toml"] = _routes_toml(routes.values())
    return files, fixups


# -- reading the rules back ------------------------------------------------------------------------


def _unmark(text: str) -> str:
    return "" if text == NO_SOURCE else text


def read_model(files: Mapping[str, str], fixups: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Read the dataset files with the dataset readers; the model objects by graph attribute."""
    with tempfile.TemporaryDirectory(prefix="transit-saved-") as tmp:
        base = Path(tmp)
        (base / "regimes").mkdir()
        (base / "rail").mkdir()
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
        rail = read_rail(base / "rail", sources=listed, places=None) if "rail/rail.toml" in files else None
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
        "rail": rail,
    }
    return {k: model[k] for k in keys}


def verify_rules(graph: nx.MultiDiGraph, files: Mapping[str, str], fixups: Mapping[str, Any]) -> None:
    """Refuse to save rules that would not read back equal."""
    keys = [k for k in MODEL_KEYS if k in graph.graph]
    try:
        model = read_model(files, fixups, keys)
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
