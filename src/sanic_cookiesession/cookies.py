"""Reading the session cookie from a request, writing it to a response.

Sanic's ``response.add_cookie`` builds a ``Cookie`` object and formats it
when the headers are written; for a value we made ourselves (URL-safe
base64 and dots) the header is known in advance, so it is formatted once
here and added as a plain ``Set-Cookie`` header. ``tests/test_cookies.py``
proves the result is exactly what ``str(sanic.cookies.Cookie(...))`` gives.
"""

from __future__ import annotations

import re
from typing import Any

from sanic.cookies import Cookie
from sanic.cookies.request import COOKIE_NAME_RESERVED_CHARS, parse_cookie

from .config import Settings

# What Sanic (and RFC 6265 tokens) accept unquoted.
_LEGAL_VALUE = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~:]+").fullmatch
# Sanic skips cookies whose name holds one of these.
_RESERVED = COOKIE_NAME_RESERVED_CHARS.search


_reserved_names: dict[str, bool] = {}


def _quoted(value: str) -> bool:
    return len(value) > 2 and value[0] == '"' and value[-1] == '"'


def _is_reserved(name: str) -> bool:
    reserved = _reserved_names.get(name)
    if reserved is None:
        reserved = _reserved_names[name] = _RESERVED(name) is not None
        if len(_reserved_names) > 64:  # names are few; never let this grow
            _reserved_names.clear()
    return reserved


def read_cookie(request: Any, name: str) -> str | None:
    """The value of the cookie called exactly ``name``, or ``None``.

    Sanic's ``request.cookies.get`` would prefer a ``__Host-`` or
    ``__Secure-`` cookie of the same name; a session must read exactly the
    cookie it wrote. Reads the first ``Cookie`` header, as Sanic does.
    """
    return cookie_value(request.headers.getone("cookie", ""), name)


def cookie_value(header: str, name: str) -> str | None:
    """``name``'s value in a ``Cookie`` header, exactly as Sanic parses it.

    The same result as ``sanic.cookies.request.parse_cookie(header)[name][0]``
    (the first of duplicates, quoted values unquoted), with ``None`` for an
    absent or empty cookie, but without parsing every other cookie.
    ``tests/test_cookies.py`` compares the two on odd input.
    """
    if header.startswith(name) and header[len(name) : len(name) + 1] == "=":
        # The usual case: the session cookie comes first. What the loop
        # below would find, without splitting the rest of the header.
        end = header.find(";")
        value = (header[len(name) + 1 :] if end < 0 else header[len(name) + 1 : end]).strip()
        if not _quoted(value) and not _is_reserved(name):
            return value or None
    elif name not in header:
        return None
    if _is_reserved(name):
        return None
    for token in header.split(";"):
        key, sep, value = token.partition("=")
        if not sep or key.strip() != name:
            continue
        value = value.strip()
        if _quoted(value):
            # Quoted (never by us): let Sanic unquote it.
            value = parse_cookie(header)[name][0]
        return value or None  # empty is as good as absent
    return None


class CookieWriter:
    """Formats the session's ``Set-Cookie`` header for one set of settings."""

    __slots__ = ("_delete_suffix", "_set_suffix", "_settings", "name")

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.name = settings.wire_name
        self._set_suffix = self._attributes(settings.max_age)
        self._delete_suffix = self._attributes(0)

    def _attributes(self, max_age: int | None) -> str:
        s = self._settings
        parts = [f"Path={s.path}"]
        if s.domain:
            parts.append(f"Domain={s.domain}")
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if s.samesite:
            parts.append(f"SameSite={s.samesite}")
        if s.secure:
            parts.append("Secure")
        if s.httponly:
            parts.append("HttpOnly")
        if s.partitioned:
            parts.append("Partitioned")
        return "; " + "; ".join(parts)

    def set_header(self, value: str) -> str:
        """The ``Set-Cookie`` header value that stores ``value``."""
        if not _LEGAL_VALUE(value):
            return str(self.sanic_cookie(value, self._settings.max_age))
        return f"{self.name}={value}{self._set_suffix}"

    def token_header(self, token: str) -> str:
        """:meth:`set_header` for a value known to need no quoting (the
        default codec's tokens: URL-safe base64 and dots)."""
        return f"{self.name}={token}{self._set_suffix}"

    def delete_header(self) -> str:
        """The ``Set-Cookie`` header value that deletes the cookie, with the
        attributes it was set with."""
        return f'{self.name}=""{self._delete_suffix}'

    def sanic_cookie(self, value: str, max_age: int | None) -> Cookie:
        """The same cookie made by Sanic's own ``Cookie`` class."""
        s = self._settings
        return Cookie(
            s.cookie_name,
            value,
            path=s.path,
            domain=s.domain,
            secure=s.secure,
            max_age=max_age,
            httponly=s.httponly,
            samesite=s.samesite,  # type: ignore[arg-type]
            partitioned=s.partitioned,
            host_prefix=s.host_prefix,
        )
