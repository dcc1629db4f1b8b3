"""Issue 10 §2: bad input never changes a result silently; every error is a TransitError naming value, expectation and fix."""

from __future__ import annotations

import ast
import builtins
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

import transit
from transit.datasets import routes_dir
from transit.errors import ArgumentTypeError, DataError, InvalidArgumentError, InvalidVehicleError, TransitError, UnknownIdError
from transit.regimes import MAX_DELAY_H, Delay
from transit.schedule import PostSchedule

DEPART = "2017-10-30T08:00"


# -- the promise of errors.py ---------------------------------------------------------------------

BUILTIN_EXCEPTIONS = {name for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)}
#: (module path, exception, why): the only builtin raises allowed.
ALLOWED = {
    ("transit/__init__.py", "AttributeError"),  # module __getattr__ must raise AttributeError (PEP 562)
    ("transit/api/models.py", "ValueError"),  # pydantic validators raise ValueError; pydantic turns it into a 422 problem
}


def _raised_name(node: ast.Raise) -> str | None:
    exc = node.exc
    if isinstance(exc, ast.Call):
        exc = exc.func
    return exc.id if isinstance(exc, ast.Name) else None


def test_no_module_raises_a_builtin_exception():
    package = Path(transit.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        rel = f"transit/{path.relative_to(package).as_posix()}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=rel)):
            if isinstance(node, ast.Raise) and node.exc is not None:
                name = _raised_name(node)
                if name in BUILTIN_EXCEPTIONS and name != "NotImplementedError" and (rel, name) not in ALLOWED:
                    offenders.append(f"{rel}:{node.lineno} raises {name}")
    assert offenders == [], "raise a transit.errors class instead:\n" + "\n".join(offenders)


def test_the_ast_check_catches_a_bare_raise():
    tree = ast.parse("def f():\n    raise ValueError('x')\n")
    assert [_raised_name(n) for n in ast.walk(tree) if isinstance(n, ast.Raise)] == ["ValueError"]


def test_argument_type_errors_are_type_and_value_errors():
    assert issubclass(ArgumentTypeError, TypeError) and issubclass(ArgumentTypeError, ValueError)
    assert issubclass(UnknownIdError, KeyError) and issubclass(UnknownIdError, TransitError)


# -- dataset ---------------------------------------------------------------------------------------


def copy_routes(tmp_path):
    target = tmp_path / "routes"
    shutil.copytree(routes_dir(), target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_error(base) -> DataError:
    with pytest.raises(DataError) as info:
        transit.load_network(base)
    return info.value


@pytest.mark.parametrize("bad", ["Mon-Funday", "Montag-Freitag"])
def test_weekdays_are_parsed_strictly(tmp_path, bad):
    base = copy_routes(tmp_path)
    replace_in(base / "crossings.toml", 'weekdays = "Mon-Fri"', f'weekdays = "{bad}"')
    err = load_error(base)
    assert err.file == "crossings.toml" and err.column == "schedule"
    assert repr(bad) in str(err) and "'Mon-Fri'" in str(err)  # the value and an accepted form


@pytest.mark.parametrize(
    ("spec", "days"), [("Mon-Fri", {0, 1, 2, 3, 4}), ("Friday-Monday", {4, 5, 6, 0}), ("mon, WED", {0, 2}), (["Sun"], {6}), ("daily", set(range(7)))]
)
def test_weekdays_accepted_forms(spec, days):
    assert set(PostSchedule.build(tz="Asia/Bishkek", weekdays=spec).weekdays) == days


def test_alias_equal_to_another_place_is_refused(tmp_path):
    base = copy_routes(tmp_path)
    text = (base / "places.csv").read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if row.startswith("artux,"))
    old = next(row for row in text.splitlines() if row.startswith("artux,"))
    cells = old.split(",")
    cells[2] = "|".join(filter(None, [cells[2], "TASHKENT"]))
    replace_in(base / "places.csv", old, ",".join(cells))
    tashkent = next(n for n, row in enumerate(text.splitlines(), start=1) if row.startswith("tashkent,"))
    err = load_error(base)
    # the later of the two rows is refused, naming the earlier one
    assert (err.file, err.row, err.column) == ("places.csv", tashkent, "id")
    assert f"is also the alias of place 'artux' (row {line})" in str(err) and "remove or rename" in str(err)


def test_open_to_freight_must_be_a_toml_boolean(tmp_path):
    base = copy_routes(tmp_path)
    path = base / "regimes" / "sco-2017.toml"
    text = path.read_text(encoding="utf-8")
    assert "open_to_freight = false" in text
    path.write_text(text.replace("open_to_freight = false", 'open_to_freight = "no"', 1), encoding="utf-8")
    err = load_error(base)
    assert err.file == "sco-2017.toml" and err.column == "open_to_freight" and "'no'" in str(err) and "TOML boolean" in str(err)


@pytest.mark.parametrize("bad", ["-5", "0", '"fast"', "nan", "inf", "1000"])
def test_crossing_link_speed_is_checked(tmp_path, bad):
    base = copy_routes(tmp_path)
    replace_in(base / "dataset.toml", "crossing_link_speed_kph = 20.0", f"crossing_link_speed_kph = {bad}")
    err = load_error(base)
    assert (err.file, err.column) == ("dataset.toml", "crossing_link_speed_kph")
    assert "expected a number from 1 to 120" in str(err)


@pytest.mark.parametrize("bad", [-5, 0, "fast", math.nan])
def test_build_network_link_speed_is_checked(bad):
    with pytest.raises(InvalidArgumentError, match="link_speed_kph"):
        transit.build_network([], [], [], link_speed_kph=bad)


def test_unknown_country_in_regime_pairs(tmp_path):
    base = copy_routes(tmp_path)
    replace_in(base / "regimes" / "sco-2017.toml", 'pairs = [["KZ", "KG"], ["KZ", "RU"]]', 'pairs = [["KZ", "KG"], ["KZ", "RUS"]]')
    err = load_error(base)
    assert (err.file, err.row, err.column) == ("sco-2017.toml", "rule 1", "pairs")
    assert "'RUS'" in str(err) and "did you mean 'RU'" in str(err)


def _first_p90(text: str) -> str:
    import re

    return re.search(r"queue_p90_h = [0-9.]+", text).group(0)


def test_infinite_p90_is_refused(tmp_path):
    base = copy_routes(tmp_path)
    path = base / "regimes" / "sco-2017.toml"
    old = _first_p90(path.read_text(encoding="utf-8"))
    replace_in(path, old, "queue_p90_h = inf")
    err = load_error(base)
    assert err.column == "queue_p90_h" and "inf" in str(err) and "720" in str(err)


def test_unknown_place_in_a_route_sequence(tmp_path):
    base = copy_routes(tmp_path)
    replace_in(base / "routes.toml", '"Khorog", "Kalai-Khumb", "Kulob"', '"Khorog", "Kalai-Khum", "Kulob"')
    err = load_error(base)
    assert (err.file, err.row, err.column) == ("routes.toml", "route sco-3", "sequence")
    assert "'Kalai-Khum'" in str(err) and "did you mean 'Kalai-Khumb'" in str(err)


@pytest.mark.parametrize(
    ("old", "new", "key", "close"),
    [("link_km =", "link_kms =", "link_kms", "link_km"), ("schedule_source =", "schedule_src =", "schedule_src", "schedule_source")],
)
def test_unknown_keys_in_crossings_toml(tmp_path, old, new, key, close):
    base = copy_routes(tmp_path)
    replace_in(base / "crossings.toml", old, new)
    err = load_error(base)
    assert (err.file, err.column) == ("crossings.toml", key) and f"did you mean {close!r}" in str(err)


def test_csv_with_a_byte_order_mark_loads(tmp_path):
    base = copy_routes(tmp_path)
    for name in ("places.csv", "segments.csv"):
        (base / name).write_bytes(b"\xef\xbb\xbf" + (base / name).read_bytes())
    (base / "dataset.toml").write_bytes(b"\xef\xbb\xbf" + (base / "dataset.toml").read_bytes())
    net = transit.load_network(base)
    assert transit.plan_trip(net, "Kashgar", "Osh", departure=DEPART).total_h > 0


def test_invalid_utf8_names_file_and_line(tmp_path):
    base = copy_routes(tmp_path)
    data = (base / "places.csv").read_bytes()
    at = data.index(b"Kashgar")
    (base / "places.csv").write_bytes(data[:at] + b"Kash\xffgar" + data[at + len("Kashgar") :])
    err = load_error(base)
    assert err.file == "places.csv" and err.row == data.count(b"\n", 0, at) + 1
    assert f"byte offset {at + 4}" in str(err) and "UTF-8" in str(err)


def test_invalid_utf8_in_toml(tmp_path):
    base = copy_routes(tmp_path)
    (base / "dataset.toml").write_bytes((base / "dataset.toml").read_bytes() + b'\nnote = "\xc3("\n')
    err = load_error(base)
    assert err.file == "dataset.toml" and "not UTF-8" in str(err)


# -- Python API ------------------------------------------------------------------------------------


def test_unknown_permit_is_refused_with_close_match(net):
    with pytest.raises(InvalidVehicleError) as info:
        transit.plan_trip(net, "Kashgar", "Tashkent", departure=DEPART, vehicle=transit.Vehicle(permits=["SCO"]))
    assert "'SCO'" in str(info.value) and "did you mean 'sco'" in str(info.value) and "'bilateral'" in str(info.value)
    for call in (
        lambda v: transit.reliability(net, "Kashgar", "Osh", departure=DEPART, vehicle=v, samples=10, rng=1),
        lambda v: transit.compare(net, "Kashgar", "Osh", departure=DEPART, vehicle=v),
        lambda v: transit.matrix(net, origins=["Kashgar"], destinations=["Osh"], departure=DEPART, vehicle=v),
    ):
        with pytest.raises(InvalidVehicleError, match="'SCO'"):
            call(transit.Vehicle(permits=["SCO"]))


def test_known_permits_and_none_still_plan(net):
    a = transit.plan_trip(net, "Kashgar", "Tashkent", departure=DEPART, vehicle=transit.Vehicle(permits=["sco"]))
    b = transit.plan_trip(net, "Kashgar", "Tashkent", departure=DEPART, vehicle=transit.Vehicle(permits=()))
    assert a.total_h > 0 and b.total_h > 0


def test_a_what_if_regime_may_add_a_permit(net):
    import dataclasses

    from transit.regimes import Permit

    sco = transit.get_regime(net, "sco-2017")
    extra = dataclasses.replace(sco, id="custom", permits={**sco.permits, "tir": Permit(id="tir", name="TIR")})
    assert transit.plan_trip(net, "Kashgar", "Osh", regime=extra, departure=DEPART, vehicle=transit.Vehicle(permits=["tir"])).total_h > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"permits": 5}, "permits=5 must be a collection of permit ids"),
        ({"permits": [5]}, "not a permit id"),
        ({"max_speed_kph": "80"}, r"max_speed_kph='80' is not a number; expected a number from 5 to 150"),
        ({"max_speed_kph": math.nan}, "out of range"),
        ({"max_speed_kph": True}, "is not a number"),
    ],
)
def test_bad_vehicle_types(kwargs, match):
    with pytest.raises(InvalidVehicleError, match=match):
        transit.Vehicle(**kwargs)


@pytest.fixture(scope="module")
def rel(net):
    return transit.reliability(net, "Kashgar", "Osh", departure=DEPART, samples=200, rng=1)


@pytest.mark.parametrize("bad", ["90", None, math.nan, 101, -1])
def test_reliability_quantiles_are_checked(rel, bad):
    with pytest.raises(InvalidArgumentError, match=r"q=.*expected a number from 0 to 100"):
        rel.arrival_at(bad)
    with pytest.raises(InvalidArgumentError, match="q="):
        rel.percentile_h(bad)
    assert rel.arrival_at(90) >= rel.arrival_at(np.int64(50))


@pytest.fixture(scope="module")
def sco(net):
    return transit.get_regime(net, "sco-2017")


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"bogus": 1}, r"'bogus' is not a field of CrossingRule"),
        ({"open_to_fright": False}, r"did you mean 'open_to_freight'"),
        ({"open_to_freight": "no"}, r"open_to_freight='no' is not a boolean; expected True or False"),
        ({"schedules": {"KG": "x"}}, r"schedules\['KG'\]='x' .* is not a PostSchedule"),
        ({"transshipment": 5}, r"transshipment=5 .* is not a Delay; expected e.g. transshipment=Delay.fixed\(5\)"),
        ({"queue": {"KG>CN": Delay.fixed(1)}}, r"queue .* has directions \['KG>CN'\]; expected exactly"),
        ({"through": {"*": "SCO"}}, r"did you mean 'sco'"),
    ],
)
def test_with_rule_refuses_bad_changes(sco, changes, match):
    with pytest.raises(InvalidArgumentError, match=match):
        sco.with_rule("torugart", **changes)


def test_with_rule_schedules_for_another_country(sco):
    with pytest.raises(InvalidArgumentError, match=r"names \['UZ'\]; expected the crossing's countries \['CN', 'KG'\]"):
        sco.with_rule("torugart", schedules={"UZ": PostSchedule.build(tz="Asia/Tashkent")})


def test_with_rule_unknown_crossing(sco):
    with pytest.raises(UnknownIdError, match="did you mean 'torugart'") as info:
        sco.with_rule("torugartt", open_to_freight=False)
    assert isinstance(info.value, KeyError) and info.value.suggestions == ("torugart",)


def test_with_rule_good_changes_still_work(sco):
    closed = sco.with_rule("torugart", open_to_freight=False, transshipment=Delay.fixed(5))
    assert closed.rule("torugart").open_to_freight is False and closed.rule("torugart").transshipment.median_h == 5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"median_h": 1e5, "p90_h": 1e5}, "median_h=100000.0 is out of range; expected a number from 0 to 720"),
        ({"median_h": 1.0, "p90_h": math.inf}, "p90_h=inf is out of range"),
        ({"median_h": math.nan, "p90_h": 1.0}, "median_h=nan"),
        ({"median_h": "2", "p90_h": 3.0}, "median_h='2' is not a number"),
        ({"median_h": 3.0, "p90_h": 2.0}, "swap them"),
    ],
)
def test_delays_are_bounded(kwargs, match):
    with pytest.raises(InvalidArgumentError, match=match):
        Delay(**kwargs)
    assert Delay(median_h=MAX_DELAY_H, p90_h=MAX_DELAY_H).median_h == 720


def test_the_longest_delay_is_quick(net, sco):
    big = Delay(median_h=MAX_DELAY_H, p90_h=MAX_DELAY_H)
    slow = sco.with_rule("irkeshtam", queue=dict.fromkeys(sco.rule("irkeshtam").queue, big))
    trip = transit.plan_trip(net, "Kashgar", "Osh", regime=slow, departure=DEPART, via=["Irkeshtam"])
    assert trip.total_h > MAX_DELAY_H
    # Bounded work, not a timing: a 30-day queue is one stretch of waiting, not thousands of steps.
    assert len(trip.events) < 100 and trip.search is not None and trip.search.labels < 500


def test_a_huge_place_name_fails_fast(net, monkeypatch):
    import difflib

    name = "a" * 1_000_000
    compared: list[int] = []
    real = difflib.SequenceMatcher

    def counting(isjunk=None, a="", b="", autojunk=True):
        compared.append(max(len(a), len(b)))
        return real(isjunk, a, b, autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", counting)
    with pytest.raises(transit.UnknownPlaceError) as info:
        transit.plan_trip(net, "Kashgar", name, departure=DEPART)
    with pytest.raises(transit.UnknownPlaceError):
        transit.plan_trip(net, "Kashgar", "Osh", departure=DEPART, via=[name])
    # Bounded work, not a timing: the name is never compared with the known ones.
    assert all(size < 1_000 for size in compared)
    assert len(str(info.value)) < 300 and "1,000,000 characters" in str(info.value)


def test_crossing_post_of_another_country():
    from transit.crossings import Crossing, Post

    posts = tuple(
        Post(id=f"x-{c.lower()}", name=c, country=c, lon=70.0, lat=40.0, schedule=PostSchedule.build(tz="Asia/Bishkek")) for c in ("KG", "CN")
    )
    crossing = Crossing(id="x", name="X", posts=posts, link_km=1.0)
    with pytest.raises(UnknownIdError, match="expected one of its countries"):
        crossing.post("UZ")
    with pytest.raises(KeyError):
        crossing.direction_from("UZ")


def test_bad_rng_is_a_type_error_and_a_transit_error():
    from transit.delays import as_generator

    with pytest.raises(TypeError) as info:
        as_generator("abc")
    assert isinstance(info.value, TransitError)


def test_build_network_refuses_a_place_alias_that_names_another_place():
    from transit.model import Place

    a = Place(id="artux", name="Artux", country="CN", kind="town", lon=76.17, lat=39.71, tz="Asia/Shanghai", aliases=("Tashkent",))
    b = Place(id="tashkent", name="Tashkent", country="UZ", kind="city", lon=69.28, lat=41.31, tz="Asia/Tashkent")
    with pytest.raises(transit.DataError, match=r"'artux'.*'tashkent'|'tashkent'.*'artux'"):
        transit.build_network([a, b], [], [])
