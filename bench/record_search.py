"""
Record the route search's answers on a fixed grid, as a CSV baseline to compare another search against.

The grid: every ordered pair of nodes whose ``kind`` is ``city`` or ``port`` in ``transit.load_network()``
(48 nodes, 2,256 pairs) x regimes ``pre-2017`` and ``sco-2017`` x crews of 1 and 2 drivers (the truck
registered in the origin's country), leaving at one local time at the origin. One row per trip: origin,
destination (node ids), regime, drivers, status (``ok`` or the exception's class name), arrival_utc,
total_h, crossings (joined with ``/``) and message (the error's text). The first lines are ``#`` comments:
the git commit of the checkout, the date, the command line and the departure.

It uses only ``load_network`` and ``plan_trip``, so it runs in any checkout. ``bench/bench_exact.py``
imports its functions to run the same grid and compares the answers.

Run: ``.venv/bin/python bench/record_search.py --output bench/data/old_search_2017-10-30.csv``
(``--limit-pairs 20`` for a quick try; about a minute for the whole grid).
"""

from __future__ import annotations

import argparse
import csv
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import transit

DEPARTURE = "2017-10-30T08:00"
REGIMES = ("pre-2017", "sco-2017")
CREWS = (1, 2)
KINDS = ("city", "port")
COLUMNS = ("origin", "destination", "regime", "drivers", "status", "arrival_utc", "total_h", "crossings", "message")
PROGRESS_EVERY = 500
REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "bench" / "data" / f"old_search_{DEPARTURE[:10]}.csv"


def endpoints(net: Any) -> list[Any]:
    """Nodes whose ``kind`` is city or port, in the network's order."""
    return [n for n, d in net.nodes(data=True) if d.get("kind") in KINDS]


def pairs(net: Any, limit: int | None = None) -> list[tuple[Any, Any]]:
    """Every ordered pair of distinct endpoints (the first ``limit`` of them if given)."""
    nodes = endpoints(net)
    out = [(a, b) for a in nodes for b in nodes if a != b]
    return out[:limit] if limit is not None else out


def grid(pair_list: list[tuple[Any, Any]]) -> Iterator[tuple[str, int, Any, Any]]:
    """``(regime, drivers, origin, destination)``, one regime x crew block after the other."""
    for regime in REGIMES:
        for drivers in CREWS:
            for a, b in pair_list:
                yield regime, drivers, a, b


def run_one(net: Any, origin: Any, destination: Any, regime: str, drivers: int, departure: str) -> dict[str, str]:
    """Plan one trip and return its CSV row (an error becomes a row with its class name, not a crash)."""
    row = {"origin": str(origin), "destination": str(destination), "regime": regime, "drivers": str(drivers)}
    try:
        trip = transit.plan_trip(net, origin, destination, regime=regime, departure=departure, vehicle={"drivers": drivers})
    except Exception as exc:  # noqa: BLE001 - a baseline records every failure, a bug as well as NoRouteError
        return row | {"status": type(exc).__name__, "arrival_utc": "", "total_h": "", "crossings": "", "message": str(exc)}
    return row | {
        "status": "ok",
        "arrival_utc": trip.arrival.astimezone(UTC).isoformat(),
        "total_h": f"{trip.total_h:.6f}",
        "crossings": "/".join(trip.crossings),
        "message": "",
    }


def run_grid(net: Any, cells: list[tuple[str, int, Any, Any]], departure: str, *, label: str = "rows") -> Iterator[dict[str, str]]:
    """Rows of :func:`run_one` over ``cells``, with progress on stderr every ``PROGRESS_EVERY`` rows."""
    start = time.perf_counter()
    for i, (regime, drivers, a, b) in enumerate(cells, 1):
        yield run_one(net, a, b, regime, drivers, departure)
        if i % PROGRESS_EVERY == 0 or i == len(cells):
            print(f"  {label}: {i}/{len(cells)} ({time.perf_counter() - start:.1f} s)", file=sys.stderr)


def git_commit() -> str:
    """``git rev-parse HEAD`` of this checkout, with ``+dirty`` if ``transit/`` has uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False).stdout.strip()

    head = git("rev-parse", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "--", "transit") else "")


def header(departure: str) -> list[str]:
    """The ``#`` comment lines at the top of the CSV."""
    return [
        f"# commit: {git_commit()}",
        f"# date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"# command: {shlex.join([Path(sys.executable).name, *sys.argv])}",
        f"# departure: {departure}",
        f"# transit: {transit.__version__} from {Path(transit.__file__).parent}",
    ]


def read_rows(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The ``# key: value`` header and the rows of a CSV written by this script."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    meta = dict(line[2:].strip().split(": ", 1) for line in lines if line.startswith("# ") and ": " in line)
    return meta, list(csv.DictReader(line for line in lines if not line.startswith("#")))


def write_rows(path: Path, rows: list[dict[str, str]], comments: list[str]) -> None:
    """Write the CSV to a temporary file beside ``path`` and rename it: never a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.writelines(line + "\n" for line in comments)
            writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)  # mkstemp makes it 0600
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="CSV to write (default: %(default)s)")
    parser.add_argument("--departure", default=DEPARTURE, help="local time at the origin (default: %(default)s)")
    parser.add_argument("--limit-pairs", type=int, default=None, metavar="N", help="only the first N ordered pairs (quick tries)")
    args = parser.parse_args()

    start = time.perf_counter()
    comments = header(args.departure)
    net = transit.load_network()
    cells = list(grid(pairs(net, args.limit_pairs)))
    print(f"recording {len(cells)} trips ({comments[0][2:]}) -> {args.output}", file=sys.stderr)
    rows = list(run_grid(net, cells, args.departure))
    write_rows(args.output, rows, comments)
    failed = sum(r["status"] != "ok" for r in rows)
    print(f"wrote {len(rows)} rows ({failed} not ok) to {args.output} in {time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
