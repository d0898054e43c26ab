"""The session as a Sanic Extensions dependency: ``session: Session`` in a handler.

Sanic Extensions injects a handler argument whose annotation is a registered
type. Registering must wait until the server starts: inside ``app.extend()``
our extension starts before sanic-ext's injection extension exists, and an
app set up with ``setup(app)`` may only be extended (automatically) when it
starts. Sanic Extensions reads the registry later in the same startup (its
listeners run last), so a registration made then reaches every route.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from sanic import Request, Sanic

from .access import get_session, session_mapping
from .session import Session

#: Runs after the engine's own startup hook (priority 0), before Sanic
#: Extensions reads its registry (priority -1001).
LISTENER_PRIORITY = -1


def sanic_extensions(app: Sanic[Any, Any]) -> Any | None:
    """The app's Sanic Extensions (``app.ext``) if the app was extended.

    Never extends it: reading ``app.ext`` on an app that was not extended
    would extend it there and then.
    """
    return getattr(app, "_ext", None)


def has_extension(app: Sanic[Any, Any], name: str) -> bool:
    """Whether Sanic Extensions runs the built-in extension ``name`` on ``app``."""
    ext = sanic_extensions(app)
    return ext is not None and any(
        getattr(extension, "name", None) == name for extension in ext.extensions
    )


def injected_type(session_type: Callable[..., Mapping[str, Any]]) -> type | None:
    """The annotation a handler declares to receive the session, or ``None``
    when ``session_type`` is not a class (nothing to annotate with)."""
    if session_type is dict:
        return Session
    return session_type if isinstance(session_type, type) else None


def install(app: Sanic[Any, Any], session_type: Callable[..., Mapping[str, Any]]) -> None:
    """Register the session as a dependency when the server starts."""

    async def register_session_dependency(app: Sanic[Any, Any]) -> None:
        register(app, session_type)

    app.register_listener(
        register_session_dependency, "before_server_start", priority=LISTENER_PRIORITY
    )


def register(app: Sanic[Any, Any], session_type: Callable[..., Mapping[str, Any]]) -> bool:
    """Make the session injectable on ``app``; ``False`` when it cannot be
    (the app was not extended, or its injection extension is off)."""
    annotation = injected_type(session_type)
    if annotation is None or not has_extension(app, "injection"):
        return False
    provide = _session if annotation is Session else _session_mapping
    app.ext.add_dependency(annotation, provide)
    return True


# sanic-ext reads these signatures: it passes the request to the argument
# annotated ``Request``.


def _session(request: Request) -> Session:
    return get_session(request)


def _session_mapping(request: Request) -> MutableMapping[str, Any]:
    return session_mapping(request)
