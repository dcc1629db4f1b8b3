"""
Optional dependencies: the extra of the ``sco-transit`` distribution that brings each feature.

``import transit`` needs none of them; a feature whose extra is missing raises
:class:`~transit.errors.MissingExtraError` naming the extra and the command that installs it.

Examples
--------
>>> install_hint("plot")
"pip install 'sco-transit[plot]'"
>>> str(missing_extra("osm", ModuleNotFoundError("No module named 'osmium'", name="osmium")))
"transit.graph_from_osm (reading OpenStreetMap files) needs the 'osm' extra (osmium is missing): pip install 'sco-transit[osm]'"
"""

from __future__ import annotations

from .errors import InvalidArgumentError, MissingExtraError

__all__ = ["DISTRIBUTION", "EXTRAS", "install_hint", "missing_extra"]

#: The name on PyPI (``transit`` there is an unrelated package); the import name and the command stay ``transit``.
DISTRIBUTION = "sco-transit"

#: Extra name mapped to the feature it brings.
EXTRAS = {
    "api": "the HTTP API (transit.api, `transit serve`)",
    "osm": "transit.graph_from_osm (reading OpenStreetMap files)",
    "plot": "transit.plot (charts and maps)",
    "sweep": "transit.sweep on Dask (scheduler=...) and its Parquet output",
}


def install_hint(extra: str) -> str:
    """
    Return the command that installs ``extra``.

    Parameters
    ----------
    extra
        One of :data:`EXTRAS`.

    Returns
    -------
    str
        ``pip install 'sco-transit[<extra>]'``.

    Raises
    ------
    InvalidArgumentError
        For an extra the distribution does not have.
    """
    if extra not in EXTRAS:
        msg = f"unknown extra {extra!r}; expected one of {sorted(EXTRAS)}"
        raise InvalidArgumentError(msg)
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def missing_extra(extra: str, exc: ModuleNotFoundError) -> MissingExtraError:
    """
    Return the error to raise when importing a dependency of ``extra`` failed with ``exc``.

    Parameters
    ----------
    extra
        One of :data:`EXTRAS`.
    exc
        The import error; its ``name`` is the missing module.

    Returns
    -------
    MissingExtraError
        Raise it ``from None``: the message says everything.
    """
    module = (exc.name or str(exc)).partition(".")[0]
    msg = f"{EXTRAS[extra]} needs the {extra!r} extra ({module} is missing): {install_hint(extra)}"
    return MissingExtraError(msg, extra=extra, module=module)
