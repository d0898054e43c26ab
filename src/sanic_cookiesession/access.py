"""Typed access to the session: ``get_session(request) -> Session``."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from sanic import Request

from .context import MISSING, opened
from .engine import get_engine
from .exc import SessionNotInstalledError
from .session import Session


def get_session(request: Request) -> Session:
    """The request's session, typed as :class:`~sanic_cookiesession.Session`.

    ``request.ctx.session`` is untyped (``request.ctx`` is a
    ``SimpleNamespace``); this returns the same object with a type that
    mypy and editors understand. Like ``request.ctx.session``, its first
    call in a request decodes the cookie.

    After ``del request.ctx.session`` it puts a fresh, empty session in
    its place (the cookie is deleted when the response is saved).

    Example:
        >>> from sanic import Request, response
        >>> async def index(request: Request) -> response.HTTPResponse:
        ...     session = get_session(request)
        ...     session["visits"] = session.get("visits", 0) + 1
        ...     return response.text(str(session["visits"]))

    Raises:
        SessionNotInstalledError: Sessions are not installed on the
            request's app, or the app was not started by a Sanic server or
            test client.
        TypeError: The app was set up with a ``session_type`` that is not
            a :class:`~sanic_cookiesession.Session`; read
            ``request.ctx.session`` directly then.
    """
    session = session_mapping(request)
    if not isinstance(session, Session):
        raise TypeError(
            f"request.ctx.{get_engine(request.app).session_name} is a "
            f"{type(session).__name__}, not a Session (the app was set up with a "
            "custom session_type); use it directly"
        )
    return session


def session_mapping(request: Request) -> MutableMapping[str, Any]:
    """The request's session, whatever mapping type the app was set up with.

    Used by helpers (such as flash messages) that work with any
    ``session_type``. Raises like :func:`get_session`.
    """
    engine = get_engine(request.app)
    name = engine.session_name
    state = opened(request)
    if state is None:
        # The request's head was rejected (400, 413) before the engine saw
        # it: its cookie was never read, so this session is never saved.
        engine.attach(request)
        state = opened(request)
        if state is None:
            raise SessionNotInstalledError(
                f"this request to app {request.app.name!r} has no session: the app "
                "was not started by a Sanic server or test client"
            )
        state.readonly = True
    ctx = request.ctx
    session = getattr(ctx, name, MISSING)  # made here on first access
    if session is MISSING or session is None:
        # Not made yet (a context that cannot make it on access), or deleted:
        # made now, or a fresh one, saved (emptied) like any other.
        session = engine.build({}) if state.reached else state.reach()
        setattr(ctx, name, session)
    if not isinstance(session, MutableMapping):
        raise TypeError(f"request.ctx.{name} is a {type(session).__name__}, not a mapping")
    return session
