"""
Where the embedded SCO dataset lives, and strict readers for its files.

The curated dataset is kept at the top of the repository in ``routes/`` and is
shipped inside the installed package as ``transit/_routes`` (``setup.cfg`` maps
one onto the other). :func:`routes_dir` finds it in either place, so a source
checkout, an editable install and a wheel all read the same files.

The readers turn every malformed value into a :class:`~transit.errors.DataError`
that names the file, the row and the column.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from .errors import DataError

__all__ = ["read_csv", "read_toml", "routes_dir", "sample_osm", "toml_number"]

T = TypeVar("T")


def routes_dir() -> Path:
    """
    Return the directory of the embedded dataset.

    Returns
    -------
    pathlib.Path
        ``transit/_routes`` in an installed wheel, else ``routes/`` of the
        source checkout this module was imported from.

    Raises
    ------
    DataError
        If neither location exists (a broken installation).

    Examples
    --------
    >>> (routes_dir() / "places.csv").is_file()
    True
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_routes", here.parent / "routes"):
        if (candidate / "places.csv").is_file():
            return candidate
    msg = (
        f"the embedded dataset was not found in {here / '_routes'} or {here.parent / 'routes'}; "
        "reinstall transit (pip install --force-reinstall transit)"
    )
    raise DataError(msg)


class Row:
    """One CSV row with typed, error-reporting accessors.

    Parameters
    ----------
    values
        The row as a mapping of column name to raw string.
    file
        File name for error messages.
    line
        1-based line number in the file (the header is line 1).
    """

    __slots__ = ("file", "line", "values")

    def __init__(self, values: dict[str, str], *, file: str, line: int) -> None:
        self.values = values
        self.file = file
        self.line = line

    def error(self, column: str | None, message: str) -> DataError:
        """Return a :class:`DataError` located at this row."""
        return DataError(message, file=self.file, row=self.line, column=column)

    def str(self, column: str, *, required: bool = True) -> str:
        """Return a stripped string; empty is an error when ``required``."""
        value = (self.values.get(column) or "").strip()
        if required and not value:
            raise self.error(column, "is empty; fill it in")
        return value

    def parse(self, column: str, convert: Callable[[str], T], expected: str) -> T:
        """Return ``convert(value)`` or raise a located :class:`DataError`."""
        raw = self.str(column)
        try:
            return convert(raw)
        except (TypeError, ValueError):
            raise self.error(column, f"got {raw!r}; expected {expected}") from None

    def float(self, column: str, *, minimum: float | None = None) -> float:
        """Return a float, optionally checked against ``minimum``."""
        value = self.parse(column, float, "a number")
        if value != value:  # NaN
            raise self.error(column, "got NaN; expected a number")
        if minimum is not None and value < minimum:
            raise self.error(column, f"got {value}; expected a number >= {minimum}")
        return value

    def optional_float(self, column: str) -> float | None:
        """Return a float, or ``None`` when the cell is empty."""
        if not self.str(column, required=False):
            return None
        return self.float(column)


def sample_osm(name: str = "corridor_kashgar_tashkent.osm") -> Path:
    """
    Return the path of a small OpenStreetMap file shipped for examples and tests.

    Parameters
    ----------
    name
        ``corridor_kashgar_tashkent.osm`` (14 nodes: Kashgar-Irkeshtam-Osh-Dostuk-Andijan-Tashkent with
        ``barrier=border_control`` posts), or ``corridor_kashgar_tashkent_with_admin.osm`` / ``.osm.pbf`` (the same
        plus crude rectangular admin_level=2 boundaries for CN, KG and UZ). Hand-made, CC0, *not real geography*: for
        :func:`transit.graph_from_osm` demonstrations only (``transit/_data/README.md``).

    Raises
    ------
    InvalidArgumentError
        For another name, listing the files there are.

    Examples
    --------
    >>> sample_osm().name
    'corridor_kashgar_tashkent.osm'
    """
    from .errors import InvalidArgumentError

    folder = Path(__file__).resolve().parent / "_data" / "osm"
    path = folder / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in folder.iterdir()))
        msg = f"no sample OSM file {name!r}; there are: {known}"
        raise InvalidArgumentError(msg)
    return path


def read_csv(path: Path, *, required: tuple[str, ...]) -> Iterator[Row]:
    """
    Yield the rows of a UTF-8 CSV file, checking its header.

    Lines whose first cell starts with ``#`` are comments.

    Parameters
    ----------
    path
        The file.
    required
        Columns that must be present in the header.

    Yields
    ------
    Row
        Each data row with its line number.

    Raises
    ------
    DataError
        If the file is missing or a required column is absent.
    """
    name = path.name
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror})", file=name) from None
    with handle:
        reader = csv.reader(handle)
        header: list[str] | None = None
        for line, cells in enumerate(reader, start=1):
            if not cells or cells[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                missing = [c for c in required if c not in header]
                if missing:
                    msg = f"header lacks column(s) {missing}; expected at least {list(required)}"
                    raise DataError(msg, file=name, row=line)
                continue
            if len(cells) != len(header):
                msg = f"has {len(cells)} cells but the header has {len(header)}; quote cells that contain commas"
                raise DataError(msg, file=name, row=line)
            yield Row(dict(zip(header, cells, strict=True)), file=name, line=line)
        if header is None:
            raise DataError("is empty; expected a header row", file=name)


def read_toml(path: Path) -> dict[str, Any]:
    """
    Read a TOML file, turning syntax errors into :class:`DataError`.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    dict
        The parsed document.
    """
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror})", file=path.name) from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"is not valid TOML: {exc}", file=path.name) from None


def toml_number(table: Any, key: str, *, file: str, where: str, minimum: float = 0.0) -> float:
    """
    Return ``table[key]`` as a float, or raise a :class:`DataError` naming file, table and key.

    Examples
    --------
    >>> toml_number({"speed_kph": 55}, "speed_kph", file="x.toml", where="speeds")
    55.0
    >>> toml_number({"speed_kph": "fast"}, "speed_kph", file="x.toml", where="speeds")
    Traceback (most recent call last):
    ...
    transit.errors.DataError: file x.toml, row speeds, column 'speed_kph': got 'fast'; expected a number >= 0.0
    """
    value = table.get(key) if hasattr(table, "get") else None
    if not isinstance(value, int | float) or isinstance(value, bool) or value != value or value < minimum:
        raise DataError(f"got {value!r}; expected a number >= {minimum}", file=file, row=where, column=key)
    return float(value)
