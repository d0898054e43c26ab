"""The session dict the handler sees.

:class:`Session` is a plain ``dict`` subclass: it costs nothing to use.
Until a handler touches it, the session on ``request.ctx`` is a
:class:`LazySession`, whose first use decodes the cookie and turns the
object into a :class:`Session` in place. A session that was never touched
is therefore never decoded and never written back.

Whether a session changed is decided when the response is saved, by
comparing what would be written with what was read, so nested changes
(``session["cart"]["items"].append(x)``) are saved without any flag.

A session whose lists and dicts are shared with the token cache is a
:class:`SharedSession` until a method could hand one of them out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol


class Loader(Protocol):
    """What a :class:`LazySession` decodes itself with (the engine's state)."""

    saved: bool
    #: Whether what :meth:`load` returned holds lists or dicts that other
    #: requests may be handed too (read-only until :meth:`own`).
    shares: bool

    def load(self) -> dict[str, Any]:
        """The session's contents (decodes the cookie); copied, never kept."""

    def own(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """What :meth:`load` returned, and the same with its lists and dicts
        replaced by private copies (from now on, the contents as read)."""


class Session(dict[str, Any]):
    """The session: a ``dict`` whose contents are kept in a signed cookie.

    Example:
        >>> session = Session(user="ann")
        >>> session["visits"] = 1
        >>> session.modified = True  # force a write even if nothing changed
    """

    __slots__ = ("_loader", "modified")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Set to ``True`` to force the cookie to be written on this
        #: response even when the contents did not change.
        self.modified = False
        self._loader: Loader | None = None

    @property
    def accessed(self) -> bool:
        """``True`` once the handler has read or written the session."""
        return True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"


# The slot behind Session.modified (LazySession hides it behind a property).
_MODIFIED_SLOT: Any = Session.__dict__["modified"]


class LazySession(Session):
    """A :class:`Session` whose cookie has not been decoded yet.

    Any use of the mapping decodes the cookie, fills the dict and turns the
    instance into a plain :class:`Session` (``__class__`` is reassigned, so
    later calls go straight to ``dict``).
    """

    __slots__ = ()

    @classmethod
    def pending(cls, loader: Loader) -> LazySession:
        """Make a session that calls ``loader.load()`` on first use."""
        session = cls.__new__(cls)
        _MODIFIED_SLOT.__set__(session, False)
        session._loader = loader
        return session

    @property
    def accessed(self) -> bool:
        return False

    # Setting ``modified`` counts as using the session.
    @property
    def modified(self) -> bool:
        self._load()
        return self.modified

    @modified.setter
    def modified(self, value: bool) -> None:
        self._load()
        self.modified = value

    def _load(self) -> None:
        loader = self._loader
        self._loader = None
        self.__class__ = Session  # type: ignore[assignment]
        if loader is not None:
            dict.update(self, loader.load())
            if loader.shares:  # lists or dicts to copy before handing out
                self._loader = loader
                shared: type[Session] = LateSharedSession if loader.saved else SharedSession
                self.__class__ = shared  # type: ignore[assignment]
            elif loader.saved:  # first used after the response was saved
                self.__class__ = LateSession  # type: ignore[assignment]

    def __repr__(self) -> str:
        self._load()
        return repr(self)


class LateSession(Session):
    """A :class:`Session` whose response was already saved.

    A change can no longer reach the cookie: the first one is logged as a
    warning, then the instance turns back into a plain :class:`Session`.
    """

    __slots__ = ()

    @property
    def modified(self) -> bool:
        return bool(_MODIFIED_SLOT.__get__(self))

    @modified.setter
    def modified(self, value: bool) -> None:
        self._warn()
        self.modified = value

    def _warn(self) -> None:
        self.__class__ = Session  # type: ignore[assignment]
        warn_changed_too_late()

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self._warn()
        return dict.setdefault(self, key, default)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self._warn()
        return dict.pop(self, key, *default)


class SharedSession(Session):
    """A :class:`Session` whose lists and dicts are still the ones decoded
    from the cookie, which other requests carrying the same cookie share.

    Nothing inside them can change while no method has handed one out:
    the first method that could (``session["cart"]``, ``get``, ``values``,
    ``items``, ``pop``, ``setdefault``, ``copy``, ``|``, ``dict(session)``,
    ``json.dumps(session)``...) first replaces them with private copies and
    turns the instance into a plain :class:`Session`. A handler that reads
    only ``session["user"]`` pays for no copy, and its save needs no
    comparison of the insides.
    """

    __slots__ = ()

    #: What the instance becomes once it owns its lists and dicts.
    _owned: type[Session] = Session

    def _own(self) -> None:
        loader = self._loader
        if loader is not None:
            shared, private = loader.own()
            fresh = {key: (key, value) for key, value in private.items()}
            items = list(dict.items(self))
            dict.clear(self)
            for key, value in items:
                if key in shared and shared[key] is value:
                    # Still as read: the private key and value (whole, so
                    # the fingerprint of an unchanged session still matches).
                    key, value = fresh[key]
                dict.__setitem__(self, key, value)
        # Only once the copies are in: if they failed, the session stays
        # shared (and the next reach tries again).
        self._loader = None
        self.__class__ = self._owned  # type: ignore[assignment]

    def __getitem__(self, key: str) -> Any:
        value = dict.__getitem__(self, key)
        if type(value) is dict or type(value) is list:
            self._own()
            return dict.__getitem__(self, key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = dict.get(self, key, default)
        if (type(value) is dict or type(value) is list) and key in self:
            self._own()
            return dict.get(self, key, default)
        return value

    # Iterating over the keys hands out nothing, but a dict subclass with
    # dict's own __iter__ is read by C code (dict(session), {**session},
    # f(**session)) straight from its storage: this sends it through
    # keys() and __getitem__.
    def __iter__(self) -> Any:
        return dict.__iter__(self)


def _owning(name: str) -> Callable[..., Any]:
    """``SharedSession.name``: take private copies, then the plain method."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        self._own()
        return getattr(self, name)(*args, **kwargs)

    method.__name__ = name
    method.__qualname__ = f"SharedSession.{name}"
    method.__doc__ = getattr(dict, name).__doc__
    return method


# (``==`` too: dict's comparison hands each value to the other side's __eq__.)
for _name in (
    "values", "items", "pop", "popitem", "setdefault", "copy", "__or__", "__ror__",
    "__reduce__", "__reduce_ex__", "__eq__", "__ne__",
):
    setattr(SharedSession, _name, _owning(_name))


class LateSharedSession(SharedSession, LateSession):
    """A :class:`SharedSession` whose response was already saved."""

    __slots__ = ()

    _owned = LateSession

    def _warn(self) -> None:
        self.__class__ = SharedSession  # type: ignore[assignment]
        warn_changed_too_late()


def warn_changed_too_late() -> None:
    """Log that the session changed after its response was saved."""
    logging.getLogger("sanic_cookiesession").warning(
        "session changed after its response was saved: the change is lost unless "
        "save_session(request, response) is called before the first send() "
        "(or the session is changed before `await request.respond()`)"
    )


def _first_calling(cls: type[Session], hook: str, name: str) -> Callable[..., Any]:
    """``cls.name``: call ``self.<hook>()`` (which swaps ``__class__``), then
    the method of the same name on the new class."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        getattr(self, hook)()
        return getattr(self, name)(*args, **kwargs)

    method.__name__ = name
    method.__qualname__ = f"{cls.__name__}.{name}"
    method.__doc__ = getattr(dict, name).__doc__
    return method


def _loading(name: str) -> Callable[..., Any]:
    """``LazySession.name`` for a method that only reads: load, then
    ``dict.name`` (or the shared session's own, which may copy first)."""
    read = getattr(dict, name)

    def method(self: Any, *args: Any) -> Any:
        self._load()
        if self._loader is not None:  # a SharedSession
            return getattr(self, name)(*args)
        return read(self, *args)

    method.__name__ = name
    method.__qualname__ = f"LazySession.{name}"
    method.__doc__ = read.__doc__
    return method


# Every dict method that changes contents warns (once) after the save.
for _name in (
    "__setitem__", "__delitem__", "__ior__", "popitem", "clear", "update",
):
    setattr(LateSession, _name, _first_calling(LateSession, "_warn", _name))

# Every dict method that reads or writes contents; __class__ is swapped on
# first use, so these run once per request at most.
for _name in (
    "__setitem__", "__delitem__", "__ior__", "setdefault", "pop", "popitem",
    "clear", "update", "__reduce__", "__reduce_ex__",
):
    setattr(LazySession, _name, _first_calling(LazySession, "_load", _name))
# Those that only read go straight to dict's once loaded (no class
# overrides them).
for _name in (
    "__getitem__", "__contains__", "__iter__", "__len__", "__eq__", "__ne__",
    "__or__", "__ror__", "__reversed__", "get", "keys", "values", "items", "copy",
):
    setattr(LazySession, _name, _loading(_name))
del _name
