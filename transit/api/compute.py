"""
Compute slots for the HTTP API: a fixed number of worker threads per process and a bounded waiting list.

What a client no longer waits for is cancelled cooperatively. Every computation runs in one of ``slots`` threads
(anyio's pool, with its own capacity limiter: the listings and
``/health`` never wait behind it). At most ``queue`` more requests wait for a slot; beyond that a request is refused
at once with :class:`Overloaded` (503 with ``Retry-After``). A computation carries a
:class:`~transit._cancel.CancelToken` whose deadline is the request's time limit and which is also cancelled when
the client disconnects; the library's search and Monte Carlo loops poll it, so a request that got its 503 stops
computing within one loop step instead of running on unobserved.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from .._cancel import CancelToken, cancellable
from ..errors import ComputeCancelled, TransitError

__all__ = ["ComputeGate", "ComputeTimeout", "Overloaded"]

T = TypeVar("T")
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


class ComputeTimeout(TransitError):
    """A computation ran past the per-request time limit (it has been stopped)."""

    def __init__(self, message: str, *, limit: float) -> None:
        self.limit = limit
        super().__init__(message)


class Overloaded(TransitError):
    """Every compute slot is busy and the waiting list is full: try again after ``retry_after_s`` seconds."""

    def __init__(self, message: str, *, limit: int, retry_after_s: int) -> None:
        self.limit = limit
        self.retry_after_s = retry_after_s
        super().__init__(message)


class ComputeGate:
    """
    Admission, slots and cancellation for the computations of one server process.

    Parameters
    ----------
    slots
        Computations that run at once (threads).
    queue
        Requests that may wait for a slot; more are refused with :class:`Overloaded`.
    timeout_s
        Wall-clock limit of one request, waiting included.
    retry_after_s
        The ``Retry-After`` advised when refusing.
    """

    def __init__(self, *, slots: int, queue: int, timeout_s: float, retry_after_s: int) -> None:
        self.slots = slots
        self.queue = queue
        self.timeout_s = timeout_s
        self.retry_after_s = retry_after_s
        self._limiter = anyio.CapacityLimiter(slots)
        self._lock = threading.Lock()
        self._admitted = 0  # waiting + running, including cancelled computations still winding down

    @property
    def admitted(self) -> int:
        """Requests waiting for a slot or computing (a cancelled computation counts until its thread stops)."""
        return self._admitted

    def _release(self) -> None:
        with self._lock:
            self._admitted -= 1

    async def run(self, func: Callable[[], T], *, receive: Receive | None = None) -> T:
        """
        Run ``func`` in a compute slot, cancelling it on the time limit or when the client disconnects.

        Parameters
        ----------
        func
            The computation (blocking; runs in a worker thread).
        receive
            The request's ASGI ``receive``, read for ``http.disconnect`` once the body is consumed.

        Returns
        -------
        The result of ``func``.

        Raises
        ------
        Overloaded
            No slot and no room on the waiting list.
        ComputeTimeout
            The time limit passed (waiting included); the computation has been told to stop.
        ComputeCancelled
            The client disconnected.
        """
        with self._lock:
            if self._admitted >= self.slots + self.queue:
                msg = (
                    f"the server is busy: {self.slots} computation(s) running and {self.queue} waiting, the most it takes; "
                    f"retry after {self.retry_after_s} s or send fewer requests at once"
                )
                raise Overloaded(msg, limit=self.slots + self.queue, retry_after_s=self.retry_after_s)
            self._admitted += 1
        token = CancelToken(deadline=time.monotonic() + self.timeout_s)
        state = {"started": False, "dropped": False}

        def job() -> T:
            with self._lock:
                if state["dropped"]:
                    msg = "computation cancelled: the request was given up while waiting"
                    raise ComputeCancelled(msg)
                state["started"] = True
            try:
                with cancellable(token):
                    return func()
            finally:
                self._release()

        outcome: dict[str, Any] = {}

        async def watch(receive: Receive, scope: anyio.CancelScope) -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            token.cancel("the client disconnected")
            scope.cancel()

        try:
            async with anyio.create_task_group() as tg:
                if receive is not None:
                    tg.start_soon(watch, receive, tg.cancel_scope)
                try:
                    with anyio.move_on_after(self.timeout_s):
                        outcome["value"] = await anyio.to_thread.run_sync(job, limiter=self._limiter, abandon_on_cancel=True)
                except Exception as exc:  # noqa: BLE001 - re-raised below, outside the task group
                    outcome["error"] = exc
                tg.cancel_scope.cancel()
        finally:
            with self._lock:
                if not state["started"]:
                    state["dropped"] = True
                    self._admitted -= 1
        if "value" in outcome:
            return outcome["value"]  # type: ignore[no-any-return]
        error = outcome.get("error")
        if token.reason == "the client disconnected":
            msg = "computation cancelled: the client disconnected"
            raise ComputeCancelled(msg)
        if error is None or (isinstance(error, ComputeCancelled) and token.cancelled):
            token.cancel("the time limit has passed")
            msg = f"the computation took longer than the limit of {self.timeout_s:g} s and was stopped; ask for fewer samples, pairs or via places"
            raise ComputeTimeout(msg, limit=self.timeout_s) from None
        raise error
