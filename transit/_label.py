"""
The labels of the exact route search (:mod:`transit._labels`), and when one dominates another.

A :class:`Label` is a truck at a node of the crossing graph with its run (time, crew, vehicle), the
waypoints passed, the countries left and the :class:`Plan` that got it there; :class:`Snap` is where a
later hold replays from; :func:`crossed` and :func:`driven` make the label after a move, and
:func:`dominates` says when a label can be dropped because another is no later and no worse off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ._run import MAX_CLOSED_WAIT_DAYS, Run
from ._search import Entry
from ._units import DAY_S, EPS, HOUR_S
from .drivers import BreakRule, DriverClock
from .errors import NoRouteError

if TYPE_CHECKING:
    from ._legs import Shift

__all__ = [
    "Arrival",
    "Found",
    "Label",
    "Plan",
    "Snap",
    "committed",
    "crossed",
    "dominates",
    "driven",
    "full_rest_hold",
    "lengthened",
    "moved_hold",
    "no_worse",
    "normal",
    "settled",
    "week_due",
]

_REST_LABELS = frozenset({"reduced daily rest", "daily rest", "weekly rest"})


@dataclass(frozen=True, slots=True)
class Plan:
    """A route's decisions, replayable by both simulators (see :mod:`transit._run`)."""

    extensions: tuple[float, ...] = ()
    waits: tuple[tuple[int, float], ...] = ()
    extended_days: frozenset[int] = frozenset()
    rest_at_breaks: frozenset[int] = frozenset()


def lengthened(extensions: tuple[float, ...], index: int, seconds: float) -> tuple[float, ...]:
    """
    Return a plan's ``extensions`` with rest ``index`` (0: the hold at the origin) lengthened by ``seconds``.

    >>> lengthened((0.0, 600.0), 3, 7200)
    (0.0, 600.0, 0.0, 7200.0)
    """
    out = [*extensions, *[0.0] * (index + 1 - len(extensions))]
    out[index] += seconds
    return tuple(out)


@dataclass(slots=True, eq=False)
class Label:
    """A truck at ``node`` (see the module docstring); ``run`` holds its time, crew and plan."""

    node: Any
    k: int
    run: Run
    nodes: tuple[Any, ...]
    can_drive: bool = field(kw_only=True)
    checkpoint: tuple[str, int] = field(default=("rest", 0), kw_only=True)
    checkpoint_idle: float = field(default=0.0, kw_only=True)
    left: frozenset[str] = field(default=frozenset(), kw_only=True)
    entry: Entry = field(default=None, kw_only=True)
    snap: Snap | None = field(default=None, kw_only=True)
    dead: bool = field(default=False, kw_only=True)
    settled: DriverClock | None = field(default=None, kw_only=True)  # the crew with its rest in progress applied (dominance)
    week_due: float | None = field(default=None, kw_only=True)  # no arrival before this has met its weekly rest (dominance)
    driving_s: float = field(default=0.0, kw_only=True)  # a lower bound on the driving left, seconds (set by the search)


@dataclass(frozen=True, slots=True)
class Snap:
    """
    Where a hold at a label's ``checkpoint`` replays from: the route as it stood just before it.

    ``label`` is the label the route had reached (its last node); ``run`` the run at the checkpoint,
    either in the middle of the leg from ``label`` to the next node (``piece`` of that leg, with
    ``left_s`` seconds of it left) or, with ``piece`` -1, before the crossing out of ``label``'s node.
    In the middle of a leg, ``run`` may be ``None`` and ``shift`` (a :data:`transit._legs.Shift`)
    say how to get it from ``label.run``: a leg's rests are made into runs only if a hold replays
    from them (:meth:`start`). A hold changes nothing before its checkpoint, so replaying from here
    equals replaying from the departure, in a fraction of the time on a long trip.
    """

    checkpoint: tuple[str, int]
    label: Label
    run: Run | None
    piece: int = -1
    left_s: int = 0
    shift: Shift | None = None

    def start(self) -> Run:
        """Return a copy of the run at the checkpoint, to replay from."""
        if self.run is not None:
            return self.run.clone()
        from ._legs import shifted  # (here: _legs imports this module)

        return shifted(cast("Shift", self.shift), self.label.run)  # a Snap without a run has a shift

    def counts(self) -> tuple[int, int]:
        """Return the crew's duty periods since its weekly rest and reduced rests used, at the checkpoint (without making the run)."""
        if self.run is not None:
            return self.run.driver.periods, self.run.driver.reductions_used
        hours = cast("Shift", self.shift)[5]
        return hours[3], hours[6]


@dataclass(slots=True)
class Found:
    """The search's answer: the best label (``None`` if no route), other routes' best arrivals, counts and errors."""

    best: Label | None
    arrivals: dict[tuple[str, ...], float] = field(default_factory=dict)
    labels: int = 0
    expanded: int = 0
    dominated: int = 0
    holds: int = 0
    errors: list[NoRouteError] = field(default_factory=list)
    gave_up: bool = False
    beyond: bool = False  # a label was dropped for arriving after the search's horizon, before any route was found
    horizon: float = math.inf  # the search's horizon (POSIX seconds): no later arrival is an answer


@dataclass(frozen=True, slots=True)
class Arrival:
    """A run at the end of a leg: its checkpoint, the :class:`Snap` to replay a hold there from, and the duty windows it met."""

    run: Run
    checkpoint: tuple[str, int]
    window: list[tuple[int, float]]
    snap: Snap | None


def crossed(label: Label, run: Run, target: Any, k: int, country: str) -> Label:
    """
    Return the label at ``target`` after ``label`` crossed to it (``run``) out of ``country``, with its checkpoint.

    The checkpoint, where a later hold would go, moves to a fresh truck after a transshipment, or to
    this crossing if the wait there counted as a rest.
    """
    passed = run.last_pass
    checkpoint, idle, snap = label.checkpoint, label.checkpoint_idle, label.snap
    if run.rests != label.run.rests:
        checkpoint, idle = ("rest", run.rests), 0.0
    elif passed is not None and passed.rest in _REST_LABELS:
        checkpoint, idle = ("wait", len(label.run.crossed)), passed.begins - passed.arrival
    if checkpoint != label.checkpoint:
        snap = Snap(checkpoint, label, label.run)
    left = label.left | {country}
    entry = (run.crossed[-1], country)
    return Label(
        target, k, run, (*label.nodes, target), can_drive=True, checkpoint=checkpoint, checkpoint_idle=idle, left=left, entry=entry, snap=snap
    )


def driven(label: Label, target: Any, k: int, arrival: Arrival, *, can_drive: bool) -> Label:
    """Return the label at ``target`` after ``label`` drove the domestic leg to it (``arrival``), ``k`` waypoints passed."""
    return Label(
        target,
        k,
        arrival.run,
        (*label.nodes, target),
        can_drive=can_drive,
        checkpoint=arrival.checkpoint,
        checkpoint_idle=label.checkpoint_idle,
        left=label.left,
        entry=label.entry,
        snap=arrival.snap,
    )


def full_rest_hold(label: Label) -> float | None:
    """
    Return the hold that makes ``label``'s checkpoint, a reduced daily rest, a full one; ``None`` where that cannot pay.

    Holding a truck at a reduced rest until it is a full one keeps the week's reduction for a later
    rest, which it shortens by as much (assumption 2 in the README); where the truck waits at the
    next crossing anyway, that wait takes up part of the hold. It cannot pay where the checkpoint is
    no reduced rest (a full or weekly one, a fresh truck after a transshipment) or where every daily
    rest left in the crew's week could be a reduced one anyway.
    """
    kind, index = label.checkpoint
    crew = label.run.driver.crew
    full_s = crew.daily_rest_h * HOUR_S
    reduced_s = crew.reduced_daily_rest_h * HOUR_S
    if reduced_s >= full_s or crew.reduced_rests_per_week == 0:
        return None
    if kind == "wait":  # a wait at a crossing that counted as a rest: a reduced one if shorter than the full rest
        idle = label.checkpoint_idle
        return full_s - idle if reduced_s - EPS <= idle < full_s - 60 else None
    snap = label.snap
    if snap is None or snap.checkpoint != label.checkpoint or snap.piece < 0:
        return None
    periods, used = snap.counts()
    if periods >= crew.weekly_after_periods or used >= crew.reduced_rests_per_week:
        return None  # a weekly rest, or a full daily rest
    if crew.weekly_after_periods - 1 - periods <= crew.reduced_rests_per_week - used - 1:
        return None  # every daily rest left this week (ending duty periods ``periods + 1`` to the last but one) may be reduced anyway
    extensions = label.run.extensions
    hold = full_s - reduced_s - (extensions[index] if index < len(extensions) else 0.0)
    return hold if hold >= 60 else None


def moved_hold(label: Label, plan: Plan, index: int) -> tuple[Plan, Snap | None] | None:
    """
    Return ``plan`` (a hold at ``label``'s checkpoint, rest ``index``) with an earlier reduced rest made full, and where to replay it from.

    Where the crew had no reduced rest left for rest ``index`` (so it was a full one) and the hold makes
    it longer than a full rest, the reduction spent by the earlier rest makes nothing shorter. That rest
    lengthened to a full one keeps the reduction, rest ``index`` (now a reduced rest, with the hold still
    a full one) ends no later, and a later daily rest this week is shorter (assumption 2 in the README).
    ``None`` where that cannot pay: rest ``index`` is a weekly rest or the week's last daily rest (none
    left to shorten), a reduced rest itself, a hold too short to keep it a full one, or one that makes it
    a weekly rest (a new week, in which the reduction kept is of no use).
    """
    snap = label.snap
    if snap is None or snap.checkpoint != label.checkpoint or snap.piece < 0:
        return None
    crew = label.run.driver.crew
    periods, used = snap.counts()
    if periods >= crew.weekly_after_periods - 1 or used < crew.reduced_rests_per_week:
        return None
    lengthen = (crew.daily_rest_h - crew.reduced_daily_rest_h) * HOUR_S
    extensions = plan.extensions
    if lengthen < 60 or extensions[index] < lengthen:
        return None
    if crew.weekly_rest_h > crew.daily_rest_h and crew.daily_rest_h * HOUR_S + extensions[index] >= crew.weekly_rest_h * HOUR_S:
        return None
    earlier = [m for m in label.run.reduced if m < index]
    if not earlier:
        return None
    m = earlier[-1]
    start: Snap | None = snap  # replay from the last checkpoint at or before rest ``m`` (or from the departure)
    while start is not None and not (start.checkpoint[0] == "rest" and start.checkpoint[1] <= m):
        start = start.label.snap
    return Plan(lengthened(extensions, m, round(lengthen)), plan.waits, plan.extended_days, plan.rest_at_breaks), start


def normal(driver: DriverClock, idle_s: float, rule: BreakRule) -> DriverClock:
    """Return the crew's hours after ``idle_s`` more seconds of waiting, settled (what a rest in progress amounts to)."""
    if idle_s <= 0 and driver.idle_s <= 0:
        return driver
    out = driver.clone()
    out.idle(idle_s)
    out.settle(rule)
    return out


def dominates(a: Label, b: Label, rule: BreakRule, *, until: float = math.inf) -> bool:
    """
    Whether ``a`` is no later than ``b`` and, having waited until ``b``'s time, no worse off.

    No worse off: no more driving today or since the last break, a duty day begun no earlier (or
    not at all), no more duty days since the weekly rest, no more extended days or reduced rests
    used, a rest in progress no shorter, and no more closed-border waiting used, unless neither
    can reach :data:`~transit._run.MAX_CLOSED_WAIT_DAYS` before ``until``. The search passes the
    best arrival found so far less the driving ``a`` has left (``a.driving_s``): ``a`` waits at no
    closed border while it drives, so a label that waited longer at closed borders can only hit
    that horizon on a trip arriving after the best, which the search drops anyway.
    """
    ra, rb = a.run, b.run
    if ra.t > rb.t or not a.left <= b.left:  # fewer countries left: more roads open
        return False
    if ra.closed_s > rb.closed_s + EPS and ra.closed_s + (until - a.driving_s - ra.t) > MAX_CLOSED_WAIT_DAYS * DAY_S:
        return False
    db = settled(b, rule)
    da = settled(a, rule)
    if no_worse(da, db):  # waiting only makes a crew better off
        return True
    gap = rb.t - ra.t
    if gap + da.idle_s < rule.break_h * HOUR_S:  # too short to count as a break: waiting changes nothing
        return False
    crew = da.crew
    if da.idle_s + gap + EPS < min(crew.reduced_daily_rest_h, crew.daily_rest_h) * HOUR_S:
        # too short to count as a rest: waiting amounts to a break (normal() without the copy, the common case)
        return no_worse(da, db, since_break_s=0.0, idle_s=da.idle_s + gap)
    return no_worse(normal(ra.driver, gap, rule), db)


def week_due(label: Label, driving_s: float) -> float:
    """
    Return the earliest arrival at which ``label``'s crew may have met its weekly rest, ``driving_s`` of driving left.

    Until then a crew with fewer duty periods since its weekly rest is better off; after it, not
    always: this crew's weekly rest, due sooner, resets the week's reduced rests and extended days
    sooner (assumption 2 in the README). Before an arrival that follows the weekly rest, the crew
    needs a rest of at least the reduced daily rest to end each duty period before the last of the
    week (the one in progress less the waiting it has had), the weekly rest itself, and the
    driving left. The crew is the settled one (:func:`settled`, which the search sets on every
    label it keeps).
    """
    crew = label.settled if label.settled is not None else label.run.driver  # (only unsettled outside the search)
    rule = crew.crew
    if rule.weekly_rest_h <= rule.daily_rest_h:
        return math.inf
    if crew.periods >= rule.weekly_after_periods:
        return -math.inf
    rest_s = min(rule.reduced_daily_rest_h, rule.daily_rest_h) * HOUR_S
    rests_s = (rule.weekly_after_periods - crew.periods) * rest_s - min(crew.idle_s, rest_s) + rule.weekly_rest_h * HOUR_S
    return label.run.t + driving_s + rests_s


def committed(driver: DriverClock) -> bool:
    """Whether the plan makes today an extended day that has not begun (a branch that chose to drive on, then stopped at a post)."""
    return driver.extend_days is not None and driver.can_extend() and driver.day_number() in driver.extend_days


def settled(label: Label, rule: BreakRule) -> DriverClock:
    """Return ``label``'s crew settled (:func:`_normal` with no more waiting), computed once: a label's run never changes."""
    if label.settled is None:
        label.settled = normal(label.run.driver, 0.0, rule)
    return label.settled


def no_worse(da: DriverClock, db: DriverClock, *, since_break_s: float | None = None, idle_s: float | None = None) -> bool:
    """
    Whether crew ``da`` has used no more of any limit than ``db`` (both settled), and kept every choice ``db`` has.

    ``since_break_s`` and ``idle_s`` stand in for ``da``'s own (``da`` after a break's worth of waiting).
    """
    if da.duty_start is not None and (db.duty_start is None or da.duty_start < db.duty_start - EPS):
        return False
    if committed(da) and not (committed(db) or db.extended_today):  # da must drive the extended day; db may still rest at the limit
        return False
    return (
        da.today_s <= db.today_s + EPS
        and (da.since_break_s if since_break_s is None else since_break_s) <= db.since_break_s + EPS
        and da.periods <= db.periods
        and da.reductions_used <= db.reductions_used
        and da.extensions_used + (1 if db.extended_today and not da.extended_today else 0) <= db.extensions_used
        and (da.idle_s if idle_s is None else idle_s) >= db.idle_s - EPS
    )
