"""Where a request's session state lives, and the context that makes the
session on first access.

The engine's ``http.lifecycle.request`` handler gives each request a
context whose class resolves the session attribute the first time user
code reads it: until then nothing is decoded, and a route that never reads
it costs no decoding and writes no cookie. Once made, the session is an
ordinary attribute of the context, and reads go straight to it.
``del ctx.session`` before the first access counts as deleting it.

Until its first access, such a context holds only an :class:`Unopened`
marker (the engine and a weak reference to the request). A context that
cannot make the session on access (``__slots__``, an attribute dict that is
empty and so falsy when made, which Sanic would make again on every access,
a class that refuses subclasses) gets the session at once, and its state is
kept by the request, weakly, never inside the context.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any, Protocol

from sanic import Request

#: Where a lazy context keeps the request's session state (in its ``__dict__``).
STATE_ATTR = "_cookiesession"


class State(Protocol):
    """What a context asks when its session attribute is first accessed."""

    #: The session attribute's name (``SESSION_NAME``).
    name: str
    reached: bool

    def reach(self) -> Any:
        """Make the session (decoding the cookie) and mark it as used."""

    def forget(self) -> None:
        """Mark the session as deleted before it was made."""

    def assign(self) -> None:
        """Mark the session as put there by user code before it was made."""


class Opener(Protocol):
    """What makes a request's session state (the engine)."""

    session_name: str

    def open(self, request: Request) -> State:
        """The session state of ``request``, made now."""


class Unopened:
    """What a lazy context holds until the session is first reached."""

    __slots__ = ("name", "opener", "request")

    def __init__(self, opener: Opener, request: Request) -> None:
        self.opener = opener
        self.name = opener.session_name
        # Weak: request -> ctx -> this -> request would be a cycle that
        # keeps every request alive until the garbage collector runs.
        self.request = weakref.ref(request)


#: The state of requests whose context cannot hold it.
_by_request: weakref.WeakKeyDictionary[Request, Any] = weakref.WeakKeyDictionary()


def held(request: Request) -> Any:
    """What ``request`` holds: its state, an :class:`Unopened` marker, or ``None``."""
    try:
        found = vars(request.ctx).get(STATE_ATTR)
    except TypeError:  # a context without __dict__
        found = None
    return found if found is not None else _by_request.get(request)


def hold(request: Request, state: Any) -> None:
    """Keep ``state`` for ``request`` when its context cannot hold it."""
    _by_request[request] = state


def opened(request: Request) -> Any:
    """The request's state, made now if it was not yet (``None`` when the
    request has no session: it was rejected before the engine saw it)."""
    found = held(request)
    if type(found) is Unopened:
        found = _open(request.ctx, found)
    return found


def _open(ctx: Any, marker: Unopened) -> Any:
    request = marker.request()
    if request is None:  # pragma: no cover - the request is gone
        return None
    state = marker.opener.open(request)
    vars(ctx)[STATE_ATTR] = state
    return state


def _state(ctx: Any, name: str) -> Any:
    """The state of a lazy context whose attribute ``name`` is the session."""
    found = vars(ctx).get(STATE_ATTR)
    if found is None or name != found.name:
        return None
    return _open(ctx, found) if type(found) is Unopened else found


#: What :func:`stored` returns for a context without the session attribute.
MISSING = object()


class SessionContext(SimpleNamespace):
    """Sanic's default ``request.ctx`` (a ``SimpleNamespace``), with the
    session made on first access of its attribute."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        return _reach(self, name, None)

    def __delattr__(self, name: str) -> None:
        if not _forget(self, name):
            super().__delattr__(name)


def stored(ctx: Any, name: str, reached: bool) -> Any:
    """The session attribute as it is on ``ctx`` now, without making it:
    in the instance ``__dict__``, a slot or a property; once the session was
    made, also through the context's own ``__getattr__`` (where some types,
    such as pydantic models or attribute dicts, keep their attributes).
    :data:`MISSING` if there is none."""
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


def put_there(ctx: Any, name: str) -> bool:
    """Whether ``ctx`` already has a session attribute ``name`` (neither
    missing nor ``None``), found without the context's own ``__getattr__``
    (an attribute dict answers every name), or as an item of a mapping."""
    found = stored(ctx, name, False)
    if found is MISSING and isinstance(ctx, Mapping):
        found = ctx.get(name, MISSING)
    return found is not MISSING and found is not None


def lazy_context(request: Request, name: str) -> Any | None:
    """Give ``request`` a context that makes its session attribute ``name``
    on first access, and return it; ``None`` if the app's context cannot be
    made to (then the caller makes the session at once)."""
    cls = type(request)
    sanic_ctx = cls.ctx is Request.ctx  # Sanic's property, over request._ctx
    if sanic_ctx and request._ctx is None and cls.make_context is Request.make_context:
        ctx: Any = SessionContext()
        request._ctx = ctx
        return ctx
    ctx = request.ctx
    if sanic_ctx and type(ctx) is SimpleNamespace:
        # A plain SimpleNamespace (from the app's make_context, or made by an
        # earlier handler) cannot take a subclass: the request gets a
        # SessionContext holding the same attributes in its place.
        ctx = SessionContext(**vars(ctx))
        request._ctx = ctx
    else:  # the app's own context: a subclass of its class that does the same
        if not ctx:
            # Falsy (an attribute dict, empty when made): Sanic's property
            # makes a new one on every access until something is stored.
            return None
        if not _has_own_dict(ctx):
            return None
        lazy = _lazy_class(type(ctx))
        if lazy is None or _hides_the_session(type(ctx), name):
            return None
        try:
            object.__setattr__(ctx, "__class__", lazy)  # past its own __setattr__
        except TypeError:
            return None
    if vars(ctx).get(name, MISSING) is None:
        del vars(ctx)[name]  # a declared, empty field: make it on access
    return ctx


def _has_own_dict(ctx: Any) -> bool:
    """Whether ``ctx`` keeps an instance ``__dict__`` of its own, which can
    hold the marker (some types, such as munch's, make ``__dict__`` a
    property that returns a copy)."""
    try:
        held = vars(ctx)
    except TypeError:  # no __dict__ (slots)
        return False
    return type(held) is dict and held is vars(ctx)


def _hides_the_session(cls: type, name: str) -> bool:
    """Whether ``cls`` has a plain class attribute ``name`` (a dataclass
    field's default, say), which instances without one of their own would
    show instead of calling ``__getattr__``. Slots and properties do not."""
    attr = inspect.getattr_static(cls, name, MISSING)
    return attr is not MISSING and not hasattr(type(attr), "__get__")


def _reach(ctx: Any, name: str, base: Callable[[Any, str], Any] | None) -> Any:
    state = _state(ctx, name)
    if state is not None and not state.reached:
        session = state.reach()
        setattr(ctx, name, session)
        return session
    if base is not None:
        return base(ctx, name)
    raise AttributeError(f"{type(ctx).__name__!r} object has no attribute {name!r}")


def _assign(ctx: Any, name: str) -> None:
    """``ctx.session = value`` before its first access: it is reached."""
    state = _state(ctx, name)
    if state is not None and not state.reached:
        state.assign()


def _forget(ctx: Any, name: str) -> bool:
    """``del ctx.session`` before its first access: the request ends with a
    fresh, empty session (as in 0.3.x, where the session was always there)."""
    if name in vars(ctx):
        return False
    state = _state(ctx, name)
    if state is None or state.reached:
        return False
    state.forget()
    return True


_lazy_classes: dict[type, type | None] = {SimpleNamespace: None}
#: Context classes are few; an app that makes one per request must not make
#: this cache grow without bound.
_LAZY_CLASSES_MAX = 64


def _lazy_class(cls: type) -> type | None:
    """A subclass of an app's own context class that makes the session on
    first access, or ``None`` if the class refuses subclasses. Made once per
    class. (Instances of a built-in type refuse the new class later.)"""
    if cls in _lazy_classes:
        return _lazy_classes[cls]
    lazy: type | None = None
    base_getattr = getattr(cls, "__getattr__", None)
    base_setattr: Callable[[Any, str, Any], None] = getattr(cls, "__setattr__")  # noqa: B009
    base_delattr: Callable[[Any, str], None] = getattr(cls, "__delattr__")  # noqa: B009

    def __getattr__(self: Any, name: str) -> Any:
        return _reach(self, name, base_getattr)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        # Such a context may keep the value where the save cannot see it
        # without its own __getattr__: a session put there before it was
        # read counts as reached.
        _assign(self, name)
        base_setattr(self, name, value)

    def __delattr__(self: Any, name: str) -> None:
        if not _forget(self, name):
            base_delattr(self, name)

    namespace = {
        "__slots__": (),
        "__getattr__": __getattr__,
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
    }
    try:
        lazy = type(cls.__name__, (cls,), {**namespace, "__module__": cls.__module__})
    except Exception:  # noqa: BLE001 - say, an __init_subclass__ that refuses
        lazy = None
    if len(_lazy_classes) >= _LAZY_CLASSES_MAX:
        _lazy_classes.clear()
        _lazy_classes[SimpleNamespace] = None
    _lazy_classes[cls] = lazy
    return lazy
