"""Helpers for an app's own tests: start with a session, read what was saved.

They sign and read cookies exactly as the app does, with the settings in
``app.config`` (secret, salt, cookie name, encryption, namespaces), and
work with either sanic-testing client, ``app.test_client`` or
``app.asgi_client``: send :func:`session_cookie` as the ``Cookie`` header,
pass the response to :func:`load_session`.

Example:
    >>> from sanic_cookiesession.testing import load_session, session_cookie
    >>> def test_logout_forgets_the_user(app):  # doctest: +SKIP
    ...     cookie = session_cookie(app, {"user": "ann"})
    ...     _, response = app.test_client.post("/logout", headers={"Cookie": cookie})
    ...     assert load_session(app, response) == {}
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from sanic import Blueprint, Sanic

from .codec import Codec
from .config import Settings
from .cookies import cookie_values, set_cookie_values
from .engine import CREATED_KEY, get_engine
from .namespaces import blueprint_settings, build_codec

__all__ = [
    "SessionTransaction",
    "load_session",
    "session_cookie",
    "session_transaction",
]


class SessionTransaction(dict[str, Any]):
    """The session a :func:`session_transaction` block edits.

    A ``dict``; after the block, :attr:`cookie` holds the ``Cookie`` header
    value that sends it.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self._cookie: str | None = None

    @property
    def cookie(self) -> str:
        """The ``Cookie`` header value (``name=value``) for this session.

        Raises:
            RuntimeError: The ``with`` block has not ended yet.
        """
        if self._cookie is None:
            raise RuntimeError("the cookie is made when the session_transaction() block ends")
        return self._cookie


def session_cookie(
    app: Sanic[Any, Any], data: Mapping[str, Any], *, blueprint: Blueprint | str | None = None
) -> str:
    """A ``Cookie`` header value that gives the app's handlers ``data``.

    Args:
        app: The app under test; sessions must be installed on it.
        data: The session contents (JSON-serializable for the default
            serializer).
        blueprint: For a blueprint given its own session with
            :func:`~sanic_cookiesession.session_namespace`, make that
            session's cookie instead (the blueprint or its name). A
            blueprint without a namespace uses the app's session.

    Returns:
        ``"<cookie name>=<signed value>"``, to send as the ``Cookie``
        header; join several with ``"; "``.
    """
    settings, codec = _namespace(app, blueprint)
    return f"{settings.wire_name}={_sign(codec, data)}"


def load_session(
    app: Sanic[Any, Any], response: Any, *, blueprint: Blueprint | str | None = None
) -> dict[str, Any] | None:
    """The session a response saved, read from its ``Set-Cookie`` headers.

    Args:
        app: The app that made the response.
        response: A response from ``app.test_client`` or
            ``app.asgi_client`` (anything with ``headers``), a Sanic
            response, or a list of ``Set-Cookie`` header values.
        blueprint: Read the cookie of this blueprint's namespace.

    Returns:
        The saved session; ``{}`` when the response deleted the cookie;
        ``None`` when it left the cookie alone (no ``Set-Cookie`` for it).

    Raises:
        ValueError: The response set a cookie that the app's current
            settings do not accept (another secret, salt or serializer).
    """
    settings, codec = _namespace(app, blueprint)
    found = set_cookie_values(_set_cookie_headers(response), settings.wire_name)
    if found is None:
        return None
    value, attributes = found
    if not value or attributes.get("max-age") == "0":
        return {}
    return _decode(codec, value, settings.wire_name)


@contextlib.contextmanager
def session_transaction(
    app: Sanic[Any, Any],
    *,
    cookie: str | None = None,
    response: Any = None,
    blueprint: Blueprint | str | None = None,
) -> Iterator[SessionTransaction]:
    """Edit a session in a ``with`` block, then send it (like Flask's).

    The block starts from the session in ``cookie`` (a ``Cookie`` header
    value, as a client sent it), updated by what ``response`` saved, as a
    browser would; from an empty session when neither is given. After the
    block, ``.cookie`` is the ``Cookie`` header value to send next.

    Example:
        >>> def test_cart_keeps_added_items(app):  # doctest: +SKIP
        ...     with session_transaction(app) as session:
        ...         session["cart"] = ["apple"]
        ...     _, response = app.test_client.get("/cart", headers={"Cookie": session.cookie})
    """
    settings, codec = _namespace(app, blueprint)
    data: dict[str, Any] = {}
    if cookie is not None:
        values = cookie_values(cookie, settings.wire_name)
        if values:
            data = _decode(codec, values[0], settings.wire_name)
    if response is not None:
        saved = load_session(app, response, blueprint=blueprint)
        if saved is not None:
            data = saved
    session = SessionTransaction(data)
    yield session
    session._cookie = f"{settings.wire_name}={_sign(codec, session)}"


def _namespace(app: Sanic[Any, Any], blueprint: Blueprint | str | None) -> tuple[Settings, Codec]:
    engine = get_engine(app)
    settings = Settings.from_config(app.config)
    if blueprint is not None:
        settings = blueprint_settings(app, blueprint, settings)
    return settings, build_codec(settings, engine.serializer_type)


def _sign(codec: Codec, data: Mapping[str, Any]) -> str:
    plain = dict(data)
    return codec.sign(plain, codec.payload(plain))


def _decode(codec: Codec, value: str, name: str) -> dict[str, Any]:
    decoded = codec.loads(value)
    if decoded.data is None:
        raise ValueError(
            f"the {name!r} cookie was not accepted ({decoded.reason}) with the "
            "app's current settings"
        )
    data = decoded.data
    data.pop(CREATED_KEY, None)
    return data


def _set_cookie_headers(response: Any) -> list[str]:
    if isinstance(response, (list, tuple)):
        return [str(item) for item in response]
    headers = getattr(response, "headers", response)
    # Sanic's headers answer any attribute with a header's value: only a
    # callable is the method we look for.
    getall = getattr(headers, "getall", None)  # multidict (a Sanic response)
    if callable(getall):
        return [str(item) for item in getall("set-cookie", [])]
    get_list = getattr(headers, "get_list", None)  # httpx (both test clients)
    if callable(get_list):
        return [str(item) for item in get_list("set-cookie")]
    raise TypeError(f"cannot read Set-Cookie headers from a {type(response).__name__}")
