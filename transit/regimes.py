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
>>> sco = transit.get_regime(net, "sco-2017")  # as in force on 20 Jan 2017
>>> sco.rule("irkeshtam").admits("KG", permits=None), sco.rule("irkeshtam").admits("UZ", permits=None)
(True, False)
>>> transit.regime_on(net, "2018-03-05").rule("irkeshtam").admits("UZ", permits=None)  # from 25 Feb 2018
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
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ._pickle import reduce_frozen
from ._validate import check_bool, check_number, close_match, close_match_hint, short_repr
from .errors import ArgumentTypeError, InvalidArgumentError, UnknownIdError
from .schedule import PostSchedule

if TYPE_CHECKING:
    from .clocks import CrossingClock, SplicedClock
    from .crossings import Crossing

__all__ = ["MAX_DELAY_H", "NOT_ADMITTED", "TRANSFERS", "CountryClearance", "CrossingRule", "Delay", "Permit", "Regime"]

NO_PERMIT = "none"
#: ``through`` value saying trucks of that registration may not drive on (a dated event's way to revoke a ``"*"``).
NOT_ADMITTED = "transship"
#: How a load continues when its truck may not drive on: ``"cargo"`` (unloaded and reloaded) or ``"trailer"`` (swapped).
TRANSFERS = ("cargo", "trailer")
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
    closed_directions
        Directions (``"KG>CN"``) closed to freight while the crossing is open
        the other way: one-way operation.
    transfer
        How the load continues when the vehicle may not drive on: ``"cargo"``
        (transshipped onto a truck of the next country, the default) or
        ``"trailer"`` (a trailer swap: a tractor of the next country hauls it on).
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
    closed_directions: frozenset[str] = frozenset()
    transfer: str = "cargo"
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
        closed: object = self.closed_directions
        if isinstance(closed, str) or not isinstance(closed, Iterable) or not all(isinstance(d, str) and ">" in d for d in closed):
            msg = f"closed_directions={short_repr(closed)} for {where} is not a set of directions; expected e.g. closed_directions={{'KG>CN'}}"
            raise ArgumentTypeError(msg)
        object.__setattr__(self, "closed_directions", frozenset(closed))
        if self.transfer not in TRANSFERS:
            msg = (
                f"transfer={short_repr(self.transfer)} for {where}; expected one of {TRANSFERS}: 'cargo' (transshipment) or 'trailer' (trailer swap)"
            )
            raise InvalidArgumentError(msg)
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
        needed = self.through.get(registration, self.through.get(ANY_REGISTRATION))
        return None if needed == NOT_ADMITTED else needed

    def open_in(self, direction: str) -> bool:
        """
        Return whether freight may cross in ``direction`` (``"KG>CN"``).

        Examples
        --------
        >>> rule = CrossingRule(crossing_id="torugart", closed_directions={"KG>CN"})
        >>> rule.open_in("CN>KG"), rule.open_in("KG>CN")
        (True, False)
        """
        return self.open_to_freight and direction not in self.closed_directions

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
                self.closed_directions,
                self.transfer,
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
    valid_until
        First date on which the corridor's dated history (``timeline.toml``)
        changes these rules, if the regime describes one moment; a later
        departure gets a warning naming ``regime="history"``.
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
    valid_until: date | None = None
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

    @property
    def dated(self) -> bool:
        """True for a regime whose rules change with the date (:class:`transit.timeline.History`)."""
        return False

    def around(self, t: float) -> Regime:  # noqa: ARG002 - a time-dependent regime uses t
        """Return the regime for a trip departing at POSIX time ``t``: ``self`` unless the rules change with the date."""
        return self

    def rule_at(self, crossing_id: str, t: float) -> CrossingRule:  # noqa: ARG002 - a time-dependent regime uses t
        """Return the rule for ``crossing_id`` in force at POSIX time ``t``: the same at every time for a plain regime."""
        return self.rule(crossing_id)

    def segment_at(self, crossing_id: str, t: float) -> int:  # noqa: ARG002 - a time-dependent regime uses them
        """Return which of the crossing's dated rules is in force at ``t`` (always 0 for a plain regime)."""
        return 0

    def segment_rule(self, crossing_id: str, segment: int) -> CrossingRule:  # noqa: ARG002 - a time-dependent regime uses it
        """Return the crossing's dated rule number ``segment`` (:meth:`segment_at`); the one rule for a plain regime."""
        return self.rule(crossing_id)

    def segment_starts(self, crossing_id: str) -> tuple[float, ...]:  # noqa: ARG002 - a time-dependent regime uses it
        """Return when each of the crossing's dated rules comes into force: one rule, for ever, for a plain regime."""
        return (-math.inf,)

    def segments_between(self, crossing_id: str, lo: float, hi: float) -> tuple[int, ...]:  # noqa: ARG002
        """Return the dated rules of ``crossing_id`` in force at some time in ``[lo, hi]`` (``(0,)`` for a plain regime)."""
        return (0,)

    def clock(self, crossing: Crossing, direction: str) -> CrossingClock | SplicedClock:
        """Return the opening clock of ``crossing`` in ``direction`` under this regime (its what-if schedules; kept per crossing object)."""
        memo: dict[tuple[str, str], tuple[Crossing, CrossingClock | SplicedClock]] = self.__dict__.setdefault("_clocks", {})
        found = memo.get((crossing.id, direction))
        if found is not None and found[0] is crossing:  # the same (frozen) crossing: an edited network has new ones
            return found[1]
        clock = self._build_clock(crossing, direction)
        memo[(crossing.id, direction)] = (crossing, clock)
        return clock

    def _build_clock(self, crossing: Crossing, direction: str) -> CrossingClock | SplicedClock:
        return crossing.clock(direction, schedules=dict(self.rule(crossing.id).schedules))

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
