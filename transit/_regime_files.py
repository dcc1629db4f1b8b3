"""
Read regimes from the dataset's files into :class:`~transit.regimes.Regime` objects.

The files are ``regimes/*.toml`` and the per-country clearance table ``clearance.csv``. Every bad
value is a :class:`~transit.errors.DataError` naming the file, the row and the key; delays are
derived as the regime files document (see ``routes/README.md``). Used by
:func:`transit.load_network`, for a dataset folder and for a saved network alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ._validate import close_match_hint, short_repr
from .crossings import Crossing
from .datasets import read_csv, read_toml
from .errors import DataError, InvalidArgumentError
from .regimes import DISTRIBUTIONS, MAX_DELAY_H, NO_PERMIT, TRANSFERS, CountryClearance, CrossingRule, Delay, Permit, Regime
from .schedule import PostSchedule

__all__ = ["DIRECTION_KEYS", "NEIGHBOURS", "delay_keys", "load_country_clearance", "load_regime", "read_delay", "read_direction_delays"]

DELAY_PARTS = ("median_h", "p90_h", "distribution", "values_h")


def delay_keys(*stages: str) -> set[str]:
    """Return the keys that describe the delays of ``stages`` (``queue`` gives ``queue_median_h``, ``queue_p90_h``...)."""
    return {f"{stage}_{part}" for stage in stages for part in DELAY_PARTS}


_RULE_KEYS = {
    "countries",
    "pairs",
    "crossings",
    "open_to_freight",
    "reason",
    "through",
    "delays",
    "schedules",
    "closed_directions",
    "transfer",
    "source",
    *delay_keys("transshipment", "queue", "clearance"),
}
DIRECTION_KEYS = {*delay_keys("queue", "clearance", "exit_side", "entry_side"), "source"}
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


def read_delay(values: Mapping[str, Any], prefix: str, *, file: str, where: str, source: str) -> Delay | None:
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


def read_direction_delays(per: Mapping[str, Any], *, file: str, where: str, source: str) -> dict[str, Delay]:
    """
    Read one ``delays."A>B"`` table (of a regime rule or a timeline event): the stages it gives, by name.

    Returns
    -------
    dict
        Some of ``queue``, ``clearance``, ``exit_side``, ``entry_side`` mapped to their :class:`Delay`; the table's own
        ``source`` wins over ``source``.
    """
    unknown = set(per) - DIRECTION_KEYS
    if unknown:
        raise DataError(f"unknown key(s) {sorted(unknown)}; expected some of {sorted(DIRECTION_KEYS)}", file=file, row=where)
    own = str(per.get("source", source))
    found = {}
    for stage in ("queue", "clearance", "exit_side", "entry_side"):
        value = read_delay(per, stage, file=file, where=where, source=own)
        if value is not None:
            found[stage] = value
    return found


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
    dates = {}
    for key in ("in_force_from", "valid_until"):
        value = doc.get(key)
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise DataError(f"got {value!r}; expected a TOML date such as 2017-01-20", file=file, column=key)
        dates[key] = value
    in_force = dates["in_force_from"]
    if in_force is not None and dates["valid_until"] is not None and dates["valid_until"] <= in_force:
        raise DataError(f"valid_until {dates['valid_until']} is not after in_force_from {in_force}", file=file, column="valid_until")
    return Regime(
        id=regime_id,
        name=str(doc["name"]),
        description=str(doc.get("description", "")).strip(),
        rules=rules,
        permits=permits,
        in_force_from=in_force,
        valid_until=dates["valid_until"],
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
        if "closed_directions" in spec:
            closed = spec["closed_directions"]
            if not isinstance(closed, list) or not set(closed) <= set(crossing.directions):
                msg = f"got {closed!r}; expected a list of directions of crossing {crossing.id!r} among {crossing.directions} (one-way operation)"
                raise DataError(msg, file=file, row=where, column="closed_directions")
            fields["closed_directions"] = frozenset(closed)
        if "transfer" in spec:
            if spec["transfer"] not in TRANSFERS:
                raise DataError(f"got {spec['transfer']!r}; expected one of {TRANSFERS}", file=file, row=where, column="transfer")
            fields["transfer"] = spec["transfer"]
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
        transshipment = read_delay(spec, "transshipment", file=file, where=where, source=source)
        if transshipment is not None:
            fields["transshipment"] = transshipment
        formalities = read_delay(spec, "clearance", file=file, where=where, source=source) or formalities
        rule_queue = read_delay(spec, "queue", file=file, where=where, source=source)
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
            found = read_direction_delays(per, file=file, where=dwhere, source=source)
            for name, target in (("queue", queue), ("clearance", clearance)):
                if name in found:
                    target[direction] = found[name]
            sides[direction].update({side: found[side] for side in ("exit_side", "entry_side") if side in found})
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
