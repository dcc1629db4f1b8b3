"""
Command line: ``transit`` with its commands.

The commands: ``compare``, ``plan``, ``reliability``, ``profile``, ``matrix``, ``sweep``, ``places``, ``crossings``, ``regimes``, ``routes``,
``timeline``, ``validate``, ``serve``.

Errors are printed as one line on stderr with exit code 2; no traceback
(set ``TRANSIT_DEBUG=1`` to see one).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import textwrap
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from ._cli_history import warning_notes
from ._cli_sweep import split_list, sweep_cmd
from ._cli_text import door_to_door_lines, percentile_lines, trip_lines, write_atomically
from ._extras import missing_extra
from ._timeutil import parse_departure
from ._version import __version__
from .calibration import validate as run_validation
from .comparison import compare as run_compare
from .convert import to_gdfs
from .errors import InvalidArgumentError, TransitError
from .lookup import get_regime
from .multimodal import DoorToDoorReliability
from .network import load_network
from .routing import plan_trip
from .schedule import zone
from .serialize import comparison_to_dict, reliability_to_dict
from .timeline import HISTORY, regime_on
from .vehicles import Vehicle

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Freight transit times on Central Asia's SCO road-permit routes: driving, rests, borders, regimes.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"transit {__version__}")
        raise typer.Exit


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Freight transit times on Central Asia's SCO road-permit routes: driving, rests, borders, regimes."""


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table for people; json or csv for machines.")]
RegimeOption = Annotated[str | None, typer.Option("--regime", help="Regime id. Default: the dataset's default regime (dataset.toml).")]
ViaOption = Annotated[list[str] | None, typer.Option("--via", help="Place or crossing to pass (repeat for several, in order).")]
DepartOption = Annotated[
    str | None,
    typer.Option("--depart", help="Departure, ISO 8601 (e.g. 2017-10-30T08:00, local time at the origin). Default: now."),
]
RegistrationOption = Annotated[str | None, typer.Option("--registration", help="Truck registration country (ISO-2). Default: the origin's country.")]
DriversOption = Annotated[int, typer.Option("--drivers", help="Crew size: 1 or 2.")]
SamplesOption = Annotated[
    int, typer.Option("--samples", min=0, max=2_000_000, help="Monte Carlo samples of the border delays (0: deterministic only).")
]
ModesOption = Annotated[
    str,
    typer.Option(
        "--modes",
        help="Modes allowed, comma-separated: road (default), rail (the main haul by train), or road,rail (any mix, door to door).",
    ),
]
ModeSetsOption = Annotated[
    str | None,
    typer.Option("--modes", help="Mode sets to compare, comma-separated: road, rail, road+rail (e.g. road,road+rail). Default: road."),
]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Random seed: the same seed gives the same percentiles. Default: fresh entropy.")]


def _echo(text: str) -> None:
    typer.echo(text)


#: Joins a trip's warnings in one CSV cell (a warning's own text may hold ``;`` and ``,``).
WARNING_SEPARATOR = " | "
_LAT_LON = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?)\s*,\s*([-+]?\d+(?:\.\d*)?)\s*$")


def _place(text: str) -> str | tuple[float, float]:
    """Read a place argument: ``"LAT,LON"`` (e.g. ``39.47,75.99``) is a point snapped to the network; anything else a name."""
    found = _LAT_LON.match(text)
    return (float(found.group(1)), float(found.group(2))) if found else text


def _warning_cells(values: Any) -> list[str]:
    """Join each row's warnings into one CSV cell."""
    return [WARNING_SEPARATOR.join(v) for v in values]


def _question(origin: str | tuple[float, float], depart: str | None, registration: str | None, drivers: int) -> tuple[Any, str, Vehicle]:
    """Return the network, departure and vehicle of a trip question (defaults: now, a truck of the origin's country)."""
    net = load_network()
    from .lookup import resolve_place

    home = net.nodes[resolve_place(net, origin)]
    vehicle = Vehicle(registration=registration or home["country"], drivers=drivers)
    if depart is None:
        depart = datetime.now(zone(home["tz"])).replace(minute=0, second=0, microsecond=0).isoformat()
    return net, depart, vehicle


def _modes(text: str) -> tuple[str, ...]:
    """Return ``--modes`` as a tuple (``"road,rail"`` -> ``("road", "rail")``); the library checks each mode."""
    return tuple(m.strip() for m in text.split(",") if m.strip())


def _fmt_h(value: float) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.1f} h"


@app.command("compare")
def compare_cmd(
    origin: str,
    destination: str,
    via: ViaOption = None,
    depart: DepartOption = None,
    dates: Annotated[
        str | None,
        typer.Option(
            "--dates",
            help=(
                "Compare departures instead of --depart: comma-separated ISO dates or date-times, local time at the origin. "
                "A bare date means local midnight: prefer a time, e.g. 2016-10-31T08:00,2024-06-03T08:00. One row per date and regime."
            ),
        ),
    ] = None,
    regimes: Annotated[
        str | None,
        typer.Option(
            "--regimes",
            help=(
                "Comma-separated regime ids (history: the rules in force on each date); the first is the baseline. "
                "Default: every regime of the dataset, its default regime last; with several --dates, the default regime only."
            ),
        ),
    ] = None,
    registration: RegistrationOption = None,
    drivers: DriversOption = 1,
    samples: SamplesOption = 0,
    seed: SeedOption = None,
    modes: ModeSetsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Compare one trip under several regimes (default: every regime of the dataset), or at several --dates; --samples adds percentiles."""
    if dates is not None and depart is not None:
        msg = "give --depart (one departure) or --dates (several, to compare dates), not both; e.g. --dates 2016-10-31T08:00,2024-06-03T08:00"
        raise InvalidArgumentError(msg)
    departures = _dates(dates) if dates is not None else None
    net, departure, vehicle = _question(_place(origin), depart, registration, drivers)
    cmp = run_compare(
        net,
        _place(origin),
        _place(destination),
        regimes=None if regimes is None else [r.strip() for r in regimes.split(",") if r.strip()],
        departure=departure if departures is None else None,
        departures=departures,
        via=via,
        vehicle=vehicle,
        samples=samples,
        rng=seed,
        modes=None if modes is None else list(_modes(modes)),
    )
    if fmt is Format.json:
        _echo(json.dumps(comparison_to_dict(cmp, seed=seed), indent=2, ensure_ascii=False))
        return
    if fmt is Format.csv:
        warnings = [cmp.trips[r].warnings if r in cmp.trips else () for r in cmp.table.index]
        _echo(cmp.table.assign(warnings=_warning_cells(warnings)).to_csv(float_format="%.2f").rstrip())
        return
    if departures is not None:
        from ._cli_history import dated_comparison_lines

        for line in dated_comparison_lines(cmp, samples=samples, seed=seed):
            _echo(line)
        return
    first = next(iter(cmp.trips.values()))
    via_text = f" via {', '.join(cmp.via)}" if cmp.via else ""
    _echo(
        f"{cmp.origin} → {cmp.destination}{via_text}, departing {cmp.departure:%Y-%m-%d %H:%M %Z (%a)}, "
        f"truck {first.vehicle.registration} × {first.vehicle.drivers} driver(s)"
    )
    _echo("")
    table = cmp.table
    regimes_shown = list(table.index)
    last = regimes_shown[-1]
    sampled = [(f"P{q} ({samples:,} samples)", f"p{q}_h", _fmt_h, "percentile") for q in (50, 90, 95)] if samples else []
    lines = [
        ("total", "total_h", _fmt_h, "saving_h"),
        *sampled,
        ("total days", "total_days", lambda v: "–" if math.isnan(v) else f"{v:.2f} d", "saving_days"),
        ("driving", "driving_h", _fmt_h, None),
        ("breaks and rest", "rest_h", _fmt_h, None),
        ("queue + clearance", "border_h", _fmt_h, None),
        ("transshipment", "transshipment_h", _fmt_h, None),
        ("closed crossings", "closed_wait_h", _fmt_h, None),
        ("distance", "distance_km", lambda v: "–" if math.isnan(v) else f"{v:,.0f} km", None),
        ("cost", "cost_usd", lambda v: "–" if math.isnan(v) else f"${v:,.0f}", "saving_usd"),
    ]

    def cell(regime: str, column: str) -> str:
        value = table.loc[regime, column]
        if not value:
            return "–"
        if column == "arrival":
            return datetime.fromisoformat(str(value)).strftime("%a %d %b %H:%M %z")
        return str(value)

    # Every row as (label, one cell per regime, saving); then each column as wide as its widest cell.
    grid: list[tuple[str, list[str], str]] = []
    for label, column, fmt_fn, saving in lines:
        save = ""
        if saving is not None and len(regimes_shown) > 1:
            # A percentile's saving is the difference of the two percentiles (not a percentile of the differences).
            value = table.loc[regimes_shown[0], column] - table.loc[last, column] if saving == "percentile" else table.loc[last, saving]
            save = fmt_fn(value) if column != "total_days" else ("–" if math.isnan(value) else f"{value:.2f} d")
        grid.append((label, [fmt_fn(table.loc[r, column]) for r in regimes_shown], save))
    rows: list[tuple[str, str]] = [("arrival", "arrival"), ("crossings", "route"), ("transshipped at", "transshipments")]
    if "modes" in table.columns:
        rows = [("modes", "modes"), ("arrival", "arrival"), ("route", "route"), ("transshipped at", "transshipments")]
    for label, column in rows:
        grid.append((label, [cell(r, column) for r in regimes_shown], ""))
    gap = 3
    label_width = max(len(label) for label, _, _ in grid)
    widths = [max(len(regime), *(len(cells[i]) for _, cells, _ in grid)) + gap for i, regime in enumerate(regimes_shown)]
    save_width = max(len("saving"), *(len(save) for _, _, save in grid)) + gap if len(regimes_shown) > 1 else 0
    saving_header = f"{'saving':>{save_width}}" if save_width else ""
    _echo(" " * label_width + "".join(f"{r:>{w}}" for r, w in zip(regimes_shown, widths, strict=True)) + saving_header)
    for label, cells, save in grid:
        row = "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        _echo(f"{label:{label_width}}{row}{save:>{save_width}}".rstrip())
    for regime, message in cmp.errors.items():
        _echo(f"\n{regime}: {message}")
    for regime, texts in cmp.warnings.items():
        for text in texts:
            _echo(f"\nwarning ({regime}): {text}")
    if samples:
        _echo(f"\nPercentiles: {samples:,} samples of the border delays along each regime's planned route (seed {seed}).")
    _echo("\nArrival times are local at the destination. Sources and every step: `transit plan ... --format csv`.")


def _dates(text: str) -> list[str]:
    """Read ``--dates``: comma-separated departures (each checked by :func:`transit.compare`)."""
    found = [d.strip() for d in text.split(",") if d.strip()]
    if not found:
        msg = f"--dates {text!r} lists no dates; give comma-separated ISO dates or times, e.g. --dates 2016-10-31T08:00,2024-06-03T08:00"
        raise InvalidArgumentError(msg)
    for item in found:
        parse_departure(item, "UTC", what="--dates item")  # the syntax, named as the user typed it; compare reads the zone
    return found


@app.command("plan")
def plan_cmd(
    origin: str,
    destination: str,
    via: ViaOption = None,
    depart: DepartOption = None,
    regime: RegimeOption = None,
    registration: RegistrationOption = None,
    drivers: DriversOption = 1,
    modes: ModesOption = "road",
    fmt: FormatOption = Format.table,
) -> None:
    """Plan one trip and print its timeline. A place may be a point, LAT,LON (e.g. 39.47,75.99), snapped to the network."""
    net, departure, vehicle = _question(_place(origin), depart, registration, drivers)
    trip = plan_trip(
        net,
        _place(origin),
        _place(destination),
        regime=regime,
        departure=departure,
        via=via,
        vehicle=vehicle,
        modes=_modes(modes),
    )
    for line in trip_lines(trip, fmt.value):
        _echo(line)


@app.command("reliability")
def reliability_cmd(
    origin: str,
    destination: str,
    via: ViaOption = None,
    depart: DepartOption = None,
    regime: RegimeOption = None,
    registration: RegistrationOption = None,
    drivers: DriversOption = 1,
    samples: Annotated[int, typer.Option("--samples", min=1, max=2_000_000, help="Monte Carlo samples.")] = 10_000,
    seed: SeedOption = None,
    route: Annotated[
        str, typer.Option("--route", help="planned (the deterministic plan's route), best_p90 (any best_pNN) or best_mean.")
    ] = "planned",
    deadline: Annotated[
        str | None, typer.Option("--deadline", help="Also print the probability of arriving by this time (ISO 8601, local at the destination).")
    ] = None,
    modes: ModesOption = "road",
    fmt: FormatOption = Format.table,
) -> None:
    """Percentiles of one trip's door-to-door time under uncertain border delays."""
    from .uncertainty import reliability

    net, departure, vehicle = _question(_place(origin), depart, registration, drivers)
    rel = reliability(
        net,
        _place(origin),
        _place(destination),
        regime=regime,
        departure=departure,
        via=via,
        vehicle=vehicle,
        samples=samples,
        rng=seed,
        route=route,
        modes=_modes(modes),
    )
    if isinstance(rel, DoorToDoorReliability):
        for line in door_to_door_lines(rel, fmt.value, seed=seed, deadline=deadline):
            _echo(line)
        return
    if fmt is Format.json:
        _echo(json.dumps(reliability_to_dict(rel, seed=seed, deadline=deadline), indent=2, ensure_ascii=False))
        return
    if fmt is Format.csv:
        # One row per sample: the trip's warnings are not per sample, so they go to standard error.
        for text in rel.warnings:
            typer.echo(f"warning: {text}", err=True)
        _echo(rel.components_h.assign(total_h=rel.samples_h).to_csv(index_label="sample", float_format="%.4f").rstrip())
        return
    summary = rel.summary()
    if deadline is not None:
        summary["on_time_probability"] = round(rel.on_time_probability(deadline), 4)
    trip = rel.trip
    _echo(
        f"{trip.origin_name} → {trip.destination_name} ({trip.regime}), departing {trip.departure:%Y-%m-%d %H:%M %Z (%a)}, route {summary['route']}"
    )
    _echo(f"{rel.samples:,} samples (seed {seed}); deterministic (median delays): {trip.total_h:.1f} h, arriving {trip.arrival:%a %d %b %H:%M}")
    _echo("")
    for line in percentile_lines(rel, rel.percentiles_h):
        _echo(line)
    if deadline is not None:
        _echo(f"\nOn time by {deadline}: {summary['on_time_probability']:.1%}")
    _echo("\nMean hours by activity: " + ", ".join(f"{k} {v:.1f}" for k, v in rel.breakdown_h.items() if v > 0.005))
    _echo("Hours at each crossing (queue, closed wait, clearance):")
    for cid, row in rel.crossings_h.iterrows():
        _echo(f"  {cid:16} P50 {row['p50_h']:6.1f} h   P90 {row['p90_h']:6.1f} h")
    if rel.route_choice is not None:
        _echo("\nCandidate routes:")
        for row in rel.route_choice.itertuples():
            mark = "*" if row.chosen else " "
            _echo(f" {mark} {row.route:45} median-day {row.deterministic_h:6.1f} h   P50 {row.p50_h:6.1f} h   P90 {row.p90_h:6.1f} h")
    for text in rel.warnings:
        _echo(f"\nwarning: {text}")


@app.command("profile")
def profile_cmd(
    origin: str,
    destination: str,
    start: Annotated[str, typer.Option("--start", help="First departure, ISO 8601 (a date means midnight, local at the origin).")],
    days: Annotated[float, typer.Option("--days", min=0.01, max=366, help="Length of the window in days.")] = 7,
    step_h: Annotated[float, typer.Option("--step-h", min=0.25, help="Hours between departures.")] = 1,
    via: ViaOption = None,
    regime: RegimeOption = None,
    registration: RegistrationOption = None,
    drivers: DriversOption = 1,
    samples: SamplesOption = 0,
    seed: SeedOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Transit time by departure time over a window: which day and hour to leave."""
    from .uncertainty import departure_profile

    net, _, vehicle = _question(_place(origin), start, registration, drivers)
    prof = departure_profile(
        net,
        _place(origin),
        _place(destination),
        regime=regime,
        start=start,
        days=days,
        step_h=step_h,
        via=via,
        vehicle=vehicle,
        samples=samples,
        rng=seed,
    )
    for column in ("departure", "arrival", "p90_arrival"):
        if column in prof:
            prof[column] = [t.isoformat() if t is not None else "" for t in prof[column]]
    if fmt is Format.csv:
        prof["warnings"] = _warning_cells(prof["warnings"])
    if fmt is not Format.table:
        _print_frame(prof.set_index("departure"), fmt)
        return
    ok = prof[prof["status"] == "ok"]
    _print_frame(prof.set_index("departure").drop(columns=["status", "warnings"]).round(2), fmt)
    notes = warning_notes(dict(zip(prof["departure"], prof["warnings"], strict=True)))
    if notes:
        _echo("")
        for line in notes:
            _echo(line)
    if not ok.empty:
        best = ok.loc[ok["total_h"].idxmin()]
        worst = ok.loc[ok["total_h"].idxmax()]
        _echo(
            f"\nFastest departure: {best['departure']} ({best['weekday']}), {best['total_h']:.1f} h; "
            f"slowest: {worst['departure']} ({worst['weekday']}), {worst['total_h']:.1f} h"
        )


@app.command("matrix")
def matrix_cmd(
    regime: RegimeOption = None,
    origins: Annotated[str | None, typer.Option("--origins", help="Comma-separated origins. Default: every city.")] = None,
    destinations: Annotated[str | None, typer.Option("--destinations", help="Comma-separated destinations. Default: every city.")] = None,
    depart: Annotated[str, typer.Option("--depart", help="Departure, ISO 8601; naive means local time at each origin.")] = "2017-10-30T08:00",
    samples: SamplesOption = 0,
    seed: SeedOption = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write the CSV to this file (default: standard output).")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run on Dask: local (this machine's cores) or a scheduler address (tcp://host:8786). Default: here."),
    ] = None,
) -> None:
    """Origin-destination matrix as CSV: one row per pair (hours, km, USD, route, status, warnings separated by ' | ')."""
    from .odmatrix import matrix

    net = load_network()
    table = matrix(
        net,
        split_list(origins),
        split_list(destinations),
        regime=regime,
        departure=depart,
        samples=samples,
        rng=seed,
        progress=sys.stderr.isatty(),
        scheduler=scheduler,
    )
    text = table.assign(warnings=_warning_cells(table["warnings"])).to_csv(index=False, float_format="%.3f")
    if output is None:
        _echo(text.rstrip())
        return
    write_atomically(output, text)
    typer.echo(f"wrote {len(table):,} rows to {output}", err=True)


app.command("sweep")(sweep_cmd)


@app.command("serve")
def serve_cmd(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind. Default loopback only; another address exposes the API to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    cors_origin: Annotated[
        list[str] | None, typer.Option("--cors-origin", help="Browser origin allowed to call the API (repeat for several). Default: CORS off.")
    ] = None,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request.")] = True,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=256, help="Worker processes (uvicorn's process model). Default: one per core.")
    ] = None,
    timeout_s: Annotated[
        float, typer.Option("--timeout", min=0.1, max=3600, help="Time limit of one computation in seconds (503 and stopped beyond it).")
    ] = 30.0,
    max_queue: Annotated[
        int,
        typer.Option("--max-queue", min=0, max=10_000, help="Requests that may wait for a compute slot per worker; more get 503 with Retry-After."),
    ] = 64,
    keep_alive_s: Annotated[int, typer.Option("--keep-alive", min=1, max=600, help="Close keep-alive connections idle this many seconds.")] = 5,
    header_timeout_s: Annotated[
        float, typer.Option("--header-timeout", min=0.1, max=600, help="Close connections whose request headers take longer than this many seconds.")
    ] = 10.0,
) -> None:
    # "\[": Rich markup would otherwise take "[api]" for a style tag and drop it from --help.
    r"""Serve the planner's page (at /) and the HTTP API with uvicorn (needs `pip install 'sco-transit\[api]'`); docs at /docs."""
    try:
        from .api import Limits
        from .api.serving import serve
    except ModuleNotFoundError as exc:
        raise missing_extra("api", exc) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"warning: serving on {host}, reachable beyond this machine; the API has no authentication", err=True)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"transit: the planner's page is at http://{shown}:{port}/ (the API's docs at http://{shown}:{port}/docs)", err=True)
    serve(
        host=host,
        port=port,
        workers=workers,
        limits=Limits(timeout_s=timeout_s, max_queue=max_queue),
        cors_origins=cors_origin or None,
        access_log=access_log,
        timeout_keep_alive_s=keep_alive_s,
        header_timeout_s=header_timeout_s,
    )


def _print_frame(frame: Any, fmt: Format) -> None:
    frame = frame.drop(columns=["geometry"], errors="ignore")
    if fmt is Format.json:
        _echo(frame.reset_index().to_json(orient="records", force_ascii=False, indent=2))
    elif fmt is Format.csv:
        _echo(frame.to_csv().rstrip())
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200, "display.max_colwidth", 48):
            _echo(frame.to_string())


def _country(net: Any, country: str, what: str) -> str:
    """Return the ISO-2 code of ``--country``; raise an error naming the network's countries if it has no such country."""
    code = country.strip().upper()
    in_nodes = {d["country"] for _, d in net.nodes(data=True) if d.get("country")}
    known = sorted(in_nodes | {c for x in net.graph.get("crossings", {}).values() for c in x.countries})
    if code not in known:
        msg = f"--country {country!r}: no {what} in {code}; countries are {', '.join(known)} (ISO-2 codes); pass one of them"
        raise InvalidArgumentError(msg)
    return code


def _print_listing(frame: Any, fmt: Format, *, what: str, country: str | None) -> None:
    """Print a listing; an empty one says so (on stderr for json and csv, which still print an empty document)."""
    if frame.empty and country:
        message = f"no {what} in {country}"
        if fmt is Format.table:
            _echo(message)
            return
        typer.echo(message, err=True)
    _print_frame(frame, fmt)


COUNTRY_HELP = (
    "Only this country (ISO-2). A country the network does not have is an error (exit 2); "
    "one it has with nothing to list prints 'no ... in XX' (exit 0)."
)


@app.command("places")
def places_cmd(
    country: Annotated[str | None, typer.Option("--country", help=COUNTRY_HELP)] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the places of the dataset."""
    net = load_network()
    places, _, _ = to_gdfs(net)
    places = places.assign(lon=places.geometry.x.round(4), lat=places.geometry.y.round(4))
    if country:
        country = _country(net, country, "places")
        places = places[places["country"] == country]
    _print_listing(places[["name", "country", "kind", "lon", "lat", "tz", "aliases"]], fmt, what="places", country=country)


@app.command("crossings")
def crossings_cmd(
    country: Annotated[str | None, typer.Option("--country", help=COUNTRY_HELP)] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the border crossings with their posts and opening schedules."""
    net = load_network()
    if country:
        country = _country(net, country, "crossings")
    rows = []
    for c in net.graph["crossings"].values():
        if country and country not in c.countries:
            continue
        a, b = c.posts
        rows.append(
            {
                "id": c.id,
                "name": c.name,
                "countries": f"{a.country}-{b.country}",
                "posts": f"{a.name} / {b.name}",
                "elevation_m": max((p.elevation_m or 0 for p in c.posts), default=0) or None,
                "schedule": f"{a.country}: {a.schedule.describe()} | {b.country}: {b.schedule.describe()}",
            }
        )
    import pandas as pd

    columns = ["id", "name", "countries", "posts", "elevation_m", "schedule"]
    _print_listing(pd.DataFrame(rows, columns=columns).set_index("id"), fmt, what="crossings", country=country)


@app.command("regimes")
def regimes_cmd(
    regime: Annotated[
        str | None,
        typer.Argument(help="Show one regime's rules per crossing; history@DATE (e.g. history@2017-10-30) for the rules in force that day."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the regimes, or one regime's rule for every crossing."""
    import pandas as pd

    net = load_network()
    if regime is None:
        listed = [*net.graph["regimes"].values(), *([get_regime(net, HISTORY)] if net.graph.get("timeline") is not None else [])]
        frame = pd.DataFrame(
            [{"id": r.id, "name": r.name, "in_force_from": r.in_force_from, "permits": ", ".join(r.permits)} for r in listed]
        ).set_index("id")
        _print_frame(frame, fmt)
        if fmt is Format.table:
            for r in listed:
                _echo(f"\n{r.id}: {r.description}")
        return
    if regime == HISTORY:
        msg = (
            "regime 'history' follows the dated timeline, so its rules change with the date: give one date, "
            "e.g. `transit regimes history@2017-10-30`, or list the changes with `transit timeline`"
        )
        raise InvalidArgumentError(msg)
    reg = regime_on(net, regime.removeprefix(f"{HISTORY}@")) if regime.startswith(f"{HISTORY}@") else get_regime(net, regime)
    rows = [
        {
            "crossing": cid,
            "direction": direction,
            "open_to_freight": rule.open_to_freight,
            "through": ", ".join(f"{k}:{v}" for k, v in rule.through.items()),
            "queue_median_h": rule.queue[direction].median_h,
            "queue_p90_h": rule.queue[direction].p90_h,
            "clearance_median_h": rule.clearance[direction].median_h,
            "clearance_p90_h": rule.clearance[direction].p90_h,
            "transshipment_median_h": rule.transshipment.median_h,
        }
        for cid, rule in reg.rules.items()
        for direction in rule.queue
    ]
    _print_frame(pd.DataFrame(rows).set_index(["crossing", "direction"]), fmt)


@app.command("timeline")
def timeline_cmd(
    crossing: Annotated[str | None, typer.Option("--crossing", help="Only events at this crossing (id or name, e.g. irkeshtam).")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Only events at crossings of this country (ISO-2, e.g. KG).")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Only events in force on or after this day (ISO date, e.g. 2017-01-01).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Only events in force on or before this day (ISO date).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the corridor's dated history: which crossing was open to whom, when; events with their sources, and the base periods."""
    from ._cli_history import timeline_frame, timeline_lines
    from ._history_query import select_events
    from .serialize import timeline_to_dict

    net = load_network()
    selection = select_events(net, crossing=crossing, country=country, start=start, end=end, names=("--crossing", "--country", "--from", "--to"))
    sources = net.graph.get("sources", {})
    if fmt is Format.json:
        _echo(json.dumps(timeline_to_dict(selection.timeline, selection.events, sources), indent=2, ensure_ascii=False))
    elif fmt is Format.csv:
        if not selection.events:
            typer.echo(f"no events {selection.describe()}".rstrip(), err=True)
        _echo(timeline_frame(selection, sources).to_csv().rstrip())
    else:
        for line in timeline_lines(selection, sources):
            _echo(line)


@app.command("routes")
def routes_cmd(fmt: FormatOption = Format.table) -> None:
    """List the designated SCO routes and the documented alternatives."""
    import pandas as pd

    net = load_network()
    frame = pd.DataFrame(
        [
            {"id": r.id, "name": r.name, "kind": r.kind, "status": r.status, "countries": "-".join(r.countries), "sequence": " – ".join(r.sequence)}
            for r in net.graph["routes"].values()
        ]
    ).set_index("id")
    _print_frame(frame, fmt)


@app.command("validate")
def validate_cmd(fmt: FormatOption = Format.table) -> None:
    """Calibration report: the model against published figures (exit 1 if a check fails)."""
    report = run_validation(load_network())
    table = report.table
    if fmt is Format.json:
        _echo(table.reset_index().to_json(orient="records", force_ascii=False, indent=2))
    elif fmt is Format.csv:
        _echo(table.to_csv().rstrip())
    else:
        sections = (
            ("Model fit: the model against published figures", report.fit),
            ("Inputs used unchanged: dataset figures against the sources they were taken from (zero-width tolerance)", report.inputs),
        )
        for title, part in sections:
            if part.empty:
                continue
            _echo(title)
            for check_id, row in part.iterrows():
                status = {True: "ok  ", False: "FAIL", None: "info"}[row["within"]]
                rng = f"[{row['low']:g}, {row['high']:g}]" if row["within"] is not None else "(reported, not asserted)"
                figures = f"published {row['published']:>8g} {row['unit']:<5} model {row['model']:>8g}  error {row['error_pct']:+6.1f}%"
                _echo(f"{status} {check_id:28} {figures}  {rng}")
                if row["within"] is None:  # why it is not asserted, and what the model's figure is made of
                    for text in (row["tolerance"], row["detail"]):
                        if text:
                            _echo(textwrap.fill(text, width=140, initial_indent="     ", subsequent_indent="     "))
            within = part["within"].tolist()
            counts = (sum(w is True for w in within), sum(w is False for w in within), sum(w is None for w in within))
            _echo("{} within tolerance, {} outside, {} reported only.".format(*counts))
            _echo("")
        _echo("Tolerances and sources: routes/calibration.toml (`transit validate --format csv` prints them, and each check's kind).")
    if not report.ok:
        raise typer.Exit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, printing library errors as one line (exit code 2)."""
    try:
        code = app(args=argv, standalone_mode=False)
    except TransitError as exc:
        if os.environ.get("TRANSIT_DEBUG"):
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except Exception as exc:  # usage errors (click's, vendored or not) and anything unexpected
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            sys.exit(exit_code)
        if os.environ.get("TRANSIT_DEBUG"):
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (set TRANSIT_DEBUG=1 for a traceback)", err=True)
        sys.exit(1)
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
