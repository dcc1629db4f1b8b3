"""Comparisons across regimes, and the cost model."""

import math

import pytest

import transit
from tests.conftest import line_network, rule
from transit.comparison import TABLE_COLUMNS
from transit.cost import CostModel
from transit.regimes import Regime


def test_compare_table_has_one_row_per_regime_and_the_saving(net):
    cmp = transit.compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "history"], departure="2017-10-30T08:00", via=["Irkeshtam"])
    table = cmp.table
    assert list(table.index) == ["pre-2017", "history"]
    assert set(TABLE_COLUMNS) <= set(table.columns)
    pre, sco = cmp.trips["pre-2017"], cmp.trips["history"]
    assert table.loc["history", "saving_h"] == pytest.approx(pre.total_h - sco.total_h)
    assert table.loc["pre-2017", "saving_h"] == 0
    assert table.loc["history", "total_days"] == pytest.approx(sco.total_h / 24)
    assert table.loc["pre-2017", "transshipment_h"] > 0 and table.loc["history", "transshipment_h"] == 0
    assert pre.total_h > sco.total_h + 48  # the old regime costs days, not hours
    for regime in cmp.regimes:
        row = table.loc[regime]
        parts = row[["driving_h", "rest_h", "border_h", "transshipment_h", "closed_wait_h"]].sum()
        assert parts == pytest.approx(row["total_h"])
    assert cmp.to_dict()["saving_h"] == pytest.approx(round(cmp.saving_h, 2))


def test_compare_reports_a_regime_without_route_instead_of_failing():
    closed = Regime(id="closed", name="closed", rules={"x": rule("x", ("KG>CN", "CN>KG"), open_to_freight=False)})
    net = line_network(extra_regimes=(closed,))
    cmp = transit.compare(net, "west", "east", regimes=["toy", "closed"], departure="2017-11-01T08:00")
    assert "closed" in cmp.errors and "closed" not in cmp.trips
    assert math.isnan(cmp.table.loc["closed", "total_h"]) and "closed to international freight" in cmp.table.loc["closed", "status"]
    with pytest.raises(transit.NoRouteError):
        transit.compare(net, "west", "east", regimes=["closed"], departure="2017-11-01T08:00")


def test_each_regime_chooses_its_own_route(net):
    cmp = transit.compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "history"], departure="2017-10-30T08:00")
    assert cmp.trips["history"].crossings[0] == "irkeshtam"
    assert (
        cmp.trips["pre-2017"].total_h
        <= transit.plan_trip(net, "Kashgar", "Tashkent", regime="pre-2017", departure="2017-10-30T08:00", via=["Irkeshtam"]).total_h + 1e-9
    )


def test_cost_components():
    model = CostModel(usd_per_h=20, distance_usd_per_km={"KG": 2.0, "*": 1.0}, border_usd={"CN": 100, "*": 10}, transshipment_usd=500)
    cost = model.cost(km_by_country={"KG": 100, "CN": 50}, total_h=10, posts_passed=["KG", "CN"], transshipments=1)
    assert cost.distance_usd == 250 and cost.time_usd == 200 and cost.border_usd == 110 and cost.transshipment_usd == 500
    assert cost.total_usd == 1060 and cost.as_dict()["total_usd"] == 1060


def test_trip_cost_follows_the_timeline(net):
    trip = transit.plan_trip(net, "Kashgar", "Tashkent", regime="pre-2017", departure="2017-10-30T08:00", via=["Irkeshtam"])
    model = net.graph["cost_model"]
    expected = model.cost(
        km_by_country=trip.km_by_country,
        total_h=trip.total_h,
        posts_passed=[c for cid in trip.crossings for c in net.graph["crossings"][cid].countries],
        transshipments=len(trip.transshipments),
    )
    assert trip.cost_usd == pytest.approx(expected.total_usd)
    assert trip.cost.transshipment_usd == pytest.approx(2 * model.transshipment_usd)
