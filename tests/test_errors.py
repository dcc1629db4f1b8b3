"""Bad input gets a clear error naming the value, what was expected, and a fix."""

import shutil

import pytest

import transit
from transit.datasets import routes_dir
from transit.errors import DataError
from transit.model import node_id


def test_unknown_place_suggests_close_matches(net):
    with pytest.raises(transit.UnknownPlaceError) as info:
        transit.plan_trip(net, "Kashgar", "Tashkentt", departure="2017-10-30T08:00")
    err = info.value
    assert isinstance(err, KeyError) and isinstance(err, transit.TransitError)
    assert err.suggestions[0] == "Tashkent"
    assert str(err) == "unknown place 'Tashkentt'; did you mean 'Tashkent'? (see `transit places` for all names)"


def test_unknown_via_name(net):
    with pytest.raises(transit.UnknownPlaceError, match="Irkeshtam"):
        transit.plan_trip(net, "Kashgar", "Tashkent", departure="2017-10-30T08:00", via=["Irkestam"])


def test_names_are_matched_without_case_accents_or_punctuation(net):
    assert transit.resolve_place(net, "urumqi") == transit.resolve_place(net, "Ürümqi") == node_id("urumqi")
    assert transit.resolve_place(net, "ALMA-ATA") == node_id("almaty")


@pytest.mark.parametrize("bad", ["30/10/2017", "yesterday", "2017-13-01T08:00", 20171030])
def test_bad_departure(net, bad):
    with pytest.raises(transit.InvalidDepartureError) as info:
        transit.plan_trip(net, "Kashgar", "Tashkent", departure=bad)
    assert isinstance(info.value, ValueError)
    assert repr(bad) in str(info.value) or str(bad) in str(info.value)
    assert "2017-10-30T08:00" in str(info.value)  # shows an accepted form


def test_unknown_regime_lists_the_valid_ones(net):
    with pytest.raises(transit.UnknownRegimeError) as info:
        transit.compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "sco2017"], departure="2017-10-30T08:00")
    assert isinstance(info.value, ValueError)
    assert "'pre-2017', 'sco-2017'" in str(info.value) and "did you mean 'sco-2017'" in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"registration": "China"}, "ISO 3166-1"),
        ({"registration": "XX"}, "is not an ISO 3166-1 alpha-2 code"),
        ({"drivers": 3}, "expected 1 or 2"),
        ({"max_speed_kph": 500}, "out of range"),
        ({"permits": "sco"}, "collection of permit ids"),
    ],
)
def test_bad_vehicle(kwargs, match):
    with pytest.raises(transit.InvalidVehicleError, match=match) as info:
        transit.Vehicle(**kwargs)
    assert isinstance(info.value, ValueError)


def copy_routes(tmp_path):
    target = tmp_path / "routes"
    shutil.copytree(routes_dir(), target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "row", "column"),
    [
        ("places.csv", "kashgar,Kashgar,Kashi|喀什|Qeshqer,CN,city,75.9699", "kashgar,Kashgar,Kashi|喀什|Qeshqer,CN,city,east", 4, "lon"),
        ("places.csv", "Asia/Shanghai,,wiki-artux", "Asia/Shanghai,,wiki-artuxx", 5, "source"),
        ("places.csv", "kashgar,Kashgar,Kashi|喀什|Qeshqer,CN,city,", "kashgar,Kashgar,Kashi|喀什|Qeshqer,China,city,", 4, "country"),
        ("segments.csv", "cn-kashgar-artux,kashgar,artux,46,", "cn-kashgar-artux,kashgar,artuks,46,", 4, "to"),
        ("segments.csv", "cn-kashgar-artux,kashgar,artux,46,", "cn-kashgar-artux,kashgar,artux,4,", 4, "distance_km"),
        ("segments.csv", "cn-kashgar-artux,kashgar,artux,46,expressway", "cn-kashgar-artux,kashgar,artux,46,motorway", 4, "road_class"),
        ("speeds.csv", "KG,*,plain,55,", "KG,*,plain,fast,", 5, "speed_kph"),
    ],
)
def test_malformed_file_names_file_row_and_column(tmp_path, file, old, new, row, column):
    base = copy_routes(tmp_path)
    replace_in(base / file, old, new)
    with pytest.raises(DataError) as info:
        transit.load_network(base)
    err = info.value
    assert (err.file, err.row, err.column) == (file, row, column)
    assert file in str(err) and f"row {row}" in str(err) and column in str(err)


def test_estimate_without_method_is_rejected(tmp_path):
    base = copy_routes(tmp_path)
    replace_in(
        base / "waypoints.csv",
        "ESTIMATE: approximate position of Karakul village on the east shore of Lake Karakul (Pamir Highway); coordinates not found in a stored source",
        "ESTIMATE",
    )
    with pytest.raises(DataError, match="without the method"):
        transit.load_network(base)


def test_missing_dataset_directory(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        transit.load_network(tmp_path / "nowhere")
