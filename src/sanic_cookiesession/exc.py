"""Exceptions raised by sanic-cookiesession."""

from __future__ import annotations

from typing import Any


class CookieSessionError(Exception):
    """Base class of every error this package raises."""


class ConfigError(CookieSessionError, RuntimeError):
    """A configuration value is missing or invalid.

    Raised when the server starts (or by ``setup()`` when no secret is
    set), never while serving a request. The message names the key and
    what was expected; a secret's value is never included.

    Attributes:
        key: The ``app.config`` key at fault.
        expected: What a valid value looks like.
    """

    def __init__(self, key: str, expected: str, value: Any = None) -> None:
        self.key = key
        self.expected = expected
        if "SECRET" in key:
            got = f"a {type(value).__name__} (value hidden)" if value else repr(value)
        else:
            got = repr(value)
        super().__init__(f"{key}: expected {expected}, got {got}")


class SessionNotInstalledError(CookieSessionError, RuntimeError):
    """The session was looked up on a request of an app without sessions."""
