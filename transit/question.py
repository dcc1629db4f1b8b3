"""
A trip question in resolved form: places as node ids, ``via`` checked, the vehicle, regime and departure parsed.

Every public function that answers a trip question starts with :func:`resolve_trip`, so they all accept the same
arguments and refuse bad ones with the same errors before any work.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> resolve_trip(net, "Kashgar", "Osh", via=None).via
()
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import networkx as nx

from ._timeutil import parse_departure
from .errors import InvalidArgumentError, InvalidDepartureError
from .lookup import get_regime, resolve_place, resolve_waypoint
from .model import PlaceRef
from .regimes import Regime
from .vehicles import Vehicle, check_permits

__all__ = ["NO_DEPARTURE", "TripQuestion", "resolve_trip"]


#: Marks a trip question asked without a departure (:func:`resolve_trip`).
NO_DEPARTURE = object()


@dataclass(frozen=True, slots=True)
class TripQuestion:
    """
    A trip question in resolved form (see :func:`resolve_trip`).

    Attributes
    ----------
    origin, destination
        Node ids.
    via
        The waypoint names, consecutive repeats collapsed (``()`` for none).
    vehicle
        The vehicle (default: one driver, registered in the origin's country).
    regime
        The :class:`~transit.regimes.Regime` (default: the network's).
    departure
        Aware departure time, or ``None`` if none was given.
    """

    origin: Any
    destination: Any
    via: tuple[str, ...]
    vehicle: Vehicle
    regime: Regime
    departure: datetime | None

    @property
    def departure_time(self) -> datetime:
        """The departure, for a question asked with one (else :class:`~transit.errors.InvalidDepartureError`)."""
        if self.departure is None:
            msg = "this trip question was asked without a departure; pass departure= (e.g. '2017-10-30T08:00')"
            raise InvalidDepartureError(msg)
        return self.departure


def resolve_trip(
    graph: nx.MultiDiGraph,
    origin: PlaceRef,
    destination: PlaceRef,
    *,
    via: str | Sequence[str] | None = None,
    vehicle: Vehicle | dict[str, Any] | str | None = None,
    regime: str | Regime | None = None,
    departure: datetime | str | object = NO_DEPARTURE,
    departure_field: str = "departure",
    also_regimes: Sequence[Regime] = (),
) -> TripQuestion:
    """
    Check a trip question's places, waypoints, vehicle, regime and departure once, before any work.

    Every public function that answers a trip question (:func:`plan_trip`,
    :func:`transit.compare`, :func:`transit.reliability`,
    :func:`transit.departure_profile`, :func:`transit.matrix`) starts here.

    Parameters
    ----------
    graph
        A network.
    origin, destination
        Place names, aliases or ids.
    via
        A place or crossing name, or a sequence of them; ``None`` or ``()``
        for no waypoints. Consecutive repeats (``["Irkeshtam", "Irkeshtam"]``)
        collapse into one.
    vehicle
        As for :func:`plan_trip`.
    regime
        Regime id or object; ``None`` for the network's default regime.
    departure
        As for :func:`plan_trip`; left out, the question has none (``None`` is refused).
    departure_field
        The argument name that errors about the departure quote (``"start"``...).
    also_regimes
        Further regimes the question will be asked under (:func:`transit.compare`); the vehicle's permits must be
        ones that the network's regimes, ``regime`` or these define.

    Returns
    -------
    TripQuestion

    Raises
    ------
    UnknownPlaceError, UnknownRegimeError, InvalidVehicleError, InvalidDepartureError
        For a name not in the network (with close matches), a bad regime, vehicle (an unknown permit id among
        them) or departure.
    InvalidArgumentError
        For a ``via`` that is not a name or a sequence of names.

    Examples
    --------
    >>> import transit
    >>> net = transit.load_network()
    >>> q = resolve_trip(net, "Kashgar", "Osh", via=["Irkeshtam", "irkeshtam"], departure="2017-10-30T08:00")
    >>> q.via, q.regime.id, q.vehicle.registration, q.departure.isoformat()
    (('Irkeshtam',), 'history', 'CN', '2017-10-30T08:00:00+08:00')
    """
    regime_obj = get_regime(graph, regime)
    o, d = resolve_place(graph, origin), resolve_place(graph, destination)
    given: object = via  # checked at run time: callers pass anything
    if given is None:
        names: list[object] = []
    elif isinstance(given, str):
        names = [given]
    elif isinstance(given, Sequence | tuple | list):
        names = list(given)
    else:
        msg = f"via={via!r} is not a place or crossing name nor a list of them; pass e.g. via=['Irkeshtam'], or None for no waypoints"
        raise InvalidArgumentError(msg)
    kept: list[str] = []
    previous = None
    for name in names:
        if not isinstance(name, str):
            msg = f"via item {name!r} is a {type(name).__name__}; expected a place or crossing name such as 'Irkeshtam'"
            raise InvalidArgumentError(msg)
        waypoint = resolve_waypoint(graph, name)  # unknown names fail before any work
        if waypoint != previous:
            kept.append(name)
        previous = waypoint
    tz = graph.nodes[o]["tz"]
    depart = None if departure is NO_DEPARTURE else parse_departure(departure, tz, what=departure_field)
    vehicle_obj = Vehicle.coerce(vehicle, default_registration=graph.nodes[o]["country"])
    known = {p for r in (*graph.graph.get("regimes", {}).values(), regime_obj, *also_regimes) for p in r.permits}
    check_permits(vehicle_obj, known)
    if depart is not None:
        regime_obj = regime_obj.around(depart.timestamp())  # a dated regime: route search looks at the rules of the weeks after departure
    return TripQuestion(origin=o, destination=d, via=tuple(kept), vehicle=vehicle_obj, regime=regime_obj, departure=depart)
