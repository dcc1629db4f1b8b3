"""
Serving the API with uvicorn: worker processes, connection timeouts, and a guard against slow request headers.

:func:`serve` runs uvicorn's own process model (``workers`` processes that share the listening socket, each with its
own copy of the network and its own compute slots). The app is made in each worker by :func:`app_from_env` from the
options :func:`serve` puts in the environment (``TRANSIT_API_CONFIG``, JSON), since worker processes are spawned.

Idle keep-alive connections are closed after ``timeout_keep_alive_s`` (uvicorn). uvicorn has no limit on the time a
client takes to send its request headers (a "slowloris" client sending a byte every few seconds holds a connection
for ever), so :class:`HeaderTimeoutH11Protocol` closes a connection whose next request's headers are not complete
``header_timeout_s`` after it opened or after the previous response, with a 408. A body that trickles in is cut off
by :class:`~transit.api.problems.RequestGuard` (``Limits.body_timeout_s``).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from dataclasses import asdict
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import Limits, create_app

__all__ = ["CONFIG_ENV", "HEADER_TIMEOUT_ENV", "HeaderTimeoutH11Protocol", "app_from_env", "no_delay", "serve"]

CONFIG_ENV = "TRANSIT_API_CONFIG"
#: GIL switch interval in a worker process, s (CPython's default is 0.005).
SWITCH_INTERVAL_S = 0.001
HEADER_TIMEOUT_ENV = "TRANSIT_API_HEADER_TIMEOUT_S"
_REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: 40\r\n"
    b"connection: close\r\n\r\nrequest headers did not arrive in time\r\n"
)


def app_from_env() -> Any:
    """
    Return the app of one worker process, from the JSON in ``TRANSIT_API_CONFIG`` (``limits``, ``cors_origins``).

    Returns
    -------
    fastapi.FastAPI
    """
    config = json.loads(os.environ.get(CONFIG_ENV, "{}") or "{}")
    # The event loop shares the GIL with the compute thread: switch threads every millisecond rather than
    # every 5 ms so that /health and the listings are answered while a computation runs.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return create_app(limits=Limits(**config.get("limits", {})), cors_origins=config.get("cors_origins") or None)


def no_delay(transport: Any) -> None:
    """
    Turn Nagle's algorithm off on a connection's TCP socket (``TCP_NODELAY``).

    With ``workers > 1`` uvicorn binds the listening socket itself, with protocol number 0, and asyncio then leaves
    the accepted connections with Nagle's algorithm on: a response written in two pieces (headers, then body) waits
    for the client's delayed ACK, about 40 ms on Linux, on every request. One worker (asyncio's own listening
    socket) never had the delay.
    """
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on request headers (``TRANSIT_API_HEADER_TIMEOUT_S``, default 10 s)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout_s = float(os.environ.get(HEADER_TIMEOUT_ENV, "10"))
        self._header_timer: Any = None
        self._waiting_cycle: Any = None

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._waiting_cycle = self.cycle
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is self._waiting_cycle and not self.transport.is_closing():
            self.transport.write(_REQUEST_TIMEOUT)
            self.transport.close()

    def connection_made(self, transport: Any) -> None:  # noqa: D102
        no_delay(transport)
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:  # noqa: D102
        super().data_received(data)
        if self.cycle is not self._waiting_cycle:  # a new request's headers are complete
            self._cancel_header_timer()

    def on_response_complete(self) -> None:  # noqa: D102
        super().on_response_complete()
        if not self.transport.is_closing() and self._header_timer is None:
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: D102
        self._cancel_header_timer()
        super().connection_lost(exc)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int | None = None,
    limits: Limits | None = None,
    cors_origins: list[str] | None = None,
    access_log: bool = True,
    timeout_keep_alive_s: int = 5,
    header_timeout_s: float = 10.0,
    log_level: str = "info",
) -> None:
    """
    Serve the API with uvicorn until interrupted.

    Parameters
    ----------
    host, port
        Where to listen (default loopback only).
    workers
        Worker processes; default the number of cores.
    limits
        Request bounds and compute slots of each worker; default :class:`~transit.api.Limits`.
    cors_origins
        Browser origins allowed to call the API; default none.
    access_log
        Log every request.
    timeout_keep_alive_s
        Close a keep-alive connection idle this long.
    header_timeout_s
        Close a connection whose request headers are not complete this long after it opened or after the last
        response (slow clients).
    log_level
        uvicorn's log level.
    """
    import uvicorn

    count = (os.cpu_count() or 1) if workers is None else workers
    os.environ[CONFIG_ENV] = json.dumps({"limits": asdict(limits or Limits()), "cors_origins": list(cors_origins or [])})
    os.environ[HEADER_TIMEOUT_ENV] = repr(float(header_timeout_s))
    uvicorn.run(
        "transit.api.serving:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=count,
        http=HeaderTimeoutH11Protocol,
        timeout_keep_alive=timeout_keep_alive_s,
        timeout_graceful_shutdown=5,
        access_log=access_log,
        log_level=log_level,
    )
