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

import builtins
import csv
import difflib
import io
import math
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from .crossings import Crossing, Post
from .errors import DataError
from .geo import haversine_km
from .model import (
    NODE_KINDS,
    ROAD_CLASSES,
    TERRAINS,
    DesignatedRoute,
    Place,
    Segment,
    Source,
)
from .schedule import PostSchedule, zone

__all__ = [
    "check_keys",
    "check_source",
    "read_crossings",
    "read_csv",
    "read_places",
    "read_routes",
    "read_segments",
    "read_sources",
    "read_speeds",
    "read_text",
    "read_toml",
    "read_waypoints",
    "routes_dir",
    "sample_osm",
    "speed_for",
    "toml_number",
]

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
        "reinstall the package: pip install --force-reinstall sco-transit"
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

    def parse(self, column: builtins.str, convert: Callable[[builtins.str], T], expected: builtins.str) -> T:
        """Return ``convert(value)`` or raise a located :class:`DataError`."""
        raw = self.str(column)
        try:
            return convert(raw)
        except (TypeError, ValueError):
            raise self.error(column, f"got {raw!r}; expected {expected}") from None

    def float(self, column: builtins.str, *, minimum: builtins.float | None = None) -> builtins.float:
        """Return a float, optionally checked against ``minimum``."""
        value = self.parse(column, float, "a number")
        if math.isnan(value):
            raise self.error(column, "got NaN; expected a number")
        if minimum is not None and value < minimum:
            raise self.error(column, f"got {value}; expected a number >= {minimum}")
        return value

    def optional_float(self, column: builtins.str) -> builtins.float | None:
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
        If the file is missing or not UTF-8 (a byte-order mark is fine), or a
        required column is absent.
    """
    name = path.name
    handle = io.StringIO(read_text(path), newline="")
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


def read_text(path: Path) -> str:
    """
    Return the text of a UTF-8 file; a leading byte-order mark is dropped.

    Raises
    ------
    DataError
        If the file cannot be read, or is not UTF-8 (naming the line and byte offset).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror})", file=path.name) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        msg = f"is not UTF-8: byte {data[exc.start]:#04x} at byte offset {exc.start} (line {line}) cannot be decoded; save the file as UTF-8"
        raise DataError(msg, file=path.name, row=line) from None


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
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"is not valid TOML: {exc}", file=path.name) from None


def toml_number(table: Any, key: str, *, file: str, where: str, minimum: float = 0.0, maximum: float | None = None) -> float:
    """
    Return ``table[key]`` as a finite float from ``minimum`` to ``maximum``, or raise a :class:`DataError` naming file, table and key.

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
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        expected = f"a number >= {minimum}" if maximum is None else f"a number from {minimum:g} to {maximum:g}"
        raise DataError(f"got {value!r}; expected {expected}", file=file, row=where, column=key)
    return float(value)


# -- the dataset's files ---------------------------------------------------------------------------

#: A road is never shorter than the straight line; allow for coordinate error.
MIN_CIRCUITY = 0.97
#: Longer than this many times the straight line is almost certainly a typo.
MAX_CIRCUITY = 3.5


def read_sources(path: Path) -> dict[str, Source]:
    """Read ``sources.csv`` into a dict of :class:`Source` by id."""
    sources: dict[str, Source] = {}
    for row in read_csv(path, required=("id", "title", "url", "year", "note")):
        sid = row.str("id")
        if sid in sources:
            raise row.error("id", f"{sid!r} appears twice")
        if sid.upper().startswith("ESTIMATE"):
            raise row.error("id", "ESTIMATE is reserved for derived figures")
        sources[sid] = Source(
            id=sid,
            title=row.str("title"),
            url=row.str("url", required=False),
            year=row.str("year", required=False),
            note=row.str("note", required=False),
        )
    return sources


def check_source(text: str, sources: Mapping[str, Source], *, file: str, row: object, column: str) -> str:
    """
    Check a ``source`` cell: ``;``-separated source ids, or ``ESTIMATE: <method>``.

    An ``ESTIMATE`` part must say how the figure was derived (at least a few
    words). Returns the text unchanged.

    Raises
    ------
    DataError
        If the cell is empty, names an unknown source, or has a bare ESTIMATE.
    """
    text = text.strip()
    if not text:
        raise DataError("is empty; give source ids from sources.csv or 'ESTIMATE: <method>'", file=file, row=row, column=column)  # type: ignore[arg-type]
    head, sep, method = text.partition("ESTIMATE")
    if sep and len(method.strip(" :-").split()) < 3:
        raise DataError("says ESTIMATE without the method; write 'ESTIMATE: <how it was derived>'", file=file, row=row, column=column)  # type: ignore[arg-type]
    for item in head.replace(",", ";").split(";"):
        token = item.strip()
        if token and token not in sources:
            close = difflib.get_close_matches(token, list(sources), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DataError(f"names unknown source {token!r}{hint}", file=file, row=row, column=column)  # type: ignore[arg-type]
    return text


def time_zone(row: Row, column: str = "tz") -> str:
    """Return a row's IANA time zone name, checked (a located :class:`DataError` for an unknown one)."""
    tz = row.str(column)
    try:
        zone(tz)
    except ValueError as exc:
        raise row.error(column, str(exc)) from None
    return tz


def check_coords(row: Any, lon: float, lat: float) -> None:
    if not (-180 <= lon <= 180):
        raise row.error("lon", f"got {lon}; expected a longitude in degrees (-180..180)")
    if not (-90 <= lat <= 90):
        raise row.error("lat", f"got {lat}; expected a latitude in degrees (-90..90)")


_LABEL = {"id": "id", "name": "name", "aliases": "alias"}


def read_places(path: Path, sources: Mapping[str, Source]) -> list[Place]:
    """Read ``places.csv`` into :class:`Place` objects, checking ids, names, aliases, coordinates and sources."""
    from .lookup import fold  # lookup imports regimes, which imports this module

    places: list[Place] = []
    seen: set[str] = set()
    owners: dict[str, tuple[str, int, str]] = {}  # folded label -> (place id, line, column)
    for row in read_csv(path, required=("id", "name", "aliases", "country", "kind", "lon", "lat", "tz", "elevation_m", "source")):
        pid = row.str("id")
        if pid in seen:
            raise row.error("id", f"{pid!r} appears twice")
        seen.add(pid)
        aliases = tuple(a.strip() for a in row.str("aliases", required=False).split("|") if a.strip())
        for column, label in (("id", pid), ("name", row.str("name")), *(("aliases", a) for a in aliases)):
            key = fold(label)
            if not key:
                raise row.error(column, f"{label!r} has no letter or digit; names are matched without case, accents and punctuation")
            owner = owners.setdefault(key, (pid, row.line, column))
            if owner[0] != pid:
                msg = (
                    f"{label!r} is also the {_LABEL[owner[2]]} of place {owner[0]!r} (row {owner[1]}) "
                    "once case, accents and punctuation are ignored; a name must lead to one place: remove or rename one of them"
                )
                raise row.error(column, msg)
        kind = row.str("kind")
        if kind not in NODE_KINDS[:-1]:
            raise row.error("kind", f"got {kind!r}; expected one of {NODE_KINDS[:-1]}")
        lon, lat = row.float("lon"), row.float("lat")
        check_coords(row, lon, lat)
        tz = time_zone(row)
        places.append(
            Place(
                id=pid,
                name=row.str("name"),
                country=country(row, "country"),
                kind=kind,
                lon=lon,
                lat=lat,
                tz=tz,
                aliases=aliases,
                elevation_m=row.optional_float("elevation_m"),
                source=check_source(row.str("source"), sources, file=row.file, row=row.line, column="source"),
            )
        )
    return places


def country(row: Any, column: str) -> str:
    code = row.str(column)
    if len(code) != 2 or not code.isalpha() or not code.isupper():
        raise row.error(column, f"got {code!r}; expected an ISO 3166-1 alpha-2 code such as 'KG'")
    return str(code)


def read_waypoints(path: Path, sources: Mapping[str, Source]) -> dict[str, tuple[str, float, float]]:
    """Read ``waypoints.csv`` into (country, lon, lat) by waypoint id."""
    points: dict[str, tuple[str, float, float]] = {}
    for row in read_csv(path, required=("id", "name", "country", "kind", "lon", "lat", "elevation_m", "source")):
        wid = row.str("id")
        if wid in points:
            raise row.error("id", f"{wid!r} appears twice")
        lon, lat = row.float("lon"), row.float("lat")
        check_coords(row, lon, lat)
        row.optional_float("elevation_m")
        country(row, "country")
        check_source(row.str("source"), sources, file=row.file, row=row.line, column="source")
        points[wid] = (row.str("name"), lon, lat)
    return points


_CROSSINGS_FILE_KEYS = frozenset({"crossing"})
_CROSSING_KEYS = frozenset({"id", "name", "aliases", "link_km", "source", "notes", "post"})
_POST_KEYS = frozenset({"id", "name", "country", "lon", "lat", "tz", "source", "schedule", "schedule_source", "elevation_m"})


def check_keys(table: Mapping[str, Any], allowed: frozenset[str], *, file: str, where: str) -> None:
    """
    Refuse a key a TOML table may not have (a typo would otherwise be ignored), suggesting the closest allowed key.

    Examples
    --------
    >>> check_keys({"link_kms": 3}, frozenset({"link_km", "name"}), file="crossings.toml", where="crossing x")
    Traceback (most recent call last):
    ...
    transit.errors.DataError: file crossings.toml, row crossing x, column 'link_kms': unknown key; did you mean 'link_km'? (allowed: link_km, name)
    """
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DataError(f"unknown key{hint} (allowed: {', '.join(sorted(allowed))})", file=file, row=where, column=str(key))


def read_crossings(path: Path, sources: Mapping[str, Source]) -> list[Crossing]:
    """Read ``crossings.toml`` into :class:`Crossing` objects with their posts and schedules."""
    file = path.name
    doc = read_toml(path)
    out: list[Crossing] = []
    seen: set[str] = set()
    check_keys(doc, _CROSSINGS_FILE_KEYS, file=file, where="top level")
    for index, spec in enumerate(doc.get("crossing", []), start=1):
        where = f"crossing {spec.get('id', index)}"
        check_keys(spec, _CROSSING_KEYS, file=file, where=where)
        for key in ("id", "name", "link_km", "source", "post"):
            if key not in spec:
                raise DataError(f"lacks key {key!r}", file=file, row=where, column=key)
        cid = str(spec["id"])
        if cid in seen:
            raise DataError(f"crossing id {cid!r} appears twice", file=file, row=where, column="id")
        seen.add(cid)
        link_km = spec["link_km"]
        if not isinstance(link_km, int | float) or isinstance(link_km, bool) or not (0 < link_km < 200):
            raise DataError(f"got {link_km!r}; expected a distance in km (0-200)", file=file, row=where, column="link_km")
        if len(spec["post"]) != 2:
            raise DataError(f"has {len(spec['post'])} posts; expected exactly 2 [[crossing.post]] tables", file=file, row=where, column="post")
        posts = []
        for pspec in spec["post"]:
            pwhere = f"{where} post {pspec.get('id', '?')}"
            check_keys(pspec, _POST_KEYS, file=file, where=pwhere)
            for key in ("id", "name", "country", "lon", "lat", "tz", "source", "schedule", "schedule_source"):
                if key not in pspec:
                    raise DataError(f"lacks key {key!r}", file=file, row=pwhere, column=key)
            try:
                schedule = PostSchedule.build(tz=str(pspec["tz"]), **pspec["schedule"])
            except (TypeError, ValueError) as exc:
                raise DataError(str(exc), file=file, row=pwhere, column="schedule") from None
            for key in ("source", "schedule_source"):
                check_source(str(pspec[key]), sources, file=file, row=pwhere, column=key)
            lon, lat = pspec["lon"], pspec["lat"]
            if not all(isinstance(v, int | float) for v in (lon, lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise DataError(f"got lon={lon!r}, lat={lat!r}; expected WGS84 degrees", file=file, row=pwhere, column="lon")
            posts.append(
                Post(
                    id=str(pspec["id"]),
                    name=str(pspec["name"]),
                    country=str(pspec["country"]),
                    lon=float(lon),
                    lat=float(lat),
                    schedule=schedule,
                    elevation_m=pspec.get("elevation_m"),
                    source=str(pspec["source"]),
                )
            )
        if posts[0].country == posts[1].country:
            raise DataError("has two posts in the same country", file=file, row=where, column="post")
        out.append(
            Crossing(
                id=cid,
                name=str(spec["name"]),
                posts=(posts[0], posts[1]),
                link_km=float(link_km),
                aliases=tuple(spec.get("aliases", ())),
                notes=str(spec.get("notes", "")).strip(),
                source=check_source(str(spec["source"]), sources, file=file, row=where, column="source"),
            )
        )
    if not out:
        raise DataError("defines no [[crossing]] tables", file=file)
    return out


def read_speeds(path: Path, sources: Mapping[str, Source]) -> dict[tuple[str, str, str], tuple[float, str]]:
    """Read ``speeds.csv`` into (speed in km/h, source) by (country, road class, terrain); ``*`` matches any."""
    table: dict[tuple[str, str, str], tuple[float, str]] = {}
    for row in read_csv(path, required=("country", "road_class", "terrain", "speed_kph", "source")):
        key = (row.str("country"), row.str("road_class"), row.str("terrain"))
        if key[1] not in (*ROAD_CLASSES, "*"):
            raise row.error("road_class", f"got {key[1]!r}; expected one of {ROAD_CLASSES} or '*'")
        if key[2] not in (*TERRAINS, "*"):
            raise row.error("terrain", f"got {key[2]!r}; expected one of {TERRAINS} or '*'")
        speed = row.float("speed_kph", minimum=5)
        if key in table:
            raise row.error("country", f"the row {key} appears twice")
        table[key] = (speed, check_source(row.str("source"), sources, file=row.file, row=row.line, column="source"))
    return table


def speed_for(table: Mapping[tuple[str, str, str], tuple[float, str]], country: str, road_class: str, terrain: str) -> tuple[float, str] | None:
    """Return the most specific ``(speed_kph, source)`` for a road, or ``None``."""
    for key in (
        (country, road_class, terrain),
        (country, road_class, "*"),
        (country, "*", terrain),
        (country, "*", "*"),
        ("*", road_class, terrain),
        ("*", road_class, "*"),
        ("*", "*", terrain),
        ("*", "*", "*"),
    ):
        if key in table:
            return table[key]
    return None


def read_segments(
    path: Path,
    *,
    nodes: Mapping[str, tuple[str, float, float, str]],
    waypoints: Mapping[str, tuple[str, float, float]],
    speeds: Mapping[tuple[str, str, str], tuple[float, str]],
    sources: Mapping[str, Source],
) -> list[Segment]:
    """Read ``segments.csv`` into :class:`Segment` objects between known places, crossings and waypoints."""
    segments: list[Segment] = []
    seen: set[str] = set()
    pairs: set[frozenset[str]] = set()
    for row in read_csv(path, required=("id", "from", "to", "distance_km", "road_class", "terrain", "via", "source", "note")):
        sid = row.str("id")
        if sid in seen:
            raise row.error("id", f"{sid!r} appears twice")
        seen.add(sid)
        ends = []
        for column in ("from", "to"):
            node = row.str(column)
            if node not in nodes:
                close = difflib.get_close_matches(node, list(nodes), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else "; add it to places.csv or crossings.toml"
                raise row.error(column, f"names unknown node {node!r}{hint}")
            ends.append(node)
        u, v = ends
        if u == v or frozenset(ends) in pairs:
            raise row.error("to", f"duplicates or loops the link {u}–{v}")
        pairs.add(frozenset(ends))
        road_class, terrain = row.str("road_class"), row.str("terrain")
        if road_class not in ROAD_CLASSES:
            raise row.error("road_class", f"got {road_class!r}; expected one of {ROAD_CLASSES}")
        if terrain not in TERRAINS:
            raise row.error("terrain", f"got {terrain!r}; expected one of {TERRAINS}")
        coords = [nodes[u][1:3]]
        via_names = []
        for wid in (w.strip() for w in row.str("via", required=False).split(";")):
            if not wid:
                continue
            if wid not in waypoints:
                close = difflib.get_close_matches(wid, list(waypoints), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else "; add it to waypoints.csv"
                raise row.error("via", f"names unknown waypoint {wid!r}{hint}")
            name, lon, lat = waypoints[wid]
            coords.append((lon, lat))
            via_names.append(name)
        coords.append(nodes[v][1:3])
        distance = row.float("distance_km", minimum=0.1)
        straight = haversine_km(*coords[0], *coords[-1])
        if distance < straight * MIN_CIRCUITY or distance > max(straight * MAX_CIRCUITY, 15):
            msg = (
                f"{distance} km is implausible for ends {straight:.1f} km apart; "
                f"expected {straight * MIN_CIRCUITY:.0f}-{straight * MAX_CIRCUITY:.0f} km"
            )
            raise row.error("distance_km", msg)
        country = nodes[u][3]
        found = speed_for(speeds, country, road_class, terrain)
        if found is None:
            raise row.error("road_class", f"speeds.csv has no speed for {country}/{road_class}/{terrain}")
        segments.append(
            Segment(
                id=sid,
                u=u,
                v=v,
                distance_km=distance,
                road_class=road_class,
                terrain=terrain,
                speed_kph=found[0],
                geometry=tuple(coords),
                source=check_source(row.str("source"), sources, file=row.file, row=row.line, column="source"),
                speed_source=found[1],
                via=tuple(via_names),
            )
        )
    return segments


def read_routes(path: Path, sources: Mapping[str, Source], *, names: Mapping[str, str] | None = None) -> list[DesignatedRoute]:
    """
    Read ``routes.toml``: designated routes and documented alternatives.

    Parameters
    ----------
    path
        The file.
    sources
        From :func:`read_sources`.
    names
        Folded name (:func:`transit.lookup.fold`) mapped to the display name,
        for every place and crossing a ``sequence`` may use; ``None`` skips
        that check.

    Raises
    ------
    DataError
        Naming the route and the key; an unknown name in a sequence with its closest match.
    """
    file = path.name
    doc = read_toml(path)
    routes = []
    for index, spec in enumerate(doc.get("route", []), start=1):
        where = f"route {spec.get('id', index)}"
        for key in ("id", "name", "kind", "status", "countries", "sequence", "source"):
            if key not in spec:
                raise DataError(f"lacks key {key!r}", file=file, row=where, column=key)
        if names is not None:
            from .lookup import fold  # lookup imports regimes, which imports this module

            for item in spec["sequence"]:
                if not isinstance(item, str) or fold(item) not in names:
                    close = difflib.get_close_matches(fold(str(item)), list(names), n=1)
                    hint = f"; did you mean {names[close[0]]!r}?" if close else "; add it to places.csv or crossings.toml"
                    raise DataError(f"names unknown place or crossing {item!r}{hint}", file=file, row=where, column="sequence")
        if spec["status"] not in ("confirmed", "reconstruction", "documented"):
            raise DataError(f"got {spec['status']!r}; expected confirmed, reconstruction or documented", file=file, row=where, column="status")
        routes.append(
            DesignatedRoute(
                id=str(spec["id"]),
                name=str(spec["name"]),
                kind=str(spec["kind"]),
                status=str(spec["status"]),
                countries=tuple(spec["countries"]),
                sequence=tuple(spec["sequence"]),
                source=check_source(str(spec["source"]), sources, file=file, row=where, column="source"),
                note=str(spec.get("note", "")).strip(),
            )
        )
    return routes
