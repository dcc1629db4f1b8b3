"""
Load benchmark of the HTTP API (issue #4): ``POST /trips`` (deterministic, Kashgar -> Tashkent via Irkeshtam) against a
real ``transit serve`` (uvicorn, one process) on loopback, with 8 concurrent keep-alive clients.

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

import transit

TRIP = {"origin": "Kashgar", "destination": "Tashkent", "via": ["Irkeshtam"], "regime": "sco-2017", "departure": "2017-10-30T08:00", "vehicle": {"registration": "UZ", "drivers": 1}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "transit.cli", "serve", "--port", str(port), "--no-access-log"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000, help="requests in the measured run (upper bound)")
    parser.add_argument("--seconds", type=float, default=30.0, help="time limit of the measured run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive connections")
    args = parser.parse_args()

    net = transit.load_network()
    question = {k: v for k, v in TRIP.items() if k not in ("origin", "destination")}
    transit.plan_trip(net, "Kashgar", "Tashkent", **question)
    in_process = []
    for _ in range(300):
        start = time.perf_counter()
        transit.plan_trip(net, "Kashgar", "Tashkent", **question)
        in_process.append(time.perf_counter() - start)

    port = free_port()
    server = start_server(port)
    try:
        asyncio.run(load(port, clients=args.clients, requests=200, seconds=20))  # warm the server's caches
        latencies, errors, elapsed = asyncio.run(load(port, clients=args.clients, requests=args.requests, seconds=args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=20)

    rps = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    base = statistics.median(in_process) * 1000
    print(f"machine: {os.cpu_count()} cores; server: transit serve (uvicorn, 1 process) on 127.0.0.1; {args.clients} keep-alive clients")
    print(f"POST /trips Kashgar->Tashkent: {len(latencies):,} requests in {elapsed:.1f} s")
    print(f"  throughput  {rps:8.1f} requests/s   (target >= 200)")
    print(f"  latency p50 {p50:8.2f} ms   p99 {p99:.2f} ms   (target p99 <= 150 ms)")
    print(f"  errors      {len(errors):8d}        (target 0){'  first: ' + errors[0] if errors else ''}")
    print(f"baseline: plan_trip in-process, median {base:.2f} ms; HTTP p50 / in-process = {p50 / base:.1f}x "
          f"(per-request HTTP, JSON and queueing overhead at {args.clients}-way concurrency)")
    print(f"          single-client equivalent: {1000 / base:.0f} plans/s in-process vs {rps:.0f} requests/s over HTTP")


if __name__ == "__main__":
    main()
