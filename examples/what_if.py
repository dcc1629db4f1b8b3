"""
What-if scenarios: edit a regime or a vehicle and see the effect.

``transit.regime_on(net, date)`` freezes the rules in force on a date (from the dataset's dated timeline) into an
ordinary regime that ``with_rule`` edits; ``regime="history"`` plans with the rules in force on the day.

Run: .venv/bin/python examples/what_if.py
"""

import transit

net = transit.load_network()
friday = "2017-11-03T14:00"  # Friday afternoon in Bishkek: Torugart closes for the weekend
rules = transit.regime_on(net, "2017-11-03")  # the rules in force that day, editable

# 1. Torugart run round the clock, seven days a week (proposed by Kyrgyzstan for 2024).
always = {country: transit.PostSchedule.build(tz=post.tz) for country, post in ((p.country, p) for p in net.graph["crossings"]["torugart"].posts)}
torugart_247 = rules.with_rule("torugart", schedules=always)
base = transit.plan_trip(net, "Bishkek", "Kashgar", regime=rules, departure=friday, via=["Torugart"])
what_if = transit.plan_trip(net, "Bishkek", "Kashgar", regime=torugart_247, departure=friday, via=["Torugart"])
print(f"Bishkek -> Kashgar via Torugart, Friday 14:00: {base.total_h:.1f} h under the rules of 3 Nov 2017, {what_if.total_h:.1f} h if it ran 24/7")

# 2. A two-driver crew on a long haul (the pilot week's rules).
monday = "2017-10-30T08:00"
one = transit.plan_trip(net, "Urumqi", "Tashkent", regime="history", departure=monday, vehicle=transit.Vehicle(registration="CN", drivers=1))
two = transit.plan_trip(net, "Urumqi", "Tashkent", regime="history", departure=monday, vehicle=transit.Vehicle(registration="CN", drivers=2))
print(f"Urumqi -> Tashkent: {one.total_h:.1f} h with one driver, {two.total_h:.1f} h with two")

# 3. Leaving in China's Golden Week: the Chinese posts are closed on Chinese public holidays.
golden = transit.plan_trip(net, "Kashgar", "Osh", regime="history", departure="2017-09-30T08:00")
normal = transit.plan_trip(net, "Kashgar", "Osh", regime="history", departure="2017-10-10T08:00")
print(
    f"Kashgar -> Osh: {golden.total_h:.1f} h leaving Saturday 30 Sep 2017 (via {golden.crossings}), "
    f"{normal.total_h:.1f} h leaving Tuesday 10 Oct 2017 (via {normal.crossings})"
)

# 4. A crossing closed to freight: the route search goes round it, or says what blocks it.
october = transit.regime_on(net, "2017-10-10")
no_irkeshtam = october.with_rule("irkeshtam", open_to_freight=False, reason="closed in this scenario")
detour = transit.plan_trip(net, "Kashgar", "Osh", regime=no_irkeshtam, departure="2017-10-10T08:00")
print(f"Kashgar -> Osh without Irkeshtam: {detour.total_h:.1f} h via {detour.crossings}")
try:
    transit.plan_trip(net, "Kashgar", "Osh", regime=no_irkeshtam, departure="2017-10-10T08:00", via=["Irkeshtam"])
except transit.NoRouteError as err:
    print("via Irkeshtam:", err)

# 5. The 2016 rules with Dostuk open to freight: what the closure alone cost a Tashkent -> Kashgar trip.
rules_2016 = transit.regime_on(net, "2016-10-31")
reopened = rules_2016.with_rule("dostuk", open_to_freight=True)
closed = transit.plan_trip(net, "Tashkent", "Kashgar", regime=rules_2016, departure="2016-11-02T08:00")
opened = transit.plan_trip(net, "Tashkent", "Kashgar", regime=reopened, departure="2016-11-02T08:00")
print(
    f"Tashkent -> Kashgar, Wed 2 Nov 2016: {closed.total_h:.1f} h via {closed.crossings} with Dostuk closed, "
    f"{opened.total_h:.1f} h via {opened.crossings} with it open ({closed.distance_km - opened.distance_km:.0f} km less)"
)
