"""
Benchmark of the core: ``compare`` for Kashgar -> Tashkent, and ``plan_trip`` for every ordered pair of cities.

Targets (issue 12, the exact label-setting search): compare <= 2 ms median (two regimes); all pairs <= 5 s.
Each figure is printed beside a baseline measured in the same run: a plain networkx Dijkstra on the static
``travel_time`` of the same graph and pairs (what a general router does), so the cost of the time-true
simulation shows as a ratio. Machines here are noisy: medians of repeated runs, never timed assertions.

Last, the time of one ``plan_trip`` against the length of ``via`` (the route search is one A* over the
waypoints, so it grows about linearly, not exponentially as it did with one search per leg and orientation).

The search remembers, per network, what driving a leg did to a crew (``transit._legs``): a repeated question
finds its legs driven. ``compare`` is timed both ways (repeated, and with that memo emptied before each run);
all pairs and ``via`` always with it emptied, as a new process would start.

Run: ``make bench`` or ``.venv/bin/python bench/bench_core.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import networkx as nx
from _timing import timed

import transit
from transit import _cache

DEPARTURE = "2017-10-30T08:00"
#: The issue-11 report's departures: one dated comparison under the history regime.
DATES = ["2016-10-31T08:00", "2017-10-30T08:00", "2018-03-05T08:00", "2020-06-01T08:00", "2021-06-01T08:00", "2024-06-03T08:00"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=50, help="repetitions of the compare benchmark")
    parser.add_argument("--pair-runs", type=int, default=3, help="repetitions of the all-pairs benchmark")
    args = parser.parse_args()

    start = time.perf_counter()
    net = transit.load_network()
    load_s = time.perf_counter() - start
    origin, destination = transit.resolve_place(net, "Kashgar"), transit.resolve_place(net, "Tashkent")

    def run_compare() -> None:
        transit.compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "sco-2017"], departure=DEPARTURE)

    def run_baseline() -> None:
        nx.shortest_path(net, origin, destination, weight="travel_time")

    def run_compare_history() -> None:
        transit.compare(net, "Kashgar", "Tashkent", regimes=["pre-2017", "history"], departure=DEPARTURE)

    def run_dates() -> None:
        transit.compare(net, "Tashkent", "Kashgar", regimes="history", departures=DATES)

    def run_dates_baseline() -> None:
        for _ in DATES:
            nx.shortest_path(net, destination, origin, weight="travel_time")

    run_compare()  # warm the indexes and caches that a long-running process keeps
    run_compare_history()
    run_dates()
    compare_s = timed(run_compare, repeat=args.repeat)

    def run_compare_cold() -> None:
        forget_legs(net)
        run_compare()

    cold_s = timed(run_compare_cold, repeat=args.repeat)
    baseline_s = timed(run_baseline, repeat=args.repeat)
    cm, bm = statistics.median(compare_s), statistics.median(baseline_s)
    hm = statistics.median(timed(run_compare_history, repeat=args.repeat))
    dm = statistics.median(timed(run_dates, repeat=args.repeat))
    dbm = statistics.median(timed(run_dates_baseline, repeat=args.repeat))

    cities = [n for n, d in net.nodes(data=True) if d["kind"] in ("city", "port")]
    pairs = [(a, b) for a in cities for b in cities if a != b]
    stats = {"labels": 0, "expanded": 0, "dominated": 0, "holds": 0}

    def run_pairs(regime: str = "sco-2017") -> None:
        for a, b in pairs:
            trip = transit.plan_trip(net, a, b, regime=regime, departure=DEPARTURE)
            stats["labels"] += trip.search.labels
            stats["expanded"] += trip.search.expanded
            stats["dominated"] += trip.search.dominated
            stats["holds"] += trip.search.holds

    def run_pairs_baseline() -> None:
        for a, b in pairs:
            nx.shortest_path(net, a, b, weight="travel_time")

    def run_pairs_cold(regime: str = "sco-2017") -> None:
        forget_legs(net)
        run_pairs(regime)

    pairs_s = timed(run_pairs_cold, repeat=args.pair_runs)
    pairs_base_s = timed(run_pairs_baseline, repeat=args.pair_runs)
    pm, pbm = statistics.median(pairs_s), statistics.median(pairs_base_s)
    runs = args.pair_runs * len(pairs)
    saved = dict(stats)
    history_pairs_s = timed(lambda: run_pairs_cold("history"), repeat=args.pair_runs)
    stats.update(saved)
    hpm = statistics.median(history_pairs_s)

    print(f"network: {net.number_of_nodes()} nodes, {net.number_of_edges()} edges, loaded in {load_s * 1000:.0f} ms")
    print()
    print(f"{'benchmark':48} {'median':>12} {'baseline':>12} {'ratio':>8} {'target':>10}")
    print(
        f"{'compare Kashgar->Tashkent, 2 regimes, routed':48} {cm * 1000:9.2f} ms {bm * 1000:9.3f} ms {cm / bm:7.0f}x {'<= 2 ms':>10}  {'OK' if cm <= 0.002 else 'MISSED'}"
    )
    print(
        f"{'  the same, no leg remembered (each run cold)':48} {statistics.median(cold_s) * 1000:9.2f} ms {bm * 1000:9.3f} ms {statistics.median(cold_s) / bm:7.0f}x"
    )
    print(
        f"{f'plan_trip, all {len(pairs)} ordered city pairs':48} {pm:10.2f} s {pbm:10.3f} s {pm / pbm:7.0f}x {'<= 5 s':>10}  {'OK' if pm <= 5 else 'MISSED'}"
    )
    print(f"{'  per pair':48} {pm / len(pairs) * 1000:9.2f} ms {pbm / len(pairs) * 1000:9.3f} ms")
    print(
        f"{'compare pre-2017 vs history (dated rules)':48} {hm * 1000:9.2f} ms {bm * 1000:9.3f} ms {hm / bm:7.0f}x {'<= 10 ms':>10}  {'OK' if hm <= 0.010 else 'MISSED'}"
    )
    print(f"{f'compare Tashkent->Kashgar at {len(DATES)} dates, history':48} {dm * 1000:9.2f} ms {dbm * 1000:9.3f} ms {dm / dbm:7.0f}x")
    print(
        f"{f'plan_trip, all {len(pairs)} pairs, history':48} {hpm:10.2f} s {pbm:10.3f} s {hpm / pbm:7.0f}x {'<= 10 s':>10}  {'OK' if hpm <= 10 else 'MISSED'}"
    )
    print(f"{'  each run (no leg remembered)':48} {', '.join(f'{x:.2f} s' for x in pairs_s)}")
    print()
    print(
        f"route search over all pairs, per trip: {stats['labels'] / runs:.1f} labels kept, {stats['expanded'] / runs:.1f} expanded, "
        f"{stats['dominated'] / runs:.1f} dominated, {stats['holds'] / runs:.1f} made by waiting (no cap on routes)"
    )
    print("Baseline: networkx.shortest_path on static travel_time (no borders, no rests, no time).")
    print()
    via_lengths()


def forget_legs(net: nx.MultiDiGraph) -> None:
    """Empty ``net``'s memo of legs driven (``transit._legs``): the next search drives every leg afresh, as a new process would."""
    _cache.store(net)["leg_drives"].clear()


def via_lengths(*, repeat: int = 3) -> None:
    """plan_trip time against the length of ``via`` (before the A* of issue 10: 14 items took 38.8 s; target < 1 s), median of ``repeat``."""
    print(f"plan_trip Kashgar -> Kashgar via Irkeshtam, Torugart, ... (a fresh graph each time, no leg remembered; median of {repeat})")
    print(f"{'via items':>10} {'median':>10} {'runs':>24} {'crossings as asked':>20}")
    for n in (2, 4, 6, 8, 10, 12, 14, 20):
        via = (["Irkeshtam", "Torugart"] * 10)[:n]
        runs, ok = [], True
        for _ in range(repeat):
            fresh = transit.freeze(transit.editable(transit.load_network()))  # a graph of its own: its own caches
            transit.plan_trip(fresh, "Kashgar", "Osh", departure=DEPARTURE)  # build the per-graph road indexes first
            forget_legs(fresh)
            start = time.perf_counter()
            trip = transit.plan_trip(fresh, "Kashgar", "Kashgar" if n % 2 == 0 else "Osh", via=via, departure=DEPARTURE)
            runs.append(time.perf_counter() - start)
            ok = ok and trip.crossings == tuple(via[i].lower() for i in range(n))
        each = ", ".join(f"{x * 1000:.0f}" for x in runs)
        target = f"  {'OK' if statistics.median(runs) < 1 else 'MISSED'} (< 1 s)" if n == 14 else ""
        print(f"{n:>10} {statistics.median(runs) * 1000:7.0f} ms {each + ' ms':>24} {'yes' if ok else 'NO':>20}{target}")


if __name__ == "__main__":
    main()
