"""Streaming responses: the session saved before the first ``send()``.

A streamed response (``await request.respond()`` then ``send()``) sends its
headers on the first ``send()``, but Sanic dispatches
``http.lifecycle.response`` only after the body is out: too late for a
cookie. :func:`save_session` saves it in time; the response signal then
only warns if the session changed after that (or was never saved).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sanic import Request
from sanic.http.constants import Stage
from sanic.response.types import BaseHTTPResponse

from .context import MISSING, state_of
from .session import warn_changed_too_late

if TYPE_CHECKING:
    from .engine import Engine, State

#: ``State.written`` until the session is first saved.
NOT_SAVED = object()
_HEADERS_GONE = (Stage.RESPONSE, Stage.IDLE, Stage.FAILED)


def headers_gone(request: Request) -> bool:
    """Whether the response's headers were already sent."""
    return getattr(request.stream, "stage", None) in _HEADERS_GONE


def payload_now(engine: Engine, state: State, session: Any) -> bytes | None:
    """What ``session`` would be written as (``None``: empty or unusable)."""
    if state.ns is None or not isinstance(session, Mapping) or not session:
        return None
    try:
        return state.ns.codec.payload(engine.outgoing(state, session))
    except Exception:  # noqa: BLE001 - then it cannot be written either
        return None


def too_late(engine: Engine, state: State, session: Any) -> None:
    """Warn if ``session`` changed since it was read or last saved."""
    before = state.written
    if before is NOT_SAVED:
        decoded = state.decoded
        before = decoded.payload if decoded is not None and decoded.data else None
    if payload_now(engine, state, session) != before:
        warn_changed_too_late()


def save_session(request: Request, response: BaseHTTPResponse) -> None:
    """Save the session now, for streaming responses.

    The session is saved when the response is sent; a streamed response
    (``await request.respond()`` then ``send()``) sends its headers on the
    first ``send()``, before that. Call this after the last change to the
    session and before the first ``await response.send(...)``; calling it
    again replaces what the previous call prepared. A change made once the
    headers are out is lost, with a warning.

    Example:
        >>> async def handler(request):  # doctest: +SKIP
        ...     request.ctx.session["streamed"] = True
        ...     response = await request.respond(content_type="text/plain")
        ...     save_session(request, response)
        ...     await response.send("hello")
        ...     await response.eof()
    """
    from .engine import get_engine

    engine = get_engine(request.app)
    state: State | None = state_of(request.ctx)
    session = engine.current(request, state) if state is not None else MISSING
    if state is None or session is MISSING:
        return
    if headers_gone(request):
        too_late(engine, state, session)
        return
    engine.save(response, state, session)
