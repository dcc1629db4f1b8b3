"""
One truck's state along a trip, and the rules that move it: the engine under :func:`transit.simulate` and the route search.

:class:`Run` walks roads (driving with the breaks and rests the crew's hours require) and crossings
(queue, opening hours, clearance, the link, transshipment) from a departure time, following a
**plan**: the decisions a truck may take where the rules leave a choice. A plan is three things,
all optional:

``extensions``
    Waiting added to the stationary points where a crew's duty day has not begun: index 0 holds
    the truck at the origin before it leaves; index ``k`` lengthens the ``k``-th rest (a daily or
    weekly rest on the road, or the fresh truck's start after a transshipment).
``waits``
    ``{c: seconds}``: at the ``c``-th crossing of the trip the crew stays at least this long
    before the formalities begin (so that the wait counts as a break or a rest).
``extended_days``
    The duty days (numbered from 1 over the whole trip) on which the crew uses the extended
    driving day (AETR: 10 h, twice a week). ``None``: the simulator's own policy, which extends a
    day only when that finishes the trip's driving.
``rest_at_breaks``
    The breaks (numbered from 1 over the trip, in the order they fall due) at which the crew takes
    its daily rest instead (a rest may always be taken early; it then covers the break).

:func:`transit.routing.plan_trip` finds the plan that arrives earliest (:mod:`transit._labels`);
:func:`transit.simulate` of a bare path follows the empty plan. The vectorised twin is
``montecarlo._Many`` (see :mod:`transit._rules`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._steps import Cross, Road, rule_in_force
from ._units import DAY_S, EPS, HOUR_S
from .clocks import Clock
from .crossings import Crossing
from .drivers import BreakRule, DriverClock, DriverRules
from .errors import NoRouteError
from .regimes import Regime
from .schedule import zone
from .trip import Event
from .vehicles import Vehicle

__all__ = ["LONG_WAIT_H", "MAX_CLOSED_WAIT_DAYS", "CrossingPass", "Run", "closed_note", "split_open_closed"]

#: A single wait at a closed crossing longer than this (hours) puts a warning on the trip.
LONG_WAIT_H = 24.0
#: Horizon: a trip whose waits at closed crossings add up to more than this (days) is refused with
#: :class:`~transit.errors.NoRouteError`, naming the closure and when it ends.
MAX_CLOSED_WAIT_DAYS = 30


@dataclasses.dataclass(frozen=True, slots=True)
class CrossingPass:
    """What happened at the last crossing, for the route search: POSIX seconds and the rest the wait amounted to."""

    arrival: float
    queued: float
    begins: float
    done: float
    rest: str
    clock: Clock


class Run:
    """One simulation: mutable state kept out of the public objects.

    Twin of ``montecarlo._Many`` (the same rules over ``n`` samples, same attribute names; see
    :mod:`transit._rules`); ``tests/test_reliability.py`` checks that they agree sample by sample.
    """

    __slots__ = (
        "annotate",
        "breaks",
        "clocks",
        "closed_s",
        "crossed",
        "draws",
        "driver",
        "events",
        "extended_days",
        "extensions",
        "last_pass",
        "reduced",
        "regime",
        "rest_at_breaks",
        "rests",
        "rules",
        "t",
        "transshipped",
        "vehicle",
        "waits",
        "warnings",
    )

    def __init__(
        self,
        *,
        t: float,
        vehicle: Vehicle,
        regime: Regime,
        rules: DriverRules,
        extensions: tuple[float, ...] = (),
        waits: Mapping[int, float] | None = None,
        extended_days: frozenset[int] | None = None,
        rest_at_breaks: frozenset[int] = frozenset(),
        annotate: bool = True,
        draws: Mapping[Any, tuple[float, float, float]] | None = None,
    ) -> None:
        self.annotate = annotate
        self.draws = draws or {}
        self.t = t
        self.vehicle = vehicle
        self.regime = regime
        self.rules = rules
        self.extended_days = extended_days
        self.driver = DriverClock(rules.crew(vehicle.drivers), extend_days=extended_days)
        self.events: list[Event] = []
        self.crossed: list[str] = []
        self.transshipped: list[str] = []
        self.clocks: dict[tuple[str, str], Clock] = {}
        self.extensions = extensions
        self.waits: Mapping[int, float] = waits or {}
        self.rest_at_breaks = rest_at_breaks
        self.breaks = 0  # breaks fallen due so far (the plan may turn one into a rest)
        self.rests = 0  # rests taken so far; rest k (1-based) may be extended, 0 is a hold at the origin
        self.reduced: tuple[int, ...] = ()  # the rests taken as reduced daily rests (for the route search)
        self.closed_s = 0.0  # waiting at closed crossings so far
        self.warnings: list[str] = []
        self.last_pass: CrossingPass | None = None

    def clone(self) -> Run:
        """Return a copy that can go its own way (the route search branches on it); it shares the read-only parts."""
        new = Run.__new__(Run)
        new.annotate, new.breaks, new.clocks, new.closed_s, new.draws = self.annotate, self.breaks, self.clocks, self.closed_s, self.draws
        new.extended_days, new.extensions, new.last_pass = self.extended_days, self.extensions, self.last_pass
        new.regime, new.rest_at_breaks, new.rests, new.rules, new.t = self.regime, self.rest_at_breaks, self.rests, self.rules, self.t
        new.vehicle, new.waits, new.reduced = self.vehicle, self.waits, self.reduced
        new.driver = self.driver.clone()
        new.crossed = list(self.crossed)
        new.transshipped = list(self.transshipped)
        new.events = list(self.events)
        new.warnings = list(self.warnings)
        return new

    def emit(self, activity: str, place: str, country: str, end: float, tz: str, **extra: Any) -> None:
        if end - self.t <= EPS and activity != "driving":
            return
        if self.annotate:  # the route search only needs the clock, not the timeline
            self.events.append(Event(activity, place, country, self.t, end, tz, **extra))
        self.t = end

    def extension(self) -> float:
        """Return the plan's extra waiting at the current rest (index :attr:`rests`), seconds."""
        return self.extensions[self.rests] if self.rests < len(self.extensions) else 0.0

    def hold_at_origin(self, place: str, country: str, tz: str) -> None:
        """Hold the truck before it leaves, as the plan says (``extensions[0]``)."""
        hold = round(self.extensions[0]) if self.extensions else 0
        if hold > 0:
            note = f"held at the origin {hold / HOUR_S:.1f} h to reach the first closed crossing at a better time (a truck can always wait)"
            self.emit("closed_wait", place, country, self.t + hold, tz, note=note)
            self.driver.idle(hold)

    def stop(self, stop: str, place: str, country: str, tz: str, rule: BreakRule) -> None:
        needed = max(round(self.driver.stop_needed_s(stop, rule)), 1)
        extra = 0.0
        if stop != "break":
            self.rests += 1
            extra = self.extension()
            needed += round(extra)
            driver = self.driver
            if (
                stop == "daily_rest"
                and driver.reductions_used < driver.crew.reduced_rests_per_week
                and driver.idle_s + needed < driver.crew.daily_rest_h * HOUR_S - EPS
            ):
                self.reduced += (self.rests,)
        if self.annotate:
            note = {"break": f"{rule.name} break", "daily_rest": "daily rest", "weekly_rest": "weekly rest"}[stop]
            if extra > 0:
                note += f", extended {extra / HOUR_S:.1f} h to reach the next crossing at a better time"
            self.emit(stop, place, country, self.t + needed, tz, note=note, source=self.driver.crew.source if stop != "break" else rule.source)
        else:
            self.t += needed
        self.driver.idle(needed)

    def drive(self, step: Road, remaining_after_s: float, *, nonstop: bool = False) -> None:
        """
        Drive a road, stopping for breaks and rests as the crew's hours require.

        ``nonstop`` drives it in one go: the link between the two posts of a
        crossing is short, and no crew rests in no man's land; a stop that
        falls due on it is taken at the entry post, after the crossing.
        """
        rule = step.rule
        cap = self.vehicle.max_speed_kph
        speed = step.speed_kph if cap is None or cap >= step.speed_kph else cap
        total_s = max(round(step.km / speed * HOUR_S), 1)
        if nonstop:
            start = self.t
            if self.annotate:
                self.emit(
                    "driving", step.label, step.country, start + total_s, step.tz, distance_km=step.km, source=step.source, segment_id=step.segment_id
                )
            else:
                self.t = start + total_s
            self.driver.drove(start, total_s, rule)
            return
        left = total_s
        km_left = step.km
        driver = self.driver
        while left > 0:
            allowance, stop = driver.allowance(self.t, rule, remaining_s=left + remaining_after_s)
            chunk = int(allowance) if allowance < left else left
            if chunk < 1:  # the stop is due now
                if stop == "break":
                    self.breaks += 1
                    if self.breaks in self.rest_at_breaks:
                        stop = driver.rest_due()
                place = ""
                if self.annotate:
                    done_km = step.km - km_left
                    place = step.start_place if done_km < 0.05 else f"{step.label} (km {done_km:.0f})"
                self.stop(stop, place, step.country, step.tz, rule)
                continue
            start = self.t
            km = km_left if chunk == left else step.km * chunk / total_s
            if self.annotate:
                self.emit("driving", step.label, step.country, start + chunk, step.tz, distance_km=km, source=step.source, segment_id=step.segment_id)
            else:
                self.t = start + chunk
            driver.drove(start, chunk, rule)
            left -= chunk
            km_left -= km

    def cross(self, step: Cross, *, remaining_after_s: float, index: int = -1) -> None:
        crossing = step.crossing
        key = (crossing.id, step.direction)
        clock = self.clocks.get(key)
        if clock is None:
            clock = self.regime.clock(crossing, step.direction)
            self.clocks[key] = clock
        arrival = self.t
        rule, segment = rule_in_force(self.regime, clock, crossing, step.direction, arrival)
        exit_rule = self.rules.break_rule(step.exit_country)
        place = f"{crossing.name} ({step.exit_country} post)"
        common = {"crossing_id": crossing.id}
        queue = rule.queue[step.direction]
        clearance = rule.clearance[step.direction]
        medians = (queue.median_h, clearance.median_h, rule.transshipment.median_h)
        queue_h, clearance_h, transshipment_h = self.draws.get((index, segment), self.draws.get(index, medians))
        clearance_s = round(clearance_h * HOUR_S)
        held = round(self.waits.get(len(self.crossed), 0.0))
        queue_s = round(queue_h * HOUR_S)
        try:
            queued = arrival + max(queue_s, held)
            ready = clock.next_open(queued)
            waits = split_open_closed(clock, arrival, ready)
            pieces = clock.work_in_one_go(ready, clearance_s)
            self._check_closed(step, [piece for piece in (*waits, *pieces) if piece[0] == "closed"], clock)
            for kind, start, end in waits:
                activity = "queue" if kind == "open" else "closed_wait"
                note = ""
                if self.annotate:
                    note = closed_note(crossing, step, start, clock) if kind == "closed" else ""
                    if held > queue_s and end > arrival + queue_s:
                        note = "; ".join(filter(None, (note, f"the crew stays {held / HOUR_S:.1f} h so that the wait counts as a rest")))
                self.t = start
                self.emit(
                    activity,
                    place,
                    step.exit_country,
                    end,
                    step.exit_tz,
                    note=note,
                    source=queue.source if kind == "open" else crossing.source,
                    **common,
                )
                self.driver.idle(end - start)
            if self.annotate:
                self._note_rest_taken(exit_rule)
        except NoRouteError:
            raise
        except LookupError as exc:
            msg = f"crossing {crossing.name!r} ({crossing.id}) does not open within the search horizon after arrival: {exc}"
            raise NoRouteError(msg, blocking=[crossing.id]) from None
        begins = next((start for kind, start, _ in pieces if kind == "open"), ready)
        for kind, start, end in pieces:
            self.t = start
            if kind == "open":
                self.driver.work(exit_rule)
                self.emit("clearance", place, step.exit_country, end, step.exit_tz, source=clearance.source, **common)
            else:
                self.emit(
                    "closed_wait",
                    place,
                    step.exit_country,
                    end,
                    step.exit_tz,
                    note=closed_note(crossing, step, start, clock) if self.annotate else "",
                    source=crossing.source,
                    **common,
                )
                self.driver.idle(end - start)
        rest = self.driver.rest_label(exit_rule)
        self.last_pass = CrossingPass(arrival, queued, begins, pieces[-1][2] if pieces else ready, rest, clock)
        self.driver.work(exit_rule)
        self.drive(step.link, remaining_after_s, nonstop=True)
        self.crossed.append(crossing.id)
        if not rule.admits(self.vehicle.registration, permits=self.vehicle.permits):
            needed = rule.permit_needed(self.vehicle.registration)
            why = f"{self.vehicle.registration}-registered trucks may not drive on" if needed is None else f"vehicle lacks the {needed!r} permit"
            self.emit(
                "transshipment",
                f"{crossing.name} ({step.entry_country} post)",
                step.entry_country,
                self.t + round(transshipment_h * HOUR_S),
                step.entry_tz,
                note=f"{why}; trailer swap: a {step.entry_country} tractor hauls the trailer on"
                if rule.transfer == "trailer"
                else f"{why}; cargo moved to a {step.entry_country} truck",
                source=rule.transshipment.source,
                **common,
            )
            self.transshipped.append(crossing.id)
            self.vehicle = self.vehicle.transshipped(step.entry_country)
            self.driver = DriverClock(self.rules.crew(self.vehicle.drivers), extend_days=self.extended_days, days=self.driver.days)
            # The fresh truck has not begun its duty day: the plan may hold it (like a hold at the origin).
            self.rests += 1
            hold = round(self.extension())
            if hold > 0:
                note = f"the {step.entry_country} truck waits {hold / HOUR_S:.1f} h to reach the next crossing at a better time"
                self.emit("closed_wait", f"{crossing.name} ({step.entry_country} post)", step.entry_country, self.t + hold, step.entry_tz, note=note)
                self.driver.idle(hold)

    def _check_closed(self, step: Cross, closed: list[tuple[str, float, float]], clock: Clock) -> None:
        """
        Add this crossing's closed waits to the trip's; warn about long and seasonal ones, refuse past the horizon.

        Raises
        ------
        NoRouteError
            When the waiting at closed crossings would exceed :data:`MAX_CLOSED_WAIT_DAYS`.
        """
        if not closed:
            return
        self.closed_s += sum(end - start for _, start, end in closed)
        _, start, end = max(closed, key=lambda piece: piece[2] - piece[1])
        crossing = step.crossing
        if self.closed_s > MAX_CLOSED_WAIT_DAYS * DAY_S:
            reopens = datetime.fromtimestamp(end, zone(step.exit_tz))
            msg = (
                f"crossing {crossing.name!r} ({crossing.id}) is closed ({closed_note(crossing, step, start, clock).removeprefix('closed: ')}) "
                f"and opens again {reopens:%Y-%m-%d %H:%M %Z}: the trip would wait {self.closed_s / DAY_S:.1f} days at closed crossings, "
                f"more than the {MAX_CLOSED_WAIT_DAYS}-day horizon; depart later, or pass another crossing (via)"
            )
            raise NoRouteError(msg, blocking=[crossing.id])
        if not self.annotate:
            return
        note = closed_note(crossing, step, start, clock).removeprefix("closed: ")
        when = datetime.fromtimestamp(end, zone(step.exit_tz))
        if "seasonal closure" in note:
            self.warnings.append(f"{crossing.name} is in its seasonal closure ({note}); the truck waits until {when:%Y-%m-%d %H:%M %Z}")
        elif end - start > LONG_WAIT_H * HOUR_S:
            self.warnings.append(f"{(end - start) / HOUR_S:.1f} h wait at closed {crossing.name} ({note}), until {when:%Y-%m-%d %H:%M %Z}")

    def _note_rest_taken(self, rule: BreakRule) -> None:
        """Mark the waiting rows that amount to a rest, for the timeline's note column."""
        label = self.driver.rest_label(rule)
        if not label:
            return
        for i in range(len(self.events) - 1, -1, -1):
            event = self.events[i]
            if event.activity not in ("queue", "closed_wait"):
                break
            note = f"{event.note}; counts as {label}" if event.note else f"counts as {label}"
            self.events[i] = dataclasses.replace(event, note=note)


def split_open_closed(clock: Clock, start: float, end: float) -> list[tuple[str, float, float]]:
    """Split ``[start, end]`` into pieces during which the crossing is open or closed."""
    pieces: list[tuple[str, float, float]] = []
    t = start
    while t < end - EPS:
        s, e = clock.interval_at(t)
        if s > t:
            stop = min(s, end)
            pieces.append(("closed", t, stop))
            t = stop
        else:
            stop = min(e, end)
            pieces.append(("open", t, stop))
            t = stop
    return pieces


def closed_note(crossing: Crossing, step: Cross, t: float, clock: Clock) -> str:
    """Say which post is closed at ``t`` and why (a dated closure, holiday, weekend, season or hours)."""
    dated = clock.closed_by(t)
    if dated is not None:
        return f"closed to freight: {dated}"
    reasons = []
    for country, direction in ((step.exit_country, "out"), (step.entry_country, "in")):
        schedule = crossing.post(country).schedule
        start, end = schedule.interval_at(t, direction)  # type: ignore[arg-type]
        if start <= t < end:
            continue
        local = datetime.fromtimestamp(t, zone(schedule.tz))
        reason = schedule.closed_reason(local.date())
        if reason is None:
            hours = schedule.hours_on(local.date(), direction)  # type: ignore[arg-type]
            reason = f"outside hours {hours} ({local:%H:%M} local)"
        reasons.append(f"{country} post {reason}")
    if not reasons:
        return "waiting for an opening long enough to finish clearance before the posts close"
    return "closed: " + "; ".join(reasons)
