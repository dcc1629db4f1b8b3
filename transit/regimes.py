"""
Regimes: the rules in force at the borders.

For every crossing a :class:`Regime` decides (1) whether it is open to
international freight at all, (2) which vehicles may drive on through it and
with which permit, the others having their cargo transshipped to a truck of the
next country, (3) the queue and clearance delay by direction, as a median and
a 90th percentile, and (4) optionally different opening hours (a what-if such
as a crossing run 24/7). Permits may be bound to designated routes.

Regimes are data (``routes/regimes/*.toml``) turned into small frozen objects.
Copy and modify them with :meth:`Regime.with_rule` or
:func:`dataclasses.replace`; the network they are used with is never touched.

Examples
--------
>>> import transit
>>> net = transit.load_network()
>>> sco = transit.get_regime(net, "sco-2017")
>>> sco.rule("irkeshtam").admits("UZ", permits=None)
True
>>> pre = transit.get_regime(net, "pre-2017")
>>> pre.rule("irkeshtam").admits("KG", permits=None)
False
>>> open_torugart = sco.with_rule("torugart", queue={d: Delay(median_h=0, p90_h=0) for d in ("KG>CN", "CN>KG")})
>>> open_torugart.rule("torugart").queue["KG>CN"].median_h
0
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._pickle import reduce_frozen
from ._validate import check_bool, check_number, close_match, close_match_hint, short_repr
from .crossings import Crossing
from .datasets import read_csv, read_toml
from .errors import ArgumentTypeError, DataError, InvalidArgumentError, UnknownIdError
from .schedule import PostSchedule

__all__ = ["MAX_DELAY_H", "CountryClearance", "CrossingRule", "Delay", "Permit", "Regime", "load_country_clearance", "load_regime"]

NO_PERMIT = "none"
#: Longest delay a :class:`Delay` may describe, in hours (30 days); longer is a closure.
MAX_DELAY_H = 720.0
#: Delay distributions the stochastic model can sample.
DISTRIBUTIONS = ("lognormal", "fixed", "empirical")
ANY_REGISTRATION = "*"


@dataclass(frozen=True, slots=True, kw_only=True)
class Delay:
    """A delay distribution, summarised by its median and 90th percentile, in hours.

    The deterministic model uses :attr:`median_h`; the stochastic model
    (:mod:`transit.delays`) samples the distribution named by
    :attr:`distribution`:

    ``"lognormal"`` (default)
        Lognormal with this median and P90. A median of zero with a positive
        P90 means most trucks do not wait: half wait nothing, the others an
        exponential time scaled so that 10% wait longer than P90.
    ``"fixed"``
        Always the median (``p90_h`` equals ``median_h``).
    ``"empirical"``
        Resampled from observed :attr:`values_h`; median and P90 are theirs.

    Parameters
    ----------
    median_h, p90_h
        Median and 90th percentile; ``MAX_DELAY_H >= p90_h >= median_h >= 0``
        (a wait beyond 30 days is a closure, not a delay: model it with
        ``open_to_freight=False`` or a schedule).
    source
        Source ids, or ``ESTIMATE: <method>``.
    distribution
        ``"lognormal"``, ``"fixed"`` or ``"empirical"``.
    values_h
        Observed delays, for ``"empirical"``.

    Examples
    --------
    >>> Delay(median_h=2, p90_h=4).distribution
    'lognormal'
    >>> Delay.fixed(1.5).p90_h
    1.5
    >>> d = Delay.empirical([1, 2, 3, 10])
    >>> d.median_h, d.distribution
    (2.5, 'empirical')
    """

    median_h: float
    p90_h: float
    source: str = ""
    distribution: str = "lognormal"
    values_h: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        for name in ("median_h", "p90_h"):
            check_number(getattr(self, name), name=name, low=0, high=MAX_DELAY_H, unit=" hours (30 days)", example=2)
        if not self.median_h <= self.p90_h:
            msg = f"delay must satisfy 0 <= median_h <= p90_h; got median_h={self.median_h}, p90_h={self.p90_h}: swap them or raise p90_h"
            raise InvalidArgumentError(msg)
        if self.distribution not in DISTRIBUTIONS:
            msg = f"unknown delay distribution {short_repr(self.distribution)}; expected one of {DISTRIBUTIONS}"
            raise InvalidArgumentError(msg)
        if self.distribution == "fixed" and self.p90_h != self.median_h:
            msg = f"a fixed delay has p90_h equal to median_h; got median_h={self.median_h}, p90_h={self.p90_h}: use Delay.fixed(hours)"
            raise InvalidArgumentError(msg)
        if self.distribution == "empirical":
            if not self.values_h or not all(0 <= v <= MAX_DELAY_H for v in self.values_h):
                msg = f"an empirical delay needs one or more observed values from 0 to {MAX_DELAY_H:g} hours; got {short_repr(list(self.values_h))}"
                raise InvalidArgumentError(msg)
        elif self.values_h:
            msg = f"values_h is only for distribution='empirical', not {self.distribution!r}: use Delay.empirical(values)"
            raise InvalidArgumentError(msg)

    @classmethod
    def fixed(cls, hours: float, *, source: str = "") -> Delay:
        """Return a delay that is always ``hours``."""
        return cls(median_h=float(hours), p90_h=float(hours), source=source, distribution="fixed")

    @classmethod
    def empirical(cls, values_h: Iterable[float], *, source: str = "") -> Delay:
        """Return a delay resampled from observations; median and P90 by linear interpolation (numpy's default)."""
        import numpy as np

        values = tuple(check_number(v, name="values_h item", low=0, high=MAX_DELAY_H, unit=" hours") for v in values_h)
        if not values:
            msg = "an empirical delay needs one or more observed values; got none"
            raise InvalidArgumentError(msg)
        median, p90 = (float(q) for q in np.quantile(values, [0.5, 0.9]))
        return cls(median_h=median, p90_h=max(p90, median), source=source, distribution="empirical", values_h=values)

    def __add__(self, other: Delay) -> Delay:
        """
        Return the delay of two stages one after the other.

        Quantiles are added, which is exact when the two stages are perfectly
        correlated (a busy day is busy at both posts) and an overestimate of
        the spread otherwise. Two fixed delays give a fixed one; anything
        else gives a lognormal.
        """
        sources = "; ".join(s for s in (self.source, other.source) if s)
        distribution = "fixed" if self.distribution == other.distribution == "fixed" else "lognormal"
        return Delay(median_h=self.median_h + other.median_h, p90_h=self.p90_h + other.p90_h, source=sources, distribution=distribution)


ZERO_DELAY = Delay(median_h=0.0, p90_h=0.0, source="none")


@dataclass(frozen=True, slots=True, kw_only=True)
class CountryClearance:
    """Default clearance time at one country's posts, outbound and inbound."""

    country: str
    out: Delay
    inbound: Delay


@dataclass(frozen=True, slots=True, kw_only=True)
class Permit:
    """A kind of road permit.

    Parameters
    ----------
    id
        Permit id used in ``through`` tables.
    name
        Display name.
    routes
        Designated route ids the permit is valid on; empty means not route-bound.
    source
        Source ids or ESTIMATE.
    """

    id: str
    name: str
    routes: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class CrossingRule:
    """What a regime says about one crossing.

    Parameters
    ----------
    crossing_id
        The crossing.
    open_to_freight
        False closes the crossing to international freight.
    through
        Registration (ISO-2, or ``"*"`` for any) mapped to the permit id a
        vehicle needs to drive on through the crossing (``"none"`` for no
        permit). Vehicles not admitted have their cargo transshipped.
    queue, clearance
        Direction key (``"KG>CN"``) mapped to the delay. The queue runs in
        wall-clock time from arrival; clearance only while both posts are open.
    transshipment
        Time to move the cargo onto a truck of the next country.
    schedules
        Country mapped to a replacement opening schedule of that country's post.
    sides
        Direction mapped to the (exit side, entry side) times the defaults were
        derived from (CPMM figures per country side), for reporting.
    reason
        Why the crossing is closed or restricted (shown in errors).
    source
        Source ids or ESTIMATE for the rule.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)

    crossing_id: str
    open_to_freight: bool = True
    through: Mapping[str, str] = field(default_factory=dict)
    queue: Mapping[str, Delay] = field(default_factory=dict)
    clearance: Mapping[str, Delay] = field(default_factory=dict)
    transshipment: Delay = ZERO_DELAY
    schedules: Mapping[str, PostSchedule] = field(default_factory=dict)
    sides: Mapping[str, tuple[Delay, Delay]] = field(default_factory=dict)
    reason: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        where = f"crossing {self.crossing_id!r}"
        check_bool(self.open_to_freight, name="open_to_freight")
        for name in ("reason", "source"):
            if not isinstance(getattr(self, name), str):
                msg = f"{name}={short_repr(getattr(self, name))} for {where} is not a string; expected text such as {name}='closed since 2020'"
                raise ArgumentTypeError(msg)
        transshipment: object = self.transshipment  # checked at run time: callers pass anything
        if not isinstance(transshipment, Delay):
            msg = (
                f"transshipment={short_repr(transshipment)} for {where} is not a Delay; "
                "expected e.g. transshipment=Delay.fixed(5) or Delay(median_h=5, p90_h=8)"
            )
            raise ArgumentTypeError(msg)
        for name, kind, example in (
            ("through", str, "{'*': 'sco', 'KG': 'none'}"),
            ("queue", Delay, "{'KG>CN': Delay(median_h=2, p90_h=6), 'CN>KG': Delay(median_h=2, p90_h=6)}"),
            ("clearance", Delay, "{'KG>CN': Delay.fixed(1), 'CN>KG': Delay.fixed(1)}"),
            ("schedules", PostSchedule, "{'KG': PostSchedule.build(tz='Asia/Bishkek', hours='09:00-18:00')}"),
            ("sides", tuple, "{'KG>CN': (Delay.fixed(1), Delay.fixed(1))}"),
        ):
            value = getattr(self, name)
            if not isinstance(value, Mapping):
                msg = f"{name}={short_repr(value)} for {where} is not a mapping; expected e.g. {name}={example}"
                raise ArgumentTypeError(msg)
            for key, item in value.items():
                good = isinstance(key, str) and isinstance(item, kind)
                if good and name == "sides":
                    good = len(item) == 2 and all(isinstance(d, Delay) for d in item)
                if not good:
                    msg = (
                        f"{name}[{short_repr(key)}]={short_repr(item)} for {where} is not a {kind.__name__} keyed by a string; "
                        f"expected e.g. {name}={example}"
                    )
                    raise ArgumentTypeError(msg)
            object.__setattr__(self, name, MappingProxyType(dict(value)))

    def permit_needed(self, registration: str) -> str | None:
        """Return the permit a vehicle of ``registration`` needs to pass, or ``None`` if none admits it."""
        return self.through.get(registration, self.through.get(ANY_REGISTRATION))

    def admits(self, registration: str, *, permits: frozenset[str] | None) -> bool:
        """
        Return whether a vehicle may drive on through this crossing.

        Parameters
        ----------
        registration
            ISO-2 registration country of the vehicle.
        permits
            Permit ids the vehicle holds; ``None`` means it holds every permit
            the regime offers.
        """
        needed = self.permit_needed(registration)
        if needed is None:
            return False
        return needed == NO_PERMIT or permits is None or needed in permits

    def expected_delay_h(self, direction: str) -> float:
        """Median queue plus clearance for ``direction``."""
        return self.queue[direction].median_h + self.clearance[direction].median_h

    def __hash__(self) -> int:
        # By content, like the generated __eq__ (mapping fields as frozensets; schedules by direction only).
        return hash(
            (
                self.crossing_id,
                self.open_to_freight,
                frozenset(self.through.items()),
                frozenset(self.queue.items()),
                frozenset(self.clearance.items()),
                self.transshipment,
                frozenset(self.schedules),
            )
        )


@dataclass(frozen=True, kw_only=True)
class Regime:
    """The border rules in force: one :class:`CrossingRule` per crossing.

    Parameters
    ----------
    id
        Regime id (``"sco-2017"``).
    name
        Display name.
    description
        What the regime models and what it simplifies.
    rules
        Crossing id mapped to its rule (every crossing of the network).
    permits
        Permit id mapped to :class:`Permit`.
    in_force_from
        Date the regime took effect, if it is a historical one.
    source
        Source ids for the regime as a whole.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_frozen(self)

    id: str
    name: str
    description: str = ""
    rules: Mapping[str, CrossingRule] = field(default_factory=dict)
    permits: Mapping[str, Permit] = field(default_factory=dict)
    in_force_from: date | None = None
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))
        object.__setattr__(self, "permits", MappingProxyType(dict(self.permits)))

    def __hash__(self) -> int:
        # By content, consistent with __eq__: caches key on regimes, and an equal copy must find the same entries.
        found = self.__dict__.get("_hash")
        if found is None:
            found = hash((self.id, frozenset(self.rules.items()), frozenset(self.permits.items())))
            object.__setattr__(self, "_hash", found)
        return found

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Regime):
            return NotImplemented
        return self.id == other.id and dict(self.rules) == dict(other.rules) and dict(self.permits) == dict(other.permits)

    def __repr__(self) -> str:
        # One line: the dataclass repr spelled out every rule (tens of thousands of characters for a curated regime).
        closed = sum(not rule.open_to_freight for rule in self.rules.values())
        since = f"in force from {self.in_force_from.isoformat()}" if self.in_force_from else "no in_force_from"
        permits = ", ".join(self.permits) or "none"
        return f"<Regime {self.id!r} ({self.name}): {since}, {len(self.rules)} crossing rules ({closed} closed to freight), permits: {permits}>"

    def rule(self, crossing_id: str) -> CrossingRule:
        """
        Return the rule for ``crossing_id``.

        Raises
        ------
        UnknownIdError
            For a crossing id the regime has no rule for (a ``KeyError``), with the closest id.
        """
        try:
            return self.rules[crossing_id]
        except (KeyError, TypeError):
            close = close_match(crossing_id, self.rules)
            hint = f"; did you mean {close!r}?" if close else ""
            msg = f"regime {self.id!r} has no rule for crossing {short_repr(crossing_id)}{hint} (crossing ids: {', '.join(sorted(self.rules))})"
            raise UnknownIdError(msg, suggestions=[close] if close else []) from None

    def with_rule(self, crossing_id: str, **changes: Any) -> Regime:
        """
        Return a copy with one crossing's rule changed.

        Parameters
        ----------
        crossing_id
            The crossing.
        **changes
            Fields of :class:`CrossingRule` to replace.

        Returns
        -------
        Regime
            A new regime; ``self`` is unchanged. Its id gets a ``+what-if`` suffix
            unless ``changes`` is empty.

        Raises
        ------
        UnknownIdError
            For an unknown crossing.
        ArgumentTypeError
            For a field CrossingRule does not have (``bogus=1``) or a value of
            the wrong type (``open_to_freight="no"``, ``transshipment=5``,
            ``schedules={"KG": "x"}``).
        InvalidArgumentError
            For delays or schedules keyed by directions or countries the
            crossing does not have, or a permit the regime does not define.
        """
        current = self.rule(crossing_id)
        names = [f.name for f in dataclasses.fields(CrossingRule) if f.name != "crossing_id"]
        for key in changes:
            if key not in names:
                msg = (
                    f"with_rule({crossing_id!r}, {key}=...): {key!r} is not a field of CrossingRule{close_match_hint(key, names)} "
                    f"(fields: {', '.join(names)})"
                )
                raise ArgumentTypeError(msg)
        new = dataclasses.replace(current, **changes)
        _check_directions(new, current, self.permits)
        rules = dict(self.rules)
        rules[crossing_id] = new
        new_id = self.id if self.id.endswith("+what-if") else f"{self.id}+what-if"
        return dataclasses.replace(self, id=new_id, rules=rules)


def _check_directions(new: CrossingRule, current: CrossingRule, permits: Mapping[str, Permit]) -> None:
    """Check a changed rule against the crossing's directions (those of the current rule) and the regime's permits."""
    directions = set(current.queue) | set(current.clearance)
    countries = {c for d in directions for c in d.split(">")}
    where = f"crossing {new.crossing_id!r}"
    for name in ("queue", "clearance", "sides"):
        given = set(getattr(new, name))
        if given == set(getattr(current, name)) or not directions:
            continue
        if given != directions:
            msg = (
                f"{name} for {where} has directions {sorted(given)}; expected exactly {sorted(directions)}, "
                f"e.g. {name}={{d: Delay.fixed(1) for d in {tuple(sorted(directions))!r}}}"
            )
            raise InvalidArgumentError(msg)
    unknown = sorted(set(new.schedules) - countries) if countries else []
    if unknown:
        msg = f"schedules for {where} names {unknown}; expected the crossing's countries {sorted(countries)}"
        raise InvalidArgumentError(msg)
    for registration, permit in new.through.items():
        if permit != NO_PERMIT and permit not in permits:
            hint = close_match_hint(permit, [*permits, NO_PERMIT])
            msg = (
                f"through[{registration!r}]={permit!r} for {where} is not a permit of the regime{hint} "
                f"(expected one of {sorted(permits)} or {NO_PERMIT!r})"
            )
            raise InvalidArgumentError(msg)


# -- loading ---------------------------------------------------------------------------------------

_RULE_KEYS = {
    "countries",
    "pairs",
    "crossings",
    "open_to_freight",
    "reason",
    "through",
    "transshipment_median_h",
    "transshipment_p90_h",
    "transshipment_distribution",
    "transshipment_values_h",
    "queue_median_h",
    "queue_p90_h",
    "queue_distribution",
    "queue_values_h",
    "clearance_median_h",
    "clearance_p90_h",
    "clearance_distribution",
    "clearance_values_h",
    "delays",
    "schedules",
    "source",
}
_DIRECTION_KEYS = {
    "queue_median_h",
    "queue_p90_h",
    "queue_distribution",
    "queue_values_h",
    "clearance_median_h",
    "clearance_p90_h",
    "clearance_distribution",
    "clearance_values_h",
    "exit_side_median_h",
    "exit_side_p90_h",
    "exit_side_distribution",
    "exit_side_values_h",
    "entry_side_median_h",
    "entry_side_p90_h",
    "entry_side_distribution",
    "entry_side_values_h",
    "source",
}
#: ``through`` key standing for the two countries of the crossing.
NEIGHBOURS = "neighbours"


def load_country_clearance(path: Path) -> dict[str, CountryClearance]:
    """
    Read ``clearance.csv``: default clearance hours at each country's posts.

    Parameters
    ----------
    path
        The CSV file (columns ``country, out_median_h, out_p90_h, in_median_h, in_p90_h, source``).

    Returns
    -------
    dict
        Country code mapped to :class:`CountryClearance`.
    """
    table: dict[str, CountryClearance] = {}
    columns = ("country", "out_median_h", "out_p90_h", "in_median_h", "in_p90_h", "source")
    for row in read_csv(path, required=columns):
        country = row.str("country")
        source = row.str("source")
        try:
            out = Delay(median_h=row.float("out_median_h"), p90_h=row.float("out_p90_h"), source=source)
            inbound = Delay(median_h=row.float("in_median_h"), p90_h=row.float("in_p90_h"), source=source)
        except ValueError as exc:
            if isinstance(exc, DataError):
                raise
            raise row.error("out_p90_h", str(exc)) from None
        if country in table:
            raise row.error("country", f"{country!r} appears twice")
        table[country] = CountryClearance(country=country, out=out, inbound=inbound)
    return table


def _delay(values: Mapping[str, Any], prefix: str, *, file: str, where: str, source: str) -> Delay | None:
    median, p90 = values.get(f"{prefix}_median_h"), values.get(f"{prefix}_p90_h")
    distribution = values.get(f"{prefix}_distribution", "lognormal")
    observed = values.get(f"{prefix}_values_h")
    if median is None and p90 is None and observed is None:
        if f"{prefix}_distribution" in values:
            msg = f"{prefix}_distribution needs {prefix}_median_h (and {prefix}_p90_h, or {prefix}_values_h for 'empirical')"
            raise DataError(msg, file=file, row=where, column=f"{prefix}_distribution")
        return None
    if distribution not in DISTRIBUTIONS:
        msg = f"got {distribution!r}; expected one of {', '.join(DISTRIBUTIONS)}"
        raise DataError(msg, file=file, row=where, column=f"{prefix}_distribution")
    the_source = str(values.get("source", source))
    if distribution == "empirical" or observed is not None:
        if distribution != "empirical" or median is not None or p90 is not None:
            msg = f"give {prefix}_values_h with {prefix}_distribution = 'empirical' and no median or P90 (they come from the values)"
            raise DataError(msg, file=file, row=where, column=f"{prefix}_values_h")
        if (
            not isinstance(observed, list)
            or not observed
            or any(not isinstance(v, int | float) or isinstance(v, bool) or not 0 <= v <= MAX_DELAY_H for v in observed)
        ):
            raise DataError(
                f"got {short_repr(observed)}; expected a list of hours from 0 to {MAX_DELAY_H:g}", file=file, row=where, column=f"{prefix}_values_h"
            )
        return Delay.empirical(observed, source=the_source)
    if distribution == "fixed":
        if median is None:
            raise DataError(f"a fixed delay needs {prefix}_median_h", file=file, row=where, column=f"{prefix}_median_h")
        p90 = median if p90 is None else p90
    if median is None or p90 is None:
        msg = f"give both {prefix}_median_h and {prefix}_p90_h"
        raise DataError(msg, file=file, row=where, column=f"{prefix}_median_h")
    for key, value in ((f"{prefix}_median_h", median), (f"{prefix}_p90_h", p90)):
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= MAX_DELAY_H:
            msg = (
                f"got {value!r}; expected a finite number of hours from 0 to {MAX_DELAY_H:g} "
                "(30 days; a longer wait is a closure: open_to_freight = false)"
            )
            raise DataError(msg, file=file, row=where, column=key)
    try:
        return Delay(median_h=float(median), p90_h=float(p90), source=the_source, distribution=distribution)
    except ValueError as exc:
        raise DataError(str(exc), file=file, row=where, column=f"{prefix}_p90_h") from None


def load_regime(
    path: Path,
    *,
    crossings: Mapping[str, Crossing],
    country_clearance: Mapping[str, CountryClearance],
) -> Regime:
    """
    Read one regime file and resolve a rule for every crossing.

    Resolution order for each crossing: ``[defaults]``, then every ``[[rule]]``
    that matches it (by ``pairs``, ``countries`` or ``crossings``) in file
    order, later ones overriding earlier ones key by key. Delays a rule does
    not set are derived per direction: the total is the exit side plus the
    entry side (``exit_side_*``/``entry_side_*`` of a rule, else the
    countries' rows of ``clearance.csv``); clearance is the smaller of that
    total and the formalities time (``clearance_*``), the queue the rest.

    Parameters
    ----------
    path
        ``routes/regimes/<id>.toml``.
    crossings
        Crossing id mapped to :class:`~transit.crossings.Crossing`.
    country_clearance
        From :func:`load_country_clearance`.

    Returns
    -------
    Regime

    Raises
    ------
    DataError
        Naming the file, the rule and the key at fault.
    """
    file = path.name
    doc = read_toml(path)
    for key in ("id", "name", "defaults"):
        if key not in doc:
            raise DataError(f"lacks the top-level key {key!r}", file=file, column=key)
    regime_id = str(doc["id"])
    if regime_id != path.stem:
        raise DataError(f"id {regime_id!r} must match the file name {path.stem!r}", file=file, column="id")

    permits = {}
    for permit_id, spec in doc.get("permits", {}).items():
        permits[permit_id] = Permit(
            id=permit_id,
            name=str(spec.get("name", permit_id)),
            routes=tuple(spec.get("routes", ())),
            source=str(spec.get("source", "")),
        )

    countries = {c for crossing in crossings.values() for c in crossing.countries}
    rules_spec: list[dict[str, Any]] = [doc["defaults"], *doc.get("rule", [])]
    for index, spec in enumerate(rules_spec):
        where = "defaults" if index == 0 else f"rule {index}"
        unknown = set(spec) - _RULE_KEYS
        if unknown:
            raise DataError(f"unknown key(s) {sorted(unknown)}; expected some of {sorted(_RULE_KEYS)}", file=file, row=where)
        for pair in spec.get("pairs", ()):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise DataError(f"pairs entry {pair!r} is not a two-country list such as ['KZ', 'KG']", file=file, row=where, column="pairs")
        for key, codes in (("pairs", [c for pair in spec.get("pairs", ()) for c in pair]), ("countries", spec.get("countries", []))):
            for code in codes if isinstance(codes, list) else [codes]:
                if code not in countries:
                    msg = (
                        f"names country {code!r}{close_match_hint(code, countries)}, which no crossing borders; "
                        f"expected ISO codes among {sorted(countries)}"
                    )
                    raise DataError(msg, file=file, row=where, column=key)
        if "open_to_freight" in spec and not isinstance(spec["open_to_freight"], bool):
            msg = f"got {spec['open_to_freight']!r}; expected a TOML boolean, open_to_freight = true or false (no quotes)"
            raise DataError(msg, file=file, row=where, column="open_to_freight")
        if "reason" in spec and not isinstance(spec["reason"], str):
            raise DataError(f"got {spec['reason']!r}; expected a quoted string", file=file, row=where, column="reason")
        for cid in spec.get("crossings", ()):
            if cid not in crossings:
                raise DataError(f"names unknown crossing {cid!r}", file=file, row=where, column="crossings")
        for permit in dict(spec.get("through", {})).values():
            if permit != NO_PERMIT and permit not in permits:
                msg = f"names permit {permit!r}, which [permits] does not define; known: {sorted(permits)}"
                raise DataError(msg, file=file, row=where, column="through")

    rules = {cid: _resolve(crossing, rules_spec, country_clearance, file=file) for cid, crossing in crossings.items()}
    in_force = doc.get("in_force_from")
    if in_force is not None and not isinstance(in_force, date):
        raise DataError(f"got {in_force!r}; expected a TOML date such as 2017-01-20", file=file, column="in_force_from")
    return Regime(
        id=regime_id,
        name=str(doc["name"]),
        description=str(doc.get("description", "")).strip(),
        rules=rules,
        permits=permits,
        in_force_from=in_force,
        source=str(doc.get("source", "")),
    )


def _matches(spec: Mapping[str, Any], crossing: Crossing, *, is_default: bool) -> bool:
    if is_default:
        return True
    if "crossings" in spec:
        return crossing.id in spec["crossings"]
    if "countries" in spec:
        return set(spec["countries"]) == set(crossing.countries)
    if "pairs" in spec:
        return any(set(pair) == set(crossing.countries) for pair in spec["pairs"])
    return False


def _resolve(
    crossing: Crossing,
    rules_spec: Iterable[dict[str, Any]],
    country_clearance: Mapping[str, CountryClearance],
    *,
    file: str,
) -> CrossingRule:
    """Apply the matching rules in order, then fill delays from the country defaults."""
    fields: dict[str, Any] = {}
    formalities: Delay | None = None
    both_queue: Delay | None = None
    queue: dict[str, Delay] = {}
    clearance: dict[str, Delay] = {}
    sides: dict[str, dict[str, Delay]] = {d: {} for d in crossing.directions}
    for index, spec in enumerate(rules_spec):
        if not _matches(spec, crossing, is_default=index == 0):
            continue
        where = "defaults" if index == 0 else f"rule {index}"
        source = str(spec.get("source", ""))
        for key in ("open_to_freight", "reason"):
            if key in spec:
                fields[key] = spec[key]
        if "through" in spec:
            through: dict[str, str] = {}
            keys = {str(k) for k in spec["through"]}
            if NEIGHBOURS in keys and keys & set(crossing.countries):
                msg = (
                    f"gives {sorted(keys & set(crossing.countries))} and 'neighbours' for crossing {crossing.id!r}; "
                    f"neighbours are {crossing.countries}, set them once"
                )
                raise DataError(msg, file=file, row=where, column="through")
            for key, permit in spec["through"].items():
                for registration in crossing.countries if key == NEIGHBOURS else (key,):
                    through[str(registration)] = str(permit)
            fields["through"] = through
        if source:
            fields["source"] = source
        transshipment = _delay(spec, "transshipment", file=file, where=where, source=source)
        if transshipment is not None:
            fields["transshipment"] = transshipment
        formalities = _delay(spec, "clearance", file=file, where=where, source=source) or formalities
        rule_queue = _delay(spec, "queue", file=file, where=where, source=source)
        if rule_queue is not None:
            both_queue = rule_queue
            queue.clear()  # a later both-direction queue overrides earlier per-direction ones
        for direction, per in spec.get("delays", {}).items():
            dwhere = f"{where} delays.{direction}"
            if direction not in crossing.directions:
                if "crossings" in spec:
                    msg = f"direction {direction!r} does not fit crossing {crossing.id!r}; expected one of {crossing.directions}"
                    raise DataError(msg, file=file, row=where, column="delays")
                continue
            unknown = set(per) - _DIRECTION_KEYS
            if unknown:
                raise DataError(f"unknown key(s) {sorted(unknown)}; expected some of {sorted(_DIRECTION_KEYS)}", file=file, row=dwhere)
            dsource = str(per.get("source", source))
            for name, target in (("queue", queue), ("clearance", clearance)):
                value = _delay(per, name, file=file, where=dwhere, source=dsource)
                if value is not None:
                    target[direction] = value
            for side in ("exit_side", "entry_side"):
                value = _delay(per, side, file=file, where=dwhere, source=dsource)
                if value is not None:
                    sides[direction][side] = value
        for country, sched in spec.get("schedules", {}).items():
            if country not in crossing.countries:
                continue
            try:
                schedule = PostSchedule.build(tz=crossing.post(country).tz, **sched)
            except (TypeError, ValueError) as exc:
                raise DataError(str(exc), file=file, row=where, column=f"schedules.{country}") from None
            fields.setdefault("schedules", {})[country] = schedule

    resolved_sides: dict[str, tuple[Delay, Delay]] = {}
    for direction in crossing.directions:
        exit_country, _, entry_country = direction.partition(">")
        for country in (exit_country, entry_country):
            if country not in country_clearance:
                msg = f"clearance.csv has no row for {country!r}, needed by crossing {crossing.id!r}"
                raise DataError(msg, file="clearance.csv")
        exit_side = sides[direction].get("exit_side", country_clearance[exit_country].out)
        entry_side = sides[direction].get("entry_side", country_clearance[entry_country].inbound)
        resolved_sides[direction] = (exit_side, entry_side)
        try:
            total = exit_side + entry_side
        except InvalidArgumentError as exc:
            msg = f"the exit and entry sides of {crossing.id} {direction} add up to more than a delay may be: {exc}"
            raise DataError(msg, file=file, row=crossing.id, column="exit_side_median_h") from None
        if direction not in clearance:
            if formalities is None:
                clearance[direction] = total
            elif formalities.median_h <= total.median_h and formalities.p90_h <= total.p90_h:
                clearance[direction] = formalities  # keeps its distribution
            else:
                clearance[direction] = Delay(
                    median_h=min(total.median_h, formalities.median_h),
                    p90_h=min(total.p90_h, formalities.p90_h),
                    source=formalities.source,
                )
        if direction not in queue:
            if both_queue is not None:
                queue[direction] = both_queue
            else:
                c = clearance[direction]
                median = max(total.median_h - c.median_h, 0.0)
                queue[direction] = Delay(
                    median_h=median,
                    p90_h=max(total.p90_h - c.p90_h, median),
                    source=f"{total.source} (less the clearance)",
                )
    return CrossingRule(crossing_id=crossing.id, queue=queue, clearance=clearance, sides=resolved_sides, **fields)
