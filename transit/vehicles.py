"""
The vehicle on a trip: registration, permits, crew and speed cap.

Examples
--------
>>> Vehicle(registration="cn", drivers=2)
Vehicle(registration='CN', drivers=2, permits=None, max_speed_kph=None)
>>> Vehicle(registration="China")  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
transit.errors.InvalidVehicleError: registration 'China' is not an ISO 3166-1 alpha-2 code; expected e.g. one of the dataset's countries
AF, CN, KG, KZ, MN, RU, TJ, TM, UZ (e.g. registration='CN')
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources

from ._validate import check_number, close_match_hint, short_repr
from .errors import InvalidVehicleError

__all__ = ["NO_PERMITS_HINT", "REGISTRATIONS", "Vehicle", "check_permits"]

#: Registration countries the embedded dataset knows.
REGISTRATIONS = ("AF", "CN", "KG", "KZ", "MN", "RU", "TJ", "TM", "UZ")


@functools.cache
def _iso_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (from the tzdata package's ``iso3166.tab``): trucks of any country may drive."""
    text = (resources.files("tzdata") / "zoneinfo" / "iso3166.tab").read_text(encoding="utf-8")
    return frozenset(line.split("\t")[0] for line in text.splitlines() if line and not line.startswith("#"))


@dataclass(frozen=True, kw_only=True)
class Vehicle:
    """A truck and its crew.

    Parameters
    ----------
    registration
        ISO 3166-1 alpha-2 country of registration (case-insensitive).
    drivers
        Crew size, 1 or 2. Two drivers swap at the wheel instead of taking
        breaks and may drive longer per duty period (AETR multi-manning).
    permits
        Permit ids held (see ``transit regimes``); ``None`` means every permit
        the regime offers, which is what a planner usually assumes.
    max_speed_kph
        Speed cap of the vehicle; ``None`` drives at each segment's truck speed.
    """

    registration: str = "CN"
    drivers: int = 1
    permits: frozenset[str] | None = field(default=None)
    max_speed_kph: float | None = None

    def __post_init__(self) -> None:
        reg = self.registration.strip().upper() if isinstance(self.registration, str) else ""
        if reg not in REGISTRATIONS and reg not in _iso_codes():
            msg = (
                f"registration {short_repr(self.registration)} is not an ISO 3166-1 alpha-2 code; "
                f"expected e.g. one of the dataset's countries {', '.join(REGISTRATIONS)} (e.g. registration='CN')"
            )
            raise InvalidVehicleError(msg)
        object.__setattr__(self, "registration", reg)
        if isinstance(self.drivers, bool) or self.drivers not in (1, 2):
            msg = f"drivers={self.drivers!r} is not supported; expected 1 or 2"
            raise InvalidVehicleError(msg)
        given: object = self.permits  # checked at run time: callers pass anything
        if given is not None:
            if isinstance(given, str | bytes) or not isinstance(given, Iterable) or isinstance(given, Mapping):
                msg = f"permits={short_repr(given)} must be a collection of permit ids, e.g. permits={{'sco'}}, or None for every permit"
                raise InvalidVehicleError(msg)
            permits = tuple(given)
            bad = [p for p in permits if not isinstance(p, str) or not p.strip()]
            if bad:
                msg = (
                    f"permits={short_repr(permits)} holds {short_repr(bad[0])}, which is not a permit id; "
                    "expected strings such as 'sco' (see `transit regimes`)"
                )
                raise InvalidVehicleError(msg)
            object.__setattr__(self, "permits", frozenset(p.strip() for p in permits))
        if self.max_speed_kph is not None:
            check_number(self.max_speed_kph, name="max_speed_kph", low=5, high=150, error=InvalidVehicleError, unit=" km/h or None", example=80)

    def transshipped(self, country: str) -> Vehicle:
        """Return the truck of ``country`` that takes over the cargo at a border."""
        return Vehicle(registration=country, drivers=self.drivers, permits=self.permits, max_speed_kph=self.max_speed_kph)

    @classmethod
    def coerce(cls, value: Vehicle | dict[str, object] | str | None, *, default_registration: str) -> Vehicle:
        """
        Accept a :class:`Vehicle`, a dict of its fields, a registration code, or ``None``.

        ``None`` is a one-driver truck registered in ``default_registration``
        (the origin's country).
        """
        given: object = value  # checked at run time: callers pass anything
        if given is None:
            return cls(registration=default_registration)
        if isinstance(given, Vehicle):
            return given
        if isinstance(given, str):
            return cls(registration=given)
        if isinstance(given, dict):
            unknown = set(given) - {"registration", "drivers", "permits", "max_speed_kph"}
            if unknown:
                msg = f"unknown vehicle field(s) {sorted(unknown)}; expected registration, drivers, permits, max_speed_kph"
                raise InvalidVehicleError(msg)
            permits = given.get("permits")
            return cls(
                registration=str(given.get("registration", default_registration)),
                drivers=given.get("drivers", 1),
                permits=frozenset(permits) if isinstance(permits, Iterable) and not isinstance(permits, str) else permits,  # type: ignore[arg-type]
                max_speed_kph=given.get("max_speed_kph"),
            )
        msg = f"vehicle={given!r} is not understood; pass transit.Vehicle(registration='CN', drivers=1)"
        raise InvalidVehicleError(msg)


#: How to say "no permits" (``"none"`` is the regimes' word for crossings that need none).
NO_PERMITS_HINT = "use permits=() for a truck that holds no permit"


def check_permits(vehicle: Vehicle, known: Iterable[str]) -> None:
    """
    Refuse permit ids that no regime offers: a typo would silently cost a transshipment.

    Parameters
    ----------
    vehicle
        The vehicle of a trip question.
    known
        Permit ids the network's regimes (and the regime asked about) define.

    Raises
    ------
    InvalidVehicleError
        Naming the unknown id, the known ones and the closest match.

    Examples
    --------
    >>> check_permits(Vehicle(permits=["SCO"]), ["sco", "bilateral"])  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    transit.errors.InvalidVehicleError: permit 'SCO' is not one the regimes define; did you mean 'sco'? Known permits: 'bilateral', 'sco'
    (see `transit regimes`)
    """
    if not vehicle.permits:
        return
    valid = sorted(set(known))
    listed = ", ".join(repr(v) for v in valid) or "none"
    for permit in sorted(vehicle.permits):
        if permit not in valid:
            hint = close_match_hint(permit, valid).removeprefix("; ")
            if permit.lower() == "none":
                hint = NO_PERMITS_HINT + "."
            msg = (
                f"permit {short_repr(permit)} is not one the regimes define; "
                f"{hint or 'no close match.'} Known permits: {listed} (see `transit regimes`)"
            )
            raise InvalidVehicleError(msg)
