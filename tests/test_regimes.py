"""Regimes as data: resolution of defaults, pairs, crossings and sides; what-if copies."""

import textwrap

import pytest

import transit
from tests.conftest import crossing
from transit._regime_files import load_regime
from transit.errors import DataError
from transit.regimes import CountryClearance, Delay


def clearance(**values):
    return {
        c: CountryClearance(country=c, out=Delay(median_h=o, p90_h=2 * o), inbound=Delay(median_h=i, p90_h=2 * i)) for c, (o, i) in values.items()
    }


CROSSINGS = {"x": crossing("x", "KG", "CN", 75.0), "y": crossing("y", "KZ", "KG", 74.0)}
COUNTRIES = clearance(KG=(1.0, 2.0), CN=(4.0, 4.0), KZ=(3.0, 3.0))


def write(tmp_path, text, name="test.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


BASE = """
id = "test"
name = "test regime"
[permits.bilateral]
name = "bilateral"
[defaults]
through = { neighbours = "bilateral" }
clearance_median_h = 1.5
clearance_p90_h = 3.0
transshipment_median_h = 12.0
transshipment_p90_h = 24.0
"""


def test_defaults_split_country_sides_into_clearance_and_queue(tmp_path):
    regime = load_regime(write(tmp_path, BASE), crossings=CROSSINGS, country_clearance=COUNTRIES)
    rule = regime.rule("x")
    # KG out 1.0 + CN in 4.0 = 5.0: 1.5 h formalities, 3.5 h queue
    assert rule.clearance["KG>CN"].median_h == pytest.approx(1.5)
    assert rule.queue["KG>CN"].median_h == pytest.approx(3.5)
    assert rule.expected_delay_h("KG>CN") == pytest.approx(5.0)
    assert rule.expected_delay_h("CN>KG") == pytest.approx(6.0)  # CN out 4 + KG in 2
    assert rule.sides["KG>CN"][0].median_h == 1.0 and rule.sides["KG>CN"][1].median_h == 4.0
    assert dict(rule.through) == {"KG": "bilateral", "CN": "bilateral"}
    assert rule.admits("KG", permits=None) and not rule.admits("UZ", permits=None)
    assert not rule.admits("KG", permits=frozenset())


def test_later_rules_override_earlier_ones(tmp_path):
    text = (
        BASE
        + """
    [[rule]]
    pairs = [["CN", "KG"]]
    queue_median_h = 36.0
    queue_p90_h = 72.0
    through = {}
    reason = "no foreign trucks"

    [[rule]]
    crossings = ["x"]
      [rule.delays."KG>CN"]
      exit_side_median_h = 2.4
      exit_side_p90_h = 4.8
      source = "side figure"
    """
    )
    regime = load_regime(write(tmp_path, text), crossings=CROSSINGS, country_clearance=COUNTRIES)
    x, y = regime.rule("x"), regime.rule("y")
    assert x.queue["KG>CN"].median_h == 36.0 and x.queue["CN>KG"].median_h == 36.0
    assert dict(x.through) == {} and x.reason == "no foreign trucks"
    assert x.sides["KG>CN"][0].median_h == 2.4
    assert y.queue["KZ>KG"].median_h == pytest.approx(3.0 + 2.0 - 1.5)  # untouched by the CN-KG rule
    assert regime.rule("x").transshipment.median_h == 12.0


@pytest.mark.parametrize(
    ("extra", "column"),
    [
        ('[[rule]]\ncrossings = ["nowhere"]\n', "crossings"),
        ('[[rule]]\ncrossings = ["x"]\nthrough = { KG = "golden" }\n', "through"),
        ('[[rule]]\ncrossings = ["x"]\nqueue_median_h = 2.0\n', "queue_median_h"),
        ('[[rule]]\ncrossings = ["x"]\nqueue_median_h = 4.0\nqueue_p90_h = 2.0\n', "queue_p90_h"),
        ('[[rule]]\ncrossings = ["x"]\n[rule.delays."KG>UZ"]\nqueue_median_h = 1\nqueue_p90_h = 2\n', "delays"),
    ],
)
def test_malformed_regimes_name_the_rule_and_key(tmp_path, extra, column):
    with pytest.raises(DataError) as info:
        load_regime(write(tmp_path, BASE + extra), crossings=CROSSINGS, country_clearance=COUNTRIES)
    assert info.value.file == "test.toml"
    assert info.value.column == column
    assert "rule 1" in str(info.value)


def test_unknown_top_level_key_and_bad_toml(tmp_path):
    with pytest.raises(DataError, match="unknown key"):
        load_regime(write(tmp_path, BASE + "[[rule]]\ncrossings = ['x']\nspeed = 3\n"), crossings=CROSSINGS, country_clearance=COUNTRIES)
    with pytest.raises(DataError, match="not valid TOML"):
        load_regime(write(tmp_path, BASE + "[[rule]\n"), crossings=CROSSINGS, country_clearance=COUNTRIES)


def test_with_rule_returns_an_edited_copy(net):
    sco = transit.get_regime(net, "sco-2017")
    always = transit.PostSchedule.build(tz="Asia/Bishkek")
    what_if = sco.with_rule("torugart", schedules={"KG": always, "CN": always.__class__.build(tz="Asia/Shanghai")})
    assert what_if.id == "sco-2017+what-if"
    assert sco.rule("torugart").schedules == {} and what_if.rule("torugart").schedules
    friday = "2017-11-03T14:00"
    base = transit.plan_trip(net, "Bishkek", "Kashgar", regime=sco, departure=friday, via=["Torugart"])
    open_247 = transit.plan_trip(net, "Bishkek", "Kashgar", regime=what_if, departure=friday, via=["Torugart"])
    assert open_247.total_h < base.total_h - 24  # no weekend closure any more


def test_embedded_regimes_differ_where_the_data_says(net):
    pre, sco = transit.get_regime(net, "pre-2017"), transit.get_regime(net, "sco-2017")
    assert not pre.rule("irkeshtam").admits("KG", permits=None)
    assert sco.rule("irkeshtam").admits("KG", permits=None) and not sco.rule("irkeshtam").admits("UZ", permits=None)  # 20 Jan 2017
    later = transit.regime_on(net, "2018-03-05")  # Uzbek trucks into China from 25 Feb 2018, on the route permit
    assert later.rule("irkeshtam").admits("UZ", permits=None)
    assert not later.rule("irkeshtam").admits("UZ", permits=frozenset({"bilateral"}))
    assert pre.rule("irkeshtam").queue["CN>KG"].median_h > sco.rule("irkeshtam").queue["CN>KG"].median_h
    assert not pre.rule("kara-suu").open_to_freight and not sco.rule("kara-suu").open_to_freight
    for cid in net.graph["crossings"]:
        for direction in net.graph["crossings"][cid].directions:
            assert pre.rule(cid).expected_delay_h(direction) >= sco.rule(cid).expected_delay_h(direction) - 1e-9, (cid, direction)
