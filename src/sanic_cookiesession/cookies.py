"""Reading the session cookie from a request, writing it to a response.

Sanic's ``response.add_cookie`` builds a ``Cookie`` object and formats it
when the headers are written; for a value we made ourselves (URL-safe
base64 and dots) the header is known in advance, so it is formatted once
here and added as a plain ``Set-Cookie`` header. ``tests/test_cookies.py``
proves the result is exactly what ``str(sanic.cookies.Cookie(...))`` gives.
"""

from __future__ import annotations

import re

from sanic.cookies import Cookie
from sanic.cookies.request import parse_cookie

from .config import Settings

# What Sanic (and RFC 6265 tokens) accept unquoted.
_LEGAL_VALUE = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~:]+").fullmatch


def cookie_values(header: str, name: str) -> list[str]:
    """Every value of the cookie called exactly ``name`` in a ``Cookie``
    header, in the order sent; empty values left out.

    A browser sends several cookies of one name when a parent domain or a
    sub-path set one too (RFC 6265 5.4), so the caller sees them all.
    Values are read as Sanic reads them (``parse_cookie``: quoted values
    unquoted), but only the cookies called ``name`` are looked at; names
    are matched exactly, so ``__Host-`` and ``__Secure-`` cookies are only
    read when ``name`` says so. ``tests/test_cookies.py`` compares the two.
    """
    if name not in header:
        return []
    values = []
    for part in header.split(";"):
        key, sep, value = part.partition("=")
        if not sep or key.strip() != name:
            continue
        value = value.strip()
        if len(value) > 2 and value[0] == '"' and value[-1] == '"':
            # Quoted (never by us): let Sanic unquote it.
            value = parse_cookie(f"{name}={value}")[name][0]
        if value:  # empty is as good as absent
            values.append(value)
    return values


def set_cookie_values(headers: list[str], name: str) -> tuple[str, dict[str, str]] | None:
    """The value and attributes (lower-cased names) of the last
    ``Set-Cookie`` header that sets cookie ``name``, or ``None``."""
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
        value = value.strip()
        values = cookie_values(f"{name}={value}", name) if value != '""' else []
        found = (values[0] if values else "", attributes)
    return found


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
