"""Flash messages: shown once, on the next page, then gone (as in Flask).

A message is stored in the session under ``_flashes`` as a
``[category, message]`` pair, the same key Flask uses, and removed from
the session by the first :func:`get_flashed_messages` call that reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, overload

from sanic import Request

from .access import session_mapping

#: The session key that holds pending messages.
FLASHES_KEY = "_flashes"
# Where the messages read on this request are kept, so that every call in
# the same request sees them (Flask keeps them on the request context).
_READ_ATTR = "_cookiesession_flashes"


def flash(request: Request, message: str, category: str = "message") -> None:
    """Store ``message`` in the session for the next request to show.

    Args:
        request: The current request.
        message: The text to show.
        category: Any string; Flask's conventions are ``"message"``,
            ``"error"``, ``"info"`` and ``"warning"``.

    Example:
        >>> from sanic import Request, response
        >>> async def save(request: Request) -> response.HTTPResponse:
        ...     flash(request, "Saved.", "info")
        ...     return response.redirect("/")
    """
    session = session_mapping(request)
    pending = _pairs(session.get(FLASHES_KEY))
    pending.append((category, message))
    # Lists, not tuples: what JSON gives back is what was stored, so an
    # unchanged session is not seen as changed.
    session[FLASHES_KEY] = [list(pair) for pair in pending]


@overload
def get_flashed_messages(
    request: Request,
    with_categories: Literal[False] = False,
    category_filter: Iterable[str] = (),
) -> list[str]: ...


@overload
def get_flashed_messages(
    request: Request,
    with_categories: Literal[True],
    category_filter: Iterable[str] = (),
) -> list[tuple[str, str]]: ...


def get_flashed_messages(
    request: Request,
    with_categories: bool = False,
    category_filter: Iterable[str] = (),
) -> list[str] | list[tuple[str, str]]:
    """The messages flashed for this request, removed from the session.

    The first call in a request takes the messages out of the session;
    later calls in the same request return the same messages.

    Args:
        request: The current request.
        with_categories: Return ``(category, message)`` pairs instead of
            messages.
        category_filter: Only return messages of these categories.

    Example:
        >>> from sanic import Request, response
        >>> async def index(request: Request) -> response.HTTPResponse:
        ...     return response.json(get_flashed_messages(request))
    """
    ctx = request.ctx
    read: list[tuple[str, str]] | None = getattr(ctx, _READ_ATTR, None)
    if read is None:
        session = session_mapping(request)
        read = _pairs(session.pop(FLASHES_KEY, None)) if FLASHES_KEY in session else []
        setattr(ctx, _READ_ATTR, read)
    wanted = frozenset(category_filter)
    pairs = [pair for pair in read if not wanted or pair[0] in wanted]
    if with_categories:
        return pairs
    return [message for _, message in pairs]


def _pairs(value: object) -> list[tuple[str, str]]:
    """The well-formed ``[category, message]`` pairs of a stored value."""
    if not isinstance(value, list):
        return []
    return [
        (item[0], item[1])
        for item in value
        if isinstance(item, (list, tuple))
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], str)
    ]
