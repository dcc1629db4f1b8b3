"""
Benchmark of the reliability layer (issue #3): Monte Carlo samples and OD matrices.

Targets:

* 10,000 samples of Kashgar -> Tashkent: <= 100 ms median, and >= 30x faster than a plain per-sample Python loop
  over the same simulator (the scalar simulator of :mod:`transit.simulate`, given each sample's delays);
* 100,000 samples: <= 1 s;
* matrix of every city pair, deterministic, one regime: <= 10 s; with 1,000 samples per pair: reported.

Every figure is a median of repeated runs with its baseline measured in the same run (machines here are noisy).
The per-sample loop is the baseline for sampling; a plain networkx Dijkstra over the same pairs (what a general
router does) is the baseline for the matrix. Nothing here is a timed assertion.

Run: ``make bench`` or ``.venv/bin/python bench/bench_reliability.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import networkx as nx
import numpy as np
from _timing import timed

import transit
from transit.montecarlo import draw_delays, simulate_many
from transit.simulation import simulate_path as _simulate

DEPARTURE = "2017-10-30T08:00"


def line(name: str, runs: list[float], baseline: list[float] | None = None, *, unit: str = "ms", target: str = "", note: str = "") -> None:
    scale = 1000.0 if unit == "ms" else 1.0
    median = statistics.median(runs) * scale
    text = f"{name:58} median {median:9.2f} {unit}  (n={len(runs)}, min {min(runs) * scale:.2f}, max {max(runs) * scale:.2f})"
    if baseline is not None:
        base = statistics.median(baseline) * scale
        ratio = f"{base / median:6.1f}x faster than the baseline" if base >= median else f"{median / base:6.1f}x slower than the baseline"
        text += f"\n{'':58} baseline {base:9.2f} {unit}  ratio: {ratio}"
    if target:
        text += f"\n{'':58} target {target}"
    if note:
        text += f"\n{'':58} {note}"
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and no sampled matrix (a smoke run)")
    args = parser.parse_args()
    repeat = 5 if args.quick else 21

    net = transit.load_network()
    regime = transit.get_regime(net, "sco-2017")
    trip = transit.plan_trip(net, "Kashgar", "Tashkent", regime="sco-2017", departure=DEPARTURE, via=["Irkeshtam"])
    depart_s = trip.departure.timestamp()
    print(
        f"machine: {os.cpu_count()} cores; trip {trip.origin_name} -> {trip.destination_name} via {' / '.join(trip.crossings)}, "
        f"deterministic {trip.total_h:.1f} h\n",
        flush=True,
    )

    def sample(n: int, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        draws = draw_delays(net, trip.path, regime, n, rng)
        return simulate_many(net, trip.path, regime=regime, vehicle=trip.vehicle, departure_s=depart_s, draws=draws, **trip.plan).total_s

    # Baseline: the same delays, one scalar simulation per sample.
    n_loop = 10_000
    fixed_draws = draw_delays(net, trip.path, regime, n_loop, np.random.default_rng(0))

    def loop() -> np.ndarray:
        out = np.empty(n_loop)
        for i in range(n_loop):
            one = {k: (q[i], c[i], x[i]) for k, (q, c, x) in fixed_draws.items()}
            t = _simulate(net, trip.path, regime, trip.vehicle, trip.departure, **trip.plan, annotate=False, draws=one)
            out[i] = t.arrival.timestamp() - depart_s
        return out

    sample(1000)  # warm the opening-hours tables
    vector = sample(10_000, seed=0)
    scalar = loop()
    assert np.array_equal(vector, scalar), "vectorised and per-sample results differ"
    print("check: the vectorised samples equal the per-sample loop's, second for second\n", flush=True)

    line(
        "reliability: 10,000 samples Kashgar->Tashkent (vectorised)",
        timed(lambda: sample(10_000), repeat=repeat),
        timed(loop, repeat=3),
        target="<= 100 ms median and >= 30x faster than the per-sample loop (baseline)",
    )
    line("reliability: 100,000 samples", timed(lambda: sample(100_000), repeat=max(3, repeat // 3)), target="<= 1 s median")
    line(
        "transit.reliability(...) end to end, 10,000 samples (plans first)",
        timed(
            lambda: transit.reliability(net, "Kashgar", "Tashkent", regime="sco-2017", departure=DEPARTURE, via=["Irkeshtam"], samples=10_000, rng=1),
            repeat=repeat,
        ),
    )
    # Under the dated history, across an event boundary: the pilot week's permits end on 4 Nov 2017, so samples
    # leaving over a day meet different rules at Irkeshtam and the vectorised run splits into groups.
    history = transit.get_regime(net, "history")
    straddle = transit.plan_trip(net, "Tashkent", "Kashgar", regime="history", departure="2017-11-02T08:00", via=["Irkeshtam"])
    spread = straddle.departure.timestamp() + np.linspace(0, 36 * 3600, 10_000).round()

    def dated(n: int = 10_000) -> np.ndarray:
        draws = draw_delays(net, straddle.path, history, n, np.random.default_rng(0), departure_s=float(spread[0]))
        runs = simulate_many(net, straddle.path, regime=history, vehicle=straddle.vehicle, departure_s=spread[:n], draws=draws)
        return runs.arrival_s

    line(
        "history: 10,000 samples straddling an event boundary",
        timed(dated, repeat=repeat),
        timed(lambda: sample(10_000), repeat=repeat),
        target="reported (baseline: the same count under sco-2017, no boundary)",
    )
    print(flush=True)

    cities = [n for n, d in net.nodes(data=True) if d["kind"] in ("city", "port")]
    pairs = [(a, b) for a in cities for b in cities if a != b]

    def dijkstra_all() -> None:
        for a in cities:
            nx.single_source_dijkstra_path_length(net, a, weight="travel_time")

    baseline = timed(dijkstra_all, repeat=3)
    for scheduler in ("local", None):
        fresh = transit.freeze(
            transit.editable(transit.load_network())
        )  # a graph of its own, cold caches: a matrix is usually the first job of a process
        runs = []
        for _ in range(1 if args.quick else 3):
            start = time.perf_counter()
            table = transit.matrix(fresh, regime="sco-2017", departure=DEPARTURE, scheduler=scheduler)
            runs.append(time.perf_counter() - start)
        ok = int((table["status"] == "ok").sum())
        label = f"matrix: {len(pairs):,} city pairs, deterministic, " + (f"LocalCluster of {os.cpu_count()} workers" if scheduler else "in process")
        line(
            label,
            runs,
            baseline,
            unit="s",
            target="<= 10 s median" if scheduler else "",
            note=f"{ok:,} of {len(table):,} pairs routed; first run cold (fresh network), later runs warm",
        )
    if not args.quick:
        start = time.perf_counter()
        table = transit.matrix(transit.load_network(), regime="sco-2017", departure=DEPARTURE, samples=1_000, rng=1, scheduler="local")
        elapsed = time.perf_counter() - start
        line(
            f"matrix: {len(pairs):,} pairs x 1,000 samples, LocalCluster of {os.cpu_count()} workers",
            [elapsed],
            unit="s",
            note=f"reported, no target; median P90/P50 over pairs {float((table['p90_h'] / table['p50_h']).median()):.2f}",
        )


if __name__ == "__main__":
    main()
