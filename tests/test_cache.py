"""Per-network caches never give a stale answer: library networks are frozen, edited copies are recomputed."""

import dataclasses
import pickle

import networkx as nx
import pytest

import transit
from tests.conftest import line_network
from transit import _cache

DEPART = "2017-10-30T08:00"


def _irkeshtam_links(graph):
    return [(u, v) for u, v, d in graph.edges(data=True) if d.get("crossing_id") == "irkeshtam"]


def test_networks_the_library_returns_are_frozen():
    net = transit.load_network()
    assert nx.is_frozen(net) and nx.is_frozen(line_network())


def test_frozen_network_refuses_edits_and_says_how_to_edit(net):
    u, v = _irkeshtam_links(net)[0]
    edits = [
        lambda: net.remove_edge(u, v),
        lambda: net.add_edge(u, v, length=1.0),
        lambda: net.remove_node(u),
        lambda: net.edges[u, v, 0].__setitem__("speed_kph", 1.0),
        lambda: net.nodes[u].update(country="CN"),
        lambda: net.graph.__setitem__("driver_rules", None),
        lambda: net.graph["crossings"].pop("irkeshtam"),
    ]
    for edit in edits:
        with pytest.raises(transit.ReadOnlyNetworkError, match=r"transit\.editable\(net\)"):
            edit()
    # the networkx contract still holds: the error is a NetworkXError
    with pytest.raises(nx.NetworkXError):
        net.clear()


def test_structure_edit_through_a_copy_gives_a_new_answer(net):
    before = transit.plan_trip(net, "Kashgar", "Osh", departure=DEPART)
    assert before.crossings == ("irkeshtam",)
    copy = transit.editable(net)
    assert not nx.is_frozen(copy)
    assert transit.plan_trip(copy, "Kashgar", "Osh", departure=DEPART).crossings == ("irkeshtam",)
    copy.remove_edges_from(_irkeshtam_links(copy))  # edit after a query on the same graph object
    after = transit.plan_trip(copy, "Kashgar", "Osh", departure=DEPART)
    assert after.crossings == ("kulma", "kyzyl-art") and after.total_h > before.total_h
    assert transit.plan_trip(net, "Kashgar", "Osh", departure=DEPART).total_h == before.total_h  # original untouched


def test_attribute_edit_in_place_on_an_unfrozen_graph_gives_a_new_answer(net):
    copy = transit.editable(net)
    first = transit.plan_trip(copy, "Kashgar", "Osh", departure=DEPART)
    for _, _, data in copy.edges(data=True):
        if data.get("kind") != "crossing":
            data["speed_kph"] /= 2
            data["travel_time"] *= 2
    slower = transit.plan_trip(copy, "Kashgar", "Osh", departure=DEPART)
    assert slower.driving_h == pytest.approx(2 * first.driving_h, rel=0.01)
    # lookups see edits too
    copy.nodes[transit.resolve_place(copy, "Osh")]["aliases"] = ("Oshtown",)
    assert transit.resolve_place(copy, "Oshtown") == transit.resolve_place(net, "Osh")


def test_graph_attribute_edit_on_a_copy_gives_a_new_answer(net):
    copy = transit.editable(net)
    sco = transit.get_regime(copy, "sco-2017")
    transit.plan_trip(copy, "Kashgar", "Osh", departure=DEPART)
    copy.graph["regimes"]["sco-2017"] = sco.with_rule("irkeshtam", open_to_freight=False)
    assert transit.plan_trip(copy, "Kashgar", "Osh", departure=DEPART).crossings == ("kulma", "kyzyl-art")


def test_a_frozen_copy_is_cached_and_independent(net):
    copy = transit.editable(net)
    copy.remove_edges_from(_irkeshtam_links(copy))
    frozen = transit.freeze(copy)
    assert frozen is copy and nx.is_frozen(frozen)
    assert transit.plan_trip(frozen, "Kashgar", "Osh", departure=DEPART).crossings == ("kulma", "kyzyl-art")
    assert _cache.store(frozen) is _cache.store(frozen)
    assert transit.plan_trip(net, "Kashgar", "Osh", departure=DEPART).crossings == ("irkeshtam",)


def test_unfrozen_graphs_are_not_cached_across_calls(net):
    copy = transit.editable(net)
    assert _cache.store(copy) is not _cache.store(copy)


def test_regimes_hash_by_content(net):
    sco = transit.get_regime(net, "sco-2017")
    twin = dataclasses.replace(sco)
    assert sco == twin and hash(sco) == hash(twin) and len({sco, twin}) == 1
    changed = sco.with_rule("irkeshtam", open_to_freight=False)
    assert changed != sco and len({sco, twin, changed}) == 2
    rule = sco.rule("torugart")
    assert hash(rule) == hash(dataclasses.replace(rule)) and len({rule, dataclasses.replace(rule)}) == 1


def test_regime_state_does_not_carry_its_hash(net):
    sco = transit.get_regime(net, "sco-2017")
    hash(sco)
    _rebuild, (cls, kwargs) = sco.__reduce__()
    assert cls is transit.Regime and "_hash" not in kwargs  # string hashes differ between processes


def test_lru_evicts_the_least_recently_used():
    lru = _cache.LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "b" is now the least recently used
    lru.put("c", 3)
    assert lru.get("b") is None and lru.get("a") == 1 and lru.get("c") == 3 and len(lru) == 2


def test_every_cache_kind_has_a_limit():
    store = _cache.Store()
    for kind, limit in _cache.LIMITS.items():
        assert store[kind].limit == limit > 0
    with pytest.raises(KeyError):
        store["unknown"]


def test_read_only_dicts_copy_and_pickle_as_expected():
    d = _cache.ReadOnlyDict({"a": 1})
    assert type(d.copy()) is dict and d == {"a": 1}
    back = pickle.loads(pickle.dumps(d))
    assert isinstance(back, _cache.ReadOnlyDict) and back == d
