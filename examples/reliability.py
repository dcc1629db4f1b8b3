"""
How sure is the plan, and which day should the truck leave? (Kashgar -> Tashkent via Irkeshtam.)

A Chinese truck on the regular Kashgar-Tashkent road service (from 25 Feb 2018), in the week of Monday 5 Mar 2018,
under the rules in force on the day (``regime="history"``).

Run: ``.venv/bin/python examples/reliability.py``. Offline, seeded: the same numbers every run.
"""

import transit

net = transit.load_network()

# 1. Percentiles of the door-to-door time when border delays vary (10,000 samples, seed 42).
rel = transit.reliability(net, "Kashgar", "Tashkent", regime="history", departure="2018-03-05T08:00", via=["Irkeshtam"], samples=10_000, rng=42)
print(rel)
for q, hours in rel.percentiles_h.items():
    print(f"  P{q}: {hours:5.1f} h, arrives by {rel.arrival_at(q):%a %d %b %H:%M}")
print(f"  on time for a morning delivery, Wed 7 Mar 08:00 Tashkent time: {rel.on_time_probability('2018-03-07T08:00'):.1%}")
print("  where the time goes (mean hours):", {k: round(v, 1) for k, v in rel.breakdown_h.items() if v})

# 2. The permit regime's effect, with percentiles: the pre-2017 road counterfactual against the rules of the day.
cmp = transit.compare(
    net, "Kashgar", "Tashkent", regimes=["pre-2017", "history"], departure="2018-03-05T08:00", via=["Irkeshtam"], samples=10_000, rng=42
)
print()
print(cmp.table[["total_h", "p50_h", "p90_h", "p95_h", "cost_usd"]].round(1).to_string())

# 3. Which day to leave: the best departure hour of each weekday in the week of 5 Mar 2018.
prof = transit.departure_profile(net, "Kashgar", "Tashkent", regime="history", start="2018-03-05", days=7, step_h=1, via=["Irkeshtam"])
best = prof.loc[prof.groupby("weekday", sort=False)["total_h"].idxmin()]
print()
print("fastest departure by weekday (Irkeshtam's Chinese post is closed at weekends):")
for row in best.itertuples():
    print(f"  {row.weekday} {row.departure:%H:%M}: {row.total_h:5.1f} h, arrives {row.arrival:%a %H:%M}")
