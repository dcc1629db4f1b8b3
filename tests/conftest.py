"""Toy networks built in code, and the embedded network, for the tests."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

import transit
from transit.cost import CostModel
from transit.crossings import Crossing, Post
from transit.drivers import BreakRule, CrewRule, DriverRules
from transit.model import Place, Segment
from transit.network import build_network
from transit.regimes import CrossingRule, Delay, Regime
from transit.schedule import PostSchedule

TZ = {"KG": "Asia/Bishkek", "CN": "Asia/Shanghai", "UZ": "Asia/Tashkent", "KZ": "Asia/Almaty"}


def aetr_rules(*, cn_break: bool = True) -> DriverRules:
    """AETR-like rules built in code (no reduced rests or extended days unless asked)."""
    return DriverRules(
        break_rules={
            "aetr": BreakRule(id="aetr", name="AETR", break_after_h=4.5, break_h=0.75),
            "cn": BreakRule(id="cn", name="CN", break_after_h=4.0, break_h=1 / 3),
        },
        countries={"CN": "cn"} if cn_break else {},
        default_break_rule="aetr",
        crews={
            1: CrewRule(drivers=1, daily_driving_h=9, daily_rest_h=11, duty_window_h=24, weekly_after_periods=6, weekly_rest_h=24, breaks=True),
            2: CrewRule(drivers=2, daily_driving_h=18, daily_rest_h=9, duty_window_h=30, weekly_after_periods=6, weekly_rest_h=24, breaks=False),
        },
    )


#: One driver under AETR with its options: the extended day (10 h, twice a week) and the reduced rest (9 h, three times).
AETR_ONE_DRIVER = CrewRule(
    drivers=1,
    daily_driving_h=9,
    daily_rest_h=11,
    duty_window_h=24,
    weekly_after_periods=6,
    weekly_rest_h=24,
    breaks=True,
    extended_driving_h=10,
    extensions_per_week=2,
    reduced_daily_rest_h=9,
    reduced_rests_per_week=3,
)

FREE_COSTS = CostModel(usd_per_h=10.0, distance_usd_per_km={"*": 1.0}, border_usd={"*": 50.0}, transshipment_usd=300.0)


def place(pid: str, country: str, lon: float, lat: float = 40.0) -> Place:
    return Place(id=pid, name=pid.title(), country=country, kind="city", lon=lon, lat=lat, tz=TZ[country])


def crossing(
    cid: str,
    a: str,
    b: str,
    lon: float,
    *,
    lat: float = 40.0,
    schedule_a: PostSchedule | None = None,
    schedule_b: PostSchedule | None = None,
) -> Crossing:
    """A crossing between countries ``a`` (west) and ``b`` (east) at ``lon``."""
    post_a = Post(
        id=f"{cid}-{a.lower()}", name=f"{cid} ({a})", country=a, lon=lon - 0.005, lat=lat, schedule=schedule_a or PostSchedule.build(tz=TZ[a])
    )
    post_b = Post(
        id=f"{cid}-{b.lower()}", name=f"{cid} ({b})", country=b, lon=lon + 0.005, lat=lat, schedule=schedule_b or PostSchedule.build(tz=TZ[b])
    )
    return Crossing(id=cid, name=cid.title(), posts=(post_a, post_b), link_km=1.0)


def segment(sid: str, u: tuple[str, float, float], v: tuple[str, float, float], km: float, speed_kph: float = 50.0) -> Segment:
    return Segment(
        id=sid,
        u=u[0],
        v=v[0],
        distance_km=km,
        road_class="primary",
        terrain="plain",
        speed_kph=speed_kph,
        geometry=((u[1], u[2]), (v[1], v[2])),
        source="test",
    )


def rule(
    cid: str,
    directions: tuple[str, str],
    *,
    clearance_h: float = 1.0,
    queue_h: float = 0.0,
    open_to_freight: bool = True,
    through: Mapping[str, str] | None = None,
    transshipment_h: float = 6.0,
    reason: str = "",
) -> CrossingRule:
    return CrossingRule(
        crossing_id=cid,
        open_to_freight=open_to_freight,
        through=through if through is not None else {"*": "none"},
        queue={d: Delay(median_h=queue_h, p90_h=2 * queue_h) for d in directions},
        clearance={d: Delay(median_h=clearance_h, p90_h=2 * clearance_h) for d in directions},
        transshipment=Delay(median_h=transshipment_h, p90_h=2 * transshipment_h),
        reason=reason,
    )


def line_network(
    *,
    km_before: float = 100.0,
    km_after: float = 100.0,
    schedule_kg: PostSchedule | None = None,
    schedule_cn: PostSchedule | None = None,
    regime_rule: CrossingRule | None = None,
    speed_kph: float = 50.0,
    extra_regimes: tuple[Regime, ...] = (),
) -> object:
    """``west`` (KG) -- km_before -- crossing ``x`` (KG|CN) -- km_after -- ``east`` (CN)."""
    west = place("west", "KG", 74.0)
    east = place("east", "CN", 76.0)
    x = crossing("x", "KG", "CN", 75.0, schedule_a=schedule_kg, schedule_b=schedule_cn)
    kg_post, cn_post = x.posts
    segments = [
        segment("w", ("west", 74.0, 40.0), (kg_post.id, kg_post.lon, 40.0), km_before, speed_kph),
        segment("e", (cn_post.id, cn_post.lon, 40.0), ("east", 76.0, 40.0), km_after, speed_kph),
    ]
    regime = Regime(id="toy", name="toy", rules={"x": regime_rule or rule("x", x.directions)})
    return build_network(
        [west, east],
        [x],
        segments,
        regimes=[regime, *extra_regimes],
        driver_rules=aetr_rules(),
        cost_model=FREE_COSTS,
        name="line",
    )


@pytest.fixture(scope="session")
def net():
    """The embedded SCO network (loaded once; tests must not modify it)."""
    return transit.load_network()


#: The trip question the API tests send (``POST /trips``).
API_TRIP = {
    "origin": "Kashgar",
    "destination": "Tashkent",
    "via": ["Irkeshtam"],
    "regime": "history",
    "departure": "2017-10-30T08:00",
    "vehicle": {"registration": "UZ", "drivers": 1},
}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int | str, str, str]:
    """Run ``transit ARGS...`` in-process; return its exit code, stdout and stderr."""
    from transit.cli import main

    code: int | str | None = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code or 0, out.out, out.err


#: A small dated history for the tests, independent of the curated routes/timeline.toml: its events are made up to
#: exercise each kind of change at known moments (the sources are real ids of routes/sources.csv, cited only so the
#: file loads; the figures are not theirs).
TEST_TIMELINE = """
[[period]]
regime = "pre-2017"
from = 2010-01-01
to = 2017-01-20
source = "sco-in-force"

[[period]]
regime = "sco-2017"
from = 2017-01-20
source = "sco-in-force"

[[event]]
id = "dostuk-closed"
title = "Dostuk closed to freight"
from = 2010-06-14
to = 2017-09-05
crossings = ["dostuk"]
open_to_freight = false
reason = "closed by Uzbekistan"
source = "timesca-dostuk"

[[event]]
id = "dostuk-open"
title = "Dostuk open to freight"
from = 2017-09-05
crossings = ["dostuk"]
open_to_freight = true
source = "timesca-dostuk"

[[event]]
id = "kordai-queue"
title = "A queue at Kordai from counts"
from = 2017-10-10T18:00:00+06:00
to = 2017-12-15
crossings = ["kordai"]
queue_trucks = 400
capacity_trucks_per_day = 76
source = "fpri-2020"

[[event]]
id = "kordai-closed-2019"
title = "Kordai closed for a week, to the minute"
from = 2019-03-01T12:00:00+06:00
to = 2019-03-08T12:00:00+06:00
crossings = ["kordai"]
open_to_freight = false
reason = "test closure"
source = "fpri-2020"

[[event]]
id = "kg-cn-closed"
title = "China-Kyrgyzstan closed"
from = 2020-02-02
to = 2020-04-15
pairs = [["KG", "CN"]]
open_to_freight = false
reason = "test closure"
source = "fpri-2020"

[[event]]
id = "kg-cn-one-way"
title = "One way with trailer swaps"
from = 2020-04-15
to = 2022-12-16
pairs = [["KG", "CN"]]
one_way = "CN>KG"
transfer = "trailer"
transshipment_median_h = 6
transshipment_p90_h = 12
schedules = { KG = { weekdays = "Mon-Fri", hours = "09:00-21:00" } }
source = "fpri-2020"
[event.delays."CN>KG"]
exit_side_median_h = 20
exit_side_p90_h = 40
"""


@pytest.fixture(scope="session")
def history_dataset(tmp_path_factory: pytest.TempPathFactory):
    """A copy of the embedded dataset with :data:`TEST_TIMELINE` as its timeline."""
    import shutil

    from transit.datasets import routes_dir

    base = tmp_path_factory.mktemp("history") / "routes"
    shutil.copytree(routes_dir(), base)
    (base / "timeline.toml").write_text(TEST_TIMELINE, encoding="utf-8")
    return base


@pytest.fixture(scope="session")
def history_net(history_dataset):
    """The network of :func:`history_dataset`."""
    return transit.load_network(history_dataset)


def without_timeline(dataset, target):
    """Copy a dataset to ``target`` without its timeline.toml (default regime sco-2017: history needs the timeline); load it."""
    import re
    import shutil

    shutil.copytree(dataset, target)
    (target / "timeline.toml").unlink()
    toml = target / "dataset.toml"
    toml.write_text(re.sub(r'(?m)^default_regime = ".*"$', 'default_regime = "sco-2017"', toml.read_text(encoding="utf-8")), encoding="utf-8")
    return transit.load_network(target)
