"""
Drivers' hours: breaks, daily and weekly rest, one- and two-driver crews.

Two layers of rules, both read from ``routes/drivers.toml``:

* a **break rule** per country being driven (AETR: 45 min after 4.5 h of
  driving; China: 20 min after 4 h), and
* a **crew rule** that carries across borders because it is the same person
  at the wheel: daily driving limit, daily rest, the window in which the daily
  rest must be taken, and the weekly rest. Two-driver crews swap at the wheel
  instead of taking breaks and follow the AETR multi-manning limits.

:class:`DriverClock` is the small state machine the simulator drives. Any
stationary period in which the driver does no work (a queue or a closed
border) counts as a break or, if long enough, as a daily or weekly rest.

Examples
--------
>>> import transit
>>> rules = transit.load_network().graph["driver_rules"]
>>> rules.break_rule("CN").break_after_h, rules.break_rule("KG").break_after_h
(4.0, 4.5)
>>> rules.crew(2).daily_driving_h
18.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._pickle import reduce_frozen
from ._rules import RestLevel, Stop
from ._units import EPS, HOUR_S
from .datasets import read_toml, toml_number
from .errors import DataError

__all__ = ["BreakRule", "CrewRule", "DriverClock", "DriverRules", "load_driver_rules"]

# The stops' activity names, looked up once (the route search asks for them by the hundred thousand).
_BREAK, _DAILY_REST, _WEEKLY_REST = Stop.BREAK.activity, Stop.DAILY_REST.activity, Stop.WEEKLY_REST.activity


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakRule:
    """Continuous-driving limit of the country being driven."""

    id: str
    name: str
    break_after_h: float
    break_h: float
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CrewRule:
    """Limits that follow the crew across borders.

    Parameters
    ----------
    drivers
        Crew size this rule is for.
    daily_driving_h
        Driving allowed between two daily rests (both drivers together for a crew of two).
    daily_rest_h
        Length of a daily rest.
    duty_window_h
        The daily rest must be completed within this many hours of the end of
        the previous one (24 h for one driver, 30 h for a crew of two).
    weekly_after_periods
        Daily driving periods allowed before a weekly rest is due.
    weekly_rest_h
        Length of the weekly rest (the reduced rest taken away from base).
    breaks
        Whether the break rule applies (not for two drivers, who swap).
    extended_driving_h, extensions_per_week
        The longer driving day allowed a few times a week (AETR: 10 h twice).
    reduced_daily_rest_h, reduced_rests_per_week
        The shorter daily rest allowed a few times a week (AETR: 9 h three times).
    source
        Source ids or ESTIMATE.
    """

    drivers: int
    daily_driving_h: float
    daily_rest_h: float
    duty_window_h: float
    weekly_after_periods: int
    weekly_rest_h: float
    breaks: bool
    extended_driving_h: float = 0.0
    extensions_per_week: int = 0
    reduced_daily_rest_h: float = 0.0
    reduced_rests_per_week: int = 0
    source: str = ""

    def __post_init__(self) -> None:
        if not self.extended_driving_h:
            object.__setattr__(self, "extended_driving_h", self.daily_driving_h)
        if not self.reduced_daily_rest_h:
            object.__setattr__(self, "reduced_daily_rest_h", self.daily_rest_h)


@dataclass(frozen=True, kw_only=True)
class DriverRules:
    """Break rules by country plus crew rules by crew size."""

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)

    break_rules: Mapping[str, BreakRule]
    countries: Mapping[str, str]
    default_break_rule: str
    crews: Mapping[int, CrewRule]
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("break_rules", "countries", "crews"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def break_rule(self, country: str) -> BreakRule:
        """Return the break rule applied while driving in ``country``."""
        return self.break_rules[self.countries.get(country, self.default_break_rule)]

    def crew(self, drivers: int) -> CrewRule:
        """Return the crew rule for a crew of ``drivers``."""
        return self.crews[drivers]


def load_driver_rules(path: Path) -> DriverRules:
    """
    Read ``drivers.toml``.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    DriverRules

    Raises
    ------
    DataError
        Naming the table and key at fault.
    """
    file = path.name
    doc = read_toml(path)

    def number(table: Mapping[str, object], key: str, where: str, *, minimum: float = 0.0) -> float:
        return toml_number(table, key, file=file, where=where, minimum=minimum)

    break_rules = {}
    for rule_id, spec in doc.get("break_rules", {}).items():
        where = f"break_rules.{rule_id}"
        break_rules[rule_id] = BreakRule(
            id=rule_id,
            name=str(spec.get("name", rule_id)),
            break_after_h=number(spec, "break_after_h", where, minimum=0.5),
            break_h=number(spec, "break_h", where),
            source=str(spec.get("source", "")),
        )
    countries = {str(k): str(v) for k, v in doc.get("countries", {}).items()}
    default = str(doc.get("default_break_rule", ""))
    for country, rule_id in [*countries.items(), ("default_break_rule", default)]:
        if rule_id not in break_rules:
            msg = f"names break rule {rule_id!r}; known: {sorted(break_rules)}"
            raise DataError(msg, file=file, row="countries", column=country)
    crews = {}
    for key, spec in doc.get("crews", {}).items():
        where = f"crews.{key}"
        drivers = int(number(spec, "drivers", where, minimum=1))
        crews[drivers] = CrewRule(
            drivers=drivers,
            daily_driving_h=number(spec, "daily_driving_h", where, minimum=1),
            daily_rest_h=number(spec, "daily_rest_h", where, minimum=1),
            duty_window_h=number(spec, "duty_window_h", where, minimum=1),
            weekly_after_periods=int(number(spec, "weekly_after_periods", where, minimum=1)),
            weekly_rest_h=number(spec, "weekly_rest_h", where),
            breaks=bool(spec.get("breaks", True)),
            extended_driving_h=number(spec, "extended_driving_h", where, minimum=1) if "extended_driving_h" in spec else 0.0,
            extensions_per_week=int(number(spec, "extensions_per_week", where)) if "extensions_per_week" in spec else 0,
            reduced_daily_rest_h=number(spec, "reduced_daily_rest_h", where, minimum=1) if "reduced_daily_rest_h" in spec else 0.0,
            reduced_rests_per_week=int(number(spec, "reduced_rests_per_week", where)) if "reduced_rests_per_week" in spec else 0,
            source=str(spec.get("source", "")),
        )
        crew = crews[drivers]
        if crew.extended_driving_h < crew.daily_driving_h or crew.reduced_daily_rest_h > crew.daily_rest_h:
            msg = "extended_driving_h must be >= daily_driving_h and reduced_daily_rest_h <= daily_rest_h"
            raise DataError(msg, file=file, row=where, column="extended_driving_h")
        if crew.duty_window_h < crew.daily_rest_h + 1:
            msg = "duty_window_h must exceed daily_rest_h"
            raise DataError(msg, file=file, row=where, column="duty_window_h")
    for drivers in (1, 2):
        if drivers not in crews:
            raise DataError(f"needs a crew rule for {drivers} driver(s)", file=file, row="crews")
    return DriverRules(
        break_rules=break_rules,
        countries=countries,
        default_break_rule=default,
        crews=crews,
        source=str(doc.get("source", "")),
    )


class DriverClock:
    """Mutable hours-of-service state of one crew during a simulation.

    Twin of ``montecarlo._Crew`` (the same rules over an array of samples,
    same attribute names; see :mod:`transit._rules`); the parity tests in
    ``tests/test_drivers.py`` and ``tests/test_reliability.py`` hold them equal.

    All times are POSIX seconds. The simulator asks :meth:`allowance` before
    each stretch of driving, reports driving with :meth:`drove` and
    stationary time with :meth:`idle` (rest-eligible) or :meth:`work`
    (formalities, which interrupt a rest).

    Policy (earliest legal arrival): reduced daily rests are taken whenever
    the weekly allowance has some left. The extended driving day is used on
    the days a plan names (``extend_days``, chosen by the route search) or,
    without a plan, only when it lets the crew finish the trip's driving
    without another daily rest.

    Parameters
    ----------
    crew
        The crew rule.
    extend_days
        Duty days (numbered from 1 over the trip, see :attr:`days`) to drive
        the extended day on, while the week allows; ``None`` for the policy above.
    days
        Duty days begun before this crew took over (a transshipment hands the
        cargo to a new crew; the numbering goes on).
    """

    __slots__ = (
        "_day_s",
        "_duty_s",
        "_ext_s",
        "_max_ext",
        "_max_red",
        "_red_s",
        "_rest_s",
        "_week_s",
        "_weekly_after",
        "applied",
        "crew",
        "days",
        "duty_start",
        "extend_days",
        "extended_today",
        "extensions_used",
        "idle_s",
        "periods",
        "reductions_used",
        "since_break_s",
        "today_s",
    )

    def __init__(self, crew: CrewRule, *, extend_days: frozenset[int] | None = None, days: int = 0) -> None:
        self.crew = crew
        self.extend_days = extend_days
        self.days = days
        self.since_break_s = 0.0
        self.today_s = 0.0
        self.duty_start: float | None = None
        self.periods = 0
        self.idle_s = 0.0
        self.extensions_used = 0
        self.reductions_used = 0
        self.extended_today = False
        self.applied = RestLevel.NONE
        self._day_s = crew.daily_driving_h * HOUR_S
        self._ext_s = crew.extended_driving_h * HOUR_S
        self._rest_s = crew.daily_rest_h * HOUR_S
        self._red_s = crew.reduced_daily_rest_h * HOUR_S
        self._week_s = crew.weekly_rest_h * HOUR_S
        self._duty_s = crew.duty_window_h * HOUR_S
        self._max_ext = crew.extensions_per_week
        self._max_red = crew.reduced_rests_per_week
        self._weekly_after = crew.weekly_after_periods

    def clone(self) -> DriverClock:
        """Return an independent copy (the route search branches on it)."""
        # Attribute by attribute, not a loop over __slots__: the route search clones crews by the hundred thousand.
        new = DriverClock.__new__(DriverClock)
        new.crew, new.extend_days, new.days, new.applied = self.crew, self.extend_days, self.days, self.applied
        new.since_break_s, new.today_s, new.duty_start, new.idle_s = self.since_break_s, self.today_s, self.duty_start, self.idle_s
        new.periods, new.extensions_used, new.reductions_used = self.periods, self.extensions_used, self.reductions_used
        new.extended_today = self.extended_today
        new._day_s, new._ext_s, new._rest_s, new._red_s = self._day_s, self._ext_s, self._rest_s, self._red_s  # noqa: SLF001 - own class
        new._week_s, new._duty_s, new._max_ext = self._week_s, self._duty_s, self._max_ext  # noqa: SLF001 - own class
        new._max_red, new._weekly_after = self._max_red, self._weekly_after  # noqa: SLF001 - own class
        return new

    def day_number(self) -> int:
        """Return the number of the duty day in progress, or of the next one if none is (from 1 over the trip)."""
        return self.days if self.duty_start is not None else self.days + 1

    def window_slack_s(self, t: float) -> float:
        """Return how much more the crew could drive today had its duty day begun later (0 unless the duty window ends the day)."""
        if self.duty_start is None:
            return 0.0
        limit = self._ext_s if self.extended_today else self._day_s
        duty_left = self.duty_start + self._duty_s - self._rest_len_s() - t
        return max(limit - self.today_s - duty_left, 0.0)

    def rest_due(self) -> str:
        """Return the rest the crew would take now instead of a break: ``"weekly_rest"`` if one is due, else ``"daily_rest"``."""
        return _WEEKLY_REST if self.periods >= self._weekly_after else _DAILY_REST

    def _may_extend(self) -> bool:
        """Whether today may be an extended day: the week has one left and the plan (if any) names today."""
        return self.extensions_used < self._max_ext and (self.extend_days is None or self.day_number() in self.extend_days)

    def can_extend(self) -> bool:
        """Return whether today could still become an extended day (not yet extended, the week allows one more)."""
        return not self.extended_today and self.extensions_used < self._max_ext and self._ext_s > self._day_s

    def __repr__(self) -> str:
        return f"DriverClock(today_s={self.today_s:.0f}, since_break_s={self.since_break_s:.0f}, idle_s={self.idle_s:.0f}, periods={self.periods})"

    def _rest_len_s(self) -> float:
        return self._red_s if self.reductions_used < self._max_red else self._rest_s

    def _level(self, rule: BreakRule) -> RestLevel:
        """Return what the current stationary stretch amounts to."""
        idle = self.idle_s + EPS
        if idle >= self._week_s and self.periods > 0:
            return RestLevel.WEEKLY_REST
        if idle >= self._rest_s:
            return RestLevel.DAILY_REST
        if idle >= self._red_s and (self.reductions_used < self._max_red or self.applied == RestLevel.REDUCED_DAILY_REST):
            return RestLevel.REDUCED_DAILY_REST
        if idle >= rule.break_h * HOUR_S:
            return RestLevel.BREAK
        return RestLevel.NONE

    def settle(self, rule: BreakRule) -> None:
        """Apply the effect of the stationary stretch so far (idempotent; upgrades only)."""
        if self.idle_s <= 0.0:
            return
        level = self._level(rule)
        if level <= self.applied:
            return
        if level == RestLevel.WEEKLY_REST:
            self.periods = 0
            self.extensions_used = 0
            self.reductions_used = 0
            self._reset_day()
        elif level == RestLevel.DAILY_REST:
            if self.applied == RestLevel.REDUCED_DAILY_REST:
                self.reductions_used -= 1  # the stretch became a regular rest
            self._reset_day()
        elif level == RestLevel.REDUCED_DAILY_REST:
            self.reductions_used += 1
            self._reset_day()
        else:
            self.since_break_s = 0.0
        self.applied = level

    def rest_label(self, rule: BreakRule) -> str:
        """Return what the current stationary stretch counts as (``""`` if nothing)."""
        return self._level(rule).label

    def work(self, rule: BreakRule) -> None:
        """Record formalities: they end any rest in progress."""
        if self.idle_s > 0.0:
            self.settle(rule)
            self.idle_s = 0.0
            self.applied = RestLevel.NONE

    def _reset_day(self) -> None:
        self.today_s = 0.0
        self.since_break_s = 0.0
        self.duty_start = None
        self.extended_today = False

    def allowance(self, t: float, rule: BreakRule, *, remaining_s: float = math.inf) -> tuple[float, str]:
        """
        Return how long the crew may drive from ``t`` and the stop due after it.

        Parameters
        ----------
        t
            Now, POSIX seconds.
        rule
            Break rule of the country being driven.
        remaining_s
            Driving left in the whole trip (decides whether to use an extended day).

        Returns
        -------
        (seconds, stop)
            ``stop`` is ``"break"``, ``"daily_rest"`` or ``"weekly_rest"``.
            Zero seconds means the stop is due now.
        """
        if self.idle_s > 0.0:
            self.settle(rule)
        weekly_due = self.periods >= self._weekly_after
        if self.today_s <= EPS and weekly_due:
            return (0.0, _WEEKLY_REST)
        day_left = self.day_left_s(t, remaining_s=remaining_s)
        if self.crew.breaks:
            break_left = rule.break_after_h * HOUR_S - self.since_break_s
            if break_left < day_left:
                return (max(0.0, break_left), _BREAK)
        return (max(0.0, day_left), _WEEKLY_REST if weekly_due else _DAILY_REST)

    def day_left_s(self, t: float, *, remaining_s: float = math.inf) -> float:
        """Return the driving left in the duty day at ``t`` (the daily limit, extended or not, and the duty window), seconds."""
        today = self.today_s
        limit = self._day_s
        if self.extended_today:
            limit = self._ext_s
        elif self.extensions_used < self._max_ext:
            if self.extend_days is None:
                if today + remaining_s <= self._ext_s + EPS and remaining_s > limit - today:
                    limit = self._ext_s
            elif self.day_number() in self.extend_days:
                limit = self._ext_s
        day_left = limit - today
        if self.duty_start is not None:
            duty_left = self.duty_start + self._duty_s - self._rest_len_s() - t
            day_left = min(day_left, duty_left)
        return day_left

    def stop_needed_s(self, stop: str, rule: BreakRule) -> float:
        """Return how much longer than the current idle time a ``stop`` must last."""
        if stop == _BREAK:
            full = rule.break_h * HOUR_S
        elif stop == _DAILY_REST:
            full = self._rest_len_s()
        else:
            full = self._week_s
        return max(full - self.idle_s, 0.0)

    def idle(self, seconds: float) -> None:
        """Record stationary, rest-eligible time (a rest, a queue, a closed border)."""
        if seconds > 0.0:
            self.idle_s += seconds

    def drove(self, t_start: float, seconds: float, rule: BreakRule) -> None:
        """Record ``seconds`` of driving starting at ``t_start``."""
        if self.idle_s > 0.0:
            self.work(rule)
        if self.duty_start is None and self.today_s <= EPS:
            self.duty_start = t_start
            self.periods += 1
            self.days += 1
        self.today_s += seconds
        self.since_break_s += seconds
        if not self.extended_today and self.today_s > self._day_s + EPS and self._may_extend():
            # Past the daily limit: an extended day, if the week (and the plan) allows one. If not (a crossing's
            # link driven in one go ran over the limit), the day is simply over: the rest falls due at once.
            self.extended_today = True
            self.extensions_used += 1
