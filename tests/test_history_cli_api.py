"""The dated history on the command line and over HTTP: `compare --dates`, `transit timeline`, `GET /timeline`, `/compare` departures.

Everything runs on ``history_net`` (the dataset with the made-up ``TEST_TIMELINE`` of conftest), so the expected events
are known whatever the curated ``routes/timeline.toml`` says.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math

import pytest

import transit
from tests.conftest import run_cli as run
from tests.conftest import without_timeline
from transit import cli

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from transit.api import create_app

DATES = ["2016-10-31T08:00", "2017-10-30T08:00", "2020-03-01T08:00", "2021-06-01T08:00"]
PROBLEM = "application/problem+json"


@pytest.fixture
def on_history(monkeypatch, history_net):
    """Point the command line at ``history_net`` (the CLI loads the embedded dataset otherwise)."""
    monkeypatch.setattr(cli, "load_network", lambda *args, **kwargs: history_net)
    return history_net


@pytest.fixture(scope="module")
def plain_net(tmp_path_factory, history_dataset):
    """The same dataset without a timeline."""
    return without_timeline(history_dataset, tmp_path_factory.mktemp("plain") / "routes")


@pytest.fixture(scope="module")
def client(history_net):
    return TestClient(create_app(history_net))


@pytest.fixture(scope="module")
def dated(history_net):
    """The library's answer to the question the CLI tests ask."""
    return transit.compare(history_net, "Tashkent", "Kashgar", regimes="history", departures=DATES, vehicle={"registration": "UZ"})


def problem(response, status, slug):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:transit:problem:{slug}"
    return body


# -- transit compare --dates -----------------------------------------------------------------------


def test_compare_dates_table_has_one_line_per_date_with_totals_route_and_savings(capsys, on_history, dated):
    code, out, err = run(capsys, "compare", "Tashkent", "Kashgar", "--dates", ",".join(DATES), "--regimes", "history", "--registration", "UZ")
    assert code == 0 and err == ""
    assert "Tashkent → Kashgar, 4 departure(s)" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("departure"))
    for column in ("regime", "total", "days", "border", "closed", "vs first", "vs previous", "crossings"):
        assert column in header
    assert "P50" not in header  # no samples, no percentiles
    table = dated.table
    for label, date in zip(dated.rows, DATES, strict=True):
        row = next(line for line in lines if line.startswith(date.replace("T", " ")))
        trip = dated.trips[label]
        assert " history " in row and f"{trip.total_h:,.1f} h" in row and f"{trip.total_days:.2f} d" in row
        assert row.endswith(" / ".join(trip.crossings))
        previous = table.loc[label, "saving_vs_previous_h"]
        if not math.isnan(previous):
            assert f"{previous:+,.1f} h".replace("-", "−") in row
    # The made-up closure of China-Kyrgyzstan (2 Feb to 15 Apr 2020) sends the 2020 truck round by Kazakhstan.
    assert "irkeshtam" not in dated.trips["2020-03-01 history"].crossings
    assert "irkeshtam" in dated.trips["2017-10-30 history"].crossings
    for label, texts in dated.warnings.items():  # warnings shown as for `transit profile`: each once, with its rows
        for text in texts:
            assert f"warning ({label}): {text}" in out


def test_compare_dates_json_is_the_comparison_body_and_csv_the_table(capsys, on_history, dated):
    code, out, _ = run(
        capsys, "compare", "Tashkent", "Kashgar", "--dates", ",".join(DATES), "--regimes", "history", "--registration", "UZ", "-f", "json"
    )
    body = json.loads(out)
    assert code == 0 and [r["row"] for r in body["rows"]] == list(dated.rows) == [f"{d[:10]} history" for d in DATES]
    assert body["departures"] == [d.isoformat() for d in dated.departures] and body["departures"][0] == "2016-10-31T08:00:00+05:00"
    totals = [r["total_h"] for r in body["rows"]]
    assert totals == pytest.approx([dated.trips[r].total_h for r in dated.rows])
    assert [r["saving_vs_previous_h"] for r in body["rows"][1:]] == pytest.approx([a - b for a, b in itertools.pairwise(totals)])
    code, out, _ = run(
        capsys, "compare", "Tashkent", "Kashgar", "--dates", ",".join(DATES), "--regimes", "history", "--registration", "UZ", "-f", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["scenario"] for r in rows] == list(dated.rows)
    assert [r["route"] for r in rows] == [" / ".join(dated.trips[r].crossings) for r in dated.rows]
    assert float(rows[2]["saving_vs_previous_h"]) == pytest.approx(dated.table["saving_vs_previous_h"].iloc[2], abs=0.01)
    assert "warnings" in rows[0]


def test_compare_dates_default_to_the_default_regime_and_bare_dates_mean_local_midnight(capsys, on_history):
    code, out, _ = run(capsys, "compare", "Tashkent", "Kashgar", "--dates", "2017-10-30, 2024-06-03", "--format", "json")
    body = json.loads(out)
    default = on_history.graph["default_regime"]
    assert code == 0 and [r["row"] for r in body["rows"]] == [f"2017-10-30 {default}", f"2024-06-03 {default}"]
    assert body["departures"] == ["2017-10-30T00:00:00+05:00", "2024-06-03T00:00:00+05:00"]
    import typer

    command = typer.main.get_command(cli.app).commands["compare"]  # the help as declared (--help wraps it to the terminal)
    help_text = next(p.help for p in command.params if p.name == "dates")
    assert "local midnight" in help_text and "2016-10-31T08:00" in help_text and "--depart" in help_text


def test_compare_dates_with_samples_adds_the_percentiles_of_each_row(capsys, on_history, history_net):
    dates = "2017-10-30T08:00,2020-03-01T08:00"
    code, out, _ = run(capsys, "compare", "Tashkent", "Kashgar", "--dates", dates, "--regimes", "history", "--samples", "200", "--seed", "4")
    cmp = transit.compare(history_net, "Tashkent", "Kashgar", regimes="history", departures=dates.split(","), samples=200, rng=4)
    assert code == 0 and "P50" in out and "P90" in out and "200 samples" in out and "seed 4" in out
    for label in cmp.rows:
        row = next(line for line in out.splitlines() if line.startswith(label[:10]))
        assert f"{cmp.table.loc[label, 'p50_h']:,.1f} h" in row and f"{cmp.table.loc[label, 'p90_h']:,.1f} h" in row


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dates", "2016-10-31", "--depart", "2017-10-30T08:00"], "give --depart (one departure) or --dates"),
        (["--dates", " , "], "--dates ' , ' lists no dates"),
        (["--dates", "2016-10-31,31/10/2017"], "--dates item '31/10/2017' is not an ISO 8601"),
        (["--dates", "2016-10-31T08:00,2016-10-31T08:00"], "give one time twice"),
        (["--dates", "2016-10-31,2024-06-03", "--regimes", "histroy"], "did you mean 'history'"),
    ],
)
def test_compare_dates_errors_are_one_line_with_exit_code_2(capsys, on_history, args, message):
    code, out, err = run(capsys, "compare", "Tashkent", "Kashgar", *args)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


# -- transit timeline ------------------------------------------------------------------------------


def timeline_ids(capsys, *args):
    code, out, err = run(capsys, "timeline", *args, "--format", "json")
    assert code == 0, err
    return [e["id"] for e in json.loads(out)["events"]]


def test_timeline_table_lists_the_periods_and_every_event_with_its_sources(capsys, on_history):
    code, out, err = run(capsys, "timeline")
    assert code == 0 and err == ""
    assert "2010-01-01  –  2017-01-20  pre-2017" in out and "2017-01-20  –  (open)      sco-2017" in out
    for event in on_history.graph["timeline"].events:
        assert f"  {event.id}  [{event.status}]  {', '.join(event.crossings)}" in out
        assert f"    {event.title}" in out
    assert "2020-02-02 → 2020-04-15  kg-cn-closed  [closed]  irkeshtam, torugart" in out
    assert "changes: one_way = CN>KG; transfer = trailer" in out
    sources = on_history.graph["sources"]
    assert f"sources: timesca-dostuk ({sources['timesca-dostuk'].title}, {sources['timesca-dostuk'].url})" in out


def test_timeline_filters_by_crossing_country_and_dates(capsys, on_history):
    assert timeline_ids(capsys) == ["dostuk-closed", "dostuk-open", "kordai-queue", "kordai-closed-2019", "kg-cn-closed", "kg-cn-one-way"]
    assert timeline_ids(capsys, "--crossing", "irkeshtam") == ["kg-cn-closed", "kg-cn-one-way"]
    assert timeline_ids(capsys, "--crossing", "Ak-Zhol") == ["kordai-queue", "kordai-closed-2019"]  # a post's name
    assert timeline_ids(capsys, "--country", "kz") == ["kordai-queue", "kordai-closed-2019"]
    assert timeline_ids(capsys, "--country", "UZ") == ["dostuk-closed", "dostuk-open"]
    assert timeline_ids(capsys, "--from", "2018-01-01", "--to", "2019-12-31") == ["dostuk-open", "kordai-closed-2019"]  # open-ended
    # In force some time in [from, to]; `to` of an event is exclusive: Dostuk reopened on 5 Sep 2017.
    assert timeline_ids(capsys, "--crossing", "dostuk", "--from", "2017-09-04", "--to", "2017-09-04") == ["dostuk-closed"]
    assert timeline_ids(capsys, "--crossing", "dostuk", "--from", "2017-09-05") == ["dostuk-open"]
    assert timeline_ids(capsys, "--crossing", "kordai", "--to", "2017-10-09") == []
    assert timeline_ids(capsys, "--country", "KG", "--to", "2020-02-01") == ["dostuk-closed", "dostuk-open", "kordai-queue", "kordai-closed-2019"]
    assert timeline_ids(capsys, "--country", "KG", "--from", "2020-02-02", "--to", "2020-02-02") == ["dostuk-open", "kg-cn-closed"]


def test_timeline_csv_and_json_carry_every_field_and_resolved_sources(capsys, on_history):
    code, out, _ = run(capsys, "timeline", "--crossing", "torugart", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["id"] for r in rows] == ["kg-cn-closed", "kg-cn-one-way"]
    assert list(rows[0]) == ["id", "from", "to", "crossings", "status", "title", "changes", "source", "sources", "note", "disagreement"]
    assert rows[1]["status"] == "one-way" and rows[1]["to"] == "2022-12-16" and "one_way=CN>KG" in rows[1]["changes"]
    code, out, _ = run(capsys, "timeline", "--crossing", "kordai", "--format", "json")
    body = json.loads(out)
    assert [p["regime"] for p in body["periods"]] == ["pre-2017", "sco-2017"] and body["starts"] == "2010-01-01"
    queue = body["events"][0]
    assert queue["from"] == "2017-10-10T18:00:00+06:00" and queue["to"] == "2017-12-15" and queue["crossings"] == ["kordai"]
    assert queue["changes"] == {"queue_trucks": 400, "capacity_trucks_per_day": 76} and queue["estimate"] is None
    source = on_history.graph["sources"]["fpri-2020"]
    assert queue["sources"] == [{"id": "fpri-2020", "title": source.title, "url": source.url or None}]


def test_timeline_with_nothing_to_show_says_so_and_succeeds(capsys, on_history):
    code, out, err = run(capsys, "timeline", "--crossing", "kordai", "--from", "2020-01-01")
    assert code == 0 and err == "" and "No events at kordai from 2020-01-01." in out and "pre-2017" in out
    code, out, err = run(capsys, "timeline", "--crossing", "kordai", "--from", "2020-01-01", "--format", "csv")
    assert (
        code == 0
        and "no events at kordai from 2020-01-01" in err
        and out.strip() == "id,from,to,crossings,status,title,changes,source,sources,note,disagreement"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--crossing", "Irkestam"], "unknown --crossing 'Irkestam'; did you mean 'irkeshtam'?"),
        (["--crossing", "nowhere-at-all"], "unknown --crossing 'nowhere-at-all'; no close match (crossing ids: irkeshtam,"),
        (["--country", "KY"], "unknown --country 'KY'; did you mean"),
        (["--from", "2017-13-01"], "--from='2017-13-01' is not a date"),
        (["--to", "30/10/2017"], "--to='30/10/2017' is not a date"),
        (["--from", "2020-01-01", "--to", "2019-01-01"], "--to=2019-01-01 is before --from=2020-01-01"),
    ],
)
def test_timeline_errors_name_the_option_and_the_fix(capsys, on_history, args, message):
    code, out, err = run(capsys, "timeline", *args)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_timeline_of_a_network_without_one_is_an_error(capsys, monkeypatch, plain_net):
    monkeypatch.setattr(cli, "load_network", lambda *args, **kwargs: plain_net)
    code, _, err = run(capsys, "timeline")
    assert code == 2 and "has no dated timeline" in err and "timeline.toml" in err
    code, out, _ = run(capsys, "regimes", "--format", "csv")
    assert code == 0 and "history" not in out


def test_regimes_list_history_and_show_the_rules_of_one_date(capsys, on_history):
    code, out, _ = run(capsys, "regimes", "--format", "csv")
    assert code == 0 and [r["id"] for r in csv.DictReader(io.StringIO(out))] == ["pre-2017", "sco-2017", "history"]
    code, _, err = run(capsys, "regimes", "history")
    assert code == 2 and "history@2017-10-30" in err and "transit timeline" in err
    code, out, _ = run(capsys, "regimes", "history@2020-03-01", "--format", "csv")
    rules = {(r["crossing"], r["direction"]): r for r in csv.DictReader(io.StringIO(out))}
    assert code == 0 and rules[("irkeshtam", "KG>CN")]["open_to_freight"] == "False" and rules[("kordai", "KZ>KG")]["open_to_freight"] == "True"
    code, out, _ = run(capsys, "regimes", "history@2024-06-03", "--format", "csv")
    assert {r["open_to_freight"] for r in csv.DictReader(io.StringIO(out)) if r["crossing"] == "irkeshtam"} == {"True"}


# -- GET /timeline ---------------------------------------------------------------------------------


def api_ids(client, **params):
    response = client.get("/timeline", params=params)
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()["events"]]


def test_get_timeline_lists_and_filters_the_events(client):
    assert api_ids(client) == ["dostuk-closed", "dostuk-open", "kordai-queue", "kordai-closed-2019", "kg-cn-closed", "kg-cn-one-way"]
    assert api_ids(client, crossing="torugart") == ["kg-cn-closed", "kg-cn-one-way"]
    assert api_ids(client, crossing="Dostuk") == ["dostuk-closed", "dostuk-open"]
    assert api_ids(client, country="kz") == ["kordai-queue", "kordai-closed-2019"]
    assert api_ids(client, **{"from": "2018-01-01", "to": "2019-12-31"}) == ["dostuk-open", "kordai-closed-2019"]
    assert api_ids(client, country="CN", **{"from": "2023-01-01"}) == []
    body = client.get("/timeline", params={"crossing": "dostuk"}).json()
    assert [p["regime"] for p in body["periods"]] == ["pre-2017", "sco-2017"]
    event = body["events"][0]
    assert event["from"] == "2010-06-14" and event["to"] == "2017-09-05" and event["status"] == "closed"
    assert event["changes"] == {"open_to_freight": False, "reason": "closed by Uzbekistan"}
    assert event["sources"][0]["id"] == "timesca-dostuk" and event["sources"][0]["url"].startswith("https://")


def test_cli_timeline_json_and_get_timeline_return_the_same_body(capsys, on_history, client):
    for args, params in (
        (["--crossing", "irkeshtam"], {"crossing": "irkeshtam"}),
        (["--country", "KZ", "--from", "2018-01-01"], {"country": "KZ", "from": "2018-01-01"}),
    ):
        code, out, _ = run(capsys, "timeline", *args, "--format", "json")
        assert code == 0 and json.loads(out) == client.get("/timeline", params=params).json()


@pytest.mark.parametrize(
    ("params", "status", "slug", "expect"),
    [
        ({"crossing": "irkestam"}, 404, "unknown-id", ["irkeshtam"]),
        ({"crossing": "x" * 100}, 404, "unknown-id", []),
        ({"country": "KY"}, 404, "unknown-id", None),
        ({"country": "XX"}, 404, "unknown-id", []),
        ({"country": "Kyrgyzstan"}, 422, "invalid-request", None),
        ({"from": "2017-1-1"}, 422, "invalid-request", None),
        ({"from": "2017-02-30"}, 422, "invalid-time", None),
        ({"from": "2020-01-01", "to": "2019-01-01"}, 422, "invalid-argument", None),
        ({"crosing": "irkeshtam"}, 422, "invalid-argument", None),
    ],
)
def test_get_timeline_errors_are_problems(client, params, status, slug, expect):
    body = problem(client.get("/timeline", params=params), status, slug)
    if expect is not None:
        assert body["suggestions"] == expect
    if params.get("country") == "KY":
        assert set(body["suggestions"]) <= {"KG", "KZ"} and body["suggestions"]
    if slug == "invalid-time":
        assert body["errors"][0]["field"] == "from"


def test_get_timeline_refuses_a_repeated_filter(client):
    body = problem(client.get("/timeline?crossing=irkeshtam&crossing=dostuk"), 422, "invalid-argument")
    assert "'crossing' given more than once" in body["detail"]


def test_get_timeline_without_a_timeline_is_a_404_problem_and_regimes_leave_history_out(plain_net):
    plain = TestClient(create_app(plain_net))
    body = problem(plain.get("/timeline"), 404, "no-timeline")
    assert "has no dated timeline" in body["detail"] and body["title"] == "No dated timeline"
    assert "history" not in [r["id"] for r in plain.get("/regimes").json()]
    assert "history" not in plain.get("/health").json()["regimes"]


def test_regimes_and_health_list_history_when_the_network_has_a_timeline(client):
    regimes = client.get("/regimes").json()
    assert [r["id"] for r in regimes] == ["pre-2017", "sco-2017", "history"]
    assert regimes[-1]["in_force_from"] == "2010-01-01" and "dated events" in regimes[-1]["description"]
    assert client.get("/health").json()["regimes"] == ["pre-2017", "sco-2017", "history"]
    schema = client.get("/openapi.json").json()
    parameters = {p["name"] for p in schema["paths"]["/timeline"]["get"]["parameters"]}
    assert parameters == {"crossing", "country", "from", "to"}
    assert "404" in schema["paths"]["/timeline"]["get"]["responses"]


# -- POST /compare with departures -----------------------------------------------------------------


def test_post_compare_with_departures_gives_a_row_per_date_and_regime(client, history_net):
    request = {"origin": "Tashkent", "destination": "Kashgar", "regimes": ["sco-2017", "history"], "departures": DATES[1:3]}
    body = client.post("/compare", json=request).json()
    assert [r["row"] for r in body["rows"]] == ["2017-10-30 sco-2017", "2017-10-30 history", "2020-03-01 sco-2017", "2020-03-01 history"]
    assert [r["regime"] for r in body["rows"]] == ["sco-2017", "history"] * 2
    assert [r["departure"][:16] for r in body["rows"]] == [DATES[1]] * 2 + [DATES[2]] * 2
    closed = body["rows"][3]
    assert not {"irkeshtam", "torugart"} & set(closed["crossings"])  # China-Kyrgyzstan closed in March 2020
    assert body["rows"][2]["crossings"] == body["rows"][0]["crossings"]  # sco-2017 is the same rules at every date
    assert closed["saving_vs_previous_h"] == pytest.approx(body["rows"][2]["total_h"] - closed["total_h"])
    library = transit.compare(history_net, "Tashkent", "Kashgar", regimes=["sco-2017", "history"], departures=DATES[1:3])
    assert [r["total_h"] for r in body["rows"]] == pytest.approx([library.trips[r].total_h for r in library.rows])
    both = {**request, "departure": DATES[0]}
    assert "not both" in problem(client.post("/compare", json=both), 422, "invalid-argument")["detail"]


def test_cli_compare_dates_json_and_post_compare_return_the_same_body(capsys, on_history, client):
    code, out, _ = run(
        capsys,
        "compare",
        "Tashkent",
        "Kashgar",
        "--dates",
        ",".join(DATES[:3]),
        "--regimes",
        "history,sco-2017",
        "--registration",
        "UZ",
        "-f",
        "json",
    )
    request = {
        "origin": "Tashkent",
        "destination": "Kashgar",
        "regimes": ["history", "sco-2017"],
        "departures": DATES[:3],
        "vehicle": {"registration": "UZ", "drivers": 1},
    }
    assert code == 0 and json.loads(out) == client.post("/compare", json=request).json()
