"""
Cooperative cancellation of long computations: a token per computation and a cheap :func:`check`.

A caller that may give up on a computation (the HTTP API, on its time limit or when the client disconnects) runs
it inside :func:`cancellable` with a :class:`CancelToken`. The search and Monte Carlo loops call :func:`check`,
which raises :class:`~transit.errors.ComputeCancelled` once the token is cancelled or its deadline has passed, so
the computation stops within one loop step instead of running on unobserved. Outside :func:`cancellable`,
:func:`check` costs one context-variable lookup and never raises.

Examples
--------
>>> token = CancelToken()
>>> with cancellable(token):
...     check()  # nothing happens
...     token.cancel("the client went away")
...     try:
...         check()
...     except ComputeCancelled as exc:
...         print(exc)
computation cancelled: the client went away
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import ComputeCancelled

__all__ = ["CancelToken", "ComputeCancelled", "cancellable", "check"]


class CancelToken:
    """
    A flag that a computation polls: set by :meth:`cancel`, or by the clock once ``deadline`` has passed.

    Parameters
    ----------
    deadline
        A :func:`time.monotonic` instant after which the computation is cancelled; ``None`` for no deadline.
    """

    __slots__ = ("deadline", "reason")

    def __init__(self, *, deadline: float | None = None) -> None:
        self.deadline = deadline
        self.reason: str | None = None

    def cancel(self, reason: str = "cancelled by the caller") -> None:
        """Ask the computation to stop at its next :func:`check`; the first reason given is kept."""
        if self.reason is None:
            self.reason = reason

    @property
    def cancelled(self) -> bool:
        """Whether :func:`check` would raise now."""
        if self.reason is not None:
            return True
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.reason = "the time limit has passed"
            return True
        return False


_CURRENT: ContextVar[CancelToken | None] = ContextVar("transit_cancel_token", default=None)


@contextmanager
def cancellable(token: CancelToken) -> Iterator[CancelToken]:
    """Make ``token`` the one :func:`check` consults in this thread (or task) for the duration of the block."""
    reset = _CURRENT.set(token)
    try:
        yield token
    finally:
        _CURRENT.reset(reset)


def check() -> None:
    """
    Raise :class:`~transit.errors.ComputeCancelled` if the current computation has been cancelled.

    Raises
    ------
    ComputeCancelled
        The token of the enclosing :func:`cancellable` block was cancelled or its deadline has passed.
    """
    token = _CURRENT.get()
    if token is not None and token.cancelled:
        msg = f"computation cancelled: {token.reason}"
        raise ComputeCancelled(msg)
