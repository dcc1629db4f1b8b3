"""
How sure is the plan, and which day should the truck leave? (Kashgar -> Tashkent via Irkeshtam.)

Run: ``.venv/bin/python examples/reliability.py``. Offline, seeded: the same numbers every run.
"""

import transit

net = transit.load_network()

# 1. Percentiles of the door-to-door time when border delays vary (10,000 samples, seed 42).
rel = transit.reliability(net, "Kashgar", "Tashkent", regime="sco-2017", departure="2017-10-30T08:00", via=["Irkeshtam"], samples=10_000, rng=42)
print(rel)
for q, hours in rel.percentiles_h.items():
    print(f"  P{q}: {hours:5.1f} h, arrives by {rel.arrival_at(q):%a %d %b %H:%M}")
print(f"  on time by Wed 1 Nov 18:00 Tashkent time: {rel.on_time_probability('2017-11-01T18:00'):.1%}")
print("  where the time goes (mean hours):", {k: round(v, 1) for k, v in rel.breakdown_h.items() if v})

# 2. The permit regime's effect, with percentiles.
cmp = transit.compare(
    net, "Kashgar", "Tashkent", regimes=["pre-2017", "sco-2017"], departure="2017-10-30T08:00", via=["Irkeshtam"], samples=10_000, rng=42
)
print()
print(cmp.table[["total_h", "p50_h", "p90_h", "p95_h", "cost_usd"]].round(1).to_string())

# 3. Which day to leave: the best departure hour of each weekday in the week of the 2017 test run.
prof = transit.departure_profile(net, "Kashgar", "Tashkent", regime="sco-2017", start="2017-10-30", days=7, step_h=1, via=["Irkeshtam"])
best = prof.loc[prof.groupby("weekday", sort=False)["total_h"].idxmin()]
print()
print("fastest departure by weekday (Irkeshtam's Chinese post is closed at weekends):")
for row in best.itertuples():
    print(f"  {row.weekday} {row.departure:%H:%M}: {row.total_h:5.1f} h, arrives {row.arrival:%a %H:%M}")
