"""
The domestic legs of the exact route search (:mod:`transit._labels`).

A leg is the fastest road between two nodes of one country (:func:`leg`); :func:`drive` drives it with
the crew's stops, and with the choices the search branches on (an extended day, the daily rest at a break);
:func:`drive_leg` drives a whole leg with every copy the choices make.

**Legs are driven once per crew state.** Nothing on a domestic road depends on the calendar: the crew's
hours count time from when its duty day began, and no post opens or closes on the way. So a leg driven
from one time gives every other start time with the same crew state (the same hours used, the same plan
ahead) by shifting the clock: :func:`drive_leg` keeps what each copy of the leg did to the run, relative to
its start (:data:`Shift`), per network (``_cache`` kind ``"leg_drives"``), and applies it to the next run
that starts the leg in that state. A truck held at the origin, the same leg tried by many labels, or a
departure 20 minutes later drives the leg without driving it again.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

import networkx as nx

from . import _cache
from ._label import lengthened, no_worse, normal
from ._rules import RestLevel
from ._run import Run
from ._search import domestic
from ._steps import Road, compile_path
from ._units import EPS, HOUR_S
from .drivers import BreakRule, CrewRule, DriverClock

__all__ = ["Hours", "Leg", "Mark", "Rested", "Shift", "Window", "behind", "drive", "drive_leg", "leg", "shift", "shifted"]


@dataclass(frozen=True, slots=True)
class Leg:
    """The fastest domestic road between two nodes: its nodes and its driving, in runs of one break rule."""

    nodes: tuple[Any, ...]
    pieces: tuple[tuple[BreakRule, int], ...]


def leg(graph: nx.MultiDiGraph, cap: float | None, u: Any, v: Any) -> Leg | None:
    """Return the domestic leg from ``u`` to ``v`` (cached per network and speed cap), or ``None`` if there is no road."""

    def build() -> Leg | None:
        dom = domestic(graph, cap)
        if dom.time(u, v) is None:
            return None
        nodes = tuple(dom.path(u, v))
        pieces: list[tuple[BreakRule, int]] = []
        for step in compile_path(graph, nodes):
            if not isinstance(step, Road):  # pragma: no cover - a domestic road has no crossing link
                return None
            speed = step.speed_kph if cap is None or cap >= step.speed_kph else cap
            seconds = max(round(step.km / speed * HOUR_S), 1)
            if pieces and pieces[-1][0] is step.rule:
                pieces[-1] = (step.rule, pieces[-1][1] + seconds)
            else:
                pieces.append((step.rule, seconds))
        return Leg(nodes, tuple(pieces))

    return _cache.memo(graph, "legs", (u, v, cap), build)


Mark = tuple[int, Run, int, int]
"""``(rest number, the run just before that rest fell due, piece of the leg, seconds of the piece left)``."""


def drive(
    run: Run,
    rule: BreakRule,
    seconds: int,
    forks: list[tuple[Run, int, list[Mark]]] | None,
    *,
    after_s: int = 0,
    window: list[tuple[int, float]] | None = None,
    marks: list[Mark] | None = None,
    piece: int = 0,
    seen: dict[tuple[int, int], list[tuple[float, DriverClock]]] | None = None,
    exempt: tuple[int, int] | None = None,
    ready: list[tuple[int, float, DriverClock]] | None = None,
) -> bool:
    """
    Drive ``seconds`` under ``rule``: :meth:`Run.drive <transit._run.Run.drive>` on a whole leg, taking stops when due.

    With ``forks``, copies that decide otherwise are appended with the seconds they have left to drive,
    at every stop of the leg: where the daily limit stops the crew and the week allows an extended day,
    a copy that drives on; where the day's last break falls due, a copy that takes its daily rest
    instead; where a daily rest falls due once the week's reduced rests have run out (or this one is
    the last), a copy that takes its weekly rest there instead (:func:`_weekly_early`: the new week's
    reduced rests and extended days may more than make up for it). ``after_s`` is the driving of the
    leg after these ``seconds``.

    Two rules keep the copies few. ``seen`` (below) merges copies that meet again. ``ready`` holds,
    after each stop, how much of the leg is left, the time and the settled crew: a copy that has as
    much or more of the leg left, at the same time or later, and is no better off than one of them,
    stops too, when a stop falls due (before it forks there) and after it (it could only follow that
    copy's road, later and more tired; the search's assumptions on waiting are what make this safe).
    ``window`` collects ``(rests before, seconds)`` where the duty window, not the driving limit,
    ends a day: a hold of that long before the day began would let the crew drive its full day.
    ``marks`` collects a copy of the run as each rest falls due (a :data:`Mark`, for ``piece`` of
    the leg): a later hold at that rest replays from there instead of from the departure. A fork
    carries the marks of its own past.

    ``seen`` holds, per place on the leg (``(piece, seconds left)``) where a stop fell due, the time
    and crew of every copy that reached it: a copy that gets there no earlier and no better off
    than another stops (returns ``False``): its future is the other's or worse. Extending day 1 then
    day 2, and day 2 then day 1, meet there and go on as one. ``exempt`` is the place where a fork
    was made (it is one of the choices of the copy that made it).
    """
    driver = run.driver
    left = seconds
    longest = driver.crew.extended_driving_h * HOUR_S
    while left > 0:
        allowance, stop = driver.allowance(run.t, rule)
        chunk = int(allowance) if allowance < left else left
        if chunk < 1:
            if seen is not None and (piece, left) != exempt:
                here = seen.setdefault((piece, left), [])
                if any(t <= run.t + EPS and no_worse(other, driver) for t, other in here):
                    return False
                here.append((run.t, driver.clone()))
            if ready is not None and behind(ready, left + after_s, run.t, driver):
                return False
            limit_stop = stop != "break"
            before = list(marks) if marks is not None else []
            if marks is not None and (limit_stop or run.breaks + 1 in run.rest_at_breaks) and left + after_s <= longest:
                # This stop is a rest, replayable from here. (Only a leg's last rest is ever replayed from; with more
                # driving left than the longest day, every copy of this run rests again before the leg ends.)
                marks.append((run.rests + 1, run.clone(), piece, left))
            if stop == "break":
                run.breaks += 1
                if run.breaks in run.rest_at_breaks:
                    stop = driver.rest_due()
                elif forks is not None and driver.day_left_s(run.t) - rule.break_h * HOUR_S <= rule.break_after_h * HOUR_S:
                    alt = run.clone()
                    alt.rest_at_breaks = run.rest_at_breaks | {run.breaks}
                    alt_marks = before
                    if marks is not None:
                        pre = alt.clone()
                        pre.breaks -= 1  # the run as the break fell due, with the plan that turns it into a rest
                        alt_marks = [*before, (alt.rests + 1, pre, piece, left)]
                    alt.stop(alt.driver.rest_due(), "", "", "", rule)
                    forks.append((alt, left, alt_marks))
            elif window is not None and (slack := driver.window_slack_s(run.t)) >= 60:
                window.append((run.rests, slack))
            if limit_stop and forks is not None and driver.can_extend():
                day = driver.day_number()
                days = run.extended_days or frozenset()
                if day not in days:
                    alt = run.clone()
                    alt.extended_days = days | {day}
                    alt.driver.extend_days = alt.extended_days
                    more, due = alt.driver.allowance(alt.t, rule)
                    if more >= 1 or due == "break":  # the extended day lets the crew drive on (after a break, perhaps)
                        forks.append((alt, left, before))
            if forks is not None and stop == "daily_rest":  # or a weekly rest now, where the week's reduced rests run out
                rested = marks is not None and left + after_s <= longest
                _weekly_early(run, rule, forks, left, [*before, (run.rests + 1, run.clone(), piece, left)] if rested else before)
            run.stop(stop, "", "", "", rule)
            if ready is not None:
                crew = normal(driver, 0.0, rule)
                if behind(ready, left + after_s, run.t, crew):
                    return False
                ready.append((left + after_s, run.t, crew))
            continue
        start = run.t
        run.t = start + chunk
        driver.drove(start, chunk, rule)
        left -= chunk
    return True


def _weekly_early(run: Run, rule: BreakRule, forks: list[tuple[Run, int, list[Mark]]], left: int, marks: list[Mark]) -> None:
    """
    Fork a copy of ``run`` that takes a weekly rest now instead of the daily rest due (a hold that makes the rest 24 h).

    Only where the week's reduced rests run out (this rest uses the last, or none is left): before that, the
    week still shortens rests as a new one would. The copy carries the hold in its plan's ``extensions``
    (and in ``marks``, so that a later hold there replays it), and has taken the rest: it drives on from here.
    """
    driver = run.driver
    crew = driver.crew
    if crew.weekly_rest_h <= crew.daily_rest_h or driver.periods >= crew.weekly_after_periods or driver.periods < 1:
        return
    if driver.reductions_used < crew.reduced_rests_per_week - 1:
        return
    base = crew.reduced_daily_rest_h if driver.reductions_used < crew.reduced_rests_per_week else crew.daily_rest_h
    extra = run.extensions[run.rests + 1] if run.rests + 1 < len(run.extensions) else 0.0
    hold = round(crew.weekly_rest_h * HOUR_S - base * HOUR_S - extra - driver.idle_s)
    if hold < 60:
        return
    alt = run.clone()
    alt.extensions = lengthened(alt.extensions, alt.rests + 1, hold)
    if marks and marks[-1][0] == alt.rests + 1:
        pre = marks[-1][1].clone()
        pre.extensions = alt.extensions
        marks = [*marks[:-1], (alt.rests + 1, pre, *marks[-1][2:])]
    alt.stop("daily_rest", "", "", "", rule)
    forks.append((alt, left, marks))


def behind(ready: list[tuple[int, float, DriverClock]], left_s: int, t: float, crew: DriverClock) -> bool:
    """
    Whether a copy of a leg with ``left_s`` of it to drive at ``t`` with ``crew`` is behind one of ``ready``.

    Behind: another copy had as much of the leg left or less, at the same time or earlier, with a
    (settled) crew no worse off. :func:`drive` asks when a stop falls due and after it.
    """
    now = t + EPS
    for r, at, other in ready:  # noqa: SIM110 - a loop, not any(): this is the search's innermost test (20% on long legs)
        if r <= left_s and at <= now and no_worse(other, crew):
            return True
    return False


Window = list[tuple[int, float]]
"""``(rests before, seconds)`` where the duty window, not the driving limit, ended a day (see :func:`drive`)."""

Rested = tuple[int, "Shift", int, int]
"""``(rest number, the run just before that rest fell due as a :data:`Shift` from the leg's start, piece, seconds left)``."""


def drive_leg(
    graph: nx.MultiDiGraph,
    cap: float | None,
    start: Run,
    u: Any,
    v: Any,
    *,
    forks: bool = True,
    resume: tuple[int, int] | None = None,
    remember: bool = True,
    memo: _cache.LRU | None = None,
) -> list[tuple[Run, Window, Rested | None]]:
    """
    Drive the domestic leg from ``u`` to ``v`` from ``start`` (not changed): every copy that arrives.

    Each copy comes with the duty windows it met (:data:`Window`) and, if it rested on the leg, where
    its last rest fell due (:data:`Rested`: a hold there replays from it). ``forks``: branch on
    extended days and rests at a break (:func:`drive`). ``resume``: ``(piece, seconds left of it)``
    where ``start`` stands in the middle of the leg (a replay). No road: an empty list.

    ``remember``: look the leg up in, and add it to, the network's memo of legs driven (see the
    module's docstring; ``memo``: that memo, if the caller has it); an annotated run (one that records
    its timeline) is always driven afresh.
    ``tests/test_exact_search.py`` checks that the memo changes no answer.
    """
    if not remember or start.annotate:
        return [
            (run, window, None if mark is None else (mark[0], shift(start, mark[1]), mark[2], mark[3]))
            for run, window, mark in _drive_leg(graph, cap, start, u, v, forks=forks, resume=resume)
        ]
    if memo is None:
        memo = _cache.store(graph)["leg_drives"]
    key = (u, v, cap, forks, resume, _state(start))
    shifts = memo.get(key)
    rests = start.rests
    if shifts is None:  # drive it, and keep how it moved the run
        driven = _drive_leg(graph, cap, start, u, v, forks=forks, resume=resume)
        shifts = memo.put(key, _shifts(start, driven))
        return [
            (run, window, None if rested is None else (rests + rested[0], *rested[1:]))
            for (run, window, _), (_, _, rested) in zip(driven, shifts, strict=True)
        ]
    return [
        (shifted(moved, start), [(rests + n, slack) for n, slack in window], None if mark is None else (rests + mark[0], *mark[1:]))
        for moved, window, mark in shifts
    ]


Hours = tuple[float, float, float | None, int, float, int, int, bool, int, int]
"""A crew's hours as plain values (:func:`_hours`)."""

Shift = tuple[float, int, int, tuple[int, ...] | None, tuple[int, ...], Hours, tuple[int, ...], tuple[tuple[int, float], ...]]
"""
What driving a leg did to a run, relative to the run it started from (:func:`shift`); :func:`shifted` applies it to another start.

``(seconds after the start, breaks added, rests added, extended days chosen on the leg (numbered from the start's
duty days; None: none chosen), breaks turned into rests (numbered from the start's breaks), the crew's hours at
the end (its duty day's start relative to the start, its duty days added), the rests taken as reduced ones (numbered
from the start's rests), the rests the leg lengthened (numbered so, with the seconds added))``. A plain tuple of plain values, not
a class: the memo holds many, and the garbage collector does not look into such tuples (it does into a named one).
"""


def shift(start: Run, run: Run) -> Shift:
    """Return the shift from ``start`` to ``run`` (``run`` is ``start`` after a leg)."""
    days = start.driver.days
    chosen = None
    if run.extended_days is not start.extended_days and run.extended_days is not None:
        chosen = tuple(sorted(day - days for day in run.extended_days - (start.extended_days or frozenset())))
    breaks = tuple(sorted(b - start.breaks for b in run.rest_at_breaks - start.rest_at_breaks))
    reduced = tuple(r - start.rests for r in run.reduced[len(start.reduced) :])
    held: tuple[tuple[int, float], ...] = ()
    if run.extensions is not start.extensions:
        before, after = start.extensions, run.extensions
        held = tuple(
            (i - start.rests, after[i] - (before[i] if i < len(before) else 0.0))
            for i in range(start.rests + 1, len(after))
            if after[i] != (before[i] if i < len(before) else 0.0)
        )
    return (run.t - start.t, run.breaks - start.breaks, run.rests - start.rests, chosen, breaks, _hours(run.driver, start.t, days), reduced, held)


def shifted(moved: Shift, start: Run) -> Run:
    """Return ``start`` moved by the shift ``moved`` (a new run; ``start`` is not changed)."""
    t_s, breaks, rests, chosen, at_breaks, hours, reduced, held = moved
    run = start.clone()
    for i, seconds in held:
        run.extensions = lengthened(run.extensions, start.rests + i, seconds)
    driver = run.driver
    run.t = start.t + t_s
    run.breaks += breaks
    if reduced:
        run.reduced += tuple(start.rests + r for r in reduced)
    run.rests += rests
    days = start.driver.days
    if chosen is not None:
        run.extended_days = (start.extended_days or frozenset()) | {day + days for day in chosen}
        driver.extend_days = run.extended_days
    if at_breaks:
        run.rest_at_breaks = start.rest_at_breaks | {b + start.breaks for b in at_breaks}
    (driver.since_break_s, driver.today_s, duty_start, driver.periods, driver.idle_s, driver.extensions_used, driver.reductions_used,
     driver.extended_today, applied, more_days) = hours  # fmt: skip
    driver.duty_start = None if duty_start is None else duty_start + start.t
    driver.applied = RestLevel(applied)
    driver.days = days + more_days
    return run


def _hours(driver: DriverClock, t: float, days: int) -> Hours:
    """Return the crew's hours as plain values: its duty day's start relative to ``t``, its duty days less ``days`` (for :data:`Shift`)."""
    start = None if driver.duty_start is None else driver.duty_start - t
    return (
        driver.since_break_s,
        driver.today_s,
        start,
        driver.periods,
        driver.idle_s,
        driver.extensions_used,
        driver.reductions_used,
        driver.extended_today,
        int(driver.applied),
        driver.days - days,
    )


#: Each crew rule met, by a number of its own (a key of plain values: see :data:`Shift`).
_CREWS: dict[CrewRule, int] = {}
_CREWS_LOCK = threading.Lock()


def _crew_number(crew: CrewRule) -> int:
    """Return ``crew``'s number in :data:`_CREWS` (numbered under a lock: two threads never share one)."""
    number = _CREWS.get(crew)
    if number is None:
        with _CREWS_LOCK:
            number = _CREWS.setdefault(crew, len(_CREWS))
    return number


def _state(run: Run) -> tuple[Any, ...]:
    """Everything about ``run`` that driving a leg depends on, with times relative to ``run.t`` (the memo's key)."""
    d = run.driver
    day = d.day_number()
    ahead = None if run.extended_days is None else tuple(sorted(x - d.days for x in run.extended_days if x >= day))
    return (
        _crew_number(d.crew),
        None if d.duty_start is None else run.t - d.duty_start,
        d.today_s,
        d.since_break_s,
        d.idle_s,
        d.periods,
        d.extensions_used,
        d.reductions_used,
        d.extended_today,
        int(d.applied),
        ahead,
        tuple(sorted(b - run.breaks for b in run.rest_at_breaks if b > run.breaks)),
        tuple(run.extensions[run.rests + 1 :]),
    )


def _shifts(start: Run, driven: list[tuple[Run, Window, Mark | None]]) -> tuple[tuple[Shift, tuple[tuple[int, float], ...], Rested | None], ...]:
    return tuple(
        (
            shift(start, run),
            tuple((rests - start.rests, slack) for rests, slack in window),
            None if mark is None else (mark[0] - start.rests, shift(start, mark[1]), mark[2], mark[3]),
        )
        for run, window, mark in driven
    )


def _drive_leg(
    graph: nx.MultiDiGraph, cap: float | None, start: Run, u: Any, v: Any, *, forks: bool, resume: tuple[int, int] | None
) -> list[tuple[Run, Window, Mark | None]]:
    found = leg(graph, cap, u, v)
    if found is None:
        return []
    out: list[tuple[Run, Window, Mark | None]] = []
    pieces = found.pieces
    before = [0, *itertools.accumulate(seconds for _, seconds in pieces)]
    total = before[-1]
    index, left = resume if resume is not None else (0, pieces[0][1] if pieces else 0)
    pending: list[tuple[Run, int, int, Window, list[Mark]]] = [(start.clone(), index, left, [], [])]
    rests = start.rests
    seen: dict[tuple[int, int], list[tuple[float, DriverClock]]] | None = {} if forks else None
    ready: list[tuple[int, float, DriverClock]] | None = [] if forks else None
    first = True
    while pending:
        run, index, left, window, marks = pending.pop()
        exempt = None if first else (index, left)
        first = False
        branch: list[tuple[Run, int, list[Mark]]] | None = [] if forks else None
        alive = True
        for i in range(index, len(pieces)):
            rule = pieces[i][0]
            seconds = left if i == index else pieces[i][1]
            alive = drive(
                run,
                rule,
                seconds,
                branch,
                after_s=total - before[i + 1],
                window=window if forks else None,
                marks=marks,
                piece=i,
                seen=seen,
                exempt=exempt,
                ready=ready,
            )
            if branch:
                pending.extend((alt, i, alt_left, list(window), alt_marks) for alt, alt_left, alt_marks in branch)
                branch.clear()
            if not alive:
                break
        if not alive:
            continue
        last = next((mark for mark in reversed(marks) if mark[0] == run.rests), None) if run.rests != rests else None
        out.append((run, window, last))
    return _ahead(out) if len(out) > 1 else out


def _ahead(out: list[tuple[Run, Window, Mark | None]]) -> list[tuple[Run, Window, Mark | None]]:
    """
    Drop the copies of a leg that arrive behind another: no earlier, the same duty periods, a crew no better off.

    The search would drop them on arrival (they are dominated: :func:`transit._label.dominates`, of which
    this is the strict part), but a remembered leg would hand them over at every start. Their duty
    windows (holds before the leg, not of the copy) go to the first copy kept.
    """
    kept: list[tuple[Run, Window, Mark | None]] = []
    windows: Window = []
    for i, (run, window, mark) in enumerate(out):
        d, t = run.driver, run.t
        if d.idle_s == 0.0 and any(
            j != i and (o.t < t - EPS or (j < i and o.t <= t + EPS)) and _no_worse_now(o.driver, d) for j, (o, _, _) in enumerate(out)
        ):
            windows += window
        else:
            kept.append((run, window, mark))
    if windows:
        run, window, mark = kept[0]
        kept[0] = (run, window + windows, mark)
    return kept


def _no_worse_now(a: DriverClock, b: DriverClock) -> bool:
    """Whether crew ``a`` is no worse off than ``b``, both just off the road (no rest begun), with the same duty periods."""
    return a.idle_s == 0.0 and a.periods == b.periods and no_worse(a, b)
