"""
The vehicle on a trip: registration, permits, crew and speed cap.

Examples
--------
>>> Vehicle(registration="cn", drivers=2)
Vehicle(registration='CN', drivers=2, permits=None, max_speed_kph=None)
>>> Vehicle(registration="China")
Traceback (most recent call last):
...
transit.errors.InvalidVehicleError: registration 'China' is not an ISO 3166-1 alpha-2 code; expected e.g. one of the dataset's countries AF, CN, KG, KZ, MN, RU, TJ, TM, UZ (e.g. registration='CN')
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

from .errors import InvalidVehicleError

__all__ = ["REGISTRATIONS", "Vehicle"]

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
        reg = str(self.registration).strip().upper()
        if reg not in REGISTRATIONS and reg not in _iso_codes():
            msg = (
                f"registration {self.registration!r} is not an ISO 3166-1 alpha-2 code; "
                f"expected e.g. one of the dataset's countries {', '.join(REGISTRATIONS)} (e.g. registration='CN')"
            )
            raise InvalidVehicleError(msg)
        object.__setattr__(self, "registration", reg)
        if isinstance(self.drivers, bool) or self.drivers not in (1, 2):
            msg = f"drivers={self.drivers!r} is not supported; expected 1 or 2"
            raise InvalidVehicleError(msg)
        if self.permits is not None:
            if isinstance(self.permits, str):
                msg = f"permits={self.permits!r} must be a collection of permit ids, e.g. permits={{'sco'}}"
                raise InvalidVehicleError(msg)
            object.__setattr__(self, "permits", frozenset(str(p) for p in self.permits))
        if self.max_speed_kph is not None and not (5 <= self.max_speed_kph <= 150):
            msg = f"max_speed_kph={self.max_speed_kph!r} is out of range; expected 5 to 150 km/h or None"
            raise InvalidVehicleError(msg)

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
        if value is None:
            return cls(registration=default_registration)
        if isinstance(value, Vehicle):
            return value
        if isinstance(value, str):
            return cls(registration=value)
        if isinstance(value, dict):
            unknown = set(value) - {"registration", "drivers", "permits", "max_speed_kph"}
            if unknown:
                msg = f"unknown vehicle field(s) {sorted(unknown)}; expected registration, drivers, permits, max_speed_kph"
                raise InvalidVehicleError(msg)
            permits = value.get("permits")
            return cls(
                registration=str(value.get("registration", default_registration)),
                drivers=value.get("drivers", 1),  # type: ignore[arg-type]
                permits=frozenset(permits) if isinstance(permits, Iterable) and not isinstance(permits, str) else permits,  # type: ignore[arg-type]
                max_speed_kph=value.get("max_speed_kph"),  # type: ignore[arg-type]
            )
        msg = f"vehicle={value!r} is not understood; pass transit.Vehicle(registration='CN', drivers=1)"
        raise InvalidVehicleError(msg)
