"""
Money cost of a trip: the cost axis of the UNESCAP time/cost-distance method.

Four parts, each with its parameters and sources in ``routes/costs.toml``:

* **distance**: USD per km of road by country (carrier's running cost);
* **time**: USD per hour of the whole trip (truck and crew time, waiting included);
* **border**: payments at each post passed (exit and entry side, by country);
* **transshipment**: a charge per transshipment.

Examples
--------
>>> import transit
>>> model = transit.load_network().graph["cost_model"]
>>> model.usd_per_km("KG") > 0
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._pickle import reduce_frozen
from .datasets import read_toml, toml_number
from .errors import DataError

__all__ = ["CostBreakdown", "CostModel", "load_cost_model"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CostBreakdown:
    """Cost of one trip in USD, by component."""

    distance_usd: float
    time_usd: float
    border_usd: float
    transshipment_usd: float
    #: The parameters it was priced with (for cost-distance charts).
    model: CostModel | None = field(default=None, repr=False, compare=False)
    #: Border payments by crossing passed, in order: ``(crossing_id, usd)``.
    border_by_crossing: tuple[tuple[str, float], ...] = field(default=(), repr=False, compare=False)

    @property
    def total_usd(self) -> float:
        """Sum of the components."""
        return self.distance_usd + self.time_usd + self.border_usd + self.transshipment_usd

    def as_dict(self) -> dict[str, float]:
        """Components and total, rounded to cents."""
        return {
            "distance_usd": round(self.distance_usd, 2),
            "time_usd": round(self.time_usd, 2),
            "border_usd": round(self.border_usd, 2),
            "transshipment_usd": round(self.transshipment_usd, 2),
            "total_usd": round(self.total_usd, 2),
        }


@dataclass(frozen=True, kw_only=True)
class CostModel:
    """Cost parameters.

    Parameters
    ----------
    usd_per_h
        Value of truck and crew time.
    distance_usd_per_km
        Country mapped to USD per km; key ``"*"`` is the fallback.
    border_usd
        Country mapped to USD paid at that country's post; ``"*"`` fallback.
    transshipment_usd
        Charge per transshipment.
    sources
        Parameter name mapped to its source text.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)

    usd_per_h: float
    distance_usd_per_km: Mapping[str, float]
    border_usd: Mapping[str, float]
    transshipment_usd: float
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("distance_usd_per_km", "border_usd", "sources"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def usd_per_km(self, country: str) -> float:
        """USD per km in ``country``."""
        return self.distance_usd_per_km.get(country, self.distance_usd_per_km["*"])

    def border_payment(self, country: str) -> float:
        """USD paid at one post of ``country``."""
        return self.border_usd.get(country, self.border_usd["*"])

    def cost(
        self,
        *,
        km_by_country: Mapping[str, float],
        total_h: float,
        posts_passed: list[str],
        transshipments: int,
    ) -> CostBreakdown:
        """
        Price a trip.

        Parameters
        ----------
        km_by_country
            Kilometres driven in each country.
        total_h
            Door-to-door hours.
        posts_passed
            Country of every post passed (two per crossing).
        transshipments
            Number of transshipments.

        Examples
        --------
        >>> m = CostModel(usd_per_h=20, distance_usd_per_km={"*": 1.0}, border_usd={"*": 50}, transshipment_usd=400)
        >>> m.cost(km_by_country={"KG": 100}, total_h=10, posts_passed=["KG", "CN"], transshipments=1).total_usd
        800.0
        """
        return CostBreakdown(
            distance_usd=sum(km * self.usd_per_km(c) for c, km in km_by_country.items()),
            time_usd=total_h * self.usd_per_h,
            border_usd=sum(self.border_payment(c) for c in posts_passed),
            transshipment_usd=transshipments * self.transshipment_usd,
            model=self,
        )


def load_cost_model(path: Path) -> CostModel:
    """
    Read ``costs.toml``.

    Raises
    ------
    DataError
        Naming the table and key at fault.
    """
    file = path.name
    doc = read_toml(path)
    sources: dict[str, str] = {}

    def amount(table: Mapping[str, object], key: str, where: str) -> float:
        value = toml_number(table, key, file=file, where=where)
        if not isinstance(table.get("source"), str) or not table["source"]:
            raise DataError("lacks a source", file=file, row=where, column="source")
        sources[where] = str(table["source"])
        return value

    def per_country(name: str, key: str) -> dict[str, float]:
        table = doc.get(name)
        if not isinstance(table, Mapping) or "*" not in table:
            raise DataError(f"needs a [{name}] table with a '*' fallback entry", file=file, row=name)
        return {str(country): amount(spec, key, f"{name}.{country}") for country, spec in table.items()}

    return CostModel(
        usd_per_h=amount(doc.get("time", {}), "usd_per_h", "time"),
        distance_usd_per_km=per_country("distance", "usd_per_km"),
        border_usd=per_country("border", "usd"),
        transshipment_usd=amount(doc.get("transshipment", {}), "usd", "transshipment"),
        sources=sources,
    )
