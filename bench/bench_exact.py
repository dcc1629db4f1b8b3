"""
The current route search against a recorded baseline: is it ever later, how much earlier, and how fast.

Reads a CSV written by ``bench/record_search.py`` (default: the old search's answers at commit 51d5ab0,
``bench/data/old_search_2017-10-30.csv``), runs this checkout's ``plan_trip`` on the same grid (the
baseline's pairs x regimes x crews, at the departure recorded in its header) and reports:

* rows compared; rows where the new arrival is LATER than the old by more than 1 s (each listed with both
  totals and crossings: there must be none); equal (|diff| <= 1 s); earlier;
* for the earlier ones, per regime x crew: count, share, median / p90 / max gain in hours, and the 10
  largest gains with both totals and crossings;
* status changes (ok -> error, error -> ok, one error class -> another), listed;
* time: total seconds of each regime x crew block, beside ``nx.shortest_path(net, a, b,
  weight="travel_time")`` on the same pairs measured in the same run, and their ratio (a machine-neutral
  figure: run it in the old checkout too to compare speeds). Blocks run in order in one process, so a
  search that caches per (pair, regime) rather than per crew (the old one caches its candidate paths so)
  has the second crew of a regime reuse the first's work: compare the totals, not single blocks.

Exit code 1 if any row is later, an ok row became an error (no route is later than any arrival), or a
baseline row could not be run (its node is not in this network); 0 otherwise.

Run: ``.venv/bin/python bench/bench_exact.py [--baseline PATH] [--save PATH]``.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx
import record_search as rs

import transit

TOLERANCE_S = 1.0
TOP = 10
Key = tuple[str, str, str, str]  # origin, destination, regime, drivers: as strings, as in the CSV
Row = dict[str, str]
Timing = tuple[str, int, int, float, float]  # regime, drivers, trips, plan_trip s, networkx s


def key(row: Row) -> Key:
    return row["origin"], row["destination"], row["regime"], row["drivers"]


def timestamp(row: Row) -> float:
    return datetime.fromisoformat(row["arrival_utc"]).timestamp()


def quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def run_blocks(net: Any, baseline: list[Row], departure: str) -> tuple[dict[Key, Row], list[Timing]]:
    """Run the baseline's grid block by block; return the new rows by key and the timing of each block."""
    ids = {str(n): n for n in net.nodes}
    blocks: dict[tuple[str, int], list[tuple[Any, Any]]] = {}
    for row in baseline:
        if row["origin"] in ids and row["destination"] in ids:
            blocks.setdefault((row["regime"], int(row["drivers"])), []).append((ids[row["origin"]], ids[row["destination"]]))
    if blocks:  # warm the per-network indexes both searches share (place names, roads), outside the timings
        (regime, drivers), cells = next(iter(blocks.items()))
        rs.run_one(net, *cells[0], regime, drivers, departure)
        nx.shortest_path(net, *cells[0], weight="travel_time")
    rows: dict[Key, Row] = {}
    timings = []
    for (regime, drivers), cells in blocks.items():
        start = time.perf_counter()
        for row in rs.run_grid(net, [(regime, drivers, a, b) for a, b in cells], departure, label=f"{regime} x {drivers}"):
            rows[key(row)] = row
        plan_s = time.perf_counter() - start
        start = time.perf_counter()
        for a, b in cells:
            with contextlib.suppress(nx.NetworkXNoPath):
                nx.shortest_path(net, a, b, weight="travel_time")
        timings.append((regime, drivers, len(cells), plan_s, time.perf_counter() - start))
    return rows, timings


def trip_text(row: Row) -> str:
    if row["status"] != "ok":
        return f"{row['status']}: {' '.join(row['message'].split())[:120]}"
    return f"{float(row['total_h']):9.2f} h via {row['crossings'] or '(domestic)'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, default=rs.DEFAULT_OUTPUT, help="CSV of record_search.py (default: %(default)s)")
    parser.add_argument("--save", type=Path, default=None, help="also write the new answers as a CSV of record_search.py")
    args = parser.parse_args()

    start = time.perf_counter()
    meta, baseline = rs.read_rows(args.baseline)
    departure = meta.get("departure", rs.DEPARTURE)
    net = transit.load_network()
    names = {str(n): d.get("name", str(n)) for n, d in net.nodes(data=True)}
    print(f"baseline: {args.baseline} ({len(baseline)} rows, commit {meta.get('commit', '?')}, departure {departure})")
    print(f"current:  commit {rs.git_commit()}, transit from {Path(transit.__file__).parent}")
    new, timings = run_blocks(net, baseline, departure)
    if args.save:
        rs.write_rows(args.save, list(new.values()), rs.header(departure))

    def route(row: Row) -> str:
        a, b = names.get(row["origin"], row["origin"]), names.get(row["destination"], row["destination"])
        return f"{a} -> {b}, {row['regime']}, {row['drivers']} dr."

    later, earlier, changes, missing = [], [], [], []
    equal = both_failed = 0
    for old in baseline:
        cur = new.get(key(old))
        if cur is None:
            missing.append(old)
        elif old["status"] == cur["status"] == "ok":
            diff = timestamp(cur) - timestamp(old)
            if diff > TOLERANCE_S:
                later.append((diff, old, cur))
            elif diff < -TOLERANCE_S:
                earlier.append((-diff / 3600, old, cur))
            else:
                equal += 1
        elif old["status"] != cur["status"]:
            changes.append((old, cur))
        else:
            both_failed += 1
    compared = len(baseline) - len(missing)

    print(f"\nrows compared: {compared} of {len(baseline)}" + (f"  ({len(missing)} NOT RUN: node not in this network)" if missing else ""))
    print(f"  later by > {TOLERANCE_S:g} s:  {len(later)}" + ("" if not later else "   <-- FAIL"))
    print(f"  equal (|diff| <= {TOLERANCE_S:g} s): {equal}")
    print(f"  earlier:             {len(earlier)}")
    print(f"  status changed:      {len(changes)}")
    print(f"  error in both (same class): {both_failed}")

    if later:
        print("\nLATER than the old search:")
        for diff, old, cur in sorted(later, key=lambda item: -item[0]):
            print(f"  +{diff / 3600:.4f} h  {route(old)}\n      old {trip_text(old)}\n      new {trip_text(cur)}")

    if earlier:
        print("\nearlier arrivals, gain in hours:")
        print(f"  {'regime':10} {'crew':>4} {'count':>6} {'share':>7} {'median':>8} {'p90':>8} {'max':>8}")
        for regime, drivers, n, _, _ in timings:
            gains = [g for g, old, _ in earlier if old["regime"] == regime and old["drivers"] == str(drivers)]
            if gains:
                med, p90 = statistics.median(gains), quantile(gains, 0.9)
                print(f"  {regime:10} {drivers:>4} {len(gains):>6} {len(gains) / n:>7.1%} {med:>8.2f} {p90:>8.2f} {max(gains):>8.2f}")
            else:
                print(f"  {regime:10} {drivers:>4} {0:>6} {0:>7.1%} {'-':>8} {'-':>8} {'-':>8}")
        print(f"\n{min(TOP, len(earlier))} largest gains:")
        for gain, old, cur in sorted(earlier, key=lambda item: -item[0])[:TOP]:
            print(f"  -{gain:.2f} h  {route(old)}\n      old {trip_text(old)}\n      new {trip_text(cur)}")

    if changes:
        print("\nstatus changes:")
        for old, cur in changes:
            print(f"  {old['status']} -> {cur['status']}  {route(old)}\n      old {trip_text(old)}\n      new {trip_text(cur)}")

    print("\ntime of plan_trip per block, beside nx.shortest_path(weight='travel_time') on the same pairs, same run:")
    print(f"  {'regime':10} {'crew':>4} {'trips':>6} {'plan_trip':>10} {'per trip':>10} {'networkx':>10} {'ratio':>7}")
    for regime, drivers, n, plan_s, nx_s in timings:
        print(f"  {regime:10} {drivers:>4} {n:>6} {plan_s:>8.2f} s {plan_s / n * 1000:>7.2f} ms {nx_s:>8.3f} s {plan_s / nx_s:>6.0f}x")
    plan_total, nx_total = sum(t[3] for t in timings), sum(t[4] for t in timings)
    print(f"  {'all':10} {'':>4} {len(new):>6} {plan_total:>8.2f} s {'':>10} {nx_total:>8.3f} s {plan_total / max(nx_total, 1e-9):>6.0f}x")
    print("  (blocks run in this order in one process; the second crew may reuse the first's cached search)")
    print(f"\nelapsed: {time.perf_counter() - start:.1f} s")

    lost = [c for c in changes if c[0]["status"] == "ok"]
    return 1 if later or lost or missing else 0


if __name__ == "__main__":
    sys.exit(main())
