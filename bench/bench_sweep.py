"""
Benchmark of :func:`transit.sweep` (issue #14): in this process, and on a Dask LocalCluster of 1 and 2 workers.

Grids:

* deterministic: every city pair (2,256) x 7 daily departures x 2 regimes (``pre-2017``, ``sco-2017``): 31,584 trips;
* sampled: every city pair x 200 samples (``sco-2017``, one departure).

Each grid runs serially in this process (the baseline, measured in the same run), then on a LocalCluster with 1
worker and with 2 workers (one thread each: the route search holds the GIL). Every run starts from a network with
cold caches (a pickled copy, as a worker receives it), so the serial baseline gets no head start. Printed: wall time,
the per-trip cost, the speed-up against the serial run, the overhead per task (1-worker time minus serial time, per
task) and the cluster's start-up, then the projected time of a year of daily departures for every pair under 2
regimes (2,256 x 365 x 2 = 1.6 million trips) on N workers from the measured per-trip cost and overhead. Results are
checked equal to the serial table, row for row. Each figure is one run of a long job (minutes); ``--repeat`` takes
medians of more. ``--quick`` uses 300 pairs instead of all (a smoke run). Nothing here is a timed assertion.

Run: ``make bench`` or ``.venv/bin/python bench/bench_sweep.py [--quick] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import pickle
import statistics
import time

import networkx as nx
import pandas as pd
from _timing import timed
from distributed import Client, LocalCluster

import transit

DEPARTURES = {"start": "2017-10-30T08:00", "end": "2017-11-05T08:00", "step": "1D"}
YEAR_TRIPS = 2_256 * 365 * 2


def fresh(net: object) -> object:
    """A copy of the network with cold caches, as a Dask worker gets it."""
    return pickle.loads(pickle.dumps(net))


def run(net: object, grid: dict[str, object], scheduler: object, repeat: int) -> tuple[list[float], pd.DataFrame]:
    times, table = [], None
    for _ in range(repeat):
        copy = fresh(net)
        start = time.perf_counter()
        table = transit.sweep(copy, scheduler=scheduler, **grid)
        times.append(time.perf_counter() - start)
    assert isinstance(table, pd.DataFrame)
    return times, table


def report(name: str, grid: dict[str, object], net: object, repeat: int) -> dict[str, float]:
    """Serial, then 1 and 2 workers; print the table; return the per-trip cost and per-task overhead."""
    serial_s, serial = run(net, grid, None, repeat)
    trips = len(serial)
    tasks = math.ceil(trips / (grid.get("partition_size") or max(1, min(math.ceil(trips / 64), 32 if grid.get("samples") else 256))))
    ok = int((serial["status"] == "ok").sum())
    print(f"\n{name}: {trips:,} trips ({ok:,} with a route) in {tasks} tasks", flush=True)
    base = statistics.median(serial_s)
    print(f"  {'in this process (baseline)':34} median {base:8.1f} s   {base / trips * 1000:7.2f} ms/trip", flush=True)
    figures = {"per_trip_s": base / trips, "tasks": tasks}
    for workers in (1, 2):
        start = time.perf_counter()
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, Client(cluster) as client:
            client.run(importlib.import_module, "transit")  # each worker imports the library once (start-up, not per task)
            startup = time.perf_counter() - start
            times, table = run(net, grid, client, repeat)
        pd.testing.assert_frame_equal(table, serial)
        median = statistics.median(times)
        line = (
            f"  {f'LocalCluster, {workers} worker' + ('s' if workers > 1 else ''):34} median {median:8.1f} s   {median / trips * 1000:7.2f} ms/trip"
        )
        line += f"   speed-up {base / median:4.2f}x   (cluster start and imports {startup:.1f} s, not included; table equal to the serial one)"
        print(line, flush=True)
        if workers == 1:
            figures["overhead_task_s"] = max(0.0, (median - base) / tasks)
            print(f"  {'':34} overhead per task (1 worker - serial) / tasks: {figures['overhead_task_s'] * 1000:.1f} ms", flush=True)
        figures[f"workers_{workers}_s"] = median
        figures["startup_s"] = startup
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 pairs instead of all 2,256 (a smoke run)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration (medians)")
    args = parser.parse_args()
    net = transit.load_network()
    cities = transit.sweeps.cities(net)
    pairs = [(a, b) for a in cities for b in cities if a != b]
    if args.quick:
        pairs = pairs[:: max(1, len(pairs) // 300)][:300]
    print(f"transit {transit.__version__}; {os.cpu_count()} cores; {len(pairs):,} pairs", flush=True)

    # The router's baseline: networkx's static Dijkstra from every city (what a general router computes).
    ids = [n for n, d in net.nodes(data=True) if d.get("kind") in ("city", "port")]
    dijkstra = timed(lambda: [nx.single_source_dijkstra_path_length(net, a, weight="travel_time") for a in ids], repeat=3)
    print(f"networkx static Dijkstra from every city (all pairs, no time, no rules): median {statistics.median(dijkstra) * 1000:.0f} ms", flush=True)

    deterministic = report(
        "deterministic: pairs x 7 daily departures x 2 regimes",
        {"pairs": pairs, "departures": DEPARTURES, "regimes": ["pre-2017", "sco-2017"]},
        net,
        args.repeat,
    )
    report(
        "sampled: pairs x 200 samples, sco-2017",
        {"pairs": pairs, "departures": ["2017-10-30T08:00"], "regimes": ["sco-2017"], "samples": 200, "rng": 1},
        net,
        args.repeat,
    )

    per_trip, overhead = deterministic["per_trip_s"], deterministic["overhead_task_s"]
    tasks = math.ceil(YEAR_TRIPS / 256)
    print(
        f"\nprojection: a year of daily departures, every pair, 2 regimes = {YEAR_TRIPS:,} trips in {tasks:,} tasks of 256, "
        f"at {per_trip * 1000:.2f} ms/trip and {overhead * 1000:.1f} ms/task (measured above), workers on cores like these:"
    )
    for workers in (1, 2, 8, 32, 128):
        hours = (YEAR_TRIPS * per_trip + tasks * overhead) / workers / 3600
        print(f"  {workers:4} worker{'s' if workers > 1 else ' '}: {hours:6.2f} h" + ("  (this machine)" if workers == os.cpu_count() else ""))
    print(
        "  (linear in workers: each task is independent and the network goes to each worker once; the overhead per task "
        "is what a 1-worker cluster costs beyond this process, scheduler and transfers included)"
    )


if __name__ == "__main__":
    main()
