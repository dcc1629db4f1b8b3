"""Serving under load and faults: cancellation, compute slots, strict bodies, HEAD, timeouts, worker processes, and
one serializer shared with the command line. Real servers listen on 127.0.0.1 only."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import anyio
import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

import transit
from tests.conftest import API_TRIP
from transit import _cancel
from transit.api import Limits, create_app
from transit.api import app as app_module
from transit.api.compute import ComputeGate
from transit.cli import main as cli_main
from transit.errors import ComputeCancelled, TransitError

TRIP = API_TRIP
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(net):
    return TestClient(create_app(net))


def spin_until_cancelled(stopped: threading.Event) -> None:
    """A stand-in computation: polls the cancellation token as the library's loops do, and says when it stopped."""
    try:
        while True:
            _cancel.check()
            time.sleep(0.005)
    finally:
        stopped.set()


# -- cancellation ----------------------------------------------------------------------------------


def test_cancelled_token_stops_the_library_loops(net):
    assert issubclass(ComputeCancelled, TransitError)
    _cancel.check()  # outside a cancellable block: never raises
    token = _cancel.CancelToken()
    token.cancel("test")
    with _cancel.cancellable(token), pytest.raises(ComputeCancelled, match="test"):
        transit.reliability(net, "Kashgar", "Tashkent", departure="2017-10-30T08:00", samples=1_000, rng=1, route="best_mean")
    with _cancel.cancellable(_cancel.CancelToken(deadline=time.monotonic() - 1)), pytest.raises(ComputeCancelled, match="time limit"):
        transit.plan_trip(net, "Kashgar", "Tashkent", departure="2017-10-30T08:00")
    with _cancel.cancellable(_cancel.CancelToken(deadline=time.monotonic() - 1)), pytest.raises(ComputeCancelled):
        transit.matrix(net, ["Kashgar"], ["Osh", "Almaty"], departure="2017-10-30T08:00")
    assert transit.plan_trip(net, "Kashgar", "Osh", departure="2017-10-30T08:00").crossings == ("irkeshtam",)  # token gone


def test_a_503_on_the_time_limit_stops_the_computation(net, monkeypatch):
    stopped = threading.Event()
    monkeypatch.setattr(app_module, "reliability", lambda *a, **k: spin_until_cancelled(stopped))
    client = TestClient(create_app(net, limits=Limits(timeout_s=0.2)))
    response = client.post("/reliability", json={**TRIP, "samples": 100})
    assert response.status_code == 503 and response.json()["type"] == "urn:transit:problem:timeout"
    assert stopped.wait(10), "the computation kept running after its 503"


def test_a_client_that_disconnects_stops_its_computation():
    stopped = threading.Event()
    gate = ComputeGate(slots=1, queue=0, timeout_s=60, retry_after_s=1)

    async def receive():
        await anyio.sleep(0.1)
        return {"type": "http.disconnect"}

    async def go():
        with pytest.raises(ComputeCancelled, match="disconnected"):
            await gate.run(lambda: spin_until_cancelled(stopped), receive=receive)

    anyio.run(go)
    assert stopped.wait(10)
    deadline = time.monotonic() + 10
    while gate.admitted and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gate.admitted == 0


def test_full_waiting_list_is_refused_at_once_with_retry_after(net, monkeypatch):
    release, started = threading.Event(), threading.Event()

    def blocking(*args, **kwargs):
        started.set()
        release.wait(30)
        raise transit.errors.NoRouteError("released")

    monkeypatch.setattr(app_module, "plan_trip", blocking)
    with TestClient(create_app(net, limits=Limits(compute_slots=1, max_queue=1, retry_after_s=3))) as client:
        results = []
        threads = [threading.Thread(target=lambda: results.append(client.post("/trips", json=TRIP).status_code)) for _ in range(2)]
        threads[0].start()
        assert started.wait(10)
        threads[1].start()  # waits for the slot
        deadline = time.monotonic() + 10
        while client.app.state.service.gate.admitted < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        refused = client.post("/trips", json=TRIP)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "3"
        assert refused.headers["content-type"] == PROBLEM and refused.json()["type"] == "urn:transit:problem:overloaded"
        assert client.get("/health").status_code == 200  # never queued behind computations
        release.set()
        for t in threads:
            t.join(30)
    assert sorted(results) == [422, 422]


# -- request bodies and methods --------------------------------------------------------------------


def test_health_limits_are_integers_and_head_works(client):
    body = client.get("/health").json()
    limits = body["limits"]
    assert type(limits["max_body_bytes"]) is int and type(limits["max_samples"]) is int and type(limits["compute_slots"]) is int
    head = client.head("/health")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"] == "application/json"
    assert client.head("/places", params={"country": "KG"}).status_code == 200
    assert client.head("/routes").status_code == 200


@pytest.mark.parametrize("value", ["2", True, 2.0, 1.5])
def test_integer_fields_refuse_strings_booleans_and_floats(client, value):
    response = client.post("/trips", json={**TRIP, "vehicle": {"registration": "UZ", "drivers": value}})
    assert response.status_code == 422 and "vehicle.drivers" in [e["field"] for e in response.json()["errors"]]
    response = client.post("/compare", json={k: v for k, v in TRIP.items() if k != "regime"} | {"samples": value})
    assert response.status_code == 422 and "samples" in [e["field"] for e in response.json()["errors"]]


def test_float_fields_still_take_integers(client):
    assert client.post("/trips", json={**TRIP, "vehicle": {"registration": "UZ", "max_speed_kph": 80}}).status_code == 200


@pytest.mark.parametrize("departure", ["2017-10-30T08:00+14:01", "2017-10-30T08:00-15:00", "2017-10-30T08:00+2300"])
def test_departure_offsets_beyond_14_hours_are_refused(client, departure):
    response = client.post("/trips", json={**TRIP, "departure": departure})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    error = next(e for e in response.json()["errors"] if e["field"] == "departure")
    assert "-14:00..+14:00" in error["message"]
    assert client.post("/trips", json={**TRIP, "departure": "2017-10-30T08:00+08:00"}).status_code == 200


def test_via_null_means_no_waypoints(client):
    plain = client.post("/trips", json={k: v for k, v in TRIP.items() if k != "via"}).json()
    null = client.post("/trips", json={**TRIP, "via": None})
    assert null.status_code == 200 and null.json()["total_h"] == plain["total_h"]
    assert client.post("/compare", json={"origin": "Kashgar", "destination": "Osh", "departure": "2017-10-30T08:00", "via": None}).json()["via"] == []


def run_cli(argv: list[str]) -> None:
    code: int | str | None = 0
    try:
        cli_main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code in (0, None)


# -- one serializer --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "request_when"),
    [
        (["--depart", "2017-10-30T08:00", "--samples", "500", "--seed", "7"], {"departure": "2017-10-30T08:00", "samples": 500, "seed": 7}),
        # Dated: one row per departure, the default regime only; without samples the percentiles are null in both.
        (["--dates", "2016-10-31T08:00,2017-10-30T08:00"], {"departures": ["2016-10-31T08:00", "2017-10-30T08:00"]}),
    ],
    ids=["regimes-with-samples", "dates"],
)
def test_cli_compare_json_and_post_compare_return_the_same_body(client, capsys, when, request_when):
    run_cli(["compare", "Kashgar", "Tashkent", "--via", "Irkeshtam", *when, "--registration", "UZ", "--format", "json"])
    from_cli = json.loads(capsys.readouterr().out)
    request = {**{k: v for k, v in TRIP.items() if k not in ("regime", "departure")}, **request_when}
    from_api = client.post("/compare", json=request).json()
    assert from_cli == from_api
    regimes = 1 if "departures" in request_when else len(transit.load_network().graph["regimes"]) + 1  # the files and history
    assert len(from_api["rows"]) == len(request_when.get("departures", [None])) * regimes


def test_cli_reliability_json_without_a_deadline_is_the_post_reliability_body(client, capsys):
    when = ["--depart", "2017-10-30T08:00", "--samples", "200", "--seed", "3"]
    run_cli(["reliability", "Kashgar", "Tashkent", "--via", "Irkeshtam", *when, "--registration", "UZ", "--format", "json"])
    from_cli = json.loads(capsys.readouterr().out)
    from_api = client.post("/reliability", json={**TRIP, "samples": 200, "seed": 3}).json()
    assert from_cli == from_api and from_api["deadline"] is None and from_api["candidates"] is None


def test_cli_reliability_json_and_post_reliability_return_the_same_body(client, capsys):
    # A departure before the regime came into force: the body carries the trip's warnings, in both.
    run_cli(
        [
            "reliability",
            "Kashgar",
            "Tashkent",
            "--via",
            "Irkeshtam",
            "--depart",
            "2016-10-03T08:00",
            "--registration",
            "UZ",
            "--samples",
            "300",
            "--seed",
            "5",
            "--route",
            "best_p90",
            "--deadline",
            "2016-10-20T00:00",
            "--regime",
            "sco-2017",
            "--format",
            "json",
        ]
    )
    from_cli = json.loads(capsys.readouterr().out)
    request = {
        **TRIP,
        "regime": "sco-2017",
        "departure": "2016-10-03T08:00",
        "samples": 300,
        "seed": 5,
        "route": "best_p90",
        "deadline": "2016-10-20T00:00",
    }
    from_api = client.post("/reliability", json=request).json()
    assert from_cli == from_api
    assert any("came into force" in w for w in from_api["warnings"])


def test_cli_plan_json_is_the_trip_body(client, capsys):
    run_cli(["plan", "Kashgar", "Tashkent", "--via", "Irkeshtam", "--depart", "2017-10-30T08:00", "--registration", "UZ", "--format", "json"])
    assert json.loads(capsys.readouterr().out) == client.post("/trips", json=TRIP).json()


def test_serialized_results_are_plain_json(net):
    from transit.serialize import reliability_to_dict, trip_to_dict

    trip = transit.plan_trip(net, "Kashgar", "Osh", departure="2017-10-30T08:00")
    body = trip_to_dict(trip)
    assert json.loads(json.dumps(body)) == body and body["arrival"].endswith("+06:00")
    rel = transit.reliability(net, "Kashgar", "Osh", departure="2017-10-30T08:00", samples=200, rng=1, route="best_p90")
    out = reliability_to_dict(rel, seed=1, deadline="2017-12-01T00:00")
    assert json.loads(json.dumps(out)) == out and out["on_time_probability"] == 1.0


# -- a real uvicorn with short timeouts and two workers ----------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "transit.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--keep-alive",
            "1",
            "--header-timeout",
            "1",
            "--no-access-log",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("server did not start")
            time.sleep(0.3)
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def closed_by_server(sock: socket.socket, *, trickle: bytes = b"", budget_s: float = 30) -> bytes:
    """Read (sending ``trickle`` a byte at a time) until the server closes the connection; return what it sent."""
    sock.settimeout(0.2)
    received = b""
    stop = time.monotonic() + budget_s
    position = 0
    while time.monotonic() < stop:
        if position < len(trickle):
            try:
                sock.sendall(trickle[position : position + 1])
            except OSError:
                return received
            position += 1
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            return received
        if not chunk:
            return received
        received += chunk
    pytest.fail(f"the server kept the connection open for {budget_s} s")


def test_idle_connections_are_closed(server):
    with socket.create_connection(("127.0.0.1", server)) as sock:  # never sends anything
        assert b"408" in closed_by_server(sock)
    with socket.create_connection(("127.0.0.1", server)) as sock:  # idle after one response (keep-alive)
        sock.sendall(f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{server}\r\n\r\n".encode())
        assert closed_by_server(sock).startswith(b"HTTP/1.1 200")


def test_slow_headers_are_cut_off(server):
    slow = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{server}\r\nX-Slow: {'a' * 200}\r\n\r\n".encode()  # 0.2 s a byte: 50 s
    with socket.create_connection(("127.0.0.1", server)) as sock:
        assert b"408" in closed_by_server(sock, trickle=slow)


def test_workers_serve_and_head_works_over_http(server):
    for _ in range(4):
        request = urllib.request.Request(
            f"http://127.0.0.1:{server}/trips", data=json.dumps(TRIP).encode(), headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as r:
            assert r.status == 200 and json.load(r)["crossings"] == ["irkeshtam", "dostuk"]
    with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{server}/health", method="HEAD"), timeout=10) as r:
        assert r.status == 200 and r.read() == b""


def test_worker_connections_have_nagle_off():
    # uvicorn's own listening socket for workers > 1 has protocol number 0: asyncio then leaves TCP_NODELAY off on
    # the accepted connections, and every response waited ~40 ms for the client's delayed ACK.
    import socket

    from transit.api.serving import no_delay

    listener = socket.socket(family=socket.AF_INET, type=socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0

        class Transport:
            def get_extra_info(self, name):
                return accepted if name == "socket" else None

        no_delay(Transport())
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for sock in (client, accepted, listener):
            sock.close()
