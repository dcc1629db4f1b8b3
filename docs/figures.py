"""
Make the README's pictures from the embedded dataset: ``python docs/figures.py [OUTPUT_DIR]``.

Writes ``time_distance.png``: the time-distance chart of Kashgar -> Tashkent via Irkeshtam under the pre-2017 and
the rules in force that week (history), leaving Monday 30 October 2017 at 08:00, with the P10-P90 band of 10,000 samples (seed 42).
Default output: ``docs/img`` next to this script. ``make figures`` runs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import transit
import transit.plot as tplot


def main(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    net = transit.load_network()
    cmp = transit.compare(
        net, "Kashgar", "Tashkent", regimes=["pre-2017", "history"], departure="2017-10-30T08:00", via=["Irkeshtam"], samples=10_000, rng=42
    )
    target = out / "time_distance.png"
    tplot.time_distance(cmp).savefig(target, dpi=100, metadata={"Software": None})
    return target


if __name__ == "__main__":
    written = main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "img")
    print(f"wrote {written}")
