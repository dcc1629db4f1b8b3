"""Networks and results travel between processes (uvicorn workers, multiprocessing, Dask): they pickle."""

import pickle

import transit
from transit import _cache

DEPARTURE = "2017-10-30T08:00"


def test_network_pickles_frozen_and_plans_the_same():
    net = transit.load_network()
    again = pickle.loads(pickle.dumps(net))
    assert _cache.is_frozen(again)
    first = transit.plan_trip(net, "Kashgar", "Tashkent", departure=DEPARTURE, via=["Irkeshtam"])
    second = transit.plan_trip(again, "Kashgar", "Tashkent", departure=DEPARTURE, via=["Irkeshtam"])
    assert second.path == first.path and second.arrival == first.arrival and second.cost_usd == first.cost_usd


def test_model_objects_pickle_equal_with_the_same_hash():
    net = transit.load_network()
    for regime in net.graph["regimes"].values():
        again = pickle.loads(pickle.dumps(regime))
        assert again == regime and hash(again) == hash(regime)
        assert isinstance(again.rules, type(regime.rules))  # read-only again on this side
    for name in ("driver_rules", "cost_model"):
        assert pickle.loads(pickle.dumps(net.graph[name])) == net.graph[name]


def test_results_pickle():
    net = transit.load_network()
    cmp = transit.compare(net, "Kashgar", "Osh", departure=DEPARTURE)
    again = pickle.loads(pickle.dumps(cmp))
    assert again.table["total_h"].tolist() == cmp.table["total_h"].tolist()
    trip = cmp.trips["sco-2017"]
    assert pickle.loads(pickle.dumps(trip)).timeline.equals(trip.timeline)
