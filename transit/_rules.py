"""
The vocabulary both simulation engines share, and the map of their twin classes.

The scalar engine follows one trip and records its events; the vectorised
engine (:mod:`transit.montecarlo`) follows ``n`` samples of the same trip at
once. They implement the same rules in twin classes with the same attribute
names (units in the names), documented as each other's twin:

=======================  ===============================  ===============================  ==================================
rule                     scalar                           vectorised (one element/sample)  parity tests
=======================  ===============================  ===============================  ==================================
drivers' hours           ``drivers.DriverClock``          ``montecarlo._Crew``             ``tests/test_twins.py``,
                                                                                           ``tests/test_reliability.py``
a trip along a path      ``simulation._Run``              ``montecarlo._Many``             ``tests/test_reliability.py``
opening hours            ``clocks.CrossingClock``         ``montecarlo._Openings``         ``tests/test_twins.py``,
                                                                                           ``tests/test_reliability.py``
=======================  ===============================  ===============================  ==================================

A change to one of a pair is a change to both; the parity tests compare
them sample by sample.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["MESSAGES", "RestLevel", "Stop", "closed_to_freight"]


class Stop(IntEnum):
    """A stop the drivers' hours make due: its code (vectorised engine) and its activity name (both engines)."""

    BREAK = 0
    DAILY_REST = 1
    WEEKLY_REST = 2

    @property
    def activity(self) -> str:
        """The activity name in trips and run components (``"break"``, ``"daily_rest"``, ``"weekly_rest"``)."""
        return self.name.lower()


class RestLevel(IntEnum):
    """What a stationary stretch amounts to, in increasing order; a stretch only ever upgrades."""

    NONE = 0
    BREAK = 1
    REDUCED_DAILY_REST = 2
    DAILY_REST = 3
    WEEKLY_REST = 4

    @property
    def label(self) -> str:
        """Human label (``""`` for nothing, ``"reduced daily rest"``...)."""
        return "" if self is RestLevel.NONE else self.name.lower().replace("_", " ")


#: User-facing messages used in more than one place, as format strings.
MESSAGES = {
    "closed_to_freight": "crossing {name!r} ({crossing_id}){given} is closed to international freight under regime {regime_id!r}{why}",
}


def closed_to_freight(name: str, crossing_id: str, regime_id: str, reason: str = "", *, in_via: bool = False) -> str:
    """Return the message for a crossing the regime closes to freight (``in_via``: the user asked for it as a waypoint)."""
    return MESSAGES["closed_to_freight"].format(
        name=name, crossing_id=crossing_id, given=", given in via," if in_via else "", regime_id=regime_id, why=f": {reason}" if reason else ""
    )
