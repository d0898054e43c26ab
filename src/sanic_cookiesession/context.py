"""``request.ctx`` with a session attribute that is made on first access.

The engine's ``http.lifecycle.request`` handler gives each request a
context whose class resolves the session attribute the first time user
code reads it: until then nothing is decoded, and a route that never reads
it costs no decoding and writes no cookie. Once made, the session is an
ordinary attribute in the context's ``__dict__``, and reads go straight to
it. ``del ctx.session`` before the first access counts as deleting it.
"""

from __future__ import annotations

import inspect
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


def state_of(ctx: Any) -> Any:
    """The session state a context holds (kept in its ``__dict__``, whatever
    its own ``__getattr__`` or ``__setattr__`` do), or ``None``."""
    held = getattr(ctx, "__dict__", None)
    if held is not None:
        return held.get(STATE_ATTR)
    try:
        return object.__getattribute__(ctx, STATE_ATTR)
    except AttributeError:
        return None


def hold(ctx: Any, state: Any) -> None:
    """Keep ``state`` on ``ctx``, where :func:`state_of` finds it."""
    try:
        vars(ctx)[STATE_ATTR] = state
    except TypeError:  # no __dict__
        setattr(ctx, STATE_ATTR, state)


#: What :func:`stored` returns for a context without the session attribute.
MISSING = object()


def stored(ctx: Any, name: str, reached: bool) -> Any:
    """The session attribute as it is on ``ctx`` now, without making it:
    in the instance ``__dict__``, a slot or a property; once the session was
    made, also through the context's own ``__getattr__`` (where some types,
    such as pydantic models, keep extra attributes). :data:`MISSING` if
    there is none."""
    if type(ctx) is SessionContext:  # the usual case: all in its __dict__
        return vars(ctx).get(name, MISSING)
    try:
        return object.__getattribute__(ctx, name)
    except AttributeError:
        pass
    if reached:
        try:
            return getattr(ctx, name)
        except AttributeError:
            pass
    return MISSING


def session_context(request: Request, state: Reachable) -> Any | None:
    """Give ``request`` a context that makes its session on first access,
    holding ``state``. Returns ``None`` if the app's context cannot be made
    to (then the caller decides what to do)."""
    cls = type(request)
    sanic_ctx = cls.ctx is Request.ctx  # Sanic's property, over request._ctx
    if sanic_ctx and request._ctx is None and cls.make_context is Request.make_context:
        ctx: Any = SessionContext()
        request._ctx = ctx
    else:
        ctx = request.ctx
        if sanic_ctx and type(ctx) is SimpleNamespace:
            # A plain SimpleNamespace (from the app's make_context, or made
            # by an earlier handler) cannot take a subclass: the request gets
            # a SessionContext holding the same attributes in its place.
            ctx = SessionContext(**vars(ctx))
            request._ctx = ctx
        else:  # the app's own context: a subclass of its class that does the same
            lazy = _lazy_class(type(ctx))
            if lazy is None or _hides_the_session(type(ctx), state.name):
                return None
            try:
                object.__setattr__(ctx, "__class__", lazy)  # past its own __setattr__
            except TypeError:
                return None
    if vars(ctx).get(state.name, MISSING) is None:
        del vars(ctx)[state.name]  # a declared, empty field: make it on access
    vars(ctx)[STATE_ATTR] = state
    return ctx


def _hides_the_session(cls: type, name: str) -> bool:
    """Whether ``cls`` has a plain class attribute ``name`` (a dataclass
    field's default, say), which instances without one of their own would
    show instead of calling ``__getattr__``. Slots and properties do not."""
    attr = inspect.getattr_static(cls, name, MISSING)
    return attr is not MISSING and not hasattr(type(attr), "__get__")


def _reach(ctx: Any, name: str, base: Callable[[Any, str], Any] | None) -> Any:
    state: Reachable | None = state_of(ctx)
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
    state: Reachable | None = state_of(ctx)
    if state is None or state.reached or name != state.name or name in vars(ctx):
        return False
    state.forget()
    return True


_lazy_classes: dict[type, type | None] = {SimpleNamespace: None}
#: Context classes are few; an app that makes one per request must not make
#: this cache grow without bound.
_LAZY_CLASSES_MAX = 64


def _lazy_class(cls: type) -> type | None:
    """A subclass of an app's own context class that makes the session on
    first access, or ``None`` if instances cannot take one (a built-in type,
    no ``__dict__``, or a class that refuses subclasses). Made once per
    class."""
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
        try:
            lazy = type(cls.__name__, (cls,), {**namespace, "__module__": cls.__module__})
        except TypeError:  # say, an __init_subclass__ that wants arguments
            lazy = None
    if len(_lazy_classes) >= _LAZY_CLASSES_MAX:
        _lazy_classes.clear()
        _lazy_classes[SimpleNamespace] = None
    _lazy_classes[cls] = lazy
    return lazy
