"""
The domestic legs of the exact route search (:mod:`transit._labels`).

A leg is the fastest road between two nodes of one country (:func:`leg`); :func:`drive` drives it with
the crew's stops, and with the choices the search branches on (an extended day, the daily rest at a break).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from . import _cache
from ._label import no_worse
from ._run import Run
from ._search import domestic
from ._steps import Road, compile_path
from ._units import EPS, HOUR_S
from .drivers import BreakRule, DriverClock

__all__ = ["FORK_DAYS", "Leg", "Mark", "drive", "leg"]

#: Days of driving before the end of a leg within which extended days and rests at a break are tried.
FORK_DAYS = 2


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
) -> bool:
    """
    Drive ``seconds`` under ``rule``: :meth:`Run.drive <transit._run.Run.drive>` on a whole leg, taking stops when due.

    With ``forks``, copies that decide otherwise are appended with the seconds they have left to drive:
    where the daily limit stops the crew and the week allows an extended day, a copy that drives on;
    where the day's last break falls due, a copy that takes its daily rest instead. Only within the
    last :data:`FORK_DAYS` days of driving before the leg's end (``after_s`` is the driving after
    these ``seconds``): where they change how the truck meets the next border or the end. At every
    stop of the leg this misses earlier arrivals on some multi-day trips, and costs up to 20x more
    on long one-driver trips (see the README, assumption 3). ``seen`` merges copies that meet again.
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
    horizon = FORK_DAYS * longest
    while left > 0:
        allowance, stop = driver.allowance(run.t, rule)
        chunk = int(allowance) if allowance < left else left
        if chunk < 1:
            if seen is not None and (piece, left) != exempt:
                here = seen.setdefault((piece, left), [])
                if any(t <= run.t + EPS and no_worse(other, driver) for t, other in here):
                    return False
                here.append((run.t, driver.clone()))
            near = forks is not None and left + after_s <= horizon
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
                elif near and driver.day_left_s(run.t) - rule.break_h * HOUR_S <= rule.break_after_h * HOUR_S:
                    alt = run.clone()
                    alt.rest_at_breaks = run.rest_at_breaks | {run.breaks}
                    alt_marks = before
                    if marks is not None:
                        pre = alt.clone()
                        pre.breaks -= 1  # the run as the break fell due, with the plan that turns it into a rest
                        alt_marks = [*before, (alt.rests + 1, pre, piece, left)]
                    alt.stop(alt.driver.rest_due(), "", "", "", rule)
                    forks.append((alt, left, alt_marks))  # type: ignore[union-attr]
            elif window is not None and (slack := driver.window_slack_s(run.t)) >= 60:
                window.append((run.rests, slack))
            if limit_stop and near and driver.can_extend():
                day = driver.day_number()
                days = run.extended_days or frozenset()
                if day not in days:
                    alt = run.clone()
                    alt.extended_days = days | {day}
                    alt.driver.extend_days = alt.extended_days
                    more, due = alt.driver.allowance(alt.t, rule)
                    if more >= 1 or due == "break":  # the extended day lets the crew drive on (after a break, perhaps)
                        forks.append((alt, left, before))  # type: ignore[union-attr]
            run.stop(stop, "", "", "", rule)
            continue
        start = run.t
        run.t = start + chunk
        driver.drove(start, chunk, rule)
        left -= chunk
    return True
