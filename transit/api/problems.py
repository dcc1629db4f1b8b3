"""
Errors as RFC 9457 problem details, from one exception-to-status table, and the request guard.

Every error response has the media type ``application/problem+json`` and the body of
:class:`~transit.api.models.Problem`: ``type``, ``title``, ``status``, ``detail``, ``instance`` (the path) and
``request_id``, plus, where they apply, ``suggestions`` and ``name`` (unknown place), ``valid`` (unknown regime), ``blocking``
(no route), ``errors`` (invalid fields) and ``limit`` (a limit exceeded). No stack trace reaches a client: an
unexpected error is logged with its request id, and the client gets a 500 that quotes the id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from ..errors import (
    ArgumentTypeError,
    ComputeCancelled,
    DataError,
    InvalidArgumentError,
    InvalidDepartureError,
    InvalidNetworkError,
    InvalidVehicleError,
    MissingExtraError,
    NoRouteError,
    ReadOnlyNetworkError,
    TransitError,
    UnknownIdError,
    UnknownPlaceError,
    UnknownRegimeError,
)
from .compute import ComputeTimeout, Overloaded

__all__ = [
    "ERROR_TABLE",
    "PROBLEM_MEDIA_TYPE",
    "ComputeTimeout",
    "LimitExceeded",
    "NoTimeline",
    "Overloaded",
    "RequestGuard",
    "UnknownNameError",
    "install",
    "problem",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("transit.api")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class LimitExceeded(InvalidArgumentError):
    """A request asks for more computation than the server allows (samples, matrix cells)."""

    def __init__(self, message: str, *, limit: float) -> None:
        self.limit = limit
        super().__init__(message)


class UnknownNameError(TransitError, KeyError):
    """An unknown id in a listing filter (a designated route)."""

    def __init__(self, message: str, *, suggestions: tuple[str, ...] = ()) -> None:
        self.suggestions = suggestions
        super().__init__(message)


class NoTimeline(TransitError, LookupError):
    """The served network has no dated timeline, so ``GET /timeline`` has nothing to list."""


#: Exception class -> (HTTP status, problem slug, title). The first matching row wins, so subclasses come first. Every
#: class of :mod:`transit.errors` has its own row. A 5xx answer never shows the exception's message (it may name files
#: or modules of the server): the client gets the title and the request id, the log gets the rest.
ERROR_TABLE: tuple[tuple[type[Exception], int, str, str], ...] = (
    (UnknownPlaceError, 404, "unknown-place", "Unknown place"),
    (UnknownIdError, 404, "unknown-id", "Unknown id"),
    (UnknownNameError, 404, "unknown-name", "Unknown name"),
    (NoTimeline, 404, "no-timeline", "No dated timeline"),
    (UnknownRegimeError, 422, "unknown-regime", "Unknown regime"),
    (NoRouteError, 422, "no-route", "No feasible route"),
    (InvalidDepartureError, 422, "invalid-time", "Invalid date-time"),
    (InvalidVehicleError, 422, "invalid-vehicle", "Invalid vehicle"),
    (LimitExceeded, 422, "limit-exceeded", "Limit exceeded"),
    (ArgumentTypeError, 422, "invalid-argument-type", "Argument of the wrong type"),
    (InvalidArgumentError, 422, "invalid-argument", "Invalid argument"),
    (RequestValidationError, 422, "invalid-request", "Invalid request"),
    (ComputeTimeout, 503, "timeout", "Computation took too long"),
    (ComputeCancelled, 503, "cancelled", "Computation cancelled"),
    (Overloaded, 503, "overloaded", "Server busy"),
    # Server misconfiguration: the served dataset or network, or an extra missing from the server's environment.
    (DataError, 500, "dataset-error", "Dataset error"),
    (InvalidNetworkError, 500, "invalid-network", "Server network misconfigured"),
    (ReadOnlyNetworkError, 500, "read-only-network", "Server network edited in place"),
    (MissingExtraError, 500, "missing-extra", "Server dependency missing"),
    (TransitError, 500, "internal", "Internal server error"),
)
#: Answered with ``Retry-After`` (seconds: the exception's ``retry_after_s``, else ``Limits.retry_after_s``).
_RETRY = (Overloaded, ComputeCancelled)
_DEFAULT_RETRY_AFTER_S = 2


def problem(
    request_id: str, path: str, status: int, slug: str, title: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """Return a problem+json response that carries the request id in its body and its X-Request-ID header."""
    body = {"type": f"urn:transit:problem:{slug}", "title": title, "status": status, "detail": detail, "instance": path, "request_id": request_id}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers={"X-Request-ID": request_id, **(headers or {})})


def _request_id(request: Request) -> str:
    found = getattr(request.state, "request_id", None)
    return found if isinstance(found, str) else uuid.uuid4().hex


def _extras(exc: BaseException) -> dict[str, Any]:
    """Problem extension members for an exception."""
    if isinstance(exc, UnknownPlaceError):
        return {"suggestions": list(exc.suggestions), "name": str(exc.name)}
    if isinstance(exc, UnknownIdError | UnknownNameError):
        return {"suggestions": list(exc.suggestions)}
    if isinstance(exc, NoRouteError):
        return {"blocking": list(exc.blocking)}
    if isinstance(exc, LimitExceeded | ComputeTimeout | Overloaded):
        return {"limit": exc.limit}
    if isinstance(exc, UnknownRegimeError):
        return {"valid": list(exc.valid)}
    if isinstance(exc, InvalidDepartureError):
        return {"errors": [{"field": exc.field, "message": str(exc), "type": "datetime"}]}
    return {}


def _detail(exc: BaseException) -> str:
    if isinstance(exc, UnknownPlaceError):
        hint = "did you mean " + " or ".join(repr(s) for s in exc.suggestions) + "?" if exc.suggestions else "no close match"
        return f"unknown place {exc.name!r}; {hint} (GET /places lists every name)"
    if isinstance(exc, RequestValidationError):
        return "the request does not match the schema: " + "; ".join(f"{_field(e)}: {e.get('msg', 'invalid')}" for e in exc.errors()[:10])
    return str(exc)


def _field(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    return ".".join(loc) or "body"


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    request_id = _request_id(request)
    for cls, status, slug, title in ERROR_TABLE:
        if isinstance(exc, cls):
            if status >= 500:
                log.error("request %s %s %s failed: %s", request_id, request.method, request.url.path, exc, exc_info=exc if status == 500 else None)
            extra = _extras(exc)
            if isinstance(exc, RequestValidationError):
                extra["errors"] = [{"field": _field(e), "message": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()[:20]]
            headers = {"Retry-After": str(_retry_after_s(request, exc))} if isinstance(exc, _RETRY) else None
            detail = _detail(exc) if status != 500 else f"{title.lower()}; quote request id {request_id} when reporting it"
            return problem(request_id, request.url.path, status, slug, title, detail, headers=headers, **extra)
    return await _unexpected(request, exc)


def _retry_after_s(request: Request, exc: BaseException) -> int:
    own = getattr(exc, "retry_after_s", None)
    if isinstance(own, int):
        return own
    limits = getattr(request.app.state, "limits", None)
    return int(getattr(limits, "retry_after_s", _DEFAULT_RETRY_AFTER_S))


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404:
        detail = f"no endpoint at {request.url.path!r}; see /docs for the API"
    return problem(_request_id(request), request.url.path, exc.status_code, title.lower().replace(" ", "-"), title, detail)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = _request_id(request)
    log.error("request %s %s %s failed", request_id, request.method, request.url.path, exc_info=exc)
    return problem(
        request_id,
        request.url.path,
        500,
        "internal",
        "Internal server error",
        f"the server failed to answer; quote request id {request_id} when reporting it",
    )


def install(app: FastAPI) -> None:
    """Register the problem handlers on ``app``."""
    for cls, *_ in ERROR_TABLE:
        app.add_exception_handler(cls, _handle)
    app.add_exception_handler(TransitError, _handle)
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class RequestGuard:
    """
    ASGI middleware: a request id for every request, and a limit on the request body.

    The id is taken from a well-formed incoming ``X-Request-ID`` header or made up, stored in
    ``request.state.request_id`` and returned in the ``X-Request-ID`` response header. A body longer than
    ``max_body_bytes`` (by its Content-Length or as it streams in) is refused with a 413 problem before the
    application sees it, and so is a body that does not arrive within ``body_timeout_s`` (408). A ``HEAD`` request
    is answered as the ``GET`` of the same path, without the body.
    """

    def __init__(self, app: Any, *, max_body_bytes: int, body_timeout_s: float = 10.0) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection: guard an HTTP request, pass anything else through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        incoming = headers.get("x-request-id", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        head = scope.get("method") == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_with_id(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                raw = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message["headers"] = [*raw, (b"x-request-id", request_id.encode())]
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        limit = self.max_body_bytes
        too_large = f"the request body exceeds the limit of {limit:,} bytes; send a smaller request (fewer places or options)"
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await self._refuse(scope, send_with_id, request_id, too_large)
            return
        if scope.get("method") in ("POST", "PUT", "PATCH"):
            chunks, size = [], 0
            with anyio.move_on_after(self.body_timeout_s) as timer:
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    body = message.get("body", b"")
                    size += len(body)
                    if size > limit:
                        await self._refuse(scope, send_with_id, request_id, too_large)
                        return
                    chunks.append(body)
                    if not message.get("more_body", False):
                        break
            if timer.cancelled_caught:
                slow = f"the request body did not arrive within {self.body_timeout_s:g} s; send it in one go"
                response = problem(
                    request_id, scope.get("path", ""), 408, "body-timeout", "Request body too slow", slow, headers={"Connection": "close"}
                )
                await response(scope, self._no_receive, send_with_id)
                return
            buffered = b"".join(chunks)
            delivered = False

            async def replay() -> MutableMapping[str, Any]:
                nonlocal delivered
                if not delivered:
                    delivered = True
                    return {"type": "http.request", "body": buffered, "more_body": False}
                return await receive()

            await self.app(scope, replay, send_with_id)
            return
        await self.app(scope, receive, send_with_id)

    async def _refuse(self, scope: Scope, send: Send, request_id: str, detail: str) -> None:
        response = problem(
            request_id, scope.get("path", ""), 413, "body-too-large", "Request body too large", detail, limit=float(self.max_body_bytes)
        )
        await response(scope, self._no_receive, send)

    @staticmethod
    async def _no_receive() -> MutableMapping[str, Any]:
        return {"type": "http.disconnect"}
