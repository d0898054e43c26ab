"""``request.ctx`` with a session attribute that is made on first access.

The engine's ``http.lifecycle.request`` handler gives each request a
context whose class resolves the session attribute the first time user
code reads it: until then nothing is decoded, and a route that never reads
it costs no decoding and writes no cookie. Once made, the session is an
ordinary attribute in the context's ``__dict__``, and reads go straight to
it. ``del ctx.session`` before the first access counts as deleting it.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, Protocol

from sanic import Request

#: Where the per-request state lives on ``request.ctx``.
STATE_ATTR = "_cookiesession"


class Reachable(Protocol):
    """What a context asks when its session attribute is first accessed."""

    name: str
    reached: bool

    def reach(self) -> Any:
        """Make the session (decoding the cookie) and mark it as used."""

    def forget(self) -> None:
        """Mark the session as deleted before it was made."""


class SessionContext(SimpleNamespace):
    """Sanic's default ``request.ctx`` (a ``SimpleNamespace``), with the
    session made on first access of its attribute."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        return _reach(self, name, None)

    def __delattr__(self, name: str) -> None:
        if not _forget(self, name):
            super().__delattr__(name)


def session_context(request: Request, state: Reachable) -> Any | None:
    """Give ``request`` a context that makes its session on first access,
    holding ``state``. Returns ``None`` if the app's context cannot be made
    to (then the caller puts the session there at once)."""
    cls = type(request)
    if request._ctx is None and cls.make_context is Request.make_context and (
        cls.ctx is Request.ctx
    ):
        ctx: Any = SessionContext()
        request._ctx = ctx
    else:  # the app's own context: a subclass of its class that does the same
        ctx = request.ctx
        lazy = _lazy_class(type(ctx))
        if lazy is None:
            return None
        try:
            ctx.__class__ = lazy
        except TypeError:
            return None
    setattr(ctx, STATE_ATTR, state)
    return ctx


def _reach(ctx: Any, name: str, base: Callable[[Any, str], Any] | None) -> Any:
    state: Reachable | None = vars(ctx).get(STATE_ATTR)
    if state is not None and not state.reached and name == state.name:
        session = state.reach()
        setattr(ctx, name, session)
        return session
    if base is not None:
        return base(ctx, name)
    raise AttributeError(f"{type(ctx).__name__!r} object has no attribute {name!r}")


def _forget(ctx: Any, name: str) -> bool:
    """``del ctx.session`` before its first access: the request ends with a
    fresh, empty session (as in 0.3.x, where the session was always there)."""
    state: Reachable | None = vars(ctx).get(STATE_ATTR)
    if state is None or state.reached or name != state.name or name in vars(ctx):
        return False
    state.forget()
    return True


_lazy_classes: dict[type, type | None] = {SimpleNamespace: None}


def _lazy_class(cls: type) -> type | None:
    """A subclass of an app's own context class that makes the session on
    first access, or ``None`` if instances cannot take one (a built-in type,
    such as a ``SimpleNamespace`` made before our handler ran, or no
    ``__dict__``). Made once per class."""
    if cls in _lazy_classes:
        return _lazy_classes[cls]
    lazy: type | None = None
    if not cls.__flags__ & (1 << 8) and "__dict__" in dir(cls):  # not Py_TPFLAGS_IMMUTABLETYPE
        base_getattr = getattr(cls, "__getattr__", None)
        base_delattr: Callable[[Any, str], None] = getattr(cls, "__delattr__")  # noqa: B009

        def __getattr__(self: Any, name: str) -> Any:
            return _reach(self, name, base_getattr)

        def __delattr__(self: Any, name: str) -> None:
            if not _forget(self, name):
                base_delattr(self, name)

        namespace = {"__slots__": (), "__getattr__": __getattr__, "__delattr__": __delattr__}
        lazy = type(cls.__name__, (cls,), {**namespace, "__module__": cls.__module__})
    _lazy_classes[cls] = lazy
    return lazy
