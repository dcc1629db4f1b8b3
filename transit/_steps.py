"""
Compiled paths: the road and crossing steps a simulation walks, with the lower bounds that route choice prunes with.

Internal; shared by the scalar engine (:mod:`transit.simulation`) and the vectorised one (:mod:`transit.montecarlo`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from . import _cache
from ._rules import closed_to_freight
from ._units import HOUR_S
from .clocks import Clock
from .crossings import Crossing
from .drivers import BreakRule, DriverRules
from .errors import NoRouteError
from .regimes import CrossingRule, Regime

__all__ = [
    "Cross",
    "Road",
    "compile_path",
    "crossing_point",
    "remaining_driving",
    "road_coords",
    "rule_in_force",
    "why_closed",
]


@dataclass(frozen=True, slots=True)
class Road:
    segment_id: str
    country: str
    km: float
    speed_kph: float
    label: str
    tz: str
    source: str
    end_tz: str
    rule: BreakRule
    start_place: str


@dataclass(frozen=True, slots=True)
class Cross:
    crossing: Crossing
    direction: str
    exit_country: str
    entry_country: str
    link_km: float
    link_speed_kph: float
    exit_place: str
    entry_place: str
    exit_tz: str
    entry_tz: str
    source: str
    link: Road


def compile_edge(graph: nx.MultiDiGraph, u: Any, v: Any) -> Road | Cross:
    edges = graph.get_edge_data(u, v)
    if not edges:
        msg = f"the path has no edge from {u!r} to {v!r}"
        raise NoRouteError(msg)
    data = min(edges.values(), key=lambda d: d["travel_time"])
    nodes = graph.nodes
    rules: DriverRules = graph.graph["driver_rules"]
    if data.get("kind") == "crossing":
        crossing = graph.graph["crossings"][data["crossing_id"]]
        exit_country, entry_country = nodes[u]["country"], nodes[v]["country"]
        return Cross(
            crossing=crossing,
            direction=f"{exit_country}>{entry_country}",
            exit_country=exit_country,
            entry_country=entry_country,
            link_km=data["length"] / 1000,
            link_speed_kph=data["speed_kph"],
            exit_place=nodes[u]["name"],
            entry_place=nodes[v]["name"],
            exit_tz=nodes[u]["tz"],
            entry_tz=nodes[v]["tz"],
            source=data.get("source", ""),
            link=Road(
                segment_id=f"{crossing.id}:link",
                country=exit_country,
                km=data["length"] / 1000,
                speed_kph=data["speed_kph"],
                label=f"{nodes[u]['name']} → {nodes[v]['name']}",
                tz=nodes[u]["tz"],
                source=data.get("source", ""),
                end_tz=nodes[v]["tz"],
                rule=rules.break_rule(exit_country),
                start_place=nodes[u]["name"],
            ),
        )
    country = data.get("country", nodes[u]["country"])
    return Road(
        segment_id=data.get("segment_id", f"{u}-{v}"),
        country=country,
        km=data["length"] / 1000,
        speed_kph=data["speed_kph"],
        label=f"{nodes[u]['name']} → {nodes[v]['name']}",
        tz=nodes[u]["tz"],
        source="; ".join(s for s in (data.get("source", ""), data.get("speed_source", "")) if s),
        end_tz=nodes[v]["tz"],
        rule=rules.break_rule(country),
        start_place=nodes[u]["name"],
    )


def compile_path(graph: nx.MultiDiGraph, path: Sequence[Any]) -> tuple[Road | Cross, ...]:
    """Turn node ids into simulation steps (cached per network; steps are shared between paths)."""
    key = tuple(path)
    caches = _cache.store(graph)
    found: tuple[Road | Cross, ...] | None = caches["path"].get(key)
    if found is not None:
        return found
    edges = caches["edge"]
    steps = []
    for edge in itertools.pairwise(key):
        step = edges.get(edge)
        if step is None:
            step = edges.put(edge, compile_edge(graph, *edge))
        steps.append(step)
    return caches["path"].put(key, tuple(steps))


def remaining_driving(graph: nx.MultiDiGraph, path: tuple[Any, ...], steps: tuple[Road | Cross, ...], cap: float | None) -> list[float]:
    """Driving seconds left after each step (cached per network, path and speed cap)."""
    cache = _cache.store(graph)["remaining"]
    key = (path, cap)
    found: list[float] | None = cache.get(key)
    if found is None:
        found = [0.0] * len(steps)
        acc = 0.0
        for i in range(len(steps) - 1, -1, -1):
            found[i] = acc
            step = steps[i]
            if isinstance(step, Road):
                speed = step.speed_kph if cap is None else min(step.speed_kph, cap)
                acc += step.km / speed * HOUR_S
        cache.put(key, found)
    return found


def road_coords(graph: nx.MultiDiGraph, path: tuple[Any, ...]) -> tuple[tuple[float, float], ...]:
    """Return the road geometry along ``path``: each edge's LineString (or the straight line), joined end to end; cached."""
    cache = _cache.store(graph)["coords"]
    found: tuple[tuple[float, float], ...] | None = cache.get(path)
    if found is None:
        coords: list[tuple[float, float]] = []
        nodes = graph.nodes
        for u, v in itertools.pairwise(path):
            data = min(graph.get_edge_data(u, v).values(), key=lambda d: d["travel_time"])
            geometry = data.get("geometry")
            points = list(geometry.coords) if geometry is not None else [(nodes[u]["x"], nodes[u]["y"]), (nodes[v]["x"], nodes[v]["y"])]
            for x, y in points:
                if not coords or coords[-1] != (x, y):
                    coords.append((float(x), float(y)))
        found = cache.put(path, tuple(coords))
    return found


def crossing_point(crossing: Crossing) -> tuple[str, str, float, float]:
    a, b = crossing.posts
    return (crossing.id, crossing.name, (a.lon + b.lon) / 2, (a.lat + b.lat) / 2)


def rule_in_force(regime: Regime, clock: Clock, crossing: Crossing, direction: str, arrival: float) -> tuple[CrossingRule, int]:
    """
    Return the rule for a truck reaching ``crossing`` at ``arrival``, and which of the crossing's dated rules it is.

    Under a dated regime (``history``) that is the rule in force when the crossing next takes freight in
    ``direction``: at arrival, or when a dated closure ends (the truck waits for it like for a weekend).

    Raises
    ------
    NoRouteError
        If the regime closes the crossing to freight in ``direction`` then, or for longer than the search horizon.
    """
    if not regime.dated:
        rule = regime.rule(crossing.id)
        if not rule.open_in(direction):
            raise NoRouteError(closed_to_freight(crossing.name, crossing.id, regime.id, why_closed(rule, direction)), blocking=[crossing.id])
        return rule, 0
    try:
        opens = clock.next_open(arrival)
    except NoRouteError:
        reason = clock.closed_by(arrival)
        if reason is None:
            raise
        raise NoRouteError(
            closed_to_freight(crossing.name, crossing.id, regime.id, f"{reason}, and it does not reopen within the horizon"), blocking=[crossing.id]
        ) from None
    rule = regime.rule_at(crossing.id, opens)
    return rule, regime.segment_at(crossing.id, opens)


def why_closed(rule: CrossingRule, direction: str) -> str:
    """Say why ``rule`` closes ``direction`` (one-way operation, or its reason)."""
    if rule.open_to_freight and direction in rule.closed_directions:
        return f"one-way operation, open to freight only {', '.join(d for d in rule.queue if d not in rule.closed_directions)}" + (
            f" ({rule.reason})" if rule.reason else ""
        )
    return rule.reason
