"""Opening schedules: weekdays, hours, holidays, seasons, time zones, joint opening of two posts."""

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from transit.clocks import CrossingClock
from transit.schedule import Hours, PostSchedule, Season

BJ = ZoneInfo("Asia/Shanghai")
KG = ZoneInfo("Asia/Bishkek")


def ts(year, month, day, hour, minute=0, tz=BJ):
    return datetime(year, month, day, hour, minute, tzinfo=tz).timestamp()


def local(t, tz=BJ):
    return datetime.fromtimestamp(t, tz)


def test_hours_parse_and_reject():
    assert Hours.parse("09:00-13:00").windows == ((540, 780),)
    assert Hours.parse(["16:30-20:00", "10:00-13:30"]).windows == ((600, 810), (990, 1200))
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        Hours.parse("9-13")
    with pytest.raises(ValueError, match="overlap"):
        Hours.parse(["09:00-13:00", "12:00-14:00"])
    with pytest.raises(ValueError, match="forward"):
        Hours.parse("18:00-09:00")


def test_season_wraps_year_end():
    winter = Season.parse("12-01", "04-20")
    assert winter.contains(date(2017, 12, 15)) and winter.contains(date(2018, 4, 20))
    assert not winter.contains(date(2018, 4, 21)) and not winter.contains(date(2017, 11, 30))


def test_weekend_closure_waits_until_monday():
    s = PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours="10:00-19:00")
    start, end = s.interval_at(ts(2017, 11, 3, 20), "in")  # Friday after closing
    assert local(start) == datetime(2017, 11, 6, 10, tzinfo=BJ)
    assert local(end) == datetime(2017, 11, 6, 19, tzinfo=BJ)


def test_holiday_closes_the_whole_day_in_local_time():
    s = PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours="10:00-19:00", holidays=["CN"])
    # 2 Oct 2017 (Monday) to 6 Oct are Chinese National Day holidays; Monday 9 Oct is the next open day.
    start, _ = s.interval_at(ts(2017, 10, 2, 9), "in")
    assert local(start).date() == date(2017, 10, 9)
    assert s.closed_reason(date(2017, 10, 4)).startswith("CN: ")


def test_seasonal_closure():
    s = PostSchedule.build(tz="Asia/Shanghai", hours="10:00-19:00", closures=[{"from": "12-01", "to": "04-20"}])
    start, _ = s.interval_at(ts(2017, 12, 10, 12), "in")
    assert local(start) == datetime(2018, 4, 21, 10, tzinfo=BJ)


def test_seasonal_hours_and_directional_hours():
    s = PostSchedule.build(
        tz="Asia/Shanghai",
        hours=["10:00-14:00", "16:00-19:30"],
        seasonal_hours=[{"from": "05-01", "to": "09-30", "hours": ["10:00-13:30", "16:30-20:00"]}],
    )
    assert s.hours_on(date(2017, 7, 3), "in").windows == ((600, 810), (990, 1200))
    assert s.hours_on(date(2017, 11, 3), "in").windows == ((600, 840), (960, 1170))
    d = PostSchedule.build(tz="Asia/Bishkek", hours="24h", hours_out="09:00-13:00", hours_in="14:00-18:00")
    assert d.hours_on(date(2017, 7, 3), "out").windows == ((540, 780),)
    assert d.hours_on(date(2017, 7, 3), "in").windows == ((840, 1080),)


def test_open_all_day_merges_across_midnight():
    s = PostSchedule.build(tz="Asia/Bishkek", weekdays="Mon-Fri", hours="24h")
    start, end = s.interval_at(ts(2017, 11, 1, 12, tz=KG), "out")  # Wednesday
    assert local(start, KG) == datetime(2017, 11, 1, 0, tzinfo=KG)
    assert local(end, KG) == datetime(2017, 11, 4, 0, tzinfo=KG)  # Saturday 00:00


def test_cn_kg_time_zones_intersect_in_absolute_time():
    cn = PostSchedule.build(tz="Asia/Shanghai", hours="10:00-19:00")  # 08:00-17:00 Bishkek time
    kg = PostSchedule.build(tz="Asia/Bishkek", hours="09:00-18:00")
    clock = CrossingClock(kg, cn)
    start, end = clock.interval_at(ts(2017, 11, 1, 5, tz=KG))
    assert (local(start, KG).hour, local(end, KG).hour) == (9, 17)
    # the same instants are 11:00 and 19:00 in Beijing
    assert (local(start).hour, local(end).hour) == (11, 19)


def test_work_consumes_only_open_time():
    s = PostSchedule.build(tz="Asia/Shanghai", hours=["10:00-14:00", "16:00-19:30"])
    clock = CrossingClock(s, PostSchedule.build(tz="Asia/Bishkek"))
    pieces = clock.work(ts(2017, 11, 1, 13), 2 * 3600)
    kinds = [(k, round((e - s_) / 3600, 2)) for k, s_, e in pieces]
    assert kinds == [("open", 1.0), ("closed", 2.0), ("open", 1.0)]


def test_never_open_is_a_lookup_error():
    s = PostSchedule.build(tz="Asia/Shanghai", closures=[{"from": "01-01", "to": "12-31"}])
    with pytest.raises(LookupError):
        s.interval_at(ts(2017, 11, 1, 12), "in")


def test_unknown_holiday_calendar_and_weekday_are_rejected():
    with pytest.raises(ValueError, match="holidays package"):
        PostSchedule.build(tz="Asia/Shanghai", holidays=["XX"])
    with pytest.raises(ValueError, match="weekday"):
        PostSchedule.build(tz="Asia/Shanghai", weekdays=["Funday"])
    with pytest.raises(ValueError, match="IANA"):
        PostSchedule.build(tz="Mars/Olympus")


def test_a_remembered_interval_answers_as_a_fresh_lookup():
    """interval_at remembers the intervals it found; every answer equals a fresh schedule's (no memory) where callers look."""
    rng = random.Random(3)  # noqa: S311 - seeded test cases, not cryptography
    hours = ["24h", "09:00-18:00", "00:00-13:00,13:00-24:00", "22:00-24:00", "00:00-06:00,20:00-24:00", "08:00-12:00,14:00-19:00"]
    zones = ["Asia/Shanghai", "Asia/Bishkek", "Europe/Moscow", "Asia/Tashkent"]
    t0 = datetime(2016, 12, 1, tzinfo=ZoneInfo("UTC")).timestamp()
    for case in range(12):
        spec = {
            "tz": rng.choice(zones),
            "weekdays": rng.choice(["daily", "Mon-Fri", "Mon-Sat", ["Tue", "Thu"]]),
            "hours": rng.choice(hours).split(","),
            "holidays": rng.choice([[], ["KG"], ["CN"]]),
            "closures": rng.choice([None, [{"from": "12-30", "to": "01-03"}]]),
        }
        remembering = PostSchedule.build(**spec)
        for _ in range(300):
            t = t0 + rng.uniform(0, 500) * 86400
            direction = rng.choice(["in", "out"])
            got = remembering.interval_at(t, direction)
            fresh = PostSchedule.build(**spec).interval_at(t, direction)
            assert got[1] == fresh[1], (case, spec, t)
            assert max(got[0], t) == max(fresh[0], t), (case, spec, t)  # a start before t may be an earlier day's
        assert sum(len(spans.table[0]) for spans in remembering._spans.values()) > 10  # it did remember


@pytest.mark.parametrize("regime", ["pre-2017", "sco-2017", "history"])
def test_a_crossing_clock_remembers_what_it_computes_afresh(regime):
    """A crossing's clock (dated pieces under history) answers from memory as it computes afresh, where callers look."""
    import transit
    from transit.lookup import get_regime

    net = transit.load_network()
    rules = get_regime(net, regime)
    rng = random.Random(11)  # noqa: S311 - seeded test cases, not cryptography
    t0 = datetime(2016, 10, 1, tzinfo=ZoneInfo("UTC")).timestamp()
    remembered = 0
    for crossing in net.graph["crossings"].values():
        a, b = crossing.countries
        for direction in (f"{a}>{b}", f"{b}>{a}"):
            clock = rules.clock(crossing, direction)
            times = [t0 + rng.uniform(0, 900) * 86400 for _ in range(40)]
            times += [t + rng.uniform(0, 3) * 86400 for t in times]  # near one another: answered from memory
            for t in times:
                try:
                    fresh = clock._interval_at(t)
                except LookupError as exc:
                    with pytest.raises(type(exc)):
                        clock.interval_at(t)
                    continue
                got = clock.interval_at(t)
                assert got[1] == fresh[1], (crossing.id, direction, t)
                assert max(got[0], t) == max(fresh[0], t), (crossing.id, direction, t)
                assert clock.next_open(t) == max(fresh[0], t)
            remembered += len(clock._spans.table[0])
    assert remembered > 100  # the clocks did remember
