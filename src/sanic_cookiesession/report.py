"""What the save adds besides the cookie: ``Vary``, and the log records that
say why a session was not (or could not be) saved, or was not read (keys,
sizes, cookie names and routes, never values)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sanic.response.types import BaseHTTPResponse

if TYPE_CHECKING:
    from .codec import Codec
    from .namespaces import Namespace

logger = logging.getLogger("sanic_cookiesession")


def add_vary_cookie(response: BaseHTTPResponse) -> None:
    """Add ``Cookie`` to the response's ``Vary``, merged with what is there."""
    headers = response.headers
    if headers.setdefault("Vary", "Cookie") == "Cookie":
        return  # there was none (the usual case), or just this one
    # Merge into what is there, however many Vary headers that is.
    vary = ", ".join(value for value in headers.getall("vary") if value)
    names = {name.strip().lower() for name in vary.split(",")}
    if "cookie" not in names and "*" not in names:  # "*" varies on everything
        headers["Vary"] = f"{vary}, Cookie" if vary else "Cookie"


def drop_set_cookie(response: Any, name: str) -> None:
    """Remove the ``Set-Cookie`` headers for cookie ``name`` (a second save
    replaces what the first one wrote)."""
    prefix = name + "="
    headers = response.headers
    kept = [v for v in headers.getall("set-cookie", []) if not str(v).startswith(prefix)]
    headers.popall("set-cookie", None)
    for value in kept:
        headers.add("Set-Cookie", value)


def log_unencodable(codec: Codec, data: Mapping[str, Any], exc: Exception) -> None:
    """Log which key the serializer could not encode (its type, not its value)."""
    culprit = None
    for key, value in data.items():
        try:
            codec.payload({key: value})
        except Exception:  # noqa: BLE001
            culprit = (key, type(value).__name__)
            break
    if culprit is None:
        logger.error(
            "session not saved: it cannot be encoded (%s); the previous cookie stays",
            type(exc).__name__,
        )
    else:
        logger.error(
            "session not saved: key %r holds a %s, which the serializer cannot "
            "encode; the previous cookie stays",
            *culprit,
        )


def log_oversize(
    ns: Namespace,
    data: Mapping[str, Any],
    size: int,
    what: str = "Set-Cookie header",
    limit: int | None = None,
) -> None:
    """Log that the session is too large, with its three largest keys."""
    sizes = []
    for key, value in data.items():
        try:
            sizes.append((len(ns.codec.payload({key: value})), key))
        except Exception:  # noqa: BLE001
            continue
    largest = ", ".join(f"{key!r} ({n} B)" for n, key in sorted(sizes, reverse=True)[:3])
    if limit is None:
        bound = f"SESSION_COOKIE_MAX_SIZE={ns.settings.max_size} (browsers drop such cookies)"
    else:
        bound = f"the {limit}-byte limit a session is read back with"
    logger.error(
        "session not saved: the %s would be %d bytes, over %s; largest keys: %s; "
        "the previous cookie stays",
        what,
        size,
        bound,
        largest,
    )


_warned_eager: set[type] = set()


def warn_eager_context(cls: type) -> None:
    """Say (once per class) that a context type cannot make the session on
    first access, which blueprint namespaces need."""
    if cls not in _warned_eager:
        _warned_eager.add(cls)
        logger.error(
            "request.ctx is a %s, which cannot make the session on first access; "
            "in an app with blueprint namespaces its session is only reachable "
            "through get_session(request)",
            cls.__name__,
        )


def warn_changed_too_late() -> None:
    """Log that the session changed after its cookie could be written."""
    logger.warning(
        "session changed after the response headers were sent: the change is lost; "
        "call save_session(request, response) after the change: before the first "
        "send() of a streamed response, or on the object file_stream() returned, "
        "before returning it"
    )


_warned_websocket: set[str] = set()


def warn_websocket_change(route: str) -> None:
    """Say (once per route) that a websocket handler changed the session,
    which no cookie can carry once the handshake is done."""
    if route not in _warned_websocket:
        _warned_websocket.add(route)
        logger.warning(
            "websocket route %r changed the session: the change is lost (no cookie "
            "can be set after the websocket handshake); change the session in an "
            "HTTP route instead (this is said once per route)",
            route,
        )


#: Seconds between two warnings about duplicate cookies of one name.
DUPLICATES_WARNING_INTERVAL = 60.0
_warned_duplicates: dict[str, float] = {}


def warn_duplicate_cookies(name: str, sent: int, verified: int) -> None:
    """Say (at most once a minute per cookie name) that a request carried
    several cookies of the session's name."""
    now = time.monotonic()
    last = _warned_duplicates.get(name)
    if last is not None and now - last < DUPLICATES_WARNING_INTERVAL:
        return
    _warned_duplicates[name] = now
    outcome = {
        0: "none verified",
        1: "the one that verified was used, the others ignored",
    }.get(verified, f"{verified} verified, so none was used (the session is empty)")
    logger.warning(
        "a request sent %d cookies named %r (%s); a sibling subdomain or a sub-path "
        "may have set one: such a request never refreshes the cookie, nor deletes it "
        "unless the app deletes the session. "
        "Set SESSION_COOKIE_HOST_PREFIX=True so that other hosts cannot set the "
        "session cookie (this is said at most once a minute)",
        sent,
        name,
        outcome,
    )


_warned_early: set[str] = set()


def warn_namespace_fixed_early(route: str) -> None:
    """Say (once per route) that the session was read before routing, so
    the app's session was used on a route of a blueprint namespace."""
    if route not in _warned_early:
        _warned_early.add(route)
        logger.warning(
            "the session was read before routing (an http.lifecycle.request "
            "handler?), so route %r used the app's session, not its blueprint's "
            "namespace; read it in middleware or in the handler instead (this is "
            "said once per route)",
            route,
        )


def warn_not_saved_unread() -> None:
    """Log that a session changed on a request whose cookie was never read."""
    logger.warning(
        "session changed on a request rejected before its headers were read "
        "(its cookie was never read): the change is not saved"
    )
