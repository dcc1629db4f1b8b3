"""The HTTP API: every endpoint and error through TestClient, a real uvicorn process, and a schemathesis run."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

import transit
from tests.conftest import API_TRIP
from transit.api import Limits, create_app
from transit.api import app as app_module

TRIP = API_TRIP
#: The regimes the API lists: history too once the embedded dataset has its dated timeline (routes/timeline.toml).
REGIMES = ["pre-2017", "sco-2017", *(["history"] if transit.load_network().graph.get("timeline") is not None else [])]
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def app(net):
    return create_app(net, limits=Limits(max_samples=20_000, max_matrix_cells=12, max_matrix_samples=6_000))


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app)


def assert_problem(response, status, slug):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["type"] == f"urn:transit:problem:{slug}"
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return body


# -- listings --------------------------------------------------------------------------------------


def test_health_reports_versions_and_limits(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["version"] == transit.__version__
    assert body["regimes"] == REGIMES and body["crossings"] == 22
    assert body["limits"]["max_samples"] == 20_000


def test_places_crossings_regimes_routes_and_their_filters(client):
    places = client.get("/places").json()
    kg = client.get("/places", params={"country": "kg"}).json()
    assert 0 < len(kg) < len(places) and {p["country"] for p in kg} == {"KG"}
    assert "Osh" in {p["name"] for p in kg}
    assert_problem(client.get("/places", params={"country": "K1"}), 422, "invalid-request")
    crossings = client.get("/crossings", params={"country": "CN"}).json()
    assert {"irkeshtam", "torugart", "khorgos"} <= {c["id"] for c in crossings}
    assert all("CN" in c["countries"] for c in crossings)
    assert "Asia/Shanghai" in next(c for c in crossings if c["id"] == "irkeshtam")["schedule"]["CN"]
    assert [r["id"] for r in client.get("/regimes").json()] == REGIMES
    routes = client.get("/routes", params={"country": "TJ"}).json()
    assert routes and all("TJ" in r["countries"] for r in routes)
    assert [r["id"] for r in client.get("/routes", params={"route": "sco-1"}).json()] == ["sco-1"]
    body = assert_problem(client.get("/routes", params={"route": "sco1"}), 404, "unknown-name")
    assert "sco-1" in body["suggestions"]


# -- trips -----------------------------------------------------------------------------------------


def test_trip_matches_the_library_and_carries_timeline_and_geojson(client, net):
    response = client.post("/trips", json=TRIP)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    trip = transit.plan_trip(
        net, "Kashgar", "Tashkent", regime="history", departure="2017-10-30T08:00", via=["Irkeshtam"], vehicle={"registration": "UZ"}
    )
    assert body["total_h"] == pytest.approx(trip.total_h, abs=0.01)
    assert body["crossings"] == list(trip.crossings) and body["registration"] == "UZ"
    assert sum(e["duration_h"] for e in body["timeline"]) == pytest.approx(trip.total_h)
    assert body["timeline"][0]["start"] == "2017-10-30T08:00:00+08:00"
    assert body["cost"]["total_usd"] == pytest.approx(trip.cost_usd, abs=0.01)
    line = body["geometry"]
    assert line["type"] == "Feature" and line["geometry"]["type"] == "LineString"
    (x0, y0), (x1, y1) = line["geometry"]["coordinates"][0], line["geometry"]["coordinates"][-1]
    kashgar, tashkent = net.nodes[trip.origin], net.nodes[trip.destination]
    assert (x0, y0) == pytest.approx((kashgar["x"], kashgar["y"])) and (x1, y1) == pytest.approx((tashkent["x"], tashkent["y"]))
    assert len(line["geometry"]["coordinates"]) > len(trip.path)  # road geometry, not straight lines between nodes


def test_compare_with_samples_is_seeded(client):
    request = {k: v for k, v in TRIP.items() if k != "regime"} | {"samples": 2_000, "seed": 42}
    first, again = client.post("/compare", json=request).json(), client.post("/compare", json=request).json()
    assert first == again
    rows = {r["regime"]: r for r in first["rows"]}
    assert list(rows) == ["pre-2017", "sco-2017", "history"] and first["baseline"] == "pre-2017"  # the default regime last
    assert rows["history"]["p90_h"] >= rows["history"]["p50_h"] > 0
    assert rows["pre-2017"]["p50_h"] > rows["history"]["p95_h"]
    plain = client.post("/compare", json={k: v for k, v in request.items() if k not in ("samples", "seed")}).json()
    assert plain["rows"][0]["p50_h"] is None


def test_reliability_with_deadline_and_route_choice(client):
    request = {**TRIP, "samples": 2_000, "seed": 1, "deadline": "2017-12-01T00:00", "route": "best_p90"}
    request.pop("via")
    body = client.post("/reliability", json=request).json()
    assert body["on_time_probability"] == 1.0 and body["samples"] == 2_000
    p = body["percentiles_h"]
    assert p["50"] <= p["80"] <= p["90"] <= p["95"]
    assert sum(c["chosen"] for c in body["candidates"]) == 1
    assert body["crossings"][0]["crossing_id"] == body["route"][0]


def test_matrix_and_its_limits(client):
    body = client.post(
        "/matrix",
        json={"origins": ["Kashgar", "Urumqi"], "destinations": ["Osh", "Almaty"], "departure": "2017-10-30T08:00", "samples": 200, "seed": 3},
    ).json()
    assert [(r["origin"], r["destination"]) for r in body["rows"]] == [
        ("Kashgar", "Osh"),
        ("Kashgar", "Almaty"),
        ("Urumqi", "Osh"),
        ("Urumqi", "Almaty"),
    ]
    assert all(r["status"] == "ok" and r["p90_h"] >= r["p50_h"] for r in body["rows"])
    many = client.post("/matrix", json={"origins": ["Kashgar"] * 4, "destinations": ["Osh"] * 4, "departure": "2017-10-30T08:00"})
    assert assert_problem(many, 422, "limit-exceeded")["limit"] == 12
    heavy = client.post(
        "/matrix", json={"origins": ["Kashgar"], "destinations": ["Osh", "Almaty"], "departure": "2017-10-30T08:00", "samples": 5_000}
    )
    assert "6,000" in assert_problem(heavy, 422, "limit-exceeded")["detail"]


def test_compare_reliability_and_matrix_carry_the_warnings_of_their_trips(client, net):
    early = {"origin": "Kashgar", "destination": "Osh", "departure": "2016-10-03T08:00"}
    trip = transit.plan_trip(net, "Kashgar", "Osh", departure="2016-10-03T08:00")
    assert trip.warnings  # a long closed wait
    compared = client.post("/compare", json={**early, "regimes": ["history"]}).json()
    assert compared["rows"][0]["warnings"] == list(trip.warnings)
    rel = client.post("/reliability", json={**early, "samples": 200, "seed": 1}).json()
    assert rel["warnings"] == list(trip.warnings)
    body = client.post("/matrix", json={"origins": ["Kashgar"], "destinations": ["Osh", "Almaty"], "departure": "2016-10-03T08:00"}).json()
    rows = {r["destination"]: r for r in body["rows"]}
    assert rows["Osh"]["warnings"] == list(trip.warnings) and all(isinstance(w, str) for w in rows["Almaty"]["warnings"])
    calm = client.post("/compare", json={**early, "departure": "2017-10-30T08:00", "regimes": ["pre-2017", "history"]}).json()
    assert all(row["warnings"] == [] for row in calm["rows"])
    named = client.post("/compare", json={**early, "departure": "2017-10-30T08:00", "regimes": ["sco-2017"]}).json()
    assert "use regime='history'" in named["rows"][0]["warnings"][0]  # sco-2017 is the rules of 20 Jan 2017


def test_trip_response_reports_how_far_a_point_was_snapped(client):
    assert client.post("/trips", json=TRIP).json()["snapped_km"] == [0.0, 0.0]


# -- errors ----------------------------------------------------------------------------------------


#: Classes of transit.errors answered with a 500 on purpose: the server's own configuration is wrong (its dataset or
#: network, or a missing extra), or an unclassified library error. Everything else is the client's to fix.
SERVER_ERRORS = {"DataError", "InvalidNetworkError", "ReadOnlyNetworkError", "MissingExtraError", "TransitError"}


def _instance(cls):
    if cls.__name__ == "UnknownPlaceError":
        return cls("Kashgr", suggestions=["Kashgar"])
    if cls.__name__ == "MissingExtraError":
        return cls("secret: /srv/venv lacks folium", extra="plot", module="folium")
    return cls("secret: /srv/routes/crossings.toml row 7")


@pytest.mark.parametrize("name", transit.errors.__all__)
def test_every_transit_error_has_its_own_row_and_status(net, monkeypatch, name):
    from transit.api.problems import ERROR_TABLE

    cls = getattr(transit.errors, name)
    row = next(r for r in ERROR_TABLE if issubclass(cls, r[0]))
    assert row[0] is cls, f"{name} is answered by the row of {row[0].__name__}; give it its own row in ERROR_TABLE"

    def broken(*args, **kwargs):
        raise _instance(cls)

    monkeypatch.setattr(app_module, "plan_trip", broken)
    client = TestClient(create_app(net, limits=Limits(retry_after_s=3)), raise_server_exceptions=False)
    response = client.post("/trips", json=TRIP)
    body = assert_problem(response, row[1], row[2])
    if name in SERVER_ERRORS:
        assert response.status_code == 500 and "secret" not in response.text and body["request_id"] in body["detail"]
    else:
        assert response.status_code != 500 and body["type"] != "urn:transit:problem:internal"
    if name == "ComputeCancelled":
        assert response.status_code == 503 and response.headers["retry-after"] == "3"
    if name in ("UnknownPlaceError", "UnknownIdError"):
        assert response.status_code == 404


def test_unknown_place_is_404_with_suggestions(client):
    body = assert_problem(client.post("/trips", json={**TRIP, "origin": "Kashgr"}), 404, "unknown-place")
    assert body["suggestions"] == ["Kashgar"] and "Kashgr" in body["detail"]
    assert body["name"] == "Kashgr"  # a client finds the field that holds it (the planner's page does)
    via = assert_problem(client.post("/trips", json={**TRIP, "via": ["Irkeshtan"]}), 404, "unknown-place")
    assert via["name"] == "Irkeshtan" and "Irkeshtam" in via["suggestions"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"departure": None}, "departure"),
        ({"vehicle": {"drivers": 3}}, "vehicle.drivers"),
        ({"via": "Irkeshtam"}, "via"),
        ({"color": "red"}, "color"),
    ],
)
def test_invalid_body_is_422_naming_the_field(client, change, field):
    body = assert_problem(client.post("/trips", json={**TRIP, **change}), 422, "invalid-request")
    assert field in [e["field"] for e in body["errors"]]


def test_invalid_datetime_unknown_regime_and_no_route(client):
    body = assert_problem(client.post("/trips", json={**TRIP, "departure": "30/10/2017"}), 422, "invalid-time")
    assert "departure '30/10/2017'" in body["detail"] and body["errors"][0]["field"] == "departure"
    body = assert_problem(client.post("/trips", json={**TRIP, "regime": "sco2017"}), 422, "unknown-regime")
    assert body["valid"] == ["pre-2017", "sco-2017", "history"]
    body = assert_problem(client.post("/trips", json={**TRIP, "via": ["Kara-Suu"]}), 422, "no-route")
    assert body["blocking"] == ["kara-suu"]
    body = assert_problem(client.post("/reliability", json={**TRIP, "samples": 10, "deadline": "soon"}), 422, "invalid-time")
    assert body["errors"][0]["field"] == "deadline"


def test_limits_on_samples_and_body_size(client):
    compare_request = {k: v for k, v in TRIP.items() if k != "regime"}
    body = assert_problem(client.post("/compare", json={**compare_request, "samples": 50_000}), 422, "limit-exceeded")
    assert body["limit"] == 20_000 and "50,000" in body["detail"]
    big = json.dumps({**TRIP, "note": "x" * 70_000})
    body = assert_problem(client.post("/trips", content=big, headers={"content-type": "application/json"}), 413, "body-too-large")
    assert body["limit"] == 64 * 1024

    def chunks():  # no Content-Length: the limit applies as the body streams in
        yield b'{"origin": "'
        for _ in range(100):
            yield b"x" * 1024

    assert_problem(client.post("/trips", content=chunks(), headers={"content-type": "application/json"}), 413, "body-too-large")


def test_server_error_is_logged_with_the_request_id_and_hides_details(net, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app_module, "plan_trip", broken)
    client = TestClient(create_app(net), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="transit.api"):
        response = client.post("/trips", json=TRIP, headers={"X-Request-ID": "req-123"})
    body = assert_problem(response, 500, "internal")
    assert body["request_id"] == "req-123" and "secret" not in response.text
    assert any("req-123" in r.getMessage() and r.exc_info for r in caplog.records)


def test_timeout_is_503(net, monkeypatch):
    def slow(*args, **kwargs):
        time.sleep(1.0)

    monkeypatch.setattr(app_module, "plan_trip", slow)
    client = TestClient(create_app(net, limits=Limits(timeout_s=0.1)))
    body = assert_problem(client.post("/trips", json=TRIP), 503, "timeout")
    assert body["limit"] == 0.1


def test_request_ids_unknown_paths_and_cors_off_by_default(client, net):
    assert client.get("/health", headers={"X-Request-ID": "abc-1"}).headers["x-request-id"] == "abc-1"
    assert client.get("/health", headers={"X-Request-ID": "bad id\twith tab"}).headers["x-request-id"] != "bad id\twith tab"
    assert_problem(client.get("/nowhere"), 404, "not-found")
    preflight = {"Origin": "https://planner.example", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/trips", headers=preflight).headers
    open_client = TestClient(create_app(net, cors_origins=["https://planner.example"]))
    assert open_client.options("/trips", headers=preflight).headers["access-control-allow-origin"] == "https://planner.example"


def test_docs_work_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page.text and "cdn.jsdelivr" not in page.text
    js = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    assert client.get("/static/swagger-ui/LICENSE").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    responses = schema["paths"]["/trips"]["post"]["responses"]
    assert PROBLEM in responses["404"]["content"] and PROBLEM in responses["422"]["content"]


# -- a real server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_uvicorn_process_on_loopback():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "transit.cli", "serve", "--port", str(port), "--no-access-log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                    assert json.load(r)["status"] == "ok"
                    break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {server.stdout.read() if server.stdout else ''}")
                time.sleep(0.3)
        request = urllib.request.Request(f"{base}/trips", data=json.dumps(TRIP).encode(), headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            body = json.load(r)
            assert r.status == 200 and body["crossings"] == ["irkeshtam", "dostuk"]
        bad = urllib.request.Request(
            f"{base}/trips", data=json.dumps({**TRIP, "origin": "Kashgr"}).encode(), headers={"content-type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(bad, timeout=30)
        with info.value:
            assert info.value.code == 404 and info.value.headers["content-type"] == PROBLEM
            assert json.load(info.value)["suggestions"] == ["Kashgar"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        if server.stdout:
            server.stdout.close()


# -- schemathesis ----------------------------------------------------------------------------------


def test_schemathesis_no_server_errors_and_every_response_matches_the_schema(app):
    """Generated requests against every operation of the app's own OpenAPI schema, called in process (nothing leaves
    the machine): no 5xx, documented status codes and content types, bodies and headers that match the schema."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, Phase, given, settings

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {"POST /trips", "POST /compare", "POST /reliability", "POST /matrix", "GET /places"}
    calls = []
    for operation in operations:

        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            # Not positive_data_acceptance: the schema cannot say which names exist in the dataset (places, regimes) or
            # which date-times the holiday calendars cover; those get the documented 404 and 422 problems instead.
            response = case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
            calls.append((case.operation.label, response.status_code))

        check()
    assert len(calls) >= 5 * len(operations)
    assert not [c for c in calls if c[1] >= 500]


def test_trip_by_road_and_rail_matches_the_library(client, net):
    """POST /trips with modes: the door-to-door answer of transit.plan_multimodal, every step with its mode."""
    body = {"origin": "Urumqi", "destination": "Almaty", "departure": "2024-06-03T08:00", "modes": ["rail"]}
    response = client.post("/trips", json=body)
    assert response.status_code == 200, response.text
    out = response.json()
    trip = transit.plan_multimodal(net, "Urumqi", "Almaty", modes=("rail",), departure="2024-06-03T08:00")
    assert out["total_h"] == round(trip.total_h, 2) and out["modes"] == list(trip.modes)
    assert {e["mode"] for e in out["timeline"]} == set(trip.timeline["mode"])
    assert out["cost"]["rail_usd"] == round(trip.cost.rail_usd, 2)
    road = client.post("/trips", json={**body, "modes": ["road"]}).json()
    assert road["total_h"] == round(transit.plan_trip(net, "Urumqi", "Almaty", departure="2024-06-03T08:00").total_h, 2)
    assert_problem(client.post("/trips", json={**body, "modes": ["ship"]}), 422, "invalid-request")


def test_compare_with_trips_gives_each_rows_trip_as_trips_does(client):
    request = {k: v for k, v in TRIP.items() if k != "regime"} | {"regimes": ["pre-2017", "sco-2017"], "trips": True}
    body = client.post("/compare", json=request).json()
    assert list(body["trips"]) == ["pre-2017", "sco-2017"]
    for row in body["rows"]:
        alone = client.post("/trips", json={**TRIP, "regime": row["regime"]}).json()
        assert body["trips"][row["row"]] == alone
        assert round(row["total_h"], 2) == alone["total_h"]
    assert "trips" not in client.post("/compare", json={**request, "trips": False}).json()
    by_date = {"origin": "Kashgar", "destination": "Dushanbe", "regimes": ["history"], "departures": ["2016-01-12T08:00", "2018-06-01T08:00"]}
    dated = client.post("/compare", json={**by_date, "via": ["Kulma"], "trips": True}).json()  # closed in January
    missing = [r["row"] for r in dated["rows"] if r["status"] != "ok"]
    assert missing == ["2016-01-12 history"]
    assert set(dated["trips"]) == {r["row"] for r in dated["rows"]} - set(missing)
    mixed = client.post("/compare", json={**request, "departure": "2016-10-31T08:00", "modes": ["road", "road+rail"], "via": None}).json()
    assert all("timeline" in t for t in mixed["trips"].values())
    rail = {
        "origin": "Kashgar",
        "destination": "Tashkent",
        "departure": "2016-10-31T08:00",
        "regimes": ["history"],
        "modes": ["road+rail"],
        "trips": True,
    }
    door = client.post("/compare", json=rail).json()["trips"]["history"]  # its path: road and rail parts, transfer points
    parts = [(f["properties"]["mode"], f["geometry"]["type"]) for f in door["geometry"]["features"]]
    assert ("rail", "LineString") in parts and ("road", "LineString") in parts and ("transfer", "Point") in parts
    assert {s["crossing_id"] for s in door["timeline"] if s["activity"] in ("queue", "clearance")} <= set(door["crossings"])


def test_compare_takes_modes(client):
    body = {"origin": "Kashgar", "destination": "Tashkent", "departure": "2016-10-31T08:00", "regimes": ["history"], "modes": ["road", "road+rail"]}
    response = client.post("/compare", json=body)
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert [r["row"] for r in rows] == ["history road", "history road+rail"]
    assert rows[1]["total_h"] <= rows[0]["total_h"]


def test_reliability_takes_modes(client):
    body = {"origin": "Urumqi", "destination": "Almaty", "departure": "2024-06-03T08:00", "modes": ["rail"], "samples": 400, "seed": 2}
    response = client.post("/reliability", json={**body, "deadline": "2024-06-08T12:00"})
    assert response.status_code == 200, response.text
    out = response.json()
    rel = transit.reliability(transit.load_network(), "Urumqi", "Almaty", departure="2024-06-03T08:00", modes=("rail",), samples=400, rng=2)
    assert out["modes"] == ["rail"] and out["p90_h"] == round(rel.percentile_h(90), 2)
    assert 0 <= out["on_time_probability"] <= 1
