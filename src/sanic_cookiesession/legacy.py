"""``setup(app)``: the 0.3.x front door, unchanged. Wiring only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from itsdangerous import URLSafeTimedSerializer
from sanic import Sanic

from . import injection, openapi, templates
from .config import LEGACY_DEFAULTS
from .engine import Engine


def setup(
    app: Sanic[Any, Any],
    session_type: Callable[..., Mapping[str, Any]] = dict,
    serializer_type: Callable[..., Any] = URLSafeTimedSerializer,
) -> None:
    """Set up cookie-based sessions for a Sanic app (the 0.3.x API).

    Writes the default ``SESSION_*`` values into ``app.config`` (keeping any
    already set) and raises :class:`RuntimeError` at once when neither
    ``SESSION_COOKIE_SECRET_KEY`` nor ``SECRET_KEY`` is set. The session is
    then ``request.ctx.session`` (or ``request.ctx.<SESSION_NAME>``).
    When Sanic Extensions is active on the app, handlers may also declare
    ``session: Session`` and the OpenAPI document shows the session cookies,
    as with :class:`~sanic_cookiesession.CookieSession`.

    Args:
        app: The Sanic app.
        session_type: The mapping class handlers get. With ``dict`` (the
            default) handlers get a :class:`~sanic_cookiesession.Session`,
            a ``dict`` subclass made (and decoded) on first access.
        serializer_type: An itsdangerous-style serializer class, built as
            ``serializer_type(secret, salt=salt)``.

    Example:
        >>> from sanic import Sanic
        >>> import sanic_cookiesession
        >>> app = Sanic("Doc")
        >>> app.config.SESSION_COOKIE_SECRET_KEY = "a-long-random-secret-" * 2
        >>> sanic_cookiesession.setup(app)
    """
    config = app.config
    if not config.get("SESSION_COOKIE_SECRET_KEY") and not config.get("SECRET_KEY"):
        raise RuntimeError(
            "either SESSION_COOKIE_SECRET_KEY or SECRET_KEY must be set: make a key with "
            "'python -m sanic_cookiesession genkey' and put it in the environment "
            "variable SANIC_SESSION_COOKIE_SECRET_KEY (Sanic loads it into app.config)"
        )
    for key, value in LEGACY_DEFAULTS.items():
        config.setdefault(key, value)
    Engine(app, session_type, serializer_type).install()
    # Sanic Extensions, when installed, may extend the app only when it
    # starts: both of these wait for it.
    injection.install(app, session_type)
    openapi.install(app)
    templates.install(app)
