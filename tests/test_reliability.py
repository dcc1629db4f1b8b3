"""Stochastic border delays, Monte Carlo trips, percentiles, departure profiles and OD matrices."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import transit
from tests.conftest import (
    FREE_COSTS,
    aetr_rules,
    crossing,
    line_network,
    place,
    rule,
    segment,
)
from transit.delays import Z90, as_generator, lognormal_sigma, quantile_h, sample_h
from transit.montecarlo import draw_delays, simulate_many
from transit.network import build_network
from transit.regimes import CrossingRule, Delay, Regime
from transit.schedule import PostSchedule
from transit.simulation import simulate_path
from transit.trip import ACTIVITIES

DEPARTURE = "2017-10-30T08:00"


def zero_spread(regime: Regime) -> Regime:
    """The same regime with every P90 set to its median: no uncertainty left."""

    def flat(d: Delay) -> Delay:
        return Delay(median_h=d.median_h, p90_h=d.median_h, source=d.source)

    rules = {
        cid: dataclasses.replace(
            r,
            queue={k: flat(v) for k, v in r.queue.items()},
            clearance={k: flat(v) for k, v in r.clearance.items()},
            transshipment=flat(r.transshipment),
        )
        for cid, r in regime.rules.items()
    }
    return dataclasses.replace(regime, id=f"{regime.id}-flat", rules=rules)


# -- distributions ---------------------------------------------------------------------------------


def test_lognormal_sample_median_and_p90_match_the_data():
    delay = Delay(median_h=3.0, p90_h=7.0)
    x = sample_h(delay, 10_000, np.random.default_rng(7))
    sigma = lognormal_sigma(delay)
    # Standard error of a sample median: 1 / (2 f(m) sqrt(n)) with f(m) = 1 / (m sigma sqrt(2 pi)).
    se_median = delay.median_h * sigma * math.sqrt(2 * math.pi) / 2 / math.sqrt(len(x))
    assert abs(np.median(x) - delay.median_h) < 4 * se_median  # about 3% here
    # P90: f(p90) = phi(z90) / (p90 sigma); se = sqrt(0.9 * 0.1 / n) / f(p90).
    f90 = math.exp(-(Z90**2) / 2) / math.sqrt(2 * math.pi) / (delay.p90_h * sigma)
    assert abs(np.quantile(x, 0.9) - delay.p90_h) < 4 * math.sqrt(0.09 / len(x)) / f90
    assert (x > 0).all()


def test_zero_median_delay_is_half_zero_and_ten_percent_beyond_p90():
    delay = Delay(median_h=0.0, p90_h=2.0)
    x = sample_h(delay, 20_000, np.random.default_rng(3))
    tol = 4 * math.sqrt(0.25 / len(x))
    assert abs(np.mean(x == 0) - 0.5) < tol
    assert abs(np.mean(x > 2.0) - 0.1) < 4 * math.sqrt(0.09 / len(x))
    assert quantile_h(delay, 0.9) == pytest.approx(2.0)


def test_fixed_and_empirical_delays():
    rng = np.random.default_rng(0)
    assert (sample_h(Delay.fixed(2.5), 100, rng) == 2.5).all()
    observed = [0.5, 1.0, 4.0, 12.0]
    x = sample_h(Delay.empirical(observed), 4_000, rng)
    assert set(np.unique(x)) == set(observed)
    with pytest.raises(ValueError, match="fixed delay has p90_h equal"):
        Delay(median_h=1, p90_h=2, distribution="fixed")
    with pytest.raises(ValueError, match="unknown delay distribution 'gamma'"):
        Delay(median_h=1, p90_h=2, distribution="gamma")
    with pytest.raises(ValueError, match="observed values"):
        Delay.empirical([])


def test_regime_toml_reads_distribution_kinds(tmp_path):
    from transit._regime_files import read_delay

    d = read_delay({"queue_values_h": [1, 2, 3], "queue_distribution": "empirical"}, "queue", file="f.toml", where="rule 1", source="s")
    assert d.distribution == "empirical" and d.median_h == 2.0
    d = read_delay({"queue_median_h": 2, "queue_distribution": "fixed"}, "queue", file="f.toml", where="rule 1", source="s")
    assert d.distribution == "fixed" and d.p90_h == 2.0
    with pytest.raises(transit.DataError, match="expected one of lognormal, fixed, empirical"):
        read_delay({"queue_median_h": 2, "queue_p90_h": 3, "queue_distribution": "normal"}, "queue", file="f.toml", where="rule 1", source="s")
    with pytest.raises(transit.DataError, match="queue_values_h"):
        read_delay({"queue_values_h": [1, -2], "queue_distribution": "empirical"}, "queue", file="f.toml", where="rule 1", source="s")


def test_rng_accepts_seeds_and_generators_and_leaves_global_state_alone():
    np.random.seed(123)  # noqa: NPY002 - the legacy global generator is what this test watches
    expected = np.random.random()  # noqa: NPY002 - as above
    np.random.seed(123)  # noqa: NPY002 - as above
    sample_h(Delay(median_h=1, p90_h=2), 100, as_generator(5))
    assert np.random.random() == expected  # noqa: NPY002 - as above
    gen = np.random.default_rng(1)
    assert as_generator(gen) is gen
    with pytest.raises(TypeError, match="rng='abc' is not a seed"):
        as_generator("abc")


# -- the vectorised simulator against the scalar one -----------------------------------------------

PAIRS = [("Kashgar", "Tashkent"), ("Tashkent", "Kashgar"), ("Korla", "Dushanbe"), ("Zhengzhou", "Chelyabinsk"), ("Urumqi", "Almaty")]


@pytest.mark.parametrize("regime", ["sco-2017", "pre-2017"])
@pytest.mark.parametrize("drivers", [1, 2])
def test_zero_spread_reproduces_the_deterministic_trip_exactly(net, regime, drivers):
    flat = zero_spread(transit.get_regime(net, regime))
    for origin, destination in PAIRS:
        trip = transit.plan_trip(net, origin, destination, regime=flat, departure="2017-10-27T14:00", vehicle={"drivers": drivers})
        rel = transit.reliability(
            net, origin, destination, regime=flat, departure="2017-10-27T14:00", vehicle={"drivers": drivers}, samples=50, rng=1
        )
        assert (rel.runs.arrival_s == trip.arrival.timestamp()).all(), (origin, destination)
        for activity in ACTIVITIES:
            assert rel.runs.components_s[activity] == pytest.approx(np.full(50, trip.breakdown_h[activity] * 3600), abs=1e-6)


@pytest.mark.parametrize("regime", ["sco-2017", "pre-2017"])
def test_every_sample_matches_the_scalar_simulator_with_the_same_delays(net, regime):
    reg = transit.get_regime(net, regime)
    for origin, destination in PAIRS:
        trip = transit.plan_trip(net, origin, destination, regime=regime, departure="2017-10-27T14:00")
        draws = draw_delays(net, trip.path, reg, 25, np.random.default_rng(11))
        runs = simulate_many(net, trip.path, regime=reg, vehicle=trip.vehicle, departure_s=trip.departure.timestamp(), draws=draws, **trip.plan)
        for i in range(25):
            one = {k: (v[0][i], v[1][i], v[2][i]) for k, v in draws.items()}
            scalar = simulate_path(net, trip.path, reg, trip.vehicle, trip.departure, **trip.plan, draws=one)
            assert runs.arrival_s[i] == scalar.arrival.timestamp(), (origin, destination, i)
            for activity in ACTIVITIES:
                assert runs.components_s[activity][i] == pytest.approx(scalar.breakdown_h[activity] * 3600, abs=1e-6)


def test_clearance_longer_than_any_opening_is_split_like_the_scalar_simulator():
    short_day = PostSchedule.build(tz="Asia/Shanghai", hours="10:00-12:00")
    net = line_network(schedule_cn=short_day, regime_rule=rule("x", ("KG>CN", "CN>KG"), clearance_h=3.0))
    reg = transit.get_regime(net, "toy")
    trip = transit.plan_trip(net, "west", "east", regime="toy", departure="2017-10-30T08:00")
    draws = draw_delays(net, trip.path, reg, 40, np.random.default_rng(2))
    runs = simulate_many(net, trip.path, regime=reg, vehicle=trip.vehicle, departure_s=trip.departure.timestamp(), draws=draws)
    assert (runs.components_s["clearance"] > 2 * 3600).any()  # some clearances need more than one opening
    for i in range(40):
        one = {k: (v[0][i], v[1][i], v[2][i]) for k, v in draws.items()}
        scalar = simulate_path(net, trip.path, reg, trip.vehicle, trip.departure, draws=one)
        assert runs.arrival_s[i] == scalar.arrival.timestamp()
        assert runs.components_s["closed_wait"][i] == pytest.approx(scalar.breakdown_h["closed_wait"] * 3600)


# -- time-true samples: the weekend spill-over -----------------------------------------------------


def two_crossing_network():
    """west (UZ) -- crossing a (24/7, uncertain queue) -- mid (KG) -- crossing b (CN post Mon-Fri 09:00-18:00) -- east (CN)."""
    west, mid, east = place("west", "UZ", 72.0), place("mid", "KG", 73.0), place("east", "CN", 75.0)
    a = crossing("a", "UZ", "KG", 72.5)
    b = crossing("b", "KG", "CN", 74.0, schedule_b=PostSchedule.build(tz="Asia/Shanghai", weekdays="Mon-Fri", hours="09:00-18:00"))
    (a_uz, a_kg), (b_kg, b_cn) = a.posts, b.posts
    segments = [
        segment("s1", ("west", 72.0, 40.0), (a_uz.id, a_uz.lon, 40.0), 50),
        segment("s2", (a_kg.id, a_kg.lon, 40.0), ("mid", 73.0, 40.0), 50),
        segment("s3", ("mid", 73.0, 40.0), (b_kg.id, b_kg.lon, 40.0), 50),
        segment("s4", (b_cn.id, b_cn.lon, 40.0), ("east", 75.0, 40.0), 50),
    ]
    rule_a = CrossingRule(
        crossing_id="a",
        through={"*": "none"},
        queue={d: Delay(median_h=1.0, p90_h=8.0) for d in a.directions},
        clearance={d: Delay.fixed(0.5) for d in a.directions},
    )
    rule_b = CrossingRule(
        crossing_id="b",
        through={"*": "none"},
        queue={d: Delay.fixed(0.0) for d in b.directions},
        clearance={d: Delay.fixed(1.0) for d in b.directions},
    )
    regime = Regime(id="toy", name="toy", rules={"a": rule_a, "b": rule_b})
    return build_network([west, mid, east], [a, b], segments, regimes=[regime], driver_rules=aetr_rules(), cost_model=FREE_COSTS, name="two")


def test_a_slow_first_crossing_pushes_samples_into_the_weekend_closure_at_the_second():
    net = two_crossing_network()
    # Friday 09:00 in Tashkent; with median delays the truck reaches b around 12:30 Beijing time and clears before 18:00.
    rel = transit.reliability(net, "west", "east", regime="toy", departure="2017-11-03T09:00", samples=5_000, rng=8)
    assert rel.trip.closed_wait_h == 0
    components = rel.components_h
    spilled = components["closed_wait"] >= 24  # only the weekend closes b for more than a night
    assert 0.02 < spilled.mean() < 0.6
    # It is the first crossing's queue that decides. Among trucks that reach b before Saturday's end, every one
    # that waited out the weekend queued longer at a than every one that did not.
    queue = components["queue"]
    same_day = queue < 24
    assert queue[spilled & same_day].min() > queue[~spilled & same_day].max()
    assert rel.percentile_h(95) > rel.trip.total_h + 48
    assert rel.percentile_h(50) < rel.trip.total_h + 6


# -- the public API -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kashgar_tashkent(net):
    return transit.reliability(net, "Kashgar", "Tashkent", regime="sco-2017", departure=DEPARTURE, via=["Irkeshtam"], samples=10_000, rng=42)


def test_percentiles_are_ordered_and_components_add_up(kashgar_tashkent):
    rel = kashgar_tashkent
    p = rel.percentiles_h
    assert list(p) == [50, 80, 90, 95]
    assert p[50] <= p[80] <= p[90] <= p[95]
    assert rel.samples_h.shape == (10_000,)
    assert sum(rel.breakdown_h.values()) == pytest.approx(rel.mean_h)
    assert rel.samples_h.min() >= rel.trip.driving_h  # never faster than the driving alone
    assert list(rel.crossings_h.index) == list(rel.trip.crossings)


def test_same_seed_same_samples_and_different_seed_different(net, kashgar_tashkent):
    again = transit.reliability(net, "Kashgar", "Tashkent", regime="sco-2017", departure=DEPARTURE, via=["Irkeshtam"], samples=10_000, rng=42)
    assert np.array_equal(again.samples_h, kashgar_tashkent.samples_h)
    other = transit.reliability(net, "Kashgar", "Tashkent", regime="sco-2017", departure=DEPARTURE, via=["Irkeshtam"], samples=10_000, rng=43)
    assert not np.array_equal(other.samples_h, kashgar_tashkent.samples_h)
    gen = transit.reliability(
        net, "Kashgar", "Tashkent", regime="sco-2017", departure=DEPARTURE, via=["Irkeshtam"], samples=10_000, rng=np.random.default_rng(42)
    )
    assert np.array_equal(gen.samples_h, kashgar_tashkent.samples_h)


def test_on_time_probability(kashgar_tashkent):
    rel = kashgar_tashkent
    assert rel.on_time_probability("2017-12-01T00:00") == 1.0
    assert rel.on_time_probability(rel.trip.departure) == 0.0
    p90 = rel.arrival_at(90)
    assert rel.on_time_probability(p90) >= 0.9
    # A naive deadline is local time at the destination (Tashkent, UTC+5).
    naive = p90.replace(tzinfo=None).isoformat()
    assert rel.on_time_probability(naive) == rel.on_time_probability(p90)
    with pytest.raises(transit.InvalidDepartureError, match="deadline 'soon'"):
        rel.on_time_probability("soon")


def test_sampled_regimes_keep_the_order_the_data_implies(net):
    cmp = transit.compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "sco-2017"], departure=DEPARTURE, via=["Irkeshtam"], samples=4_000, rng=5)
    table = cmp.table
    for column in ("p50_h", "p90_h", "p95_h"):
        assert column in table.columns
    # Pre-2017: day-long queues and transshipment at both crossings; its median is slower than the permit regime's P95.
    assert table.loc["pre-2017", "p50_h"] > table.loc["sco-2017", "p95_h"]
    assert table.loc["sco-2017", "p90_h"] >= table.loc["sco-2017", "p50_h"]
    again = transit.compare(
        net, "Kashgar", "Tashkent", regimes=["pre-2017", "sco-2017"], departure=DEPARTURE, via=["Irkeshtam"], samples=4_000, rng=5
    )
    assert again.table[["p50_h", "p90_h"]].equals(table[["p50_h", "p90_h"]])
    plain = transit.compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "sco-2017"], departure=DEPARTURE, via=["Irkeshtam"])
    assert "p50_h" not in plain.table.columns
    assert set(cmp.to_dict()["reliability"]) == {"pre-2017", "sco-2017"}


def test_best_p90_route_has_the_lowest_p90_among_candidates(net):
    rel = transit.reliability(net, "Kashgar", "Tashkent", regime="sco-2017", departure=DEPARTURE, samples=2_000, rng=3, route="best_p90")
    choice = rel.route_choice
    assert choice["chosen"].sum() == 1
    chosen = choice[choice["chosen"]].iloc[0]
    assert chosen["p90_h"] == choice["p90_h"].min()
    assert rel.percentile_h(90) == pytest.approx(chosen["p90_h"])
    assert chosen["route"] == " / ".join(rel.trip.crossings)
    with pytest.raises(ValueError, match="route='fastest' is not understood"):
        transit.reliability(net, "Kashgar", "Tashkent", departure=DEPARTURE, samples=10, route="fastest")


@pytest.mark.parametrize("samples", [0, -5, 2.5, True, 10**9])
def test_bad_sample_counts_are_refused_with_the_value(net, samples):
    with pytest.raises(ValueError, match=f"samples={samples!r}"):
        transit.reliability(net, "Kashgar", "Tashkent", departure=DEPARTURE, samples=samples)


# -- departure profile -----------------------------------------------------------------------------


def test_departure_profile_shows_the_weekend_and_golden_week(net):
    prof = transit.departure_profile(net, "Kashgar", "Tashkent", regime="sco-2017", start="2017-10-30", days=7, step_h=1, via=["Irkeshtam"])
    assert len(prof) == 7 * 24
    assert (prof["status"] == "ok").all()
    assert list(prof["weekday"].unique()) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    by_day = prof.groupby("weekday")["total_h"].min()
    # Irkeshtam is closed at weekends: no Saturday departure is as fast as the best midweek one.
    assert by_day["Sat"] > by_day["Wed"] + 12
    arrivals = prof["arrival"].map(lambda t: t.timestamp())
    assert (arrivals.diff().dropna() >= -1).all()  # leaving later never arrives earlier (to the second)
    golden = transit.departure_profile(net, "Kashgar", "Tashkent", regime="sco-2017", start="2017-09-30T10:00", days=1, step_h=24, via=["Irkeshtam"])
    assert golden["total_h"].iloc[0] > by_day["Sat"] + 24 * 5  # a Saturday before China's National Day week: held past it


def test_departure_profile_with_samples_and_bad_arguments(net):
    prof = transit.departure_profile(net, "Kashgar", "Osh", start="2017-10-30", days=1, step_h=12, samples=500, rng=1)
    assert (prof["p90_h"] >= prof["p50_h"]).all()
    with pytest.raises(ValueError, match="step_h=0"):
        transit.departure_profile(net, "Kashgar", "Osh", start="2017-10-30", step_h=0)
    with pytest.raises(ValueError, match="days=-1"):
        transit.departure_profile(net, "Kashgar", "Osh", start="2017-10-30", days=-1)


# -- OD matrix -------------------------------------------------------------------------------------


def test_matrix_covers_every_city_as_origin_and_destination(net):
    everyone = transit.odmatrix.cities(net)
    assert len(everyone) > 40
    to_tashkent = transit.matrix(net, everyone, ["Tashkent"], regime="sco-2017", departure=DEPARTURE)
    from_kashgar = transit.matrix(net, ["Kashgar"], everyone, regime="sco-2017", departure=DEPARTURE)
    for table in (to_tashkent, from_kashgar):
        assert len(table) == len(everyone) - 1
        assert list(table.columns) == list(transit.odmatrix.MATRIX_COLUMNS)
        ok = table["status"] == "ok"
        assert ok.all(), table.loc[~ok, ["origin", "destination", "status"]]
        assert (table["total_h"] > 0).all()
    row = from_kashgar.set_index("destination").loc["Almaty"]
    trip = transit.plan_trip(net, "Kashgar", "Almaty", regime="sco-2017", departure=DEPARTURE)
    assert row["total_h"] == pytest.approx(trip.total_h)
    assert row["route"] == " / ".join(trip.crossings)


def test_matrix_with_samples_is_reproducible_and_reports_blocked_pairs(net):
    m1 = transit.matrix(net, ["Kashgar", "Urumqi"], ["Osh", "Almaty"], regime="sco-2017", departure=DEPARTURE, samples=300, rng=9)
    m2 = transit.matrix(net, ["Kashgar", "Urumqi"], ["Osh", "Almaty"], regime="sco-2017", departure=DEPARTURE, samples=300, rng=9)
    assert m1.equals(m2)
    assert (m1["p90_h"] >= m1["p50_h"]).all() and (m1["p95_h"] >= m1["p90_h"]).all()
    closed = transit.get_regime(net, "sco-2017")
    for cid in closed.rules:
        closed = closed.with_rule(cid, open_to_freight=False)
    blocked = transit.matrix(net, ["Kashgar"], ["Osh"], regime=closed, departure=DEPARTURE)
    assert blocked["status"].iloc[0] != "ok" and math.isnan(blocked["total_h"].iloc[0])
    with pytest.raises(transit.UnknownPlaceError, match="Tashkend"):
        transit.matrix(net, ["Tashkend"], ["Osh"], departure=DEPARTURE)


def test_matrix_on_a_local_cluster_equals_the_serial_one(net):
    pytest.importorskip("distributed")
    places = ["Kashgar", "Urumqi", "Osh", "Bishkek", "Almaty", "Tashkent", "Dushanbe"]
    serial = transit.matrix(net, places, places, regime="sco-2017", departure=DEPARTURE, samples=50, rng=4)
    clustered = transit.matrix(net, places, places, regime="sco-2017", departure=DEPARTURE, samples=50, rng=4, scheduler="local")
    assert len(serial) == 42
    assert serial.equals(clustered)
    with pytest.raises(transit.InvalidArgumentError, match="scheduler=0"):
        transit.matrix(net, places, places, departure=DEPARTURE, scheduler=0)


def test_matrix_progress_bar_goes_to_stderr_only_when_asked(net, capsys):
    transit.matrix(net, ["Kashgar"], ["Osh", "Tashkent"], departure=DEPARTURE)
    assert capsys.readouterr().err == ""
    transit.matrix(net, ["Kashgar"], ["Osh", "Tashkent"], departure=DEPARTURE, progress=True)
    captured = capsys.readouterr()
    assert "2/2" in captured.err and captured.out == ""
