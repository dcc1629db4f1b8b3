"""The scalar and vectorised twins of each rule agree step by step (see transit/_rules.py)."""

import numpy as np
import pytest

from tests.conftest import AETR_ONE_DRIVER, aetr_rules
from transit._rules import MESSAGES, RestLevel, Stop
from transit.drivers import HOUR_S, BreakRule, DriverClock
from transit.montecarlo import _Crew, _Openings
from transit.schedule import PostSchedule

AETR = BreakRule(id="aetr", name="AETR", break_after_h=4.5, break_h=0.75)
STATE = ("today_s", "since_break_s", "periods", "idle_s", "extensions_used", "reductions_used", "extended_today", "applied", "duty_start")


def test_crew_twins_share_attribute_names():
    scalar = {name for name in DriverClock.__slots__ if not name.startswith("_")}
    vector = {name for name in vars(_Crew(aetr_rules().crew(1), 1)) if not name.startswith("_")}
    assert scalar == vector
    for method in ("allowance", "stop_needed_s", "idle", "work", "drove", "settle"):
        assert hasattr(DriverClock, method) and hasattr(_Crew, method), method


@pytest.mark.parametrize("drivers", [1, 2])
def test_driver_clock_and_crew_agree_on_random_days(drivers):
    crew_rule = aetr_rules().crew(drivers)
    rng = np.random.default_rng(7)
    n, steps = 16, 120
    clocks = [DriverClock(crew_rule) for _ in range(n)]
    crew = _Crew(crew_rule, n)
    t = np.zeros(n)
    everyone = np.ones(n, dtype=bool)
    for _ in range(steps):
        remaining = rng.uniform(0, 40 * HOUR_S, n)
        allow, stop = crew.allowance(t, AETR, remaining, everyone)
        for i, clock in enumerate(clocks):
            seconds, name = clock.allowance(float(t[i]), AETR, remaining_s=float(remaining[i]))
            assert allow[i] == pytest.approx(seconds) and Stop(int(stop[i])).activity == name
        action = rng.integers(0, 3, n)
        amount = rng.uniform(0, 12 * HOUR_S, n)
        drive = (action == 0) & (allow > 0)
        amount = np.where(drive, np.minimum(amount, allow), amount)
        crew.drove(t, amount, AETR, drive)
        crew.idle(amount, action == 1)
        crew.work(AETR, action == 2)
        for i, clock in enumerate(clocks):
            if drive[i]:
                clock.drove(float(t[i]), float(amount[i]), AETR)
            elif action[i] == 1:
                clock.idle(float(amount[i]))
            elif action[i] == 2:
                clock.work(AETR)
        t = t + np.where(action == 2, 0.0, amount)
        needed = crew.stop_needed_s(stop, AETR)
        for i, clock in enumerate(clocks):
            assert needed[i] == pytest.approx(clock.stop_needed_s(Stop(int(stop[i])).activity, AETR))
            for name in STATE:
                value = getattr(clock, name)
                if name == "duty_start" and value is None:
                    assert np.isnan(crew.duty_start[i])
                else:
                    assert getattr(crew, name)[i] == pytest.approx(value), name


def test_crossing_clock_and_openings_agree():
    kg = PostSchedule.build(tz="Asia/Bishkek", weekdays="Mon-Fri", hours="09:00-18:00", holidays=["KG"])
    cn = PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Sat", hours="10:00-20:00", holidays=["CN"])
    from transit.clocks import CrossingClock

    clock = CrossingClock(exit=kg, entry=cn)
    start = 1_506_816_000.0  # 2017-10-01, inside China's golden week
    table = _Openings(clock).cover(start, start + 40 * 86_400)
    for t in np.linspace(start, start + 30 * 86_400, 97):
        i = int(table.index(np.array([t]))[0])
        assert (table.starts[i], table.ends[i]) == clock.interval_at(float(t))


def test_stop_and_rest_levels_are_the_shared_vocabulary():
    assert [s.activity for s in Stop] == ["break", "daily_rest", "weekly_rest"]
    assert [level.label for level in RestLevel] == ["", "break", "reduced daily rest", "daily rest", "weekly rest"]
    assert "closed to international freight" in MESSAGES["closed_to_freight"]


@pytest.mark.parametrize("plan", [None, frozenset({1}), frozenset({2})])
def test_twins_agree_when_a_drive_runs_over_the_daily_limit(plan):
    # A crossing's link is driven in one go and may run past the daily limit: both twins decide alike whether
    # that makes an extended day (only if the week has one left and the plan, if any, names the day).
    crew_rule = AETR_ONE_DRIVER
    rng = np.random.default_rng(11)
    n = 24
    used = rng.integers(0, crew_rule.extensions_per_week + 1, n)
    first = rng.uniform(7.5, 9.0, n) * HOUR_S
    over = rng.uniform(0.0, 1.5, n) * HOUR_S
    crew = _Crew(crew_rule, n, extend_days=plan)
    crew.extensions_used = used.copy()
    everyone = np.ones(n, dtype=bool)
    crew.drove(np.zeros(n), first, AETR, everyone)
    crew.drove(first, over, AETR, everyone)
    allow, _ = crew.allowance(first + over, AETR, np.full(n, 20 * HOUR_S), everyone)
    for i in range(n):
        clock = DriverClock(crew_rule, extend_days=plan)
        clock.extensions_used = int(used[i])
        clock.drove(0.0, float(first[i]), AETR)
        clock.drove(float(first[i]), float(over[i]), AETR)
        assert clock.extended_today == bool(crew.extended_today[i])
        assert clock.extensions_used == int(crew.extensions_used[i])
        assert clock.allowance(float(first[i] + over[i]), AETR, remaining_s=20 * HOUR_S)[0] == pytest.approx(allow[i])
    assert crew.extended_today.any() or plan == frozenset({2})
    assert (~crew.extended_today & (crew.today_s > crew_rule.daily_driving_h * HOUR_S)).any()
