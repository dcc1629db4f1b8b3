"""
``transit sweep``: a scenario grid from options or a scenario file, run here or on Dask.

Internal; registered on the command line app by :mod:`transit.cli`.

A scenario file is TOML (the grid: ``origins``, ``destinations`` or ``pairs``, ``departures`` as a list or
``{start, end, step}``, ``regimes``, ``vehicles``, ``modes``, ``via``, ``samples``, ``seed``, ``partition_size``) or CSV
(explicit pairs: columns ``origin,destination``). Options given on the command line replace the file's values.
"""

from __future__ import annotations

import csv
import difflib
import io
import sys
import time
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer

from ._cli_text import write_atomically
from .errors import DataError, InvalidArgumentError
from .network import load_network

__all__ = ["read_scenarios", "split_list", "sweep_cmd"]

#: Keys of a TOML scenario file.
FILE_KEYS = ("origins", "destinations", "pairs", "departures", "regimes", "vehicles", "modes", "via", "samples", "seed", "partition_size")


def split_list(text: str | None) -> list[str] | None:
    """Read a comma-separated option: ``"Kashgar, Osh"`` -> ``["Kashgar", "Osh"]``; ``None`` stays ``None``."""
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def _vehicle(text: str) -> str | dict[str, Any]:
    """``CN`` is a registration; ``UZ:2`` a registration and a crew of two."""
    registration, _, drivers = text.partition(":")
    if not drivers:
        return registration.strip()
    if drivers.strip() not in ("1", "2"):
        msg = f"vehicle {text!r}: the crew after ':' must be 1 or 2, e.g. UZ:2"
        raise InvalidArgumentError(msg)
    return {"registration": registration.strip(), "drivers": int(drivers)}


def read_scenarios(path: str) -> dict[str, Any]:
    """
    Read a scenario file into :func:`transit.sweep` keyword arguments.

    Raises
    ------
    DataError
        For a file that cannot be read, an unknown key (with the close match) or a CSV without
        ``origin,destination`` columns.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read it: {exc.strerror}", file=path) from None
    if file.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        if columns != ["origin", "destination"]:
            raise DataError(
                f"has columns {columns}; a CSV scenario file lists pairs, columns origin,destination "
                "(put departures and regimes in options or a TOML file)",
                file=path,
            )
        pairs = [(row[k1].strip(), row[k2].strip()) for row in reader for k1, k2 in [tuple(reader.fieldnames or ())]]
        if not pairs:
            raise DataError("lists no pair; add rows origin,destination", file=path)
        return {"pairs": pairs}
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"is not TOML: {exc}", file=path) from None
    unknown = [k for k in doc if k not in FILE_KEYS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], FILE_KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DataError(f"unknown key {unknown[0]!r}{hint}; expected some of {', '.join(FILE_KEYS)}", file=path)
    out = dict(doc)
    if "seed" in out:
        out["rng"] = out.pop("seed")
    if isinstance(out.get("pairs"), list):
        out["pairs"] = [tuple(p) if isinstance(p, list) else p for p in out["pairs"]]
    if isinstance(out.get("vehicles"), list):
        out["vehicles"] = [_vehicle(v) if isinstance(v, str) else v for v in out["vehicles"]]
    return out


def sweep_cmd(
    scenarios: Annotated[
        str | None, typer.Option("--scenarios", help="TOML grid or CSV of pairs (origin,destination); options replace its values.")
    ] = None,
    origins: Annotated[str | None, typer.Option("--origins", help="Comma-separated origins. Default: every city.")] = None,
    destinations: Annotated[str | None, typer.Option("--destinations", help="Comma-separated destinations. Default: every city.")] = None,
    depart: Annotated[
        str | None, typer.Option("--depart", help="Comma-separated departures, ISO 8601, naive = local at each origin; with --until, the first.")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last departure of a range starting at --depart (included).")] = None,
    every: Annotated[str, typer.Option("--every", help="Step of the range: 1D, 6h, 20min...")] = "1D",
    regimes: Annotated[str | None, typer.Option("--regimes", help="Comma-separated regime ids (history: the rules of each date).")] = None,
    vehicles: Annotated[
        str | None, typer.Option("--vehicles", help="Comma-separated trucks: registration, or registration:drivers (CN,UZ:2).")
    ] = None,
    modes: Annotated[str | None, typer.Option("--modes", help="Comma-separated mode sets: road, rail, road+rail.")] = None,
    via: Annotated[list[str] | None, typer.Option("--via", help="Place or crossing every scenario passes (repeat for several).")] = None,
    samples: Annotated[int | None, typer.Option("--samples", min=0, max=2_000_000, help="Monte Carlo samples per scenario (percentiles).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Seed of the samples (needed to resume a sampled sweep).")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run on Dask: local (this machine's cores) or a scheduler address (tcp://host:8786). Default: here."),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="A directory: a resumable Parquet dataset; a .csv file: CSV. Default: CSV on standard output."),
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Start an --output directory holding another sweep again.")] = False,  # noqa: FBT002 - a typer flag
    partition_size: Annotated[int | None, typer.Option("--partition-size", min=1, help="Scenarios per task and per Parquet file.")] = None,
) -> None:
    """Sweep a scenario grid (pairs x departures x regimes x vehicles x modes): one row per scenario, CSV or Parquet."""
    from .sweeps import sweep

    options: dict[str, Any] = read_scenarios(scenarios) if scenarios else {}
    given: dict[str, Any] = {
        "origins": split_list(origins),
        "destinations": split_list(destinations),
        "regimes": split_list(regimes),
        "vehicles": None if vehicles is None else [_vehicle(v) for v in split_list(vehicles) or []],
        "modes": split_list(modes),
        "via": via or None,
        "samples": samples,
        "rng": seed,
        "partition_size": partition_size,
    }
    if depart is not None:
        given["departures"] = {"start": depart, "end": until, "step": every} if until else split_list(depart)
    elif until is not None:
        msg = "--until needs --depart (the first departure of the range)"
        raise InvalidArgumentError(msg)
    options.update({k: v for k, v in given.items() if v is not None})
    if (options.get("origins") or options.get("destinations")) and "pairs" in options:
        options.pop("pairs")  # options replace the file's pairs
    if "departures" not in options:
        msg = (
            "give --depart (e.g. --depart 2017-10-30T08:00, or --depart 2017-01-02T08:00 --until 2017-12-31T08:00 --every 1D) "
            "or departures in --scenarios"
        )
        raise InvalidArgumentError(msg)
    options["samples"] = options.get("samples") or 0
    csv_file = output is not None and output.lower().endswith(".csv")
    started = time.perf_counter()
    result = sweep(
        load_network(),
        options.pop("origins", None),
        options.pop("destinations", None),
        scheduler=scheduler,
        output=None if output is None or csv_file else output,
        overwrite=overwrite,
        progress=sys.stderr.isatty(),
        **options,
    )
    elapsed = time.perf_counter() - started
    if isinstance(result, Path):
        import pandas as pd

        status = pd.read_parquet(result, columns=["status"])["status"]
        where = f"to {result}/ (pandas.read_parquet reads it)"
    else:
        status = result["status"]
        text = result.to_csv(index=False, float_format="%.3f")
        if output is None:
            typer.echo(text.rstrip())
            where = "to standard output"
        else:
            write_atomically(output, text)
            where = f"to {output}"
    ok = int((status == "ok").sum())
    typer.echo(
        f"swept {len(status):,} scenarios ({ok:,} with a route, {len(status) - ok:,} without) in {elapsed:.1f} s; wrote them {where}", err=True
    )
