"""
The 2017 question: Kashgar to Tashkent via Irkeshtam in the pilot week, with and without the permit regime.

Three regimes: ``pre-2017`` (the documented road counterfactual: the old rules on today's network), ``sco-2017``
(the rules as in force on 20 Jan 2017, when Dostuk was still closed to freight) and ``history`` (the rules in force
on the day of departure, from the dataset's dated timeline).

Run: .venv/bin/python examples/compare_regimes.py
"""

import transit

net = transit.load_network()

cmp = transit.compare(
    net,
    "Kashgar",
    "Tashkent",
    regimes=["pre-2017", "sco-2017", "history"],
    departure="2017-10-30T08:00",  # local time at Kashgar (Beijing time): the first day of the pilot week
    via=["Irkeshtam"],
    vehicle=transit.Vehicle(registration="CN", drivers=1),
)
columns = ["total_h", "total_days", "driving_h", "rest_h", "border_h", "transshipment_h", "closed_wait_h", "distance_km", "cost_usd", "saving_h"]
print(cmp.table[columns].round(1).to_string())
print()
for regime, texts in cmp.warnings.items():
    for text in texts:
        print(f"{regime}: {text}")
print()

trip = cmp.trips["history"]
print(trip)
print(trip.timeline[["activity", "place", "local_start", "duration_h", "note"]].to_string(index=False))
print()
print("cost:", trip.cost.as_dict())

# What the rules did at each crossing:
for regime in cmp.regimes:
    t = cmp.trips[regime]
    border = t.timeline.groupby("crossing_id")["duration_h"].sum().drop("", errors="ignore")
    print(regime, {k: round(v, 1) for k, v in border.items()}, "transshipped at", t.transshipments or "-")
