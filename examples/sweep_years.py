"""
Three years of departures every two weeks, both ways between Kashgar and Tashkent, under the dated history: one sweep.

Each departure gets the rules in force on its date (the Kyrgyz-Uzbek borders reopening in 2017, the SCO permits
from 20 January 2017...). The table has one row per departure; the summary below groups it by year and direction.

Run: ``python examples/sweep_years.py [--scheduler local] [--output sweep-years/]``. With ``--scheduler local``
the trips run on a Dask LocalCluster of this machine's cores (``pip install 'sco-transit[sweep]'``); with
``--output`` they go to a Parquet dataset that a second run resumes instead of recomputing.
"""

from __future__ import annotations

import argparse

import pandas as pd

import transit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scheduler", default=None, help="None (here), local, or a Dask scheduler address")
    parser.add_argument("--output", default=None, help="a directory for a resumable Parquet dataset")
    args, _ = parser.parse_known_args()  # known ones only: the tests run this script under pytest's own arguments

    net = transit.load_network()
    result = transit.sweep(
        net,
        pairs=[("Kashgar", "Tashkent"), ("Tashkent", "Kashgar")],
        departures={"start": "2016-01-04T08:00", "end": "2018-12-31T08:00", "step": "14D"},
        regimes="history",
        scheduler=args.scheduler,
        output=args.output,
    )
    table = result if isinstance(result, pd.DataFrame) else pd.read_parquet(result)
    table["year"] = pd.to_datetime(table["departure_utc"]).dt.year
    table["direction"] = table["origin"] + " -> " + table["destination"]
    ok = table[table["status"] == "ok"]
    summary = ok.groupby(["direction", "year"])["total_h"].describe()[["count", "min", "50%", "max"]]
    print(f"{len(table)} departures, {len(ok)} with a route; hours door to door by year (history regime):")
    print(summary.round(1).to_string())
    fastest = ok.loc[ok["total_h"].idxmin()]
    print(f"fastest: {fastest['direction']} leaving {fastest['departure'][:16]}, {fastest['total_h']:.1f} h via {fastest['route']}")


if __name__ == "__main__":
    main()
