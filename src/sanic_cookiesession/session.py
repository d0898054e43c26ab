"""The session dict the handler sees.

:class:`Session` is a plain ``dict`` subclass that holds the decoded
contents from the moment user code can reach it: ``response.json(session)``
(ujson, orjson), ``json.dumps``, ``{**session}``, ``pickle`` and ``copy``
all see the data, because it is in the dict's own storage. It overrides no
``dict`` method.

Whether a session changed is decided when the response is saved, by
comparing what would be written with what was read, so nested changes
(``session["cart"]["items"].append(x)``) are saved without any flag.
"""

from __future__ import annotations

from typing import Any


class Session(dict[str, Any]):
    """The session: a ``dict`` whose contents are kept in a signed cookie.

    Example:
        >>> session = Session(user="ann")
        >>> session["visits"] = 1
        >>> session.modified = True  # force a write even if nothing changed
    """

    __slots__ = ("modified",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Set to ``True`` to force the cookie to be written on this
        #: response even when the contents did not change.
        self.modified = False

    @property
    def accessed(self) -> bool:
        """Always ``True``: a session is made only when user code reaches it
        (kept for code written against Flask's session interface)."""
        return True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"

