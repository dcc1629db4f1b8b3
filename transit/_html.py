"""Small HTML tables for notebooks (``_repr_html_``); no plotting libraries needed."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = ["table"]


def table(caption: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """
    Return a compact HTML table; numbers right-aligned.

    Examples
    --------
    >>> table("t", ["a", "b"], [[1, "x"]])  # doctest: +NORMALIZE_WHITESPACE
    '<table><caption style="text-align:left"><b>t</b></caption><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td
    style="text-align:right">1</td><td>x</td></tr></tbody></table>'
    """

    def cell(value: object) -> str:
        align = ' style="text-align:right"' if isinstance(value, int | float) else ""
        return f"<td{align}>{html.escape(str(value))}</td>"

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return (
        f'<table><caption style="text-align:left"><b>{html.escape(caption)}</b></caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )
