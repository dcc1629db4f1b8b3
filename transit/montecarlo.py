"""
Monte Carlo of one truck along one path, vectorised across samples.

The same time-true model as :func:`transit.simulate` (see
:mod:`transit.simulation` for the rules at a crossing and :mod:`transit.drivers`
for drivers' hours), run for many samples at once: every quantity of the
scalar simulation (the clock, the crew's driving and rest counters) becomes a
numpy array with one element per sample, and each step of the path updates
all samples together. Samples differ only in the border delays they draw
(:mod:`transit.delays`), but that is enough for each to take its own course:
a long queue at the first crossing moves the truck's arrival at the second,
which decides whether it finds that crossing open, closed for the night or
shut for a weekend or holiday, and when the crew must rest.

The Python-level loops run over the path's steps and, within a road, over the
stops the crew makes; never over samples. Opening hours are looked up with
:func:`numpy.searchsorted` in a table of each crossing's joint open intervals
(built once per network, regime, crossing and direction, and extended as
needed).

With zero spread (every P90 equal to its median) each sample reproduces the
deterministic trip second for second; ``tests/test_reliability.py`` checks
this, and checks random samples one by one against the scalar simulator.

Examples
--------
>>> import numpy as np, transit
>>> from transit.montecarlo import draw_delays, simulate_many
>>> net = transit.load_network()
>>> trip = transit.plan_trip(net, "Kashgar", "Osh", regime="sco-2017", departure="2017-10-30T08:00")
>>> sco = transit.get_regime(net, "sco-2017")
>>> draws = draw_delays(net, trip.path, sco, 1000, np.random.default_rng(42))
>>> runs = simulate_many(net, trip.path, regime=sco, vehicle=trip.vehicle,
...                      departure_s=trip.departure.timestamp(), draws=draws, **trip.plan)
>>> runs.total_s.shape
(1000,)
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import networkx as nx
import numpy as np

from . import _cache
from ._cancel import check as check_cancelled
from ._rules import RestLevel, Stop, closed_to_freight
from ._steps import Cross, Road, compile_path, remaining_driving, why_closed
from ._units import DAY_S, EPS, HOUR_S
from .clocks import Clock
from .delays import sample_h
from .drivers import BreakRule, CrewRule, DriverRules
from .errors import InvalidArgumentError, NoRouteError
from .regimes import CrossingRule, Regime
from .trip import ACTIVITIES
from .vehicles import Vehicle

#: Queue, clearance and transshipment hours at one crossing, one element per sample.
Draw = tuple[np.ndarray, np.ndarray, np.ndarray]

__all__ = ["Runs", "draw_delays", "simulate_many"]

#: Formalities are not begun in an opening too short for them; after this long, they are split across closures.
_ONE_GO_LIMIT_S = 14 * DAY_S


@dataclass(frozen=True, kw_only=True, eq=False)
class Runs:
    """Samples of one trip: door-to-door seconds and their parts.

    Attributes
    ----------
    departure_s, arrival_s
        POSIX seconds per sample.
    components_s
        Activity (``driving``, ``break``, ``daily_rest``, ``weekly_rest``,
        ``queue``, ``clearance``, ``closed_wait``, ``transshipment``) mapped
        to seconds per sample; they add up to :attr:`total_s`.
    crossing_s
        Crossing id mapped to the seconds spent there per sample (queue,
        closed wait and clearance).
    reach_s
        Crossing id mapped to the seconds from departure until the truck
        reaches the exit post, per sample.
    passage_s
        Crossing id mapped to the seconds from departure until the truck (or
        its cargo, after a transshipment) leaves the entry post, per sample.
    crossings
        Crossing ids passed, in order.
    """

    departure_s: np.ndarray
    arrival_s: np.ndarray
    components_s: Mapping[str, np.ndarray]
    crossing_s: Mapping[str, np.ndarray]
    crossings: tuple[str, ...]
    reach_s: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)
    passage_s: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)

    @property
    def total_s(self) -> np.ndarray:
        """Door-to-door seconds per sample."""
        total: np.ndarray = self.arrival_s - self.departure_s
        return total


def draw_delays(
    graph: nx.MultiDiGraph,
    path: Sequence[Any],
    regime: Regime,
    n: int,
    rng: np.random.Generator,
    *,
    departure_s: float | None = None,
) -> dict[Any, Draw]:
    """
    Draw queue, clearance and transshipment hours at each crossing of ``path``.

    Parameters
    ----------
    graph
        The network.
    path
        Node ids.
    regime
        The regime whose delay distributions are drawn.
    n
        Samples.
    rng
        Generator. Draws are made crossing by crossing along the path, queue
        then clearance then transshipment, so a seed fixes them all.
    departure_s
        Under a dated regime (``history``), the departure: each crossing gets
        draws for every dated rule in force in the weeks after it, in date order.

    Returns
    -------
    dict
        Step index of each crossing (``(index, rule number)`` under a dated
        regime) mapped to ``(queue_h, clearance_h, transshipment_h)`` arrays of
        shape ``(n,)``. A dated regime with one rule in the window draws exactly
        what the frozen regime would.
    """
    out: dict[Any, Draw] = {}
    for index, step in enumerate(compile_path(graph, tuple(path))):
        if not isinstance(step, Cross):
            continue
        if not regime.dated:
            keyed: list[tuple[Any, CrossingRule]] = [(index, regime.rule(step.crossing.id))]
        else:
            lo = -np.inf if departure_s is None else departure_s
            hi = np.inf if departure_s is None else departure_s + DRAW_WINDOW_S
            keyed = [((index, k), regime.segment_rule(step.crossing.id, k)) for k in regime.segments_between(step.crossing.id, lo, hi)]
        for key, rule in keyed:
            out[key] = (
                sample_h(rule.queue[step.direction], n, rng),
                sample_h(rule.clearance[step.direction], n, rng),
                sample_h(rule.transshipment, n, rng),
            )
    return out


#: How far after departure the samples of a dated regime draw delays for (dated rules later than that use medians).
DRAW_WINDOW_S = 90 * DAY_S


# -- opening hours as a table ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """An immutable view of an :class:`_Openings` table: joint open intervals as sorted arrays."""

    starts: np.ndarray
    ends: np.ndarray
    cum: np.ndarray  # open seconds before each interval

    def index(self, t: np.ndarray) -> np.ndarray:
        """Index of the interval containing ``t`` or the next one (``len`` past the end)."""
        return np.searchsorted(self.ends, t, side="right")

    def open_before(self, t: np.ndarray, i: np.ndarray) -> np.ndarray:
        """Open seconds from the table's start up to ``t`` (``i`` = :meth:`index` of ``t``)."""
        seconds: np.ndarray = self.cum[i] + np.maximum(t - self.starts[i], 0.0)
        return seconds


class _Openings:
    """
    The joint open intervals of one crossing clock, extended on demand; shared by threads, read through snapshots.

    Twin of :class:`transit.clocks.CrossingClock` (whose :meth:`~transit.clocks.CrossingClock.interval_at`
    it tabulates; see :mod:`transit._rules`).
    """

    __slots__ = ("_ends", "_lock", "_snapshot", "_starts", "clock", "exhausted", "lo")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self.lo = np.inf
        self._starts: list[float] = []
        self._ends: list[float] = []
        self.exhausted = False
        self._snapshot = self._freeze()

    def _freeze(self) -> _Snapshot:
        starts = np.asarray(self._starts, dtype=float)
        ends = np.asarray(self._ends, dtype=float)
        return _Snapshot(starts, ends, np.concatenate(([0.0], np.cumsum(ends - starts))))

    def cover(self, lo: float, hi: float) -> _Snapshot:
        """
        Return a snapshot holding every interval that ends after ``lo``, up to one that ends after ``hi``.

        Fewer only if the crossing never opens again within the schedule's search horizon. A snapshot never changes;
        later calls may return longer ones (or, for an earlier ``lo``, one that starts earlier).
        """
        with self._lock:
            if lo < self.lo:
                self.lo = lo - DAY_S
                self._starts, self._ends, self.exhausted = [], [], False
            elif self.exhausted or (self._ends and self._ends[-1] > hi):
                return self._snapshot
            probe = self._ends[-1] if self._ends else self.lo
            while probe <= hi:
                try:
                    start, end = self.clock.interval_at(probe)
                except LookupError:
                    self.exhausted = True
                    break
                self._starts.append(max(start, self.lo))  # a never-closing stretch begins at -inf: count from the table's start
                self._ends.append(end)
                probe = end
            self._snapshot = self._freeze()
            return self._snapshot


def _openings(graph: nx.MultiDiGraph, regime: Regime, step: Cross) -> _Openings:
    key = (regime, step.crossing.id, step.direction)  # the regime by content: its what-if schedules (and dated rules) count
    return _cache.memo(graph, "openings", key, lambda: _Openings(regime.clock(step.crossing, step.direction)))


# -- drivers' hours as arrays ----------------------------------------------------------------------


class _Crew:
    """
    Twin of :class:`transit.drivers.DriverClock`: its rules with one element per sample; every update takes a mask.

    Attribute and method names are the scalar clock's (see :mod:`transit._rules`); the parity tests in
    ``tests/test_twins.py`` and ``tests/test_reliability.py`` hold the two equal.
    """

    def __init__(self, crew: CrewRule, n: int, *, extend_days: frozenset[int] | None = None, days: np.ndarray | None = None) -> None:
        self.crew = crew
        self.extend_days = None if extend_days is None else np.array(sorted(extend_days), dtype=np.int64)
        self.days = np.zeros(n, dtype=np.int64) if days is None else days.copy()
        self.since_break_s = np.zeros(n)
        self.today_s = np.zeros(n)
        self.duty_start = np.full(n, np.nan)
        self.periods = np.zeros(n, dtype=np.int64)
        self.idle_s = np.zeros(n)
        self.extensions_used = np.zeros(n, dtype=np.int64)
        self.reductions_used = np.zeros(n, dtype=np.int64)
        self.extended_today = np.zeros(n, dtype=bool)
        self.applied = np.zeros(n, dtype=np.int64)
        self._day_s = crew.daily_driving_h * HOUR_S
        self._ext_s = crew.extended_driving_h * HOUR_S
        self._rest_s = crew.daily_rest_h * HOUR_S
        self._red_s = crew.reduced_daily_rest_h * HOUR_S
        self._week_s = crew.weekly_rest_h * HOUR_S
        self._duty_s = crew.duty_window_h * HOUR_S

    def _rest_len_s(self) -> np.ndarray:
        return np.where(self.reductions_used < self.crew.reduced_rests_per_week, self._red_s, self._rest_s)

    def _level(self, rule: BreakRule) -> np.ndarray:
        idle = self.idle_s + EPS
        level = np.where(idle >= rule.break_h * HOUR_S, RestLevel.BREAK, RestLevel.NONE)
        reduced = (idle >= self._red_s) & ((self.reductions_used < self.crew.reduced_rests_per_week) | (self.applied == RestLevel.REDUCED_DAILY_REST))
        level = np.where(reduced, RestLevel.REDUCED_DAILY_REST, level)
        level = np.where(idle >= self._rest_s, RestLevel.DAILY_REST, level)
        return np.where((idle >= self._week_s) & (self.periods > 0), RestLevel.WEEKLY_REST, level)

    def settle(self, rule: BreakRule, mask: np.ndarray) -> None:
        mask = mask & (self.idle_s > 0.0)
        if not mask.any():
            return
        level = self._level(rule)
        upd = mask & (level > self.applied)
        if not upd.any():
            return
        week = upd & (level == RestLevel.WEEKLY_REST)
        self.periods[week] = 0
        self.extensions_used[week] = 0
        self.reductions_used[week] = 0
        self.reductions_used -= upd & (level == RestLevel.DAILY_REST) & (self.applied == RestLevel.REDUCED_DAILY_REST)
        self.reductions_used += upd & (level == RestLevel.REDUCED_DAILY_REST)
        reset = upd & (level >= RestLevel.REDUCED_DAILY_REST)
        self.today_s[reset] = 0.0
        self.since_break_s[reset | (upd & (level == RestLevel.BREAK))] = 0.0
        self.duty_start[reset] = np.nan
        self.extended_today[reset] = False
        self.applied = np.where(upd, level, self.applied)

    def work(self, rule: BreakRule, mask: np.ndarray) -> None:
        self.settle(rule, mask)
        self.idle_s[mask] = 0.0
        self.applied[mask] = RestLevel.NONE

    def idle(self, seconds: np.ndarray, mask: np.ndarray | None = None) -> None:
        add = np.maximum(seconds, 0.0)
        self.idle_s += add if mask is None else np.where(mask, add, 0.0)

    def allowance(self, t: np.ndarray, rule: BreakRule, remaining: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.settle(rule, mask)
        crew = self.crew
        today = self.today_s
        weekly_due = self.periods >= crew.weekly_after_periods
        if self.extend_days is None:
            wanted = (today + remaining <= self._ext_s + EPS) & (remaining > self._day_s - today)
        else:
            wanted = np.isin(self.days + np.isnan(self.duty_start), self.extend_days)  # the day in progress, or the next one
        extend = self.extended_today | ((self.extensions_used < crew.extensions_per_week) & wanted)
        day_left = np.where(extend, self._ext_s, self._day_s) - today
        duty_left = self.duty_start + self._duty_s - self._rest_len_s() - t  # NaN outside a duty period
        day_left = np.where(duty_left < day_left, duty_left, day_left)  # comparisons with NaN are False
        stop = np.where(weekly_due, Stop.WEEKLY_REST, Stop.DAILY_REST)
        if crew.breaks:
            break_left = rule.break_after_h * HOUR_S - self.since_break_s
            use_break = break_left < day_left
            allow = np.maximum(np.where(use_break, break_left, day_left), 0.0)
            stop = np.where(use_break, Stop.BREAK, stop)
        else:
            allow = np.maximum(day_left, 0.0)
        due_now = (today <= EPS) & weekly_due
        return np.where(due_now, 0.0, allow), np.where(due_now, Stop.WEEKLY_REST, stop)

    def stop_needed_s(self, stop: np.ndarray, rule: BreakRule) -> np.ndarray:
        full = np.where(stop == Stop.BREAK, rule.break_h * HOUR_S, np.where(stop == Stop.DAILY_REST, self._rest_len_s(), self._week_s))
        return np.maximum(full - self.idle_s, 0.0)

    def drove(self, t_start: np.ndarray, seconds: np.ndarray, rule: BreakRule, mask: np.ndarray) -> None:
        self.work(rule, mask)
        new_day = mask & np.isnan(self.duty_start) & (self.today_s <= EPS)
        self.duty_start = np.where(new_day, t_start, self.duty_start)
        self.periods += new_day
        self.days += new_day
        add = np.where(mask, seconds, 0.0)
        self.today_s += add
        self.since_break_s += add
        extended = mask & ~self.extended_today & (self.today_s > self._day_s + EPS) & (self.extensions_used < self.crew.extensions_per_week)
        if self.extend_days is not None:  # past the daily limit: an extended day only if the plan names today (DriverClock._may_extend)
            extended &= np.isin(self.days, self.extend_days)
        self.extended_today |= extended
        self.extensions_used += extended


# -- the simulation --------------------------------------------------------------------------------


class _Many:
    """
    State of ``n`` simulations of one path: the twin of ``simulation._Run``, one element per sample.

    Same attribute names as the scalar run (``t``, ``driver``, ``rests``, ``extensions``...; see
    :mod:`transit._rules`); ``tests/test_reliability.py`` checks that they agree sample by sample.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        regime: Regime,
        vehicle: Vehicle,
        t0: np.ndarray,
        extensions: Sequence[float],
        waits: Mapping[int, float] | None = None,
        extended_days: frozenset[int] | None = None,
        rest_at_breaks: frozenset[int] = frozenset(),
    ) -> None:
        self.graph = graph
        self.regime = regime
        self.vehicle = vehicle
        self.rules: DriverRules = graph.graph["driver_rules"]
        self.n = len(t0)
        self.t = t0.copy()
        self.extended_days = extended_days
        self.rest_at_breaks = np.array(sorted(rest_at_breaks), dtype=np.int64)
        self.breaks = np.zeros(len(t0), dtype=np.int64)
        self.waits = waits or {}
        self.driver = _Crew(self.rules.crew(vehicle.drivers), self.n, extend_days=extended_days)
        self.rests = np.zeros(self.n, dtype=np.int64)
        self.extensions = np.array([*extensions, 0.0], dtype=float) if extensions else np.zeros(1)
        self.comp = {a: np.zeros(self.n) for a in ACTIVITIES}
        self.at_crossing: dict[str, np.ndarray] = {}
        self.passage: dict[str, np.ndarray] = {}
        self.reach: dict[str, np.ndarray] = {}
        self.t0 = t0.copy()
        self.crossed: list[str] = []
        self.all = np.ones(self.n, dtype=bool)

    def stop(self, mask: np.ndarray, stop: np.ndarray, rule: BreakRule) -> None:
        needed = np.maximum(np.round(self.driver.stop_needed_s(stop, rule)), 1.0)
        rest = mask & (stop != Stop.BREAK)
        self.rests += rest
        index = np.minimum(self.rests, len(self.extensions) - 1)
        needed = needed + np.where(rest & (self.rests < len(self.extensions) - 1), np.round(self.extensions[index]), 0.0)
        needed = np.where(mask, needed, 0.0)
        self.t += needed
        for code in Stop:
            self.comp[code.activity] += np.where(stop == code, needed, 0.0)
        self.driver.idle(needed, mask)

    def drive(self, step: Road, remaining_after_s: float, *, nonstop: bool = False) -> None:
        """Drive a road in every sample; ``nonstop`` (a crossing link) in one go, as the scalar engine does."""
        cap = self.vehicle.max_speed_kph
        speed = step.speed_kph if cap is None or cap >= step.speed_kph else cap
        total_s = max(round(step.km / speed * HOUR_S), 1)
        rule = step.rule
        driver = self.driver
        if nonstop:
            start = self.t.copy()
            self.t += total_s
            driver.drove(start, np.full(self.n, float(total_s)), rule, self.all)
            self.comp["driving"] += total_s
            return
        left = np.full(self.n, float(total_s))
        while True:
            check_cancelled()
            active = left > 0
            if not active.any():
                return
            allow, stop = driver.allowance(self.t, rule, left + remaining_after_s, active)
            chunk = np.where(allow < left, np.floor(allow), left)
            stopping = active & (chunk < 1)
            driving = active & (chunk >= 1)
            if stopping.any() and self.rest_at_breaks.size:
                due = stopping & (stop == Stop.BREAK)
                self.breaks += due
                rest = due & np.isin(self.breaks, self.rest_at_breaks)
                weekly = driver.periods >= driver.crew.weekly_after_periods
                stop = np.where(rest, np.where(weekly, Stop.WEEKLY_REST, Stop.DAILY_REST), stop)
            elif stopping.any():
                self.breaks += stopping & (stop == Stop.BREAK)
            if stopping.any():
                self.stop(stopping, stop, rule)
            if driving.any():
                chunk = np.where(driving, chunk, 0.0)
                start = self.t.copy()
                self.t += chunk
                driver.drove(start, chunk, rule, driving)
                left -= chunk
                self.comp["driving"] += chunk

    def cross(self, step: Cross, draws: Mapping[Any, Draw], index: int, remaining_after_s: float) -> None:
        crossing = step.crossing
        table = _openings(self.graph, self.regime, step)
        arrival = self.t
        rule, (queue_h, clearance_h, transshipment_h) = self._rules_in_force(step, table, arrival, draws, index)
        exit_rule = self.rules.break_rule(step.exit_country)
        driver = self.driver
        self.reach[crossing.id] = arrival - self.t0
        queued = arrival + np.maximum(np.round(queue_h * HOUR_S), round(self.waits.get(len(self.crossed), 0.0)))
        clearance_s = np.round(clearance_h * HOUR_S)
        if table.clock.always_open:
            ready, closed = queued, np.zeros(self.n)
            begin, done = ready, ready + clearance_s
        else:
            snap = table.cover(float(arrival.min()), float(queued.max()) + _ONE_GO_LIMIT_S + 2 * DAY_S)
            i = self._lookup(snap, queued, crossing.name)
            ready = np.maximum(snap.starts[i], queued)
            closed = (ready - arrival) - (snap.open_before(ready, i) - snap.open_before(arrival, snap.index(arrival)))
            begin, done = self._clear(table, ready, clearance_s, crossing.name)
        self.comp["queue"] += ready - arrival - closed
        self.comp["closed_wait"] += closed
        driver.idle(ready - arrival)
        driver.settle(exit_rule, self.all)  # the scalar simulator's look-ahead settles the queue here too
        # In the common case the formalities run in one go: a closed wait, then open time.
        self._formalities(table, ready, clearance_s, exit_rule, np.isnan(done), begin, crossing.name)
        self.at_crossing[crossing.id] = self.at_crossing.get(crossing.id, 0.0) + (self.t - arrival)
        driver.work(exit_rule, self.all)
        self.drive(step.link, remaining_after_s, nonstop=True)
        self.crossed.append(crossing.id)
        if not rule.admits(self.vehicle.registration, permits=self.vehicle.permits):
            moved = np.round(transshipment_h * HOUR_S)
            self.t = self.t + moved
            self.comp["transshipment"] += moved
            self.vehicle = self.vehicle.transshipped(step.entry_country)
            self.driver = _Crew(self.rules.crew(self.vehicle.drivers), self.n, extend_days=self.extended_days, days=self.driver.days)
            # the fresh truck may be held before it leaves, like a hold at the origin (the scalar Run's rest index)
            self.rests += 1
            slot = np.minimum(self.rests, len(self.extensions) - 1)
            hold = np.where(self.rests < len(self.extensions) - 1, np.round(self.extensions[slot]), 0.0)
            self.t = self.t + hold
            self.comp["closed_wait"] += hold
            self.driver.idle(hold)
        self.passage[crossing.id] = self.t - self.t0

    def _rules_in_force(self, step: Cross, table: _Openings, arrival: np.ndarray, draws: Mapping[Any, Draw], index: int) -> tuple[CrossingRule, Draw]:
        """
        :func:`transit._steps.rule_in_force` for every sample: the rule (one for all) and the delay hours per sample.

        Under a dated regime samples may reach the crossing under different dated rules; each takes its rule's draws
        (or medians). If the rules disagree on whether the vehicle drives on, the run splits (:class:`_Split`).
        """
        crossing = step.crossing
        regime = self.regime

        def hours(rule: CrossingRule, found: Draw | None) -> Draw:
            if found is not None:
                return found
            delays = (rule.queue[step.direction], rule.clearance[step.direction], rule.transshipment)
            q, c, t = (np.full(self.n, d.median_h) for d in delays)
            return (q, c, t)

        if not regime.dated:
            rule = regime.rule(crossing.id)
            if not rule.open_in(step.direction):
                raise NoRouteError(closed_to_freight(crossing.name, crossing.id, regime.id, why_closed(rule, step.direction)), blocking=[crossing.id])
            return rule, hours(rule, draws.get(index))
        snap = table.cover(float(arrival.min()), float(arrival.max()) + 2 * DAY_S)
        opens = np.maximum(snap.starts[self._lookup(snap, arrival, crossing.name)], arrival)
        segments = np.searchsorted(np.asarray(regime.segment_starts(crossing.id), dtype=float), np.asarray(opens, dtype=float), side="right") - 1
        kinds = [int(k) for k in np.unique(segments)]
        rules = {k: regime.segment_rule(crossing.id, k) for k in kinds}
        admitted = {k: r.admits(self.vehicle.registration, permits=self.vehicle.permits) for k, r in rules.items()}
        if len(set(admitted.values())) > 1:
            raise _Split(np.isin(segments, [k for k, yes in admitted.items() if yes]))
        out = tuple(np.empty(self.n) for _ in range(3))
        for k, rule in rules.items():
            mask = segments == k
            for target, values in zip(out, hours(rule, draws.get((index, k), draws.get(index))), strict=True):
                target[mask] = values[mask]
        return rules[kinds[0]], (out[0], out[1], out[2])

    @staticmethod
    def _lookup(snap: _Snapshot, t: np.ndarray, name: str) -> np.ndarray:
        i = snap.index(t)
        if (i >= len(snap.ends)).any():
            msg = f"crossing {name!r} does not open within the search horizon after the truck's arrival"
            raise NoRouteError(msg)
        return i

    def _clear(self, table: _Openings, ready: np.ndarray, clearance_s: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
        """
        :meth:`CrossingClock.work_in_one_go` for every sample: ``(begin, done)``.

        ``done`` is NaN where no opening within a fortnight is long enough: those samples split the formalities
        across closures (:meth:`_formalities`).
        """
        begin = ready.copy()
        probe = ready.copy()
        pending = np.ones(self.n, dtype=bool)
        split = np.zeros(self.n, dtype=bool)
        snap = table.cover(float(ready.min()), float(ready.max()) + _ONE_GO_LIMIT_S + 2 * DAY_S)
        for _ in range(60):
            j = snap.index(probe)
            if (j[pending] >= len(snap.ends)).any():
                snap = table.cover(float(ready.min()), float(probe[pending].max()) + _ONE_GO_LIMIT_S + 2 * DAY_S)
                j = np.where(pending, self._lookup(snap, probe, name), 0)
            start, end = snap.starts[j], snap.ends[j]
            first = np.maximum(start, ready)
            fits = pending & (end - first >= clearance_s)
            begin = np.where(fits, first, begin)
            split |= pending & ~fits & (end - ready > _ONE_GO_LIMIT_S)
            pending &= ~fits & ~split
            if not pending.any():
                break
            probe = np.where(pending, end, probe)
        split |= pending
        begin = np.where(split, ready, begin)
        return begin, np.where(split, np.nan, begin + clearance_s)

    def _formalities(
        self, table: _Openings, ready: np.ndarray, clearance_s: np.ndarray, rule: BreakRule, split: np.ndarray, begin: np.ndarray, name: str
    ) -> None:
        """
        Clear every sample: in one go from ``begin``, or split across closures where ``split`` (:meth:`CrossingClock.work`).

        Leaves each sample's clock at the end of its formalities.
        """
        driver = self.driver
        one_go = ~split
        driver.idle(begin - ready, one_go)
        self.comp["closed_wait"] += np.where(one_go, begin - ready, 0.0)
        self.comp["clearance"] += np.where(one_go, clearance_s, 0.0)
        driver.work(rule, one_go)
        t = ready.copy()
        left = np.where(split, clearance_s, 0.0)
        active = split.copy()
        while active.any():
            check_cancelled()
            snap = table.cover(float(t[active].min()), float(t[active].max()) + 2 * _ONE_GO_LIMIT_S)
            i = np.where(active, self._lookup(snap, np.where(active, t, t[active].min()), name), 0)
            start, end = snap.starts[i], snap.ends[i]
            wait = np.where(active & (start > t), start - t, 0.0)
            driver.idle(wait, active)
            self.comp["closed_wait"] += wait
            t = t + wait
            driver.work(rule, active)
            piece = np.where(active, np.minimum(end - t, left), 0.0)
            self.comp["clearance"] += piece
            t = t + piece
            left = left - piece
            active &= left > 0
        self.t = np.where(split, t, begin + clearance_s)


def simulate_many(
    graph: nx.MultiDiGraph,
    path: Sequence[Any],
    *,
    regime: Regime,
    vehicle: Vehicle,
    departure_s: float | np.ndarray,
    draws: Mapping[Any, Draw] | None = None,
    n: int | None = None,
    extensions: Sequence[float] = (),
    waits: Mapping[int, float] | None = None,
    extended_days: frozenset[int] | None = None,
    rest_at_breaks: frozenset[int] = frozenset(),
) -> Runs:
    """
    Simulate ``path`` for many samples at once.

    Parameters
    ----------
    graph
        The network.
    path
        Node ids (as in :attr:`Trip.path <transit.trip.Trip.path>`).
    regime
        Regime object.
    vehicle
        The vehicle at departure.
    departure_s
        POSIX seconds: one departure for all samples or one per sample.
    draws
        From :func:`draw_delays`; ``None`` uses the medians at every crossing.
    n
        Number of samples when neither ``draws`` nor ``departure_s`` gives it.
    extensions, waits, extended_days, rest_at_breaks
        A planned trip's plan (:attr:`Trip.plan <transit.trip.Trip.plan>`):
        holds and rest extensions, waits at crossings, extended driving days.
        Every sample follows the same plan.

    Returns
    -------
    Runs
    """
    path = tuple(path)
    draws = draws or {}
    sizes = {len(a) for d in draws.values() for a in d}
    if np.ndim(departure_s):
        sizes.add(len(cast("np.ndarray", departure_s)))  # an array when it has dimensions
    if n is not None:
        sizes.add(n)
    if len(sizes) > 1:
        msg = f"draws and departures disagree on the number of samples: {sorted(sizes)}; give departure_s, n and every draw the same length"
        raise InvalidArgumentError(msg)
    size = sizes.pop() if sizes else 1
    t0 = np.round(np.broadcast_to(np.asarray(departure_s, dtype=float), (size,)))
    try:
        return _simulate_many(graph, path, regime, vehicle, t0, draws, extensions, waits, extended_days, rest_at_breaks)
    except _Split as split:
        # Samples met dated rules that disagree on whether the truck drives on: simulate each group on its own.
        parts = [np.flatnonzero(split.mask), np.flatnonzero(~split.mask)]
        runs = [
            simulate_many(
                graph,
                path,
                regime=regime,
                vehicle=vehicle,
                departure_s=t0[rows],
                draws={k: (d[0][rows], d[1][rows], d[2][rows]) for k, d in draws.items()},
                extensions=extensions,
                waits=waits,
                extended_days=extended_days,
                rest_at_breaks=rest_at_breaks,
            )
            for rows in parts
        ]
        return _merge(runs, parts, size)


class _Split(Exception):  # control flow inside simulate_many, never seen by callers
    def __init__(self, mask: np.ndarray) -> None:
        super().__init__("split")
        self.mask = mask


def _merge(runs: Sequence[Runs], parts: Sequence[np.ndarray], size: int) -> Runs:
    """Put the runs of groups of samples back in sample order."""

    def join(arrays: Sequence[np.ndarray]) -> np.ndarray:
        out = np.zeros(size)
        for rows, values in zip(parts, arrays, strict=True):
            out[rows] = values
        return out

    def join_all(name: str) -> dict[str, np.ndarray]:
        keys = dict.fromkeys(k for run in runs for k in getattr(run, name))
        return {k: join([getattr(run, name).get(k, np.zeros(len(rows))) for run, rows in zip(runs, parts, strict=True)]) for k in keys}

    crossings = max((run.crossings for run in runs), key=len)
    return Runs(
        departure_s=join([r.departure_s for r in runs]),
        arrival_s=join([r.arrival_s for r in runs]),
        components_s=join_all("components_s"),
        crossing_s=join_all("crossing_s"),
        crossings=crossings,
        reach_s=join_all("reach_s"),
        passage_s=join_all("passage_s"),
    )


def _simulate_many(
    graph: nx.MultiDiGraph,
    path: tuple[Any, ...],
    regime: Regime,
    vehicle: Vehicle,
    t0: np.ndarray,
    draws: Mapping[Any, Draw],
    extensions: Sequence[float],
    waits: Mapping[int, float] | None,
    extended_days: frozenset[int] | None,
    rest_at_breaks: frozenset[int],
) -> Runs:
    size = len(t0)
    run = _Many(graph, regime, vehicle, t0, extensions, waits, extended_days, rest_at_breaks)
    if extensions and extensions[0] > 0:
        hold = float(round(extensions[0]))
        run.t += hold
        run.comp["closed_wait"] += hold
        run.driver.idle(np.full(size, hold))
    steps = compile_path(graph, path)
    remaining = remaining_driving(graph, path, steps, vehicle.max_speed_kph)
    for index, (step, rest_after) in enumerate(zip(steps, remaining, strict=True)):
        check_cancelled()
        if isinstance(step, Road):
            run.drive(step, rest_after)
        else:
            run.cross(step, draws, index, rest_after)
    return Runs(
        departure_s=t0,
        arrival_s=run.t,
        components_s=run.comp,
        crossing_s={k: np.broadcast_to(v, (size,)).copy() for k, v in run.at_crossing.items()},
        crossings=tuple(run.crossed),
        reach_s=run.reach,
        passage_s=run.passage,
    )
