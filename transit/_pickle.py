"""
Pickling of the frozen model objects that keep their mappings read-only (``MappingProxyType``).

A mapping proxy cannot be pickled, yet networks travel between processes (uvicorn workers,
``multiprocessing``, Dask). Each such class reduces to its constructor and its init fields as
plain dicts; ``__post_init__`` makes them read-only again on the other side, and values memoised
on the object (a regime's hash, which differs between processes) are not carried along.

Examples
--------
>>> import pickle
>>> import transit
>>> regime = transit.get_regime(transit.load_network(), "sco-2017")
>>> pickle.loads(pickle.dumps(regime)) == regime
True
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

__all__ = ["rebuild", "reduce_frozen"]


def rebuild(cls: type, kwargs: dict[str, Any]) -> Any:
    """Call ``cls(**kwargs)``: the other half of :func:`reduce_frozen`."""
    return cls(**kwargs)


def reduce_frozen(obj: Any) -> tuple[Any, tuple[type, dict[str, Any]]]:
    """Return a ``__reduce__`` value that rebuilds the dataclass ``obj`` from its init fields."""
    kwargs = {}
    for spec in dataclasses.fields(obj):
        if spec.init:
            value = getattr(obj, spec.name)
            kwargs[spec.name] = dict(value) if isinstance(value, MappingProxyType) else value
    return (rebuild, (type(obj), kwargs))
