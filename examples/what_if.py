"""
What-if scenarios: edit a regime or a vehicle and see the effect.

Run: .venv/bin/python examples/what_if.py
"""

import transit

net = transit.load_network()
sco = transit.get_regime(net, "sco-2017")
friday = "2017-11-03T14:00"  # Friday afternoon in Bishkek: Torugart closes for the weekend

# 1. Torugart run round the clock, seven days a week (proposed by Kyrgyzstan for 2024).
always = {country: transit.PostSchedule.build(tz=post.tz) for country, post in ((p.country, p) for p in net.graph["crossings"]["torugart"].posts)}
torugart_247 = sco.with_rule("torugart", schedules=always)
base = transit.plan_trip(net, "Bishkek", "Kashgar", regime=sco, departure=friday, via=["Torugart"])
what_if = transit.plan_trip(net, "Bishkek", "Kashgar", regime=torugart_247, departure=friday, via=["Torugart"])
print(f"Bishkek -> Kashgar via Torugart, Friday 14:00: {base.total_h:.1f} h as in 2017, {what_if.total_h:.1f} h if it ran 24/7")

# 2. A two-driver crew on a long haul.
one = transit.plan_trip(net, "Urumqi", "Tashkent", regime=sco, departure="2017-10-30T08:00", vehicle=transit.Vehicle(registration="CN", drivers=1))
two = transit.plan_trip(net, "Urumqi", "Tashkent", regime=sco, departure="2017-10-30T08:00", vehicle=transit.Vehicle(registration="CN", drivers=2))
print(f"Urumqi -> Tashkent: {one.total_h:.1f} h with one driver, {two.total_h:.1f} h with two")

# 3. Leaving in China's Golden Week: Irkeshtam is closed on Chinese public holidays.
golden = transit.plan_trip(net, "Kashgar", "Osh", regime=sco, departure="2017-09-30T08:00")
normal = transit.plan_trip(net, "Kashgar", "Osh", regime=sco, departure="2017-10-10T08:00")
print(
    f"Kashgar -> Osh: {golden.total_h:.1f} h leaving Saturday 30 Sep 2017, {normal.total_h:.1f} h leaving Tuesday 10 Oct 2017 (via {golden.crossings})"
)

# 4. A crossing closed to freight: the route search goes round it, or says what blocks it.
no_irkeshtam = sco.with_rule("irkeshtam", open_to_freight=False, reason="closed in this scenario")
detour = transit.plan_trip(net, "Kashgar", "Osh", regime=no_irkeshtam, departure="2017-10-10T08:00")
print(f"Kashgar -> Osh without Irkeshtam: {detour.total_h:.1f} h via {detour.crossings}")
try:
    transit.plan_trip(net, "Kashgar", "Osh", regime=no_irkeshtam, departure="2017-10-10T08:00", via=["Irkeshtam"])
except transit.NoRouteError as err:
    print("via Irkeshtam:", err)
