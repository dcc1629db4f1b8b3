"""Drivers' hours: the clock the simulator drives, and the embedded rules."""

import pytest

from tests.conftest import AETR_ONE_DRIVER
from transit.drivers import HOUR_S, BreakRule, DriverClock

AETR = BreakRule(id="aetr", name="AETR", break_after_h=4.5, break_h=0.75)
CN = BreakRule(id="cn", name="CN", break_after_h=4.0, break_h=1 / 3)
ONE = AETR_ONE_DRIVER
H = HOUR_S


def test_break_due_after_four_and_a_half_hours_aetr_or_four_in_china():
    clock = DriverClock(ONE)
    assert clock.allowance(0, AETR) == (4.5 * H, "break")
    assert clock.allowance(0, CN) == (4.0 * H, "break")
    clock.drove(0, 4.5 * H, AETR)
    assert clock.allowance(4.5 * H, AETR) == (0.0, "break")
    assert clock.stop_needed_s("break", AETR) == pytest.approx(0.75 * H)


def test_stationary_time_counts_as_break_then_rest():
    clock = DriverClock(ONE)
    clock.drove(0, 4.5 * H, AETR)
    clock.idle(0.5 * H)
    assert clock.allowance(5 * H, AETR)[1] == "break" and clock.stop_needed_s("break", AETR) == pytest.approx(0.25 * H)
    clock.idle(0.25 * H)
    assert clock.rest_label(AETR) == "break"
    assert clock.allowance(5.25 * H, AETR)[0] == 4.5 * H  # break and 9 h day both end 4.5 h later


def test_formalities_interrupt_a_rest():
    clock = DriverClock(ONE)
    clock.drove(0, 4.5 * H, AETR)
    clock.idle(0.5 * H)
    clock.work(AETR)  # 30 min of waiting, then clearance: not a break
    clock.idle(0.5 * H)
    assert clock.allowance(6 * H, AETR) == (0.0, "break")


def test_daily_limit_reduced_rests_and_extensions():
    clock = DriverClock(ONE)
    t = 0.0
    clock.drove(t, 4.5 * H, AETR)
    clock.idle(0.75 * H)
    t += 5.25 * H
    allowance, stop = clock.allowance(t, AETR, remaining_s=100 * H)
    assert (allowance, stop) == (4.5 * H, "daily_rest")  # 9 h a day; the 10 h day is kept for a trip's end
    allowance, _ = clock.allowance(t, AETR, remaining_s=5.5 * H)
    assert allowance == pytest.approx(4.5 * H)  # capped by the break rule ...
    clock.drove(t, 4.5 * H, AETR)
    clock.idle(0.75 * H)
    t += 5.25 * H
    assert clock.allowance(t, AETR, remaining_s=1.0 * H) == (1.0 * H, "daily_rest")  # ... then the 10 h day finishes the trip
    assert clock.allowance(t, AETR, remaining_s=3.0 * H)[0] == 0.0  # but not a trip that needs more
    assert clock.stop_needed_s("daily_rest", AETR) == pytest.approx(9 * H - 0.75 * H)  # reduced rest, topped up


def test_three_reduced_rests_a_week_then_regular_ones():
    clock = DriverClock(ONE)
    t = 0.0
    for day in range(4):
        clock.drove(t, 1 * H, AETR)
        needed = clock.stop_needed_s("daily_rest", AETR)
        clock.idle(needed)
        assert clock.allowance(t + 1 * H + needed, AETR)[0] > 0
        assert needed == pytest.approx((9 if day < 3 else 11) * H)
        t += 1 * H + needed


def test_duty_window_forces_the_daily_rest():
    clock = DriverClock(ONE)
    clock.drove(0, 1 * H, AETR)
    clock.idle(8 * H)  # waiting 8 h: a break, not a rest
    clock.work(AETR)
    assert clock.allowance(9 * H, AETR) == (4.5 * H, "break")
    clock.drove(9 * H, 4.5 * H, AETR)
    clock.idle(0.75 * H)
    # 5.5 h driven of 9, but the duty day began at 0 and a 9 h rest must end within 24 h: 0.75 h left
    assert clock.allowance(14.25 * H, AETR) == (pytest.approx(0.75 * H), "daily_rest")


def test_long_wait_counts_as_reduced_or_regular_rest():
    clock = DriverClock(ONE)
    clock.drove(0, 1 * H, AETR)
    clock.idle(10 * H)
    assert clock.rest_label(AETR) == "reduced daily rest"
    clock.idle(1 * H)
    assert clock.rest_label(AETR) == "daily rest"
    assert clock.allowance(12 * H, AETR, remaining_s=100 * H) == (4.5 * H, "break")


def test_weekly_rest_after_six_driving_periods():
    clock = DriverClock(ONE)
    t = 0.0
    for _ in range(6):
        clock.drove(t, 1 * H, AETR)
        rest = 11 * H
        clock.idle(rest)
        t += 1 * H + rest
    assert clock.allowance(t, AETR) == (0.0, "weekly_rest")
    clock.idle(clock.stop_needed_s("weekly_rest", AETR))
    assert clock.allowance(t + 24 * H, AETR)[0] > 0


def test_embedded_rules(net):
    rules = net.graph["driver_rules"]
    assert rules.break_rule("CN").break_after_h == 4.0
    assert rules.break_rule("KG").break_after_h == 4.5  # default (AETR)
    assert rules.crew(2).breaks is False and rules.crew(2).daily_rest_h == 9


def _driven(hours, *, extensions_used=0, extend_days=None):
    """A clock that drove ``hours`` today in one go (a crossing's link is driven without stopping)."""
    clock = DriverClock(ONE, extend_days=extend_days)
    clock.extensions_used = extensions_used
    clock.drove(0.0, hours * H, AETR)
    return clock


def test_running_over_the_daily_limit_gives_no_extension_the_week_lacks():
    # The week's two extended days are used: running 0.1 h over the 9 h limit (a border link) ends the day, it does
    # not open a tenth hour. Before, it did: more driving meant more allowance, and the route search (whose
    # dominance assumes the opposite) missed earlier arrivals (a FIFO violation, St Petersburg -> Aksu).
    over = _driven(9.1, extensions_used=2)
    assert not over.extended_today and over.extensions_used == 2
    assert over.allowance(9.1 * H, AETR)[0] == 0.0 and over.day_left_s(9.1 * H) < 0
    under = _driven(8.9, extensions_used=2)
    assert under.day_left_s(8.9 * H) > over.day_left_s(9.1 * H)  # less driving, never less of the day left
    # With an extended day left (and no plan), the run over the limit is that extended day.
    free = _driven(9.1)
    assert free.extended_today and free.extensions_used == 1
    assert free.day_left_s(9.1 * H) == pytest.approx(0.9 * H)


def test_a_plan_decides_which_days_are_extended():
    planned = _driven(9.1, extend_days=frozenset({1}))
    assert planned.extended_today and planned.extensions_used == 1
    unplanned = _driven(9.1, extend_days=frozenset({2}))
    assert not unplanned.extended_today and unplanned.day_left_s(9.1 * H) < 0
