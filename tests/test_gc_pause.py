"""The route search pauses Python's cyclic garbage collector (``transit._gc``): never for good, and it leaves nothing for it."""

from __future__ import annotations

import gc
import threading

import pytest

import transit
from transit import _gc
from transit._cancel import CancelToken, cancellable
from transit.errors import ComputeCancelled


def test_the_collector_is_off_during_a_search_and_back_on_after_it_and_after_one_that_fails(monkeypatch):
    from transit import _labels

    during: list[bool] = []
    run = _labels._Search.run

    def watched(self):
        during.append(gc.isenabled())
        return run(self)

    monkeypatch.setattr(_labels._Search, "run", watched)
    net = transit.load_network()
    assert gc.isenabled()
    transit.plan_trip(net, "Kashgar", "Tashkent", departure="2017-10-30T08:00")
    assert during == [False]
    assert gc.isenabled()
    token = CancelToken()
    token.cancel("the client went away")
    with pytest.raises(ComputeCancelled), cancellable(token):  # raised from inside the search's loop
        transit.plan_trip(net, "Kashgar", "Dushanbe", departure="2017-10-30T08:00")
    assert during == [False, False]
    assert gc.isenabled()


def test_the_pause_is_only_for_the_search():
    """Inside, the collector is off; nested and threaded pauses share one; a collector that was off stays off."""
    seen: list[bool] = []
    with _gc.paused():
        seen.append(gc.isenabled())
        with _gc.paused():
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())  # the outer pause still holds
    assert seen == [False, False, False]
    assert gc.isenabled()

    started, release = threading.Event(), threading.Event()

    def other() -> None:
        with _gc.paused():
            started.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    started.wait(5)
    with _gc.paused():
        pass
    assert not gc.isenabled()  # the other thread's search still runs
    release.set()
    thread.join(5)
    assert gc.isenabled()

    gc.disable()
    try:
        with _gc.paused():
            pass
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()


def test_a_search_leaves_no_reference_cycles():
    """What the pause rests on: a month-long ``via`` search (thousands of labels) leaves nothing for the cyclic collector."""
    net = transit.freeze(transit.editable(transit.load_network()))
    transit.plan_trip(net, "Kashgar", "Osh", departure="2017-10-30T08:00")  # the network's own caches first
    gc.collect()
    gc.disable()
    try:
        trip = transit.plan_trip(net, "Kashgar", "Kashgar", via=["Irkeshtam", "Torugart"] * 4, departure="2017-10-30T08:00")
        assert trip.search.labels > 1000
        del trip
        assert gc.collect() == 0
    finally:
        gc.enable()
