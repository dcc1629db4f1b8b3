"""
Exact route choice: a label-setting search over (place, time, drivers' hours, plan).

A **label** is a truck standing at a node of the crossing graph (the origin, a border post, a
``via`` place or the destination) at a time, with its crew's hours (driving today and since the
last break, the duty day's start, rests and extended days used this week), its vehicle (a
transshipment changes it), the waypoints passed, and the **plan** that got it there (the holds,
waits and extended days of :mod:`transit._run`). Moves are the fastest domestic road to another
node of the same country, or a crossing link; both are driven by the simulator's own rules
(:class:`transit._run.Run`), so the search and :func:`transit.simulate` agree to the second.

Labels are taken from a queue in order of ``time + lower bound to the destination`` (A*; the bounds are
:class:`transit._bounds.Bounds`, which the search extends);
the first label at the destination is the earliest arrival. A label is dropped when another at
the same node, waypoint and vehicle is **no later and no worse off**: if it waited there until the
other's time, its crew would have driven no more today or since a break, begun its duty day no
earlier and used no more of the week's rests, extensions and closed-border waiting. Fewer duty
periods since the weekly rest count as better off only where the other crew's weekly rest cannot
fall due before the best arrival found so far: a weekly rest due sooner also resets the week sooner
(:meth:`_Search.week_open`). There is no cap on routes: only dominance and the bound end the search.

**Waiting.** A later departure can always do what an earlier one did by waiting, so waiting is
part of the search, where it can help:

* before the crew's duty day begins: holding the truck at the origin, lengthening a daily or
  weekly rest, holding a fresh truck after a transshipment. When a label reaches a crossing and
  waits there, the search also tries the hold (at the last such point) that makes that wait
  shorter than each rest threshold (a break, a reduced, daily or weekly rest) or zero, that
  makes the truck arrive as the crossing closes (the closure becomes the crew's rest), that
  reaches the crossing when a dated rule changes, or that makes a reduced rest a full one (the
  reduction kept for later: :func:`transit._label.full_rest_hold`, :func:`transit._label.moved_hold`);
* at a crossing, before the formalities: staying until the wait counts as a break or a rest.

Waiting anywhere else (on the road during a duty day) is never better than waiting at the next
crossing instead: the crew's clock runs the same, and one long wait counts as a rest where two
short ones may not. This is the search's assumption; ``tests/test_exact_search.py`` checks it
against a brute force over every path and every hold on toy networks.

**Extended days.** Where the daily driving limit stops the crew and the week still allows an
extended day, the search follows both: rest now, or drive on to the extended limit; and where
the day's last break falls due, both the break and the daily rest in its place; and where a daily
rest falls due as the week's reduced rests run out, both that rest and a weekly rest in its place.
At every stop of a leg (:func:`transit._legs.drive`), with the copies that fall behind dropped.

**Via.** The waypoints passed are part of a label, so ``via`` multiplies the labels by its length:
polynomial, not exponential.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

import networkx as nx

from . import _cache
from ._bounds import Bounds
from ._cancel import check as check_cancelled
from ._gc import paused
from ._label import Arrival, Found, Label, Plan, Snap, crossed, dominates, driven, full_rest_hold, lengthened, moved_hold, settled, week_due
from ._legs import drive_leg
from ._run import MAX_CLOSED_WAIT_DAYS, Run, closed_note
from ._search import Waypoint, astar_paths
from ._steps import Cross, compile_path
from ._units import DAY_S, EPS, HOUR_S
from .drivers import BreakRule, DriverClock
from .errors import NoRouteError
from .regimes import Regime
from .schedule import zone
from .vehicles import Vehicle

__all__ = ["HORIZON_PER_STATIC", "MAX_TRIP_DAYS", "Found", "Label", "Plan", "search"]

#: Waits at a crossing longer than this are not tried to turn a wait into a rest (the weekly rest is 24 h).
MAX_STAY_S = 36 * HOUR_S
#: Labels expanded before a search that has found no route gives up (a safety valve for questions with no answer;
#: the expansions of an answered question stay far below it).
MAX_EXPANSIONS = 5_000
#: The search's horizon: it looks for arrivals within this many days of the departure, or, for a trip whose static
#: lower bound is long (a long ``via`` list), within :data:`transit._run.MAX_CLOSED_WAIT_DAYS` plus
#: :data:`HORIZON_PER_STATIC` times that bound, if later. A question whose every route arrives later has no answer,
#: proven as soon as the lower bounds pass the horizon (a ``via`` crossing closed for months: no label is made).
#: ESTIMATE: the 30 days of waiting at closed crossings the simulator allows, plus 30 days, about twice the longest
#: trip of the embedded dataset (15.9 days: one driver, ``pre-2017``, leaving 30 Oct 2017, in
#: ``bench/data/old_search_m5_2017-10-30.csv``).
MAX_TRIP_DAYS = 60
#: ESTIMATE: on 290 seeded random one-driver trips (``random.Random(150)``, 30 Oct 2017) and the 14- and 20-item
#: ``via`` trips of ``bench/bench_core.py``, a trip's time outside closed waiting is at most 2.2 times its static
#: lower bound (median 1.6); 3 leaves a margin. (A truck held for weeks so that a closed wait stays under 30 days
#: goes further: Kashgar->Dushanbe via Kulma leaving 20 Mar 2018, 8 times; the 60 days cover it.)
HORIZON_PER_STATIC = 3


class _Search(Bounds):
    """One query's search state (see :func:`search`); its lower bounds are :class:`transit._bounds.Bounds`."""

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        origin: Any,
        destination: Any,
        regime: Regime,
        vehicle: Vehicle,
        t0: float,
        waypoints: tuple[Waypoint, ...],
        avoid: frozenset[str],
        *,
        strict: bool = True,
    ) -> None:
        super().__init__(graph, destination, regime, vehicle, t0, waypoints, avoid, strict=strict)
        self.origin = origin
        self.vehicle = vehicle
        self.legs = _cache.store(graph)["leg_drives"]  # looked up once: the memo of legs driven (transit._legs)
        self.heap: list[tuple[float, int, Label | Callable[[], object]]] = []
        self.counter = itertools.count()
        self.buckets: dict[tuple[Any, ...], dict[int, list[Label]]] = {}  # labels by node (and vehicle) and duty periods
        self.found = Found(best=None)
        self.tried: set[tuple[Any, ...]] = set()
        self.fallback: Label | None = None  # the plan that set the first bound
        self.dated = regime.dated  # narrowed by run() to whether a dated rule changes before the first bound
        static = self.remaining(origin, self.advance(origin, 0), None, can_drive=True) or 0.0
        self.horizon = t0 + max(MAX_TRIP_DAYS * DAY_S, MAX_CLOSED_WAIT_DAYS * DAY_S + HORIZON_PER_STATIC * static)
        self.ub = self.horizon  # no arrival after the horizon is an answer
        self.found.horizon = self.horizon

    # -- labels ---------------------------------------------------------------------------------

    def fresh_run(self, plan: Plan) -> Run:
        run = Run(
            t=self.t0,
            vehicle=self.vehicle,
            regime=self.regime,
            rules=self.rules,
            extensions=plan.extensions,
            waits=dict(plan.waits),
            extended_days=plan.extended_days,
            rest_at_breaks=plan.rest_at_breaks,
            annotate=False,
        )
        run.hold_at_origin("", "", "")
        return run

    def push(self, label: Label) -> None:
        final = label.node == self.destination and label.k == len(self.waypoints)
        run = label.run
        key = (label.node, label.k, label.can_drive, run.vehicle.registration, run.vehicle.permits, run.vehicle.drivers)
        groups = self.buckets.setdefault(key, {})
        rule = self.rules.break_rule(self.cg.country[label.node])
        periods = settled(label, rule).periods
        driving = self.static(self.drives, self.drive_layers, label.node, label.k, label.entry, can_drive=label.can_drive, left=label.left)
        label.driving_s = 0.0 if final or driving is None else driving  # (dominance: no closed waiting while driving)
        if not final and self.dominated(label, groups, periods, rule):  # before the bound: most labels made are dominated
            return
        rest = self.remaining(label.node, label.k, label.entry, can_drive=label.can_drive, run=run, left=label.left, driving_s=driving)
        if rest is None:
            return
        f = run.t + rest
        if not self.within(f):
            return
        if final:
            self.ub = f
            if self.dominated(label, groups, periods, rule):
                return
        t = run.t
        for group, bucket in groups.items():
            same = group == periods
            killed = False
            for other in bucket:
                if not other.dead and other.run.t >= t and (same or not self.week_open(other)) and dominates(label, other, rule, until=self.ub):
                    other.dead = killed = True
                    self.found.dominated += 1
            if killed:
                bucket[:] = [other for other in bucket if not other.dead]
        groups.setdefault(periods, []).append(label)
        self.found.labels += 1
        if final:
            crossings = tuple(run.crossed)
            if run.t < self.found.arrivals.get(crossings, float("inf")):
                self.found.arrivals[crossings] = run.t
        heapq.heappush(self.heap, (f, next(self.counter), label))

    def dominated(self, label: Label, groups: dict[int, list[Label]], periods: int, rule: BreakRule) -> bool:
        """
        Whether a label of ``groups`` dominates ``label`` (counted).

        ``groups`` holds a node's labels by their crews' duty periods since the weekly rest
        (``periods`` is ``label``'s): a label with fewer is better off only where ``label``'s weekly
        rest cannot fall due before the best arrival (:meth:`week_open`).
        """
        own = groups.get(periods)
        if own is not None and self.dominated_in(label, own, rule):
            return True
        if len(groups) > (own is not None) and not self.week_open(label):
            return any(self.dominated_in(label, bucket, rule) for group, bucket in groups.items() if group != periods)
        return False

    def dominated_in(self, label: Label, bucket: list[Label], rule: BreakRule) -> bool:
        t = label.run.t
        # Most labels fail at once: their crew's duty day began earlier, and waiting until ``t`` would be no rest
        # (:func:`dominates` would find as much; this test, inlined, is the search's most frequent).
        began = settled(label, rule).duty_start
        began = math.inf if began is None else began - EPS
        crew_rule = label.run.driver.crew  # (the bucket's: one crew size)
        rest_s = min(crew_rule.reduced_daily_rest_h, crew_rule.daily_rest_h) * HOUR_S - EPS
        for other in reversed(bucket):  # the latest first: a dominating label is most often a recent one
            if other.dead or other.run.t > t:
                continue
            crew = cast("DriverClock", other.settled)  # (set when it was pushed)
            if crew.duty_start is not None and crew.duty_start < began and t - other.run.t + crew.idle_s < rest_s:
                continue
            if dominates(other, label, rule, until=self.ub):
                self.found.dominated += 1
                return True
        return False

    def week_open(self, label: Label) -> bool:
        """Whether ``label``'s crew may fall due for its weekly rest before the best arrival so far (:func:`week_due`)."""
        if label.week_due is None:
            label.week_due = week_due(label, label.driving_s)
        return label.week_due < self.ub

    # -- moves ----------------------------------------------------------------------------------

    def drive_to(self, label: Label, target: Any, *, forks: bool = True, resume: tuple[int, int] | None = None) -> list[Arrival]:
        """
        Drive the domestic leg to ``target``: the runs that arrive (more than one where an extended day is tried).

        ``resume``: ``(piece, seconds left of it)`` where ``label.run`` stands in the middle of the
        leg (a replay from a :class:`Snap`); ``label`` is still the leg's start.
        """
        out = []
        for run, window, mark in drive_leg(self.graph, self.cap, label.run, label.node, target, forks=forks, resume=resume, memo=self.legs):
            if mark is not None:  # the checkpoint moves to the leg's last rest, replayable from its mark
                n, shift, piece, at_left = mark
                out.append(Arrival(run, ("rest", n), window, Snap(("rest", n), label, None, piece, at_left, shift)))
            elif run.rests != label.run.rests:
                out.append(Arrival(run, ("rest", run.rests), window, None))
            else:
                out.append(Arrival(run, label.checkpoint, window, label.snap))
        return out

    def cross_link(self, run: Run, source: Any, target: Any) -> Run | None:
        step = compile_path(self.graph, (source, target))[0]
        if not isinstance(step, Cross):  # pragma: no cover - the crossing graph's links are crossing edges
            return None
        try:
            run.cross(step, remaining_after_s=0.0)
        except NoRouteError as exc:
            self.found.errors.append(exc)
            return None
        return run

    def expand(self, label: Label) -> None:
        cg = self.cg
        node, k = label.node, label.k
        n = len(self.waypoints)
        for target, weight in cg.cross_out.get(node, ()):
            cid = cg.crossing_of[(node, target)]
            if cid in self.avoid or not self.allowed(label, target, cid):
                continue
            nk = self.advance(target, k + 1 if k < n and self.waypoints[k] == ("crossing", cid) else k)
            entry = (cid, cg.country[node])
            gone = label.left | {cg.country[node]}
            bound = self.bound_via(label, target, nk, entry, weight, weight - cg.delay_s[(node, target)], can_drive=True, left=gone)
            if bound is not None and self.within(bound):
                self.defer(bound, functools.partial(self.cross_from, label, target, cid))
        if not label.can_drive:
            return
        here = cg.country[node]
        targets = [post for post in cg.posts_by_country.get(here, ()) if post != node]
        if k == n and cg.country[self.destination] == here and self.destination != node:
            targets.append(self.destination)
        if k < n and self.waypoints[k][0] == "place" and cg.country[self.waypoints[k][1]] == here and self.waypoints[k][1] != node:
            targets.append(self.waypoints[k][1])
        dom = cg.dom
        for target in targets:
            nk = self.advance(target, k)
            can_drive = target not in cg.is_post or nk > k
            road = dom.time(node, target)
            bound = None if road is None else self.bound_via(label, target, nk, label.entry, road, road, can_drive=can_drive, left=label.left)
            if bound is not None and self.within(bound):
                self.defer(bound, functools.partial(self.drive_on, label, target, nk, can_drive=can_drive))

    def within(self, f: float) -> bool:
        """Whether a label (or a move) whose arrival cannot come before ``f`` may beat the best so far; notes one dropped at the horizon."""
        if f <= self.ub:
            return True
        if self.ub == self.horizon:
            self.found.beyond = True
        return False

    def allowed(self, label: Label, target: Any, cid: str) -> bool:
        """
        Return whether the route may cross ``cid`` into ``target``'s country.

        In a strict search, not back into a country it left, nor over a crossing it passed, unless
        ``via`` asks for it (the next waypoint is that crossing, or a place there).
        """
        k, n = label.k, len(self.waypoints)
        if not self.strict or (k < n and self.waypoints[k] == ("crossing", cid)):
            return True
        there = self.cg.country[target]
        if there in label.left and there != self.wanted(k):  # a country left: only where the next place waypoint (or the destination) lies
            return False
        return cid not in label.run.crossed or ("crossing", cid) in self.waypoints[k:]

    def drive_on(self, label: Label, target: Any, k: int, *, can_drive: bool) -> None:
        if label.dead:
            return
        for arrival in self.drive_to(label, target):
            self.push(driven(label, target, k, arrival, can_drive=can_drive))
            for rests, slack in arrival.window:
                # The duty window ended a day before the driving limit did: hold that long before the day began.
                # Replayed to this leg's start, so that the leg is driven again with every choice.
                start = (label.checkpoint, label.checkpoint_idle) if rests == label.run.rests else (("rest", rests), 0.0)
                held = Label(
                    label.node,
                    label.k,
                    label.run,
                    label.nodes,
                    can_drive=label.can_drive,
                    checkpoint=start[0],
                    checkpoint_idle=start[1],
                    left=label.left,
                    entry=label.entry,
                    snap=label.snap,
                )
                if self.dated:
                    self.hold_before(held, slack)
                else:  # the hold cannot get the truck to this leg's start earlier (the crossings on the way keep order)
                    rest = self.remaining(label.node, label.k, label.entry, can_drive=label.can_drive, run=label.run)
                    if rest is not None:
                        self.defer(label.run.t + rest, functools.partial(self.hold_before, held, slack))

    def cross_from(self, label: Label, target: Any, cid: str) -> None:
        """Cross from ``label``'s post to ``target``: as soon as possible, and with the waits and holds that may pay."""
        if label.dead:
            return
        run = self.cross_link(label.run.clone(), label.node, target)
        if run is None:
            return
        self.push_crossed(label, run, target, cid)
        passed = run.last_pass
        if passed is None:  # pragma: no cover - a crossing always records its pass
            return
        ordinal = len(label.run.crossed)
        wait = passed.begins - passed.arrival
        crew = label.run.driver.crew
        rule = self.rules.break_rule(self.cg.country[label.node])
        thresholds = [crew.reduced_daily_rest_h * HOUR_S, crew.daily_rest_h * HOUR_S, crew.weekly_rest_h * HOUR_S]
        if crew.breaks:
            thresholds.insert(0, rule.break_h * HOUR_S)
        # Stay at the crossing until the wait counts as a break or a rest: tried when the queue reaches it (its
        # clearance cannot end before this one's).
        entry = (cid, self.cg.country[label.node])
        after = self.remaining(target, label.k, entry, can_drive=True)
        if after is None:
            return
        stays = [t for t in thresholds if wait + 1 < t <= wait + MAX_STAY_S and passed.rest != _rest_for(t, crew, rule)]
        if stays and passed.done + after <= self.ub:
            self.defer(passed.done + after, lambda: self.stay(label, target, cid, ordinal, stays))
        # Or wait earlier, before the duty day began, so that this wait shrinks or the closure becomes the rest.
        queue = passed.queued - passed.arrival
        # (the queue runs from arrival whenever that is: a hold can shorten the wait to the queue, no further)
        holds = {wait - max(threshold, queue) for threshold in (0.0, *thresholds) if wait - max(threshold, queue) >= 60}
        closes = passed.clock.interval_at(passed.begins)[1]
        driving = self.drive_remaining(target, label.k, entry)
        allowance = run.driver.day_left_s(passed.done)
        if driving is not None and driving > allowance and passed.begins < closes < passed.begins + 2 * 86400:
            # The crew must rest before the end anyway: arriving as the crossing closes lets the closure be that rest.
            try:
                reopens = passed.clock.next_open(closes)
            except (LookupError, NoRouteError):
                reopens = closes
            rest_s = crew.daily_rest_h * HOUR_S
            long_enough = reopens - closes >= crew.reduced_daily_rest_h * HOUR_S
            if long_enough and closes - passed.queued >= 60 and reopens <= passed.done + allowance + rest_s:
                holds.add(closes - passed.queued)
        if self.dated:
            for start in self.regime.segment_starts(cid):
                if passed.arrival < start <= passed.done:
                    holds.add(start - passed.arrival)
        # Or make the checkpoint's reduced rest a full one: the wait beyond the queue takes up part of the hold. Only
        # where no hold above is as long (it would do as well: the wait it leaves is the same stop) and the wait is no
        # weekly rest (a new week: the reduction kept is of no use).
        if wait - queue >= 60 and passed.rest != "weekly rest":
            full = full_rest_hold(label)
            if full is not None and full > wait - queue:
                holds.add(full)
        if not holds:
            return
        if self.dated:  # a hold may wait out a dated rule on the way: no bound on where it gets, try it now
            for hold in sorted(holds):
                self.hold_before(label, hold)
        elif passed.done + after <= self.ub:  # waiting earlier cannot get the truck out of this crossing earlier
            self.defer(passed.done + after, functools.partial(self.hold_all, label, sorted(holds)))

    def hold_all(self, label: Label, holds: list[float]) -> None:
        """:meth:`hold_before` for each of ``holds``."""
        for hold in holds:
            self.hold_before(label, hold)

    def defer(self, f: float, work: Callable[[], object]) -> None:
        """Queue ``work`` (making labels whose arrival cannot beat ``f``) to run when the search reaches ``f``."""
        heapq.heappush(self.heap, (f, next(self.counter), work))

    def stay(self, label: Label, target: Any, cid: str, ordinal: int, stays: list[float]) -> None:
        """Cross from ``label`` staying at least each of ``stays`` seconds before the formalities."""
        for threshold in stays:
            stay = label.run.clone()
            stay.waits = {**stay.waits, ordinal: float(threshold)}
            held = self.cross_link(stay, label.node, target)
            if held is not None:
                self.found.holds += 1
                self.push_crossed(label, held, target, cid)

    def push_crossed(self, label: Label, run: Run, target: Any, cid: str) -> None:
        k = label.k
        if k < len(self.waypoints) and self.waypoints[k] == ("crossing", cid):
            k += 1
        self.push(crossed(label, run, target, self.advance(target, k), self.cg.country[label.node]))

    def hold_before(self, label: Label, hold: float) -> None:
        """Replay ``label``'s route with ``hold`` more seconds of waiting at its last checkpoint; push the result."""
        run = label.run
        kind, index = label.checkpoint
        extensions, waits = run.extensions, dict(run.waits)
        if kind == "rest":
            extensions = lengthened(extensions, index, round(hold))
        else:
            waits[index] = max(waits.get(index, 0.0), label.checkpoint_idle) + round(hold)
        plan = Plan(extensions, tuple(sorted(waits.items())), run.extended_days or frozenset(), run.rest_at_breaks)
        key = (label.nodes, label.can_drive, plan)
        if key in self.tried:
            return
        self.tried.add(key)
        if index > (run.rests if kind == "rest" else len(run.crossed) - 1):  # the checkpoint is still ahead: nothing to replay
            ahead = run.clone()
            ahead.extensions, ahead.waits = plan.extensions, dict(plan.waits)
            replayed: Label | None = Label(
                label.node, 0, ahead, label.nodes, can_drive=True, checkpoint=label.checkpoint, left=label.left, entry=label.entry, snap=label.snap
            )
        else:
            snap = label.snap if label.snap is not None and label.snap.checkpoint == label.checkpoint else None
            replayed = self.replay(label.nodes, plan, snap=snap)
        self.push_held(label, replayed)
        if kind == "rest":
            self.hold_moved(label, plan, index)

    def hold_moved(self, label: Label, plan: Plan, index: int) -> None:
        """After a hold at rest ``index`` that made a full rest longer: the same, an earlier reduced rest made full (:func:`moved_hold`)."""
        moved = moved_hold(label, plan, index)
        if moved is None:
            return
        key = (label.nodes, label.can_drive, moved[0])
        if key in self.tried:
            return
        self.tried.add(key)
        self.push_held(label, self.replay(label.nodes, moved[0], snap=moved[1]))

    def push_held(self, label: Label, replayed: Label | None) -> None:
        """Push ``replayed``, ``label``'s route replayed with a hold, at ``label``'s node (if it got there)."""
        if replayed is not None:
            self.found.holds += 1
            replayed.k = label.k
            replayed.can_drive = label.can_drive
            self.push(replayed)

    def replay(self, nodes: tuple[Any, ...], plan: Plan, *, snap: Snap | None = None) -> Label | None:
        """
        Follow ``nodes`` (crossing-graph nodes) under ``plan``, without branching: from the departure, or from ``snap``.

        ``snap`` must lie on ``nodes`` and ``plan`` differ from the run's there only at or after its checkpoint.
        """
        country = self.cg.country
        if snap is None:
            label = Label(nodes[0], 0, self.fresh_run(plan), (nodes[0],), can_drive=True)
        else:
            at = snap.label
            resumed = snap.start()
            resumed.extensions, resumed.waits = plan.extensions, dict(plan.waits)
            # extended days and rests at breaks chosen after the checkpoint (the snapshot predates them)
            resumed.extended_days = resumed.driver.extend_days = plan.extended_days
            resumed.rest_at_breaks = plan.rest_at_breaks
            label = Label(
                at.node,
                0,
                resumed,
                at.nodes,
                can_drive=True,
                checkpoint=at.checkpoint,
                checkpoint_idle=at.checkpoint_idle,
                left=at.left,
                entry=at.entry,
                snap=at.snap,
            )
            if snap.piece >= 0:  # in the middle of the leg to the next node: finish it
                target = nodes[len(at.nodes)]
                runs = self.drive_to(label, target, forks=False, resume=(snap.piece, snap.left_s))
                if not runs:
                    return None
                label = driven(label, target, 0, runs[0], can_drive=True)
        for u, v in itertools.pairwise(nodes[len(label.nodes) - 1 :]):
            if country[u] != country[v] and self.cg.crossing_of.get((u, v)) is not None:
                run = self.cross_link(label.run.clone(), u, v)
                if run is None:
                    return None
                label = crossed(label, run, v, 0, country[u])
            else:
                runs = self.drive_to(label, v, forks=False)
                if not runs:
                    return None
                label = driven(label, v, 0, runs[0], can_drive=True)
        return label

    # -- the loop -------------------------------------------------------------------------------

    def incumbent(self) -> None:
        """Set the bound to the arrival along the statically fastest route, rests when due and no waiting (a plan the search also has)."""
        try:
            _, nodes = next(astar_paths(self.cg, self.origin, self.destination, self.waypoints), (0.0, ()))
        except NoRouteError:
            return
        errors = len(self.found.errors)
        if nodes and not any(self.cg.crossing_of.get(pair) in self.avoid for pair in itertools.pairwise(nodes)):
            label = self.replay(tuple(nodes), Plan())
            if label is not None and label.run.t <= self.horizon:
                label.k = len(self.waypoints)
                self.ub = label.run.t
                self.fallback = label
        del self.found.errors[errors:]

    def run(self) -> Found:
        self.incumbent()
        # Dated rules matter only where one changes before the best arrival found so far: a search that cannot meet a
        # change is the search of the rules in force (and finds the same plans, ties included).
        self.dated = self.regime.dated and any(
            self.t0 < start <= self.ub for cid in set(self.cg.crossing_of.values()) for start in self.regime.segment_starts(cid)
        )
        start = Label(self.origin, self.advance(self.origin, 0), self.fresh_run(Plan()), (self.origin,), can_drive=True)
        self.push(start)
        n = len(self.waypoints)
        while self.heap:
            check_cancelled()
            f, _, item = heapq.heappop(self.heap)
            if not isinstance(item, Label):
                if f <= self.ub:
                    item()
                continue
            label = item
            if label.dead:
                continue
            if label.node == self.destination and label.k == n:
                self.found.best = label
                break
            self.found.expanded += 1
            if self.found.expanded > MAX_EXPANSIONS and self.fallback is None:
                self.found.gave_up = True
                break
            self.expand(label)
        if self.found.best is None and self.fallback is not None:  # nothing beat the first bound: it is the answer
            self.found.best = self.fallback
            self.found.arrivals.setdefault(tuple(self.fallback.run.crossed), self.fallback.run.t)
        if self.found.best is None:
            self.found.errors[:0] = self.closed_waypoints()
        return self.found

    def has_road(self) -> bool:
        """Whether a route keeps the strict rules at all, whatever the time: if so, no route is allowed to break them."""
        try:
            return next(astar_paths(self.cg, self.origin, self.destination, self.waypoints, avoid=self.avoid), None) is not None
        except NoRouteError:
            return False

    def closed_waypoints(self) -> list[NoRouteError]:
        """Return the errors of the ``via`` crossings that open too late for any route through them to arrive within the horizon."""
        errors = []
        for k, (kind, cid) in enumerate(self.waypoints):
            if kind != "crossing":
                continue
            opens, after = self.waypoint_opens(k, self.t0)
            if opens + after <= self.horizon:
                continue
            crossing = self.graph.graph["crossings"][cid]
            steps = [cast("Cross", compile_path(self.graph, (u, v))[0]) for u, v, _ in self.cg.links if self.cg.crossing_of[(u, v)] == cid]
            if not steps:  # not a crossing of this regime's network: the search's other errors say why
                continue
            step = steps[0]
            for candidate in steps:  # the direction that opens first
                try:
                    if self.regime.clock(crossing, candidate.direction).next_open(self.t0) <= opens:
                        step = candidate
                        break
                except (LookupError, NoRouteError):
                    continue
            when = min(opens, self.horizon) - 1  # closed then: why (at 06:00 UTC that day, office hours from +05 to +08, if still closed)
            midday = when - when % DAY_S + 6 * HOUR_S
            when = midday if midday < opens else when
            why = closed_note(crossing, step, when, self.regime.clock(crossing, step.direction)).removeprefix("closed: ")
            if opens == math.inf:
                reopens = "does not open again within the search horizon"
            else:
                reopens = f"opens again {datetime.fromtimestamp(opens, zone(step.exit_tz)):%Y-%m-%d %H:%M %Z}"
            msg = (
                f"crossing {crossing.name!r} ({cid}), a via crossing, is closed ({why}) and {reopens}: no route through it arrives "
                f"within {(self.horizon - self.t0) / DAY_S:.0f} days of the departure (the search's horizon); depart later, or leave it out of via"
            )
            errors.append(NoRouteError(msg, blocking=[cid]))
        return errors


def _rest_for(threshold: float, crew: Any, rule: BreakRule) -> str:
    """Return the rest label a wait of ``threshold`` seconds reaches (to skip stays that add nothing)."""
    if threshold >= crew.weekly_rest_h * HOUR_S:
        return "weekly rest"
    if threshold >= crew.daily_rest_h * HOUR_S:
        return "daily rest"
    if threshold >= crew.reduced_daily_rest_h * HOUR_S:
        return "reduced daily rest"
    return "break" if threshold >= rule.break_h * HOUR_S else ""


def search(
    graph: nx.MultiDiGraph,
    origin: Any,
    destination: Any,
    *,
    regime: Regime,
    vehicle: Vehicle,
    departure_s: float,
    waypoints: Sequence[Waypoint] = (),
    avoid: frozenset[str] = frozenset(),
) -> Found:
    """
    Find the earliest arrival from ``origin`` to ``destination`` leaving at ``departure_s`` (POSIX seconds).

    ``avoid``: crossing ids not to use. The route passes no crossing twice and comes back to no
    country it has left unless ``via`` asks for it, or no other road exists (whatever the time: a
    road the rules keep that is closed is no reason to break them). No route arriving after the
    search's horizon (``Found.horizon``: :data:`MAX_TRIP_DAYS` after the departure, or more for a
    long trip, see :data:`HORIZON_PER_STATIC`) is an answer. Returns
    :class:`Found`; its ``best`` label's ``nodes`` and plan replay with
    :func:`transit.simulation.simulate_path` to the same arrival.
    """
    args = (graph, origin, destination, regime, vehicle, float(round(departure_s)), tuple(waypoints), avoid)
    with paused():  # the search makes no reference cycles: the cyclic collector would only walk the heap (transit._gc)
        strict = _Search(*args)
        found = strict.run()
        # The roads demand it (a domestic trip through a neighbour, not a road that is closed now): allow coming back.
        if found.best is None and not found.gave_up and not strict.has_road():
            again = _Search(*args, strict=False).run()
            again.errors[:0] = found.errors
            return again
    return found
