"""
Country-size OSM builds (issue #10, 4.3): peak memory and time of :func:`transit.graph_from_osm` on synthetic PBF
files of about 10, 50 and 200 MB and on Liechtenstein, before (the old XML + osmnx pipeline) and after (the array
builder), measured in the same run.

The synthetic files are written with pyosmium (``osmium.SimpleWriter``) into a temporary directory and deleted
afterwards; the generator is seeded, so a size gives the same file every time. Each holds a road grid around the
Kazakh-Kyrgyz border (43 N, 74.5 E): junctions about 2 km apart joined by curving roads of every class (motorway
carriageways one-way, trunk to unclassified, some residential and track roads the truck filter drops, names, refs,
maxspeed, a few ``oneway`` and ``hgv=no``), the two countries' ``boundary=administrative admin_level=2`` relations
(the border runs along 43 N), border posts (``barrier=border_control``) where trunk and primary roads cross it,
named towns and villages, and what makes up most of a real extract: streets off the grid, buildings (closed ways)
and shop nodes. Kept roads are about 7% of the nodes (Liechtenstein: 2.5%).

Each build runs in a fresh process (as ``bench_osm_build.py``): peak = that process's max RSS, +MB = above a process
that imports transit, osmnx and osmium and builds nothing, +MB/MB = per MB of PBF (the target is at most 20).
The old pipeline is a copy of transit 96ff1cd's reader, XML writer and osmnx read (below, for this benchmark only);
it is skipped above ``--old-max-mb`` and stopped after ``--old-timeout`` seconds, and the table says so.

Run: ``.venv/bin/python bench/bench_osm_scale.py [--sizes 10 50 200] [--old-max-mb 250] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LIECHTENSTEIN = ROOT / "tests" / "data" / "liechtenstein-latest.osm.pbf"
#: Synthetic PBF bytes per grid block (2 x 2 km), measured on the generator's own output.
BYTES_PER_BLOCK = 3_850
TARGET_PER_MB = 20.0

# -- the synthetic extract ---------------------------------------------------------------------------

#: Road class by grid line (index mod 8); residential is dropped by the truck filter.
LINE_CLASS = ("trunk", "tertiary", "secondary", "unclassified", "primary", "tertiary", "secondary", "residential")
SPEED = {"trunk": "90", "primary": "70", "secondary": "60", "tertiary": "50", "unclassified": "40", "residential": "20"}
DX_DEG, DY_DEG = 0.025, 0.018  # ~2 km at 43 N
STEPS = 16  # road nodes per block edge
BORDER_LAT = 43.0


def generate(path: Path, target_mb: float, *, seed: int = 10) -> dict[str, int]:
    """Write a synthetic extract of about ``target_mb`` MB to ``path``; return counts of what it holds."""
    import osmium
    from osmium.osm.mutable import Relation

    blocks = max(16, round(target_mb * 1e6 / BYTES_PER_BLOCK))
    cols = rows = max(4, round(math.sqrt(blocks)))
    counts = {"nodes": 0, "ways": 0, "relations": 2, "road_nodes": 0}
    writer = osmium.SimpleWriter(str(path))
    try:
        # Twice with the same seed (the same ids): nodes first, then ways, as an extract is sorted; nothing is held.
        for phase in ("nodes", "ways"):
            _emit(writer, phase, cols, rows, seed, counts)
        for rid, (iso, name) in enumerate((("KZ", "Kazakhstan"), ("KG", "Kyrgyzstan")), start=1):
            tags = {"type": "boundary", "boundary": "administrative", "admin_level": "2", "ISO3166-1:alpha2": iso, "name": name}
            writer.add_relation(Relation(id=rid, members=[("w", counts[f"ring_{iso}"], "outer")], tags=tags))
    finally:
        writer.close()
    return counts


def _emit(writer: Any, phase: str, cols: int, rows: int, seed: int, counts: dict[str, int]) -> None:
    from osmium.osm import Location
    from osmium.osm.mutable import Node, Way

    rng = np.random.default_rng(seed)
    lon0, lat0 = 74.5 - cols / 2 * DX_DEG, BORDER_LAT - rows / 2 * DY_DEG + DY_DEG / 3
    next_id = [1]
    way_id = [1]

    def node(lon: float, lat: float, tags: dict[str, str] | None = None) -> int:
        nid = next_id[0]
        next_id[0] += 1
        if phase == "nodes":
            writer.add_node(Node(id=nid, location=Location(lon, lat), tags=tags or {}))
            counts["nodes"] += 1
        return nid

    def add_way(refs: list[int], tags: dict[str, str]) -> None:
        if phase == "ways":
            writer.add_way(Way(id=way_id[0], nodes=refs, tags=tags))
            counts["ways"] += 1
        way_id[0] += 1

    junction = np.array([[node(lon0 + c * DX_DEG, lat0 + r * DY_DEG) for c in range(cols + 1)] for r in range(rows + 1)])

    def road_nodes(a: tuple[int, int], b: tuple[int, int], *, vertical: bool, offset: float = 0.0) -> list[int]:
        (ra, ca), (rb, cb) = a, b
        out = [int(junction[ra, ca])]
        for k in range(1, STEPS):
            t = k / STEPS
            lon = lon0 + (ca + (cb - ca) * t) * DX_DEG + rng.normal(0, 0.0006) + (offset if vertical else 0)
            lat = lat0 + (ra + (rb - ra) * t) * DY_DEG + rng.normal(0, 0.0004) + (0 if vertical else offset)
            crosses = vertical and (lat0 + ra * DY_DEG < BORDER_LAT) != (lat0 + rb * DY_DEG < BORDER_LAT)
            tags = None
            if crosses and abs(lat - BORDER_LAT) < DY_DEG / STEPS and LINE_CLASS[ca % 8] in ("trunk", "primary") and not offset:
                tags = {"barrier": "border_control", "name": f"Post {ca}"}
            elif rng.random() < 0.0005:
                tags = {"mountain_pass": "yes", "name": f"Pass {next_id[0]}", "natural": "saddle"}
            out.append(node(lon, lat, tags))
        out.append(int(junction[rb, cb]))
        return out

    for vertical in (False, True):
        lines, length = (cols + 1, rows) if vertical else (rows + 1, cols)
        for line in range(lines):
            cls = LINE_CLASS[line % 8]
            motorway = line % 16 == 8
            for start in range(0, length, 3):  # ways of three blocks
                stop = min(start + 3, length)
                refs: list[int] = []
                back: list[int] = []
                for s in range(start, stop):
                    a, b = ((s, line), (s + 1, line)) if vertical else ((line, s), (line, s + 1))
                    piece = road_nodes(a, b, vertical=vertical)
                    refs += piece if not refs else piece[1:]
                    if motorway:
                        other = road_nodes(b, a, vertical=vertical, offset=0.0003)
                        back = other + back[1:] if back else other
                tags = {"highway": "motorway" if motorway else cls, "name": f"{'Avenue' if vertical else 'Street'} {line}"}
                if motorway or cls in ("trunk", "primary"):
                    tags["ref"] = f"{'M' if motorway else 'A'}-{line}"
                if rng.random() < 0.5:
                    tags["maxspeed"] = "110" if motorway else SPEED[cls]
                if rng.random() < 0.3:
                    tags["lanes"] = str(rng.integers(1, 4))
                if motorway:
                    tags["oneway"] = "yes"
                    add_way(refs, tags)
                    add_way(back, dict(tags))
                    continue
                roll = rng.random()
                if cls == "unclassified" and roll < 0.05:
                    tags["hgv"] = "no"
                elif cls == "tertiary" and roll < 0.03:
                    tags["oneway"] = "yes"
                elif cls == "tertiary" and roll < 0.04:
                    tags["oneway"] = "-1"
                add_way(refs, tags)
                counts["road_nodes"] += len(refs) if phase == "ways" else 0
    # places, streets off the grid, buildings and shops, block by block
    for r in range(rows):
        for c in range(cols):
            x, y = lon0 + c * DX_DEG, lat0 + r * DY_DEG
            if r % 10 == 5 and c % 10 == 5:
                node(x + DX_DEG * 0.05, y + DY_DEG * 0.05, {"place": "town", "name": f"Town {r}-{c}", "name:en": f"Town {r}-{c}"})
            elif r % 3 == 1 and c % 3 == 1:
                node(x + DX_DEG * 0.1, y + DY_DEG * 0.1, {"place": "village", "name": f"Village {r}-{c}"})
            for s in range(4):
                sy = y + DY_DEG * (0.2 + 0.15 * s)
                refs = [node(x + DX_DEG * (0.05 + 0.09 * k), sy + rng.normal(0, 0.0001)) for k in range(10)]
                kind = ("residential", "service", "track", "footway")[s]
                add_way(refs, {"highway": kind, "name": f"Lane {r}-{c}-{s}"} if s < 2 else {"highway": kind})
            for _ in range(150):
                bx, by = x + DX_DEG * rng.uniform(0.05, 0.95), y + DY_DEG * rng.uniform(0.05, 0.95)
                w, h = rng.uniform(0.00008, 0.0002), rng.uniform(0.00006, 0.00015)
                ring = [node(bx, by), node(bx + w, by), node(bx + w, by + h), node(bx, by + h)]
                tags = {"building": ("yes", "house", "apartments", "shed")[int(rng.integers(0, 4))], "building:levels": str(rng.integers(1, 10))}
                if rng.random() < 0.6:
                    tags.update(
                        {
                            "addr:housenumber": str(rng.integers(1, 400)),
                            "addr:street": f"Lane {r}-{c}-0",
                            "addr:postcode": str(rng.integers(720000, 729999)),
                        }
                    )
                add_way([*ring, ring[0]], tags)
            for _ in range(5):
                node(x + DX_DEG * rng.random(), y + DY_DEG * rng.random(), {"amenity": "cafe", "name": f"Cafe {next_id[0]}"})
    # the two countries' boundaries (outer rings along 43 N), as relations
    margin = 0.3
    west, east = lon0 - margin, lon0 + cols * DX_DEG + margin
    south, north = lat0 - margin, lat0 + rows * DY_DEG + margin
    edge = [node(lon, BORDER_LAT) for lon in np.linspace(west, east, 200)]
    rings = {
        "KZ": [*edge, node(east, north), node(west, north), edge[0]],
        "KG": [*edge, node(east, south), node(west, south), edge[0]],
    }
    for iso, ring in rings.items():
        counts[f"ring_{iso}"] = way_id[0]
        add_way(ring, {})


# The old pipeline (transit 96ff1cd: dicts, an intermediate OSM XML file, osmnx's reader, ox.simplify_graph) is the
# one the parity tests keep, tests/_osm_old.py; the measuring process imports it from there.


# -- measuring ----------------------------------------------------------------------------------------

BUILD = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import osmnx, osmium  # noqa: F401  (imported by the baseline too)
import transit
sys.path.insert(0, sys.argv[3])
mode, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if mode == "new":
    net = transit.graph_from_osm(path)
elif mode == "old":
    from _osm_old import old_graph_from_osm
    net = old_graph_from_osm(path)
else:
    net = None
elapsed = time.perf_counter() - start
print(json.dumps({"s": elapsed, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "nodes": net.number_of_nodes() if net is not None else 0, "edges": net.number_of_edges() if net is not None else 0}))
"""


def run(mode: str, path: str, timeout_s: float) -> dict[str, Any]:
    """One build in a fresh process: its time, peak RSS and graph size (or why there is none)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", BUILD, mode, path, str(ROOT / "tests")], capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout_s:.0f} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:80]}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="*", default=[10, 50, 200], help="synthetic file sizes, MB")
    parser.add_argument("--old-max-mb", type=float, default=250.0, help="skip the old pipeline above this file size")
    parser.add_argument("--old-timeout", type=float, default=1800.0, help="stop an old build after this many seconds")
    parser.add_argument("--keep", type=Path, default=None, help="write the synthetic files here and keep them (default: a temp dir)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="transit-osm-scale-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        files = [LIECHTENSTEIN] if LIECHTENSTEIN.is_file() else []
        for size in args.sizes:
            path = folder / f"synthetic-{size:g}mb.osm.pbf"
            if not path.is_file():
                counts = generate(path, size)
                print(f"generated {path.name}: {path.stat().st_size / 1e6:.1f} MB, {counts}", flush=True)
            files.append(path)
        base = run("-", "-", 600)
        base_rss = base["max_rss_mb"]
        print(f"baseline (fresh process, transit + osmnx + osmium imported, no build): peak {base_rss:.0f} MB", flush=True)
        head = f"{'file':28} {'MB':>7} {'':6} {'nodes':>8} {'edges':>8} {'build s':>8} {'s/MB':>6} {'peak MB':>8} {'+MB':>7} {'+MB/MB':>7}"
        print(head)
        for path in files:
            mb = path.stat().st_size / 1e6
            rows = {}
            for mode in ("old", "new"):
                if mode == "old" and mb > args.old_max_mb:
                    rows[mode] = {"error": f"not run: above --old-max-mb {args.old_max_mb:g}"}
                else:
                    rows[mode] = run(mode, str(path), args.old_timeout if mode == "old" else 3600)
                r = rows[mode]
                label = "before" if mode == "old" else "after"
                if "error" in r:
                    print(f"{path.name:28} {mb:7.1f} {label:6} {r['error']}", flush=True)
                    continue
                extra = r["max_rss_mb"] - base_rss
                r["extra_per_mb"] = extra / mb
                print(
                    f"{path.name:28} {mb:7.1f} {label:6} {r['nodes']:8,} {r['edges']:8,} {r['s']:8.1f} {r['s'] / mb:6.2f} "
                    f"{r['max_rss_mb']:8.0f} {extra:7.0f} {r['extra_per_mb']:7.1f}",
                    flush=True,
                )
            old, new = rows["old"], rows["new"]
            verdict = "meets" if "error" not in new and new["extra_per_mb"] <= TARGET_PER_MB else "MISSES"
            if "error" not in old and "error" not in new:
                print(
                    f"{'':28} {'':7} after/before: time {new['s'] / old['s']:.2f}, +MB {new['extra_per_mb'] / old['extra_per_mb']:.2f}; "
                    f"{verdict} the {TARGET_PER_MB:g}x target",
                    flush=True,
                )
            else:
                print(f"{'':28} {'':7} {verdict} the {TARGET_PER_MB:g}x target", flush=True)
        print("peak = max RSS of the build's own fresh process; +MB = above the baseline; +MB/MB = per MB of PBF (target <= 20)")


if __name__ == "__main__":
    main()
