"""``CookieSession``: the Sanic Extensions front door. Wiring only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from itsdangerous import URLSafeTimedSerializer

try:
    from sanic_ext import Extension
except ImportError as exc:  # pragma: no cover - exercised in the no-ext env
    raise ImportError(
        "CookieSession needs Sanic Extensions: "
        'pip install "sanic-cookiesession[ext]" '
        "(or use sanic_cookiesession.setup(app), which does not)"
    ) from exc

from . import injection, openapi, templates
from .engine import Engine


class CookieSession(Extension):  # type: ignore[no-untyped-call]
    """Cookie sessions as a Sanic extension.

    Example:
        >>> from sanic import Sanic
        >>> app = Sanic("DocExt")
        >>> app.config.SESSION_COOKIE_SECRET_KEY = "a-long-random-secret-" * 2
        >>> app.extend(extensions=[CookieSession])  # doctest: +SKIP

    Options go to the constructor:
    ``app.extend(extensions=[CookieSession(session_type=MyDict)])``.

    A handler that declares ``session: Session`` (or ``session: MyDict``)
    receives the request's session, and the OpenAPI document declares the
    session cookies as security schemes (see ``docs/extend.md``).
    """

    name = "CookieSession"

    def __init__(
        self,
        session_type: Callable[..., Mapping[str, Any]] = dict,
        serializer_type: Callable[..., Any] = URLSafeTimedSerializer,
    ) -> None:
        self.session_type = session_type
        self.serializer_type = serializer_type

    def startup(self, bootstrap: Any) -> None:
        # Runs inside app.extend(), before the server starts: the only
        # place where signal handlers still reach production.
        Engine(self.app, self.session_type, self.serializer_type).install()
        # sanic-ext's own extensions start after this one: both of these
        # wait for the server to start.
        injection.install(self.app, self.session_type)
        openapi.install(self.app)
        templates.install(self.app)

    def label(self) -> str:
        return "signed cookie"
