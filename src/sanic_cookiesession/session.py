"""The session dict the handler sees.

:class:`Session` is a plain ``dict`` subclass: it costs nothing to use.
Until a handler touches it, the session on ``request.ctx`` is a
:class:`LazySession`, whose first use decodes the cookie and turns the
object into a :class:`Session` in place. A session that was never touched
is therefore never decoded and never written back.

Whether a session changed is decided when the response is saved, by
comparing what would be written with what was read, so nested changes
(``session["cart"]["items"].append(x)``) are saved without any flag.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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
        self._loader: Callable[[], dict[str, Any]] | None = None

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
    def pending(cls, loader: Callable[[], dict[str, Any]]) -> LazySession:
        """Make a session that calls ``loader`` on first use."""
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
            dict.update(self, loader())

    def __repr__(self) -> str:
        self._load()
        return repr(self)


def _loads_first(name: str) -> Callable[..., Any]:
    def method(self: LazySession, *args: Any, **kwargs: Any) -> Any:
        self._load()
        return getattr(self, name)(*args, **kwargs)

    method.__name__ = name
    method.__qualname__ = f"LazySession.{name}"
    method.__doc__ = getattr(dict, name).__doc__
    return method


# Every dict method that reads or writes contents; __class__ is swapped on
# first use, so these run once per request at most.
for _name in (
    "__getitem__", "__setitem__", "__delitem__", "__contains__", "__iter__",
    "__len__", "__eq__", "__ne__", "__or__", "__ror__", "__ior__",
    "__reversed__", "get", "setdefault", "pop", "popitem", "clear",
    "update", "keys", "values", "items", "copy",
):
    setattr(LazySession, _name, _loads_first(_name))
del _name
