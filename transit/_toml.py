"""
A small TOML writer for the dataset formats of ``routes/`` (what :func:`transit.save_network` writes).

Python reads TOML (``tomllib``) but does not write it. The library writes only plain data: strings, numbers,
booleans, dates, lists, tables and arrays of tables, so a writer of about a hundred lines does, with control over the
layout (inline tables where ``routes/`` has them, ``[[crossing.post]]`` under ``[[crossing]]``) and no dependency.
Every document it writes reads back equal with :mod:`tomllib` (tested in ``tests/test_io.py``).

Examples
--------
>>> import tomllib
>>> doc = {"id": "x", "link_km": 3.0, "post": [{"id": "x-kg", "schedule": Inline({"hours": ["10:00-14:00"]})}]}
>>> text = dumps(doc)
>>> print(text, end="")
id = "x"
link_km = 3.0
<BLANKLINE>
[[post]]
id = "x-kg"
schedule = { hours = ["10:00-14:00"] }
>>> tomllib.loads(text) == {"id": "x", "link_km": 3.0, "post": [{"id": "x-kg", "schedule": {"hours": ["10:00-14:00"]}}]}
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from .errors import ArgumentTypeError

__all__ = ["Inline", "dumps"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


class Inline(dict):  # type: ignore[type-arg]
    """A table written inline, ``{ key = value, ... }``, as ``routes/`` writes schedules and per-country costs."""


def _key(key: object) -> str:
    text = str(key)
    return text if _BARE_KEY.match(text) else _string(text)


def _string(text: str, *, multiline: bool = False) -> str:
    multiline = multiline and "\n" in text
    escaped = "".join(c if multiline and c == "\n" else _ESCAPES.get(c, f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c) for c in text)
    # A newline right after the opening quotes is dropped by readers: the text comes back exactly.
    return '"""\n' + escaped + '"""' if multiline else f'"{escaped}"'


def _value(value: Any, *, multiline: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value, multiline=multiline)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    msg = f"cannot write {value!r} (a {type(value).__name__}) as TOML; expected text, a number, a boolean, a date, a list or a table"
    raise ArgumentTypeError(msg)


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping) and not isinstance(value, Inline)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(_is_table(v) for v in value)


def _emit(table: Mapping[str, Any], path: tuple[str, ...], lines: list[str], *, array: bool) -> None:
    scalars = [(k, v) for k, v in table.items() if not _is_table(v) and not _is_table_array(v)]
    indent = "  " * max(len(path) - 1, 0)
    if path and (scalars or array or not any(_is_table(v) or _is_table_array(v) for v in table.values())):
        header = ".".join(_key(p) for p in path)
        if lines:
            lines.append("")
        lines.append(f"{indent}[[{header}]]" if array else f"{indent}[{header}]")
    lines.extend(f"{indent}{_key(k)} = {_value(v, multiline=True)}" for k, v in scalars)
    for k, v in table.items():
        if _is_table(v):
            _emit(v, (*path, str(k)), lines, array=False)
        elif _is_table_array(v):
            for item in v:
                _emit(item, (*path, str(k)), lines, array=True)


def dumps(doc: Mapping[str, Any], *, header: str = "") -> str:
    r'''
    Write a document as TOML text.

    Parameters
    ----------
    doc
        Keys mapped to plain values; a dict value is a table (``[name]``), a list of dicts an array of tables
        (``[[name]]``), an :class:`Inline` a table on one line. Scalar keys are written before the tables of the same
        level, as TOML requires.
    header
        Comment lines put at the top (each prefixed with ``#``).

    Returns
    -------
    str
        The text, ending with a newline.

    Raises
    ------
    TypeError
        For a value TOML cannot hold (``None``, an object), naming it.

    Examples
    --------
    >>> print(dumps({"name": "a\nb", "border": {"KG": Inline({"usd": 23.0})}}, header="costs"), end="")
    # costs
    name = """
    a
    b"""
    <BLANKLINE>
    [border]
    KG = { usd = 23.0 }
    '''
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    _emit(doc, (), lines, array=False)
    return "\n".join(lines) + "\n"
