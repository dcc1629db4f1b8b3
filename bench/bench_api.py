"""
Load benchmark of the HTTP API against real ``transit serve`` processes (uvicorn) on loopback, in three sections:

1. (issue #4) ``POST /trips`` (deterministic, Kashgar -> Tashkent via Irkeshtam), 1 worker, 8 keep-alive clients.
2. (issue #10, 3.2 and 3.3) a mixed workload (trips, compare and reliability with samples, a small matrix, /health,
   /places) from 50 clients at 1 and at 2 worker processes, side by side: throughput, p50/p99 per endpoint, and the
   p99 of /health under that load (target < 50 ms).
3. (issue #10, 3.1) a burst of heavy /reliability requests that all run past a short time limit: how long after the
   last 503 the server's CPU time (``/proc/<pid>/stat``) stops growing (target < 1 s).

Targets on this 2-core machine: >= 200 requests/s, p99 <= 150 ms, zero errors. The baseline, measured in the same
run, is ``plan_trip`` for the same question called in-process, so the HTTP overhead shows as a ratio. The load
generator is a small asyncio HTTP/1.1 client in this process (it shares the two cores with the server).

Bounded: at most ``--requests`` requests and ``--seconds`` seconds; 127.0.0.1 only.

Run: ``make bench`` or ``.venv/bin/python bench/bench_api.py [--requests 3000] [--seconds 30]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import transit

TRIP = {
    "origin": "Kashgar",
    "destination": "Tashkent",
    "via": ["Irkeshtam"],
    "regime": "sco-2017",
    "departure": "2017-10-30T08:00",
    "vehicle": {"registration": "UZ", "drivers": 1},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, *extra: str) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "transit.cli", "serve", "--port", str(port), "--no-access-log", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 120 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


async def client(port: int, request: bytes, budget: list[int], stop_at: float, latencies: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while budget[0] > 0 and time.perf_counter() < stop_at:
            budget[0] -= 1
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                errors.append(f"HTTP {status}")
    except (OSError, asyncio.IncompleteReadError, StopIteration) as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        writer.close()


async def load(port: int, *, clients: int, requests: int, seconds: float) -> tuple[list[float], list[str], float]:
    body = json.dumps(TRIP).encode()
    request = (
        f"POST /trips HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []
    errors: list[str] = []
    budget = [requests]
    start = time.perf_counter()
    await asyncio.gather(*(client(port, request, budget, start + seconds, latencies, errors) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def raw(port: int, method: str, path: str, body: dict | None = None) -> bytes:
    data = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    return head.encode() + data


COMPARE = {k: v for k, v in TRIP.items() if k != "regime"} | {"samples": 500, "seed": 1}
RELIABILITY = {**TRIP, "samples": 2_000, "seed": 1}
MATRIX = {"origins": ["Kashgar", "Urumqi"], "destinations": ["Osh", "Almaty"], "departure": "2017-10-30T08:00"}
HEAVY = {
    "origin": "Kashgar",
    "destination": "Tashkent",
    "departure": "2017-10-30T08:00",
    "samples": 100_000,
    "seed": 1,
    "route": "best_mean",
    "via": ["Torugart", "Naryn", "Bishkek", "Almaty", "Khorgos", "Urumqi", "Kashgar", "Irkeshtam", "Osh"],
}


def mix(port: int) -> list[tuple[str, bytes]]:
    """The mixed workload, one entry per endpoint; each client walks it from its own starting point."""
    return [
        ("POST /trips", raw(port, "POST", "/trips", TRIP)),
        ("GET /health", raw(port, "GET", "/health")),
        ("POST /compare", raw(port, "POST", "/compare", COMPARE)),
        ("GET /places", raw(port, "GET", "/places?country=KG")),
        ("POST /reliability", raw(port, "POST", "/reliability", RELIABILITY)),
        ("GET /health", raw(port, "GET", "/health")),
        ("POST /matrix", raw(port, "POST", "/matrix", MATRIX)),
    ]


async def mixed_client(
    port: int, index: int, work: list[tuple[str, bytes]], budget: list[int], stop_at: float, out: dict[str, list[float]], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    step = index
    try:
        while budget[0] > 0 and time.perf_counter() < stop_at:
            budget[0] -= 1
            label, request = work[step % len(work)]
            step += 1
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
            await reader.readexactly(length)
            out.setdefault(label, []).append(time.perf_counter() - start)
            if status != 200:
                errors.append(f"{label}: HTTP {status}")
    except (OSError, asyncio.IncompleteReadError, StopIteration) as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        writer.close()


async def mixed_load(port: int, *, clients: int, requests: int, seconds: float) -> tuple[dict[str, list[float]], list[str], float]:
    work = mix(port)
    out: dict[str, list[float]] = {}
    errors: list[str] = []
    budget = [requests]
    start = time.perf_counter()
    await asyncio.gather(*(mixed_client(port, i, work, budget, start + seconds, out, errors) for i in range(clients)))
    return out, errors, time.perf_counter() - start


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children that have been waited for (/proc/<pid>/stat)."""
    with Path(f"/proc/{pid}/stat").open() as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def heavy_burst(port: int, count: int) -> list[tuple[int, float]]:
    """``count`` heavy /reliability requests at once; their statuses and the time each answer came."""

    async def one() -> tuple[int, float]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(raw(port, "POST", "/reliability", HEAVY))
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        writer.close()
        return int(head.split()[1]), time.monotonic()

    return list(await asyncio.gather(*(one() for _ in range(count))))


def burst_recovery(*, timeout_s: float, count: int) -> None:
    """Section 3.1 of issue 10: after a burst of requests that time out, the server's CPU is idle again within 1 s."""
    port = free_port()
    server = start_server(port, "--workers", "1", "--timeout", str(timeout_s))
    try:
        began, cpu_began = time.monotonic(), cpu_seconds(server.pid)
        answers = asyncio.run(heavy_burst(port, count))
        last = max(t for _, t in answers)
        busy = (cpu_seconds(server.pid) - cpu_began) / (last - began)
        statuses = sorted({s for s, _ in answers})
        samples, prev, prev_t, idle_at = [], cpu_seconds(server.pid), time.monotonic(), None
        while time.monotonic() < last + 15:
            time.sleep(0.05)
            now, cpu = time.monotonic(), cpu_seconds(server.pid)
            share = (cpu - prev) / (now - prev_t)
            samples.append((now - last, share))
            if idle_at is None and share < 0.05:
                idle_at = now - last
            if idle_at is not None and now - last > idle_at + 1:
                break
            prev, prev_t = cpu, now
    finally:
        stop_server(server)
    tail = [share for t, share in samples if idle_at is not None and t > idle_at]
    print(f"\n503 recovery: {count} heavy /reliability requests (100,000 samples, best_mean, 9 via) against a {timeout_s:g} s limit, 1 worker")
    print(f"  statuses {statuses}; last answer {last - began:.1f} s after the burst began; server CPU during the burst {100 * busy:.0f}% of a core")
    if idle_at is None:
        print("  server CPU did NOT return to idle within 15 s after the last answer")
    else:
        print(
            f"  server CPU below 5% of a core {idle_at * 1000:.0f} ms after the last answer (target < 1000 ms); "
            f"mean over the next second {100 * (sum(tail) / len(tail) if tail else 0):.1f}% of a core"
        )


def workers_side_by_side(*, clients: int, requests: int, seconds: float) -> None:
    """Section 3.2/3.3: the mixed workload at 1 and 2 worker processes, and /health latency under it."""
    results = {}
    for workers in (1, 2):
        port = free_port()
        server = start_server(port, "--workers", str(workers))
        try:
            asyncio.run(mixed_load(port, clients=8, requests=14 * 8, seconds=30))  # warm every worker's caches
            results[workers] = asyncio.run(mixed_load(port, clients=clients, requests=requests, seconds=seconds))
        finally:
            stop_server(server)
    labels = sorted({label for out, _, _ in results.values() for label in out})
    print(
        f"\nmixed endpoints, {clients} keep-alive clients, at most {requests} requests / {seconds:g} s per run ({os.cpu_count()} cores shared with the load generator)"
    )
    print(f"  {'':22}{'1 worker':>28}{'2 workers':>28}")
    total = {w: sum(len(v) for v in out.values()) for w, (out, _, _) in results.items()}
    rps = {w: total[w] / results[w][2] for w in results}
    print(f"  {'throughput':22}{rps[1]:>22.1f} req/s{rps[2]:>22.1f} req/s   ratio 2/1 = {rps[2] / rps[1]:.2f}")
    every = {w: [x for v in out.values() for x in v] for w, (out, _, _) in results.items()}
    print(
        f"  {'all p50 / p99':22}" + "".join(f"{percentile(every[w], 50) * 1000:>14.0f} / {percentile(every[w], 99) * 1000:6.0f} ms" for w in (1, 2))
    )
    for label in labels:
        cells = []
        for w in (1, 2):
            lat = results[w][0].get(label, [])
            cells.append(f"{percentile(lat, 50) * 1000:>14.1f} / {percentile(lat, 99) * 1000:6.1f} ms" if lat else f"{'-':>25}")
        print(f"  {label + ' p50/p99':22}" + "".join(cells) + ("   (target p99 < 50 ms)" if label == "GET /health" else ""))
    print(
        f"  {'errors':22}"
        + "".join(f"{len(results[w][1]):>28}" for w in (1, 2))
        + ("   first: " + (results[1][1] or results[2][1])[0] if results[1][1] or results[2][1] else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000, help="requests in the measured /trips run (upper bound)")
    parser.add_argument("--seconds", type=float, default=30.0, help="time limit of each measured run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive connections of the /trips run")
    parser.add_argument("--mixed-clients", type=int, default=50, help="concurrent clients of the mixed run")
    parser.add_argument("--mixed-requests", type=int, default=700, help="requests per mixed run (upper bound)")
    parser.add_argument("--burst", type=int, default=6, help="heavy requests in the timeout burst")
    parser.add_argument("--burst-timeout", type=float, default=3.0, help="the server's time limit in the burst run")
    parser.add_argument("--only", choices=["trips", "mixed", "burst"], default=None, help="run one section only")
    args = parser.parse_args()

    if args.only in (None, "trips"):
        trips_section(args)
    if args.only in (None, "mixed"):
        workers_side_by_side(clients=args.mixed_clients, requests=args.mixed_requests, seconds=args.seconds)
    if args.only in (None, "burst"):
        burst_recovery(timeout_s=args.burst_timeout, count=args.burst)


def trips_section(args: argparse.Namespace) -> None:
    net = transit.load_network()
    question = {k: v for k, v in TRIP.items() if k not in ("origin", "destination")}
    transit.plan_trip(net, "Kashgar", "Tashkent", **question)
    in_process = []
    for _ in range(300):
        start = time.perf_counter()
        transit.plan_trip(net, "Kashgar", "Tashkent", **question)
        in_process.append(time.perf_counter() - start)

    port = free_port()
    server = start_server(port, "--workers", "1")
    try:
        asyncio.run(load(port, clients=args.clients, requests=200, seconds=20))  # warm the server's caches
        latencies, errors, elapsed = asyncio.run(load(port, clients=args.clients, requests=args.requests, seconds=args.seconds))
    finally:
        stop_server(server)

    rps = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    base = statistics.median(in_process) * 1000
    print(f"machine: {os.cpu_count()} cores; server: transit serve (uvicorn, 1 worker) on 127.0.0.1; {args.clients} keep-alive clients")
    print(f"POST /trips Kashgar->Tashkent: {len(latencies):,} requests in {elapsed:.1f} s")
    print(f"  throughput  {rps:8.1f} requests/s   (target >= 200)")
    print(f"  latency p50 {p50:8.2f} ms   p99 {p99:.2f} ms   (target p99 <= 150 ms)")
    print(f"  errors      {len(errors):8d}        (target 0){'  first: ' + errors[0] if errors else ''}")
    print(
        f"baseline: plan_trip in-process, median {base:.2f} ms; HTTP p50 / in-process = {p50 / base:.1f}x "
        f"(per-request HTTP, JSON and queueing overhead at {args.clients}-way concurrency)"
    )


if __name__ == "__main__":
    main()
