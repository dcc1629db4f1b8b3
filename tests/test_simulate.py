"""The time-true simulation on toy networks built in code."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import transit
from tests.conftest import line_network, rule
from transit.regimes import Regime
from transit.schedule import PostSchedule

KG = ZoneInfo("Asia/Bishkek")
BJ = ZoneInfo("Asia/Shanghai")
PATH = ["west", "x-kg", "x-cn", "east"]


def hours(trip, activity):
    return trip.breakdown_h[activity]


def check_invariants(trip):
    """Timeline rows are contiguous, non-negative, and sum to the door-to-door time."""
    events = trip.events
    assert events[0].start == pytest.approx(trip.departure.timestamp())
    assert events[-1].end == pytest.approx(trip.arrival.timestamp())
    for a, b in itertools.pairwise(events):
        assert a.end == pytest.approx(b.start)
        assert a.end >= a.start
    assert trip.timeline["duration_h"].sum() == pytest.approx(trip.total_h)
    assert sum(trip.breakdown_h.values()) == pytest.approx(trip.total_h)
    assert trip.timeline["distance_km"].sum() == pytest.approx(trip.distance_km)


def test_open_crossing_drives_straight_through():
    net = line_network()
    trip = transit.simulate(net, PATH, regime="toy", departure="2017-11-01T08:00")
    check_invariants(trip)
    assert trip.distance_km == pytest.approx(201.0)
    assert hours(trip, "clearance") == pytest.approx(1.0)
    assert hours(trip, "closed_wait") == 0
    assert trip.arrival.tzinfo is not None and trip.arrival.utcoffset() == timedelta(hours=8)


def test_weekend_closure_waits_for_monday():
    weekdays = PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours="10:00-19:00")
    net = line_network(schedule_cn=weekdays)
    # Friday 3 Nov 2017, 15:00 Bishkek: at the border at 17:00 Bishkek = 19:00 Beijing, just closed.
    trip = transit.simulate(net, PATH, regime="toy", departure=datetime(2017, 11, 3, 15, tzinfo=KG))
    check_invariants(trip)
    waits = [e for e in trip.events if e.activity == "closed_wait"]
    assert waits and waits[0].end == datetime(2017, 11, 6, 10, tzinfo=BJ).timestamp()
    assert "weekend" in waits[0].note or "outside hours" in waits[0].note
    assert hours(trip, "closed_wait") == pytest.approx(63.0)


def test_holiday_closure_uses_the_countrys_calendar():
    holiday = PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours="10:00-19:00", holidays=["CN"])
    net = line_network(schedule_cn=holiday)
    trip = transit.simulate(net, PATH, regime="toy", departure="2017-10-02T06:00")  # Monday of Golden Week
    check_invariants(trip)
    wait = next(e for e in trip.events if e.activity == "closed_wait")
    assert datetime.fromtimestamp(wait.end, BJ) == datetime(2017, 10, 9, 10, tzinfo=BJ)
    assert "CN: " in wait.note
    without = transit.simulate(
        line_network(schedule_cn=PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours="10:00-19:00")),
        PATH,
        regime="toy",
        departure="2017-10-02T06:00",
    )
    assert without.total_h < trip.total_h - 24 * 5


def test_time_zone_offset_at_a_cn_kg_post():
    # CN post opens at 10:00 Beijing = 08:00 Bishkek. The truck arrives at 07:30 Bishkek: 30 min wait, not 2.5 h.
    cn = PostSchedule.build(tz="Asia/Shanghai", hours="10:00-19:00")
    net = line_network(schedule_cn=cn)
    trip = transit.simulate(net, PATH, regime="toy", departure=datetime(2017, 11, 1, 5, 30, tzinfo=KG))
    check_invariants(trip)
    assert hours(trip, "closed_wait") == pytest.approx(0.5)


def test_transshipment_when_the_regime_does_not_admit_the_vehicle():
    net = line_network(regime_rule=rule("x", ("KG>CN", "CN>KG"), through={"CN": "none"}, transshipment_h=6))
    trip = transit.simulate(net, PATH, regime="toy", departure="2017-11-01T08:00", vehicle=transit.Vehicle(registration="KG"))
    check_invariants(trip)
    assert trip.transshipments == ("x",)
    assert hours(trip, "transshipment") == pytest.approx(6)
    event = next(e for e in trip.events if e.activity == "transshipment")
    assert "KG-registered" in event.note and event.country == "CN"
    through = transit.simulate(net, PATH, regime="toy", departure="2017-11-01T08:00", vehicle=transit.Vehicle(registration="CN"))
    assert through.transshipments == ()
    # 6 h of transshipment saved, less the 20 min break the same Chinese driver now needs after 4 h
    assert through.total_h == pytest.approx(trip.total_h - 6 + 1 / 3, abs=1e-3)


def test_transshipment_hands_over_to_a_rested_driver():
    # 8.5 h of driving before the border: the same driver would need a daily rest soon after; a new one does not.
    net = line_network(km_before=425, km_after=300, regime_rule=rule("x", ("KG>CN", "CN>KG"), through={"CN": "none"}, transshipment_h=1))
    trip = transit.simulate(net, PATH, regime="toy", departure="2017-11-01T06:00", vehicle="KG")
    assert hours(trip, "daily_rest") == 0
    same_truck = transit.simulate(net, PATH, regime="toy", departure="2017-11-01T06:00", vehicle="CN")
    assert hours(same_truck, "daily_rest") > 0


def test_crossing_closed_under_one_regime_only():
    closed = Regime(id="closed", name="closed", rules={"x": rule("x", ("KG>CN", "CN>KG"), open_to_freight=False, reason="test closure")})
    net = line_network(extra_regimes=(closed,))
    assert transit.plan_trip(net, "west", "east", regime="toy", departure="2017-11-01T08:00").crossings == ("x",)
    with pytest.raises(transit.NoRouteError, match=r"X.*test closure") as info:
        transit.plan_trip(net, "west", "east", regime="closed", departure="2017-11-01T08:00")
    assert info.value.blocking == ("x",)
    with pytest.raises(transit.NoRouteError, match="closed to international freight"):
        transit.simulate(net, PATH, regime="closed", departure="2017-11-01T08:00")


def test_a_wait_at_the_border_counts_as_a_break():
    # 4 h to the border (no break due yet under AETR), then 3 h more: 7 h in a row needs a 45 min break ...
    open_net = line_network(km_before=200, km_after=150, regime_rule=rule("x", ("KG>CN", "CN>KG"), clearance_h=0.1))
    trip = transit.simulate(open_net, PATH, regime="toy", departure=datetime(2017, 11, 1, 6, tzinfo=KG))
    assert hours(trip, "break") > 0
    # ... unless the truck waits at least 45 min at a closed post on the way.
    late = PostSchedule.build(tz="Asia/Shanghai", hours="13:00-19:00")  # 11:00 Bishkek; arrival 10:00 Bishkek
    closed_net = line_network(km_before=200, km_after=150, schedule_cn=late, regime_rule=rule("x", ("KG>CN", "CN>KG"), clearance_h=0.1))
    waited = transit.simulate(closed_net, PATH, regime="toy", departure=datetime(2017, 11, 1, 6, tzinfo=KG))
    check_invariants(waited)
    assert hours(waited, "closed_wait") == pytest.approx(1.0)
    assert hours(waited, "break") == 0
    assert "counts as break" in next(e.note for e in waited.events if e.activity == "closed_wait")


def test_a_long_closed_wait_counts_as_daily_or_weekly_rest():
    weekdays = PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours="10:00-19:00")
    net = line_network(km_before=400, km_after=400, schedule_cn=weekdays)
    # 8 h of driving reaches the border on Tuesday evening; the night closure (14 h) is the driver's daily rest.
    trip = transit.simulate(net, PATH, regime="toy", departure=datetime(2017, 10, 31, 9, tzinfo=KG))
    check_invariants(trip)
    assert hours(trip, "daily_rest") == 0
    wait = next(e for e in trip.events if e.activity == "closed_wait")
    assert "counts as daily rest" in wait.note
    # On a Friday the weekend closure is longer than the weekly rest.
    friday = transit.simulate(net, PATH, regime="toy", departure=datetime(2017, 11, 3, 9, tzinfo=KG))
    assert hours(friday, "daily_rest") == 0 and hours(friday, "weekly_rest") == 0
    assert "counts as weekly rest" in next(e.note for e in friday.events if e.activity == "closed_wait")


def test_china_break_rule_applies_in_china():
    net = line_network(km_before=10, km_after=250)  # 5 h of driving in China
    trip = transit.simulate(net, PATH, regime="toy", departure="2017-11-01T08:00")
    brk = next(e for e in trip.events if e.activity == "break")
    assert brk.country == "CN" and brk.duration_h == pytest.approx(1 / 3, abs=1e-3)
    driving_before = sum(e.duration_h for e in trip.events if e.activity == "driving" and e.end <= brk.start)
    assert driving_before == pytest.approx(4.0, abs=0.01)


def test_two_driver_crew_needs_no_breaks_and_fewer_rests():
    net = line_network(km_before=500, km_after=500)  # 20 h of driving
    one = transit.simulate(net, PATH, regime="toy", departure="2017-11-01T06:00", vehicle=transit.Vehicle(registration="KG", drivers=1))
    two = transit.simulate(net, PATH, regime="toy", departure="2017-11-01T06:00", vehicle=transit.Vehicle(registration="KG", drivers=2))
    check_invariants(one)
    check_invariants(two)
    assert hours(one, "break") > 0 and hours(two, "break") == 0
    assert hours(one, "daily_rest") == pytest.approx(22)  # two 11 h rests for 20 h of driving
    assert hours(two, "daily_rest") == pytest.approx(9)
    assert two.total_h < one.total_h


def test_vehicle_speed_cap():
    net = line_network(speed_kph=80)
    fast = transit.simulate(net, PATH, regime="toy", departure="2017-11-01T08:00")
    capped = transit.simulate(net, PATH, regime="toy", departure="2017-11-01T08:00", vehicle=transit.Vehicle(registration="KG", max_speed_kph=40))
    assert capped.driving_h == pytest.approx(2 * fast.driving_h, rel=0.01)


@pytest.mark.parametrize(
    ("value", "expected_utc_hour"),
    [
        ("2017-11-01T08:00", 2),  # naive: local time at the origin (Bishkek, UTC+6)
        ("2017-11-01T08:00+08:00", 0),
        ("2017-11-01T02:00Z", 2),
        (datetime(2017, 11, 1, 8, 0), 2),  # noqa: DTZ001 - the naive case under test
        (datetime(2017, 11, 1, 8, 0, tzinfo=ZoneInfo("UTC")), 8),
    ],
)
def test_departure_forms(value, expected_utc_hour):
    trip = transit.simulate(line_network(), PATH, regime="toy", departure=value)
    assert trip.departure.utcoffset() == timedelta(hours=6)
    assert trip.departure.astimezone(ZoneInfo("UTC")).hour == expected_utc_hour


def test_later_departure_never_arrives_earlier_on_a_toy_network():
    # Weekday hours with a lunch break at the CN post, long roads on both sides: rests and closures interact.
    cn = PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours=["10:00-13:30", "16:30-19:00"], holidays=["CN"])
    kg = PostSchedule.build(tz="Asia/Bishkek", weekdays="Mon-Fri", hours="08:00-18:00")
    net = line_network(km_before=420, km_after=380, schedule_cn=cn, schedule_kg=kg)
    previous = None
    start = datetime(2017, 9, 27, 0, 0)  # noqa: DTZ001 - naive on purpose: local time at the origin
    for step in range(10 * 24 * 4):  # every 15 min for 10 days, across a weekend and Golden Week
        trip = transit.plan_trip(net, "west", "east", regime="toy", departure=start + timedelta(minutes=15 * step))
        if previous is not None:
            assert trip.arrival >= previous, f"departure {start + timedelta(minutes=15 * step)} arrives earlier"
        previous = trip.arrival
