"""
The lower bounds of the exact route search (:mod:`transit._labels`): how soon a truck can still arrive.

:class:`Bounds` holds what one query's bounds need (the crossing graph and its entry layers towards the
destination through the waypoints, for the time and for the driving alone) and answers, for a truck at a
node, the least time left: the static time (driving and median border delays) or, where the crew goes all
the way, the driving left plus the rests and breaks that much driving needs, and not before the next
waypoint crossing opens. It also knows the route rules these bounds keep (no country entered again, no
dead ends beyond a crossing). The search (:class:`transit._labels._Search`) extends it with the labels,
moves and the queue, and orders the queue by ``time + bound`` (A*).
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

from . import _cache
from ._label import Label
from ._run import Run
from ._search import CrossingGraph, Entry, EntryLayer, Waypoint, crossing_graph, driving_graph, entry_h, entry_layers
from ._units import HOUR_S
from .drivers import DriverClock
from .errors import NoRouteError
from .regimes import Regime
from .vehicles import Vehicle

__all__ = ["SLACK_S", "Bounds"]

#: The static bound leaves this much room for the simulator's rounding to whole seconds.
SLACK_S = 60.0


class Bounds:
    """One query's lower bounds (see the module docstring); ``ub``, the best arrival found so far, is the search's to lower."""

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        destination: Any,
        regime: Regime,
        vehicle: Vehicle,
        t0: float,
        waypoints: tuple[Waypoint, ...],
        avoid: frozenset[str],
        *,
        strict: bool,
    ) -> None:
        self.strict = strict
        self.graph = graph
        self.destination = destination
        self.regime = regime
        self.t0 = t0
        self.waypoints = waypoints
        self.avoid = avoid
        self.cap = vehicle.max_speed_kph
        self.cg: CrossingGraph = crossing_graph(graph, regime, self.cap)
        self.layers = entry_layers(self.cg, destination, waypoints, strict=strict)
        drives = _cache.memo(graph, "crossing_graph", (regime, self.cap, "driving"), lambda: driving_graph(self.cg))
        self.drive_layers = entry_layers(drives, destination, waypoints, strict=strict)
        self.drives = drives
        self.rules = graph.graph["driver_rules"]
        self._handover_s: float | None = None
        self._opens: dict[tuple[int, float], tuple[float, float]] = {}
        self._reachable: dict[tuple[str, int, frozenset[str]], bool] = {}
        self.neighbours: dict[str, set[str]] = {}
        for u, v, _ in self.cg.links:
            self.neighbours.setdefault(self.cg.country[u], set()).add(self.cg.country[v])
        breaks = list(self.rules.break_rules.values())
        self.break_every_s = max(r.break_after_h for r in breaks) * HOUR_S
        self.break_min_s = min(r.break_h for r in breaks) * HOUR_S
        self.ub = float("inf")  # the earliest arrival found so far: labels that cannot beat it are not made

    def advance(self, node: Any, k: int) -> int:
        n = len(self.waypoints)
        while k < n and self.waypoints[k] == ("place", node):
            k += 1
        return k

    def remaining(
        self,
        node: Any,
        k: int,
        entry: Entry,
        *,
        can_drive: bool,
        run: Run | None = None,
        left: frozenset[str] = frozenset(),
        driving_s: float | None = None,
    ) -> float | None:
        """
        Lower bound on the time from ``node`` (``k`` waypoints passed) to the destination, seconds.

        The static time (driving and median border delays), or, for a truck whose crew goes all the
        way (no transshipment can change it), the driving left plus the rests and breaks that much
        driving needs, whichever is more. ``driving_s``: the driving left, where the caller has it.
        """
        if node == self.destination and k == len(self.waypoints):
            return 0.0
        if left and not self.reachable(self.cg.country[node], k, left):
            return None
        rest = self.static(self.cg, self.layers, node, k, entry, can_drive=can_drive, left=left)
        if rest is None:
            return None
        if run is not None:
            driving = (
                driving_s if driving_s is not None else self.static(self.drives, self.drive_layers, node, k, entry, can_drive=can_drive, left=left)
            )
            if driving is not None:
                rest = max(rest, driving + self.stops_s(run.driver, driving))
            if k < len(self.waypoints) and self.waypoints[k][0] == "crossing":
                # Every route passes the next waypoint crossing: not before it next opens (a winter closure, say).
                opens, after = self.waypoint_opens(k, run.t)
                if opens == math.inf:
                    return None
                rest = max(rest, opens - run.t + after)
        return max(rest - SLACK_S, 0.0)

    def static(
        self, cg: CrossingGraph, layers: list[EntryLayer], node: Any, k: int, entry: Entry, *, can_drive: bool, left: frozenset[str]
    ) -> float | None:
        """
        Return the static remaining time of ``cg`` (``layers``) from ``node``, seconds; ``None`` where no route is left.

        A truck that must cross where it stands (``can_drive`` false: it drove to this post to cross)
        counts only the crossings it may take: not one it is avoiding, and in a strict search not
        into a country it left (unless the next waypoint or the destination is there) nor back over
        the crossing it came by (unless a later waypoint names it), nor into a country from which the
        next waypoint cannot be reached without entering a country left (:meth:`reachable`).
        """
        if can_drive:
            return entry_h(cg, layers[k], node, entry)
        n = len(self.waypoints)
        here = cg.country[node]
        gone = left | {here}  # the countries left once the truck crosses
        best = math.inf
        for target, w in cg.cross_out.get(node, ()):
            cid = cg.crossing_of[(node, target)]
            if cid in self.avoid:
                continue
            is_waypoint = k < n and self.waypoints[k] == ("crossing", cid)
            if self.strict and not is_waypoint:
                there = cg.country[target]
                if there in left and there != self.wanted(k):
                    continue
                if entry is not None and cid == entry[0] and ("crossing", cid) not in self.waypoints[k:]:
                    continue
            nk = self.advance(target, k + 1 if is_waypoint else k)
            if self.strict and not self.reachable(cg.country[target], nk, gone):  # a dead end beyond this crossing
                continue
            rest = entry_h(cg, layers[nk], target, (cid, here))
            if rest is not None and w + rest < best:
                best = w + rest
        return None if best == math.inf else best

    def wanted(self, k: int) -> str | None:
        """Return the country a strict route may enter again with ``k`` waypoints passed (the next place waypoint's, or the destination's)."""
        if k == len(self.waypoints):
            return self.cg.country[self.destination]
        kind, ident = self.waypoints[k]
        return self.cg.country[ident] if kind == "place" else None

    def reachable(self, country: str, k: int, left: frozenset[str]) -> bool:
        """
        Whether a truck in ``country`` (``k`` waypoints passed) can still reach the next waypoint without entering ``left``.

        In a strict search a country left is entered again only where the next waypoint (or the
        destination) lies, or over the next waypoint crossing; a truck that has left both sides of
        that crossing, and is in neither, is at a dead end (a ``via`` detour the static bound allows).
        """
        if not self.strict:
            return True
        key = (country, k, left)
        found = self._reachable.get(key)
        if found is None:
            wanted = self.wanted(k)  # a country the route may enter again; else a crossing waypoint: a side not left, or this one
            sides = set(self.cg.crossing_countries.get(self.waypoints[k][1], ())) if wanted is None else set()
            goals = {wanted} if wanted is not None else sides - (left - {country})
            seen, todo = {country}, [country]
            while todo:
                here = todo.pop()
                for there in self.neighbours.get(here, ()):
                    if there not in seen and (there not in left or there == wanted):
                        seen.add(there)
                        todo.append(there)
            found = self._reachable[key] = bool(seen & goals)
        return found

    def waypoint_opens(self, k: int, t: float) -> tuple[float, float]:
        """When the ``k``-th waypoint (a crossing) next opens after ``t`` in any direction, and the least time after it."""
        hour = math.floor(t / HOUR_S) * HOUR_S  # earlier is a safe bound, and caches by the hour
        key = (k, hour)
        found = self._opens.get(key)
        if found is None:
            cid = self.waypoints[k][1]
            crossing = self.graph.graph["crossings"][cid]
            opens, after = math.inf, math.inf
            for u, v, _ in self.cg.links:
                if self.cg.crossing_of[(u, v)] != cid:
                    continue
                try:
                    opens = min(opens, self.regime.clock(crossing, f"{self.cg.country[u]}>{self.cg.country[v]}").next_open(hour))
                except (LookupError, NoRouteError):
                    continue
                beyond = self.layers[k + 1].dist.get((v, (cid, self.cg.country[u])), math.inf)
                after = min(after, beyond if v in self.cg.is_post else 0.0)
            found = self._opens[key] = (opens, 0.0 if after == math.inf else after)
        return found

    def drive_remaining(self, node: Any, k: int, entry: Entry, *, can_drive: bool = True, left: frozenset[str] = frozenset()) -> float | None:
        """Lower bound on the driving left from ``node`` entered by ``entry`` (``k`` waypoints passed), seconds."""
        if node == self.destination and k == len(self.waypoints):
            return 0.0
        return self.static(self.drives, self.drive_layers, node, k, entry, can_drive=can_drive, left=left)

    def handover_s(self) -> float:
        """Return the shortest transshipment of the regime's rules, seconds: a new crew instead of a rest costs at least this."""
        if self._handover_s is None:
            regime = self.regime
            cids = set(self.cg.crossing_of.values())
            if regime.dated:
                rules = [regime.segment_rule(cid, i) for cid in cids for i in regime.segments_between(cid, self.t0, self.ub)]
            else:
                rules = [regime.rule(cid) for cid in cids]
            self._handover_s = min((r.transshipment.median_h * HOUR_S for r in rules), default=0.0)
        return self._handover_s

    def stops_s(self, driver: DriverClock, driving: float) -> float:
        """
        Return the least stopping that ``driving`` more seconds need: daily rests beyond today's longest day, and breaks.

        A transshipment hands the cargo to a fresh crew, which saves a rest or a break but takes at
        least :meth:`handover_s`; so each stop counts the shorter of the two.
        """
        crew = driver.crew
        day = crew.extended_driving_h * HOUR_S
        today = 0.0 if driver.idle_s > 0 else driver.today_s  # a rest in progress may reset the day
        beyond = driving - max(day - today, 0.0)
        rests = math.ceil(beyond / day - 1e-9) if beyond > 0 else 0
        handover = self.handover_s()
        # Of those rests, one in every weekly_after_periods is a weekly rest, and the week allows only so many reduced ones.
        periods = 0 if driver.idle_s > 0 else driver.periods
        weekly = min(max((periods + rests - 1) // crew.weekly_after_periods, 0), rests) if crew.weekly_rest_h > crew.daily_rest_h else 0
        reduced = min(rests - weekly, max(crew.reduced_rests_per_week - driver.reductions_used, 0) + crew.reduced_rests_per_week * weekly)
        regular = rests - weekly - reduced
        rest_s = (
            reduced * min(crew.reduced_daily_rest_h * HOUR_S, handover)
            + regular * min(crew.daily_rest_h * HOUR_S, handover)
            + weekly * min(crew.weekly_rest_h * HOUR_S, handover)
        )
        total = rest_s
        if crew.breaks:
            since = 0.0 if driver.idle_s > 0 else driver.since_break_s
            breaks = math.ceil((driving + since) / self.break_every_s - 1e-9) - 1 - rests
            total += max(breaks, 0) * min(self.break_min_s, handover)
        return total

    def bound_via(
        self, label: Label, target: Any, k: int, entry: Entry, seconds: float, drive_s: float, *, can_drive: bool, left: frozenset[str] = frozenset()
    ) -> float | None:
        """Lower bound on the arrival of ``label`` going to ``target`` (by ``entry``) first: a move of ``seconds``, ``drive_s`` of them driving."""
        rest = self.remaining(target, k, entry, can_drive=can_drive, left=left)
        if rest is None:
            return None
        bound = label.run.t + seconds + rest
        driving = self.drive_remaining(target, k, entry, can_drive=can_drive, left=left)
        if driving is not None:
            bound = max(bound, label.run.t + drive_s + driving + self.stops_s(label.run.driver, drive_s + driving) - SLACK_S)
        return bound
