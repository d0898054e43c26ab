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
from .engine import CREATED_KEY, get_engine
from .namespaces import _SPEC_ATTR, NamespaceSpec, namespace_settings

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
    found = _cookie_in(_set_cookie_headers(response), settings.wire_name)
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
        value = _cookie_header_value(cookie, settings.wire_name)
        if value:
            data = _decode(codec, value, settings.wire_name)
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
        bp = app.blueprints.get(blueprint) if isinstance(blueprint, str) else blueprint
        if bp is None:
            raise ValueError(f"app {app.name!r} has no blueprint named {blueprint!r}")
        spec: NamespaceSpec | None = getattr(bp.ctx, _SPEC_ATTR, None)
        if spec is not None:
            settings = namespace_settings(app, bp, spec, settings)
    return settings, engine.make_codec(settings)


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


def _cookie_in(headers: list[str], name: str) -> tuple[str, dict[str, str]] | None:
    """The value and lower-cased attributes of the last ``name`` cookie set."""
    found = None
    for header in headers:
        first, *rest = header.split(";")
        key, sep, value = first.partition("=")
        if not sep or key.strip() != name:
            continue
        attributes = {}
        for part in rest:
            attr, _, attr_value = part.partition("=")
            attributes[attr.strip().lower()] = attr_value.strip()
        found = (_unquote(value.strip()), attributes)
    return found


def _cookie_header_value(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip() == name:
            return _unquote(value.strip())
    return None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value
