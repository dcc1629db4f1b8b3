"""
FIFO sweep of ``plan_trip``: a later departure must never arrive earlier.

A truck can always wait, so for one origin, destination, regime and crew the earliest arrival can only grow
with the departure time. The sweep plans every departure of a grid and counts the departures that arrive later
than some later departure of the same series (a FIFO violation of the route search).

The sweep: 40 ordered pairs of places of kind ``city`` or ``port`` (Korla -> Dushanbe and Zhengzhou -> Chelyabinsk,
known violators, then 38 drawn with ``numpy.random.default_rng(2017)`` from the other ordered pairs sorted by node
id) x 2 regimes (pre-2017, sco-2017) x crews of 1 and 2 drivers (registered in the origin's country) x departures
every 20 min for 8 days from 2017-10-27T00:00, local time at the origin: 576 departures per series, 92,160 plans.

A violation is a departure ``i`` whose arrival is later, by more than 1 s, than that of some departure ``j > i``
of the same series; its size is ``arr_i - min(arr_j for j > i)``. A departure with no route (NoRouteError) is
counted apart, not as a violation. Beside the sweep's time, the same number of plain networkx Dijkstra calls on
the static ``travel_time`` of the same pairs (what a general router does) is timed as a baseline.

Exit code 1 if any violation.

Run: ``.venv/bin/python bench/bench_fifo.py`` (several minutes), or a quick look with ``--pairs 4 --days 1``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import networkx as nx
import numpy as np

import transit

#: The known violators, first in the sweep.
KNOWN_PAIRS = (("Korla", "Dushanbe"), ("Zhengzhou", "Chelyabinsk"))
PAIRS = 40
SEED = 2017
REGIMES = ("pre-2017", "sco-2017")
CREWS = (1, 2)
START = "2017-10-27T00:00"
DAYS = 8
STEP_MIN = 20
#: Arrivals closer than this are equal (seconds).
TOLERANCE_S = 1.0

Key = tuple[int, int, str, int]


@dataclass(frozen=True)
class Record:
    """One plan of the sweep: ``index`` orders the departures of one series (origin, destination, regime, drivers)."""

    origin: int
    destination: int
    regime: str
    drivers: int
    index: int
    departure: str
    arrival: datetime | None
    crossings: tuple[str, ...] = ()
    error: str | None = None

    @property
    def key(self) -> Key:
        return (self.origin, self.destination, self.regime, self.drivers)


@dataclass(frozen=True)
class Violation:
    """Departure ``earlier`` arrives ``size_h`` hours after ``later`` (the earliest arrival of the later departures)."""

    earlier: Record
    later: Record
    size_h: float


def sweep_pairs(net: nx.MultiDiGraph, n: int = PAIRS, *, seed: int = SEED) -> list[tuple[int, int]]:
    """The known violators, then ``n - 2`` other ordered pairs of cities and ports drawn reproducibly."""
    known = [(transit.resolve_place(net, a), transit.resolve_place(net, b)) for a, b in KNOWN_PAIRS]
    places = sorted(node for node, data in net.nodes(data=True) if data["kind"] in ("city", "port"))
    others = [(a, b) for a in places for b in places if a != b and (a, b) not in known]
    drawn = np.random.default_rng(seed).choice(len(others), size=n - len(known), replace=False) if n > len(known) else []
    return [*known, *(others[int(i)] for i in drawn)][:n]


def departures(start: str = START, *, days: float = DAYS, step_min: int = STEP_MIN) -> list[str]:
    """Naive ISO departures (local time at the origin) every ``step_min`` minutes for ``days`` days."""
    first = datetime.fromisoformat(start)
    count = round(days * 24 * 60 / step_min)
    return [(first + timedelta(minutes=step_min * k)).strftime("%Y-%m-%dT%H:%M") for k in range(count)]


def sweep(
    net: nx.MultiDiGraph,
    pairs: Iterable[tuple[int, int]],
    regimes: Sequence[str],
    crews: Sequence[int],
    departures: Sequence[str],
    *,
    progress: Callable[[int, int, int], None] | None = None,
) -> list[Record]:
    """Plan every departure of every series; ``progress(origin, destination, plans so far)`` after each pair."""
    records: list[Record] = []
    for origin, destination in pairs:
        country = net.nodes[origin]["country"]
        for regime in regimes:
            for drivers in crews:
                vehicle = transit.Vehicle(registration=country, drivers=drivers)
                for index, departure in enumerate(departures):
                    series = (origin, destination, regime, drivers, index, departure)
                    try:
                        trip = transit.plan_trip(net, origin, destination, regime=regime, departure=departure, vehicle=vehicle)
                    except transit.NoRouteError as exc:
                        records.append(Record(*series, arrival=None, error=str(exc)))
                    else:
                        records.append(Record(*series, arrival=trip.arrival, crossings=trip.crossings))
        if progress is not None:
            progress(origin, destination, len(records))
    return records


def violations(records: Iterable[Record], *, tolerance_s: float = TOLERANCE_S) -> list[Violation]:
    """Departures that arrive later than some later departure of the same series (no-route departures skipped)."""
    series: dict[Key, list[Record]] = defaultdict(list)
    for record in records:
        if record.arrival is not None:
            series[record.key].append(record)
    found = []
    for plans in series.values():
        best: Record | None = None  # the earliest arrival of the departures after the current one (the first such)
        for record in sorted(plans, key=lambda r: r.index, reverse=True):
            assert record.arrival is not None
            if best is not None:
                assert best.arrival is not None
                late_s = (record.arrival - best.arrival).total_seconds()
                if late_s > tolerance_s:
                    found.append(Violation(record, best, late_s / 3600))
            if best is None or record.arrival <= best.arrival:
                best = record
    found.sort(key=lambda v: (v.earlier.key, v.earlier.index))
    return found


def _name(net: nx.MultiDiGraph, node: int) -> str:
    return str(net.nodes[node]["name"])


def _series(net: nx.MultiDiGraph, key: Key) -> str:
    origin, destination, regime, drivers = key
    return f"{_name(net, origin)} -> {_name(net, destination)}, {regime}, {drivers} driver{'s' if drivers > 1 else ''}"


def _plan(record: Record) -> str:
    assert record.arrival is not None
    return f"dep {record.departure} -> arr {record.arrival.isoformat()} via {','.join(record.crossings) or '-'}"


def report(net: nx.MultiDiGraph, records: Sequence[Record], found: Sequence[Violation]) -> None:
    """Print the series with violations, then counts by pair and by regime and crew."""
    by_series: dict[Key, list[Violation]] = defaultdict(list)
    for v in found:
        by_series[v.earlier.key].append(v)
    if by_series:
        print(f"{'series':58} {'violations':>10} {'worst h':>8}  worst departure / the later one that beats it")
    for key, items in by_series.items():
        worst = max(items, key=lambda v: v.size_h)
        print(f"{_series(net, key):58} {len(items):>10} {worst.size_h:8.2f}  {_plan(worst.earlier)}")
        print(f"{'':79}  {_plan(worst.later)}")
    if by_series:
        print()
        per_pair = Counter((v.earlier.origin, v.earlier.destination) for v in found)
        print(f"violations by pair ({len(per_pair)} pairs of {len({(r.origin, r.destination) for r in records})}):")
        for (a, b), count in per_pair.most_common():
            print(f"  {_name(net, a)} -> {_name(net, b)}: {count}")
        by_rc = Counter((v.earlier.regime, v.earlier.drivers) for v in found)
        print("violations by regime and crew: " + ", ".join(f"{r} x{d}: {c}" for (r, d), c in sorted(by_rc.items())))
        print()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=PAIRS, help=f"the first N of the {PAIRS} pairs (default {PAIRS})")
    parser.add_argument("--days", type=float, default=DAYS, help=f"days of departures from {START} (default {DAYS})")
    parser.add_argument("--step-min", type=int, default=STEP_MIN, help=f"minutes between departures (default {STEP_MIN})")
    parser.add_argument("--regimes", default=",".join(REGIMES), help=f"comma-separated regime ids (default {','.join(REGIMES)})")
    parser.add_argument("--crews", default=",".join(map(str, CREWS)), help="comma-separated crew sizes (default 1,2)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if not 1 <= args.pairs <= PAIRS:
        parser.error(f"--pairs must be 1 to {PAIRS}")
    regimes = [r.strip() for r in args.regimes.split(",") if r.strip()]
    crews = [int(c) for c in args.crews.split(",") if c.strip()]

    net = transit.load_network()
    pairs = sweep_pairs(net, PAIRS)[: args.pairs]
    times = departures(days=args.days, step_min=args.step_min)
    per_pair = len(regimes) * len(crews) * len(times)
    total = len(pairs) * per_pair
    print(f"FIFO sweep: {len(pairs)} pairs x {len(regimes)} regimes ({', '.join(regimes)}) x crews {crews} x {len(times)} departures")
    print(f"(every {args.step_min} min from {times[0]} to {times[-1]}, local time at the origin) = {total} plans")
    print()

    transit.plan_trip(net, *pairs[0], regime=regimes[0], departure=times[0])  # build the per-graph indexes first
    start = time.perf_counter()

    def progress(origin: int, destination: int, done: int) -> None:
        if not args.quiet:
            took = time.perf_counter() - start
            print(f"  [{done:>6}/{total}] {_name(net, origin)} -> {_name(net, destination)}  {took:7.1f} s", file=sys.stderr, flush=True)

    records = sweep(net, pairs, regimes, crews, times, progress=progress)
    elapsed = time.perf_counter() - start

    start = time.perf_counter()
    for a, b in pairs:
        for _ in range(per_pair):
            nx.shortest_path(net, a, b, weight="travel_time")
    baseline = time.perf_counter() - start

    found = violations(records)
    report(net, records, found)
    no_route = sum(r.arrival is None for r in records)
    print(f"plans run:   {len(records)}")
    print(f"violations:  {len(found)} in {len({v.earlier.key for v in found})} series of {len(pairs) * len(regimes) * len(crews)}")
    if found:
        worst = max(found, key=lambda v: v.size_h)
        print(f"worst:       {worst.size_h:.2f} h ({_series(net, worst.earlier.key)}, {worst.earlier.departure} beaten by {worst.later.departure})")
    else:
        print("worst:       -")
    print(f"no route:    {no_route}")
    print(f"elapsed:     {elapsed:.1f} s, {len(records) / elapsed:.0f} plans/s ({elapsed / len(records) * 1000:.2f} ms per plan)")
    print(f"baseline:    {baseline:.2f} s for {total} nx.shortest_path(weight='travel_time') calls; ratio {elapsed / baseline:.0f}x")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
