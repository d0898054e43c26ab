"""``session`` and ``get_flashed_messages()`` in Jinja templates, as in Flask.

When Sanic Extensions' templating (Jinja2) is active on the app, both are
added to its Jinja environment's globals, once, when the server starts.
They are the same two objects for every request: each finds the request
being handled (Sanic's ``Request.get_current()``) only when a template
uses it. So nothing runs on a request that renders no template, and a
template that never mentions ``session`` never reads the cookie.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

from sanic import Request, Sanic
from sanic.exceptions import ServerError

from .access import session_mapping
from .exc import SessionNotInstalledError
from .flash import get_flashed_messages as flashed_messages  # package.flash is flash()
from .injection import LISTENER_PRIORITY, has_extension, sanic_extensions

#: The name of Sanic Extensions' templating extension.
EXTENSION = "templating"
#: The Jinja global that is the current request's session.
SESSION_GLOBAL = "session"
#: The Jinja global that returns the current request's flashed messages.
FLASHES_GLOBAL = "get_flashed_messages"


def current_request() -> Request:
    """The request being handled, for a template rendered while handling it.

    Raises:
        SessionNotInstalledError: The template is rendered outside of a
            request (at start-up, or in a task that no request started).
    """
    try:
        return Request.get_current()
    except ServerError as exc:  # Sanic's "No current request"
        raise SessionNotInstalledError(
            "`session` and `get_flashed_messages()` in a template need the request "
            "being handled: this template was rendered outside of a request"
        ) from exc


def _session() -> MutableMapping[str, Any]:
    return session_mapping(current_request())


class CurrentSession:
    """The current request's session, as the Jinja global ``session``.

    Every use goes to the session of the request being handled, in its
    namespace (a blueprint given its own session sees that one), and counts
    as a use of the session, as reading ``request.ctx.session`` does:
    ``{{ session.user }}``, ``{{ session["user"] }}``,
    ``{% if "user" in session %}``, ``{{ session.get("x", 1) }}``,
    ``{% for key, value in session.items() %}``, ``{{ session|length }}``.
    The object itself holds nothing.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            # Probes such as markupsafe's ``__html__`` or Jinja's async
            # ``__aiter__`` must not read the cookie. A key that starts with
            # "_" is still found: Jinja falls back to ``session["_key"]``.
            raise AttributeError(name)
        return getattr(_session(), name)

    def __getitem__(self, key: str) -> Any:
        return _session()[key]

    def __contains__(self, key: object) -> bool:
        return key in _session()

    def __iter__(self) -> Iterator[str]:
        return iter(_session())

    def __len__(self) -> int:
        return len(_session())

    def __eq__(self, other: object) -> bool:
        return _session() == other

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return str(_session())

    def __repr__(self) -> str:
        # Debuggers and logs call repr(): it must not read the cookie.
        return "<the current request's session>"


# Jinja's ``session is mapping`` test, and isinstance(session, Mapping).
Mapping.register(CurrentSession)

#: The one ``session`` global, shared by every app and request.
current_session = CurrentSession()


def get_flashed_messages(
    with_categories: bool = False, category_filter: Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """The current request's flashed messages, as the Jinja global of the
    same name: :func:`~sanic_cookiesession.get_flashed_messages` without
    its ``request`` argument, like Flask's.

    Example (a template):
        ``{% for category, message in get_flashed_messages(with_categories=true) %}``
    """
    request = current_request()
    if with_categories:
        return flashed_messages(request, True, category_filter)
    return flashed_messages(request, False, category_filter)


def install(app: Sanic[Any, Any]) -> None:
    """Add the template globals when the server starts, if templating is
    active then (Sanic Extensions may extend the app only at start-up)."""

    async def add_template_globals(app: Sanic[Any, Any]) -> None:
        register(app)

    app.register_listener(add_template_globals, "before_server_start", priority=LISTENER_PRIORITY)


def register(app: Sanic[Any, Any]) -> bool:
    """Add ``session`` and ``get_flashed_messages`` to the globals of the
    app's Jinja environment; ``False`` when templating is not active.

    A global of the same name that the app set itself is kept.
    """
    if not has_extension(app, EXTENSION):
        return False
    for environment in environments(sanic_extensions(app)):
        environment.globals.setdefault(SESSION_GLOBAL, current_session)
        environment.globals.setdefault(FLASHES_GLOBAL, get_flashed_messages)
    return True


def environments(ext: Any) -> list[Any]:
    """The Jinja environments that Sanic Extensions renders with:
    ``app.ext.environment`` (``render()``) and the templating engine's
    (``@app.ext.template``), the same one unless the app replaced one."""
    found: list[Any] = []
    for environment in (
        getattr(ext, "environment", None),
        getattr(getattr(ext, "templating", None), "environment", None),
    ):
        if environment is not None and all(environment is not seen for seen in found):
            found.append(environment)
    return found
