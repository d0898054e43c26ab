"""The settings object: read from ``app.config`` once, validated once.

Request code never looks at ``app.config``; it reads a frozen
:class:`Settings` built here when the server starts.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from sanic.utils import str_to_bool

from .exc import ConfigError

#: The 0.3.x keys and their defaults. ``setup()`` writes these into
#: ``app.config`` with ``setdefault``, exactly as 0.3.x did.
LEGACY_DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_NAME": "_session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_MAX_AGE": 86400,
    "SESSION_COOKIE_SALT": "cookie-session",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_NAME": "session",
}

#: Keys added after 0.3.x. They are read with these defaults but never
#: written into ``app.config``.
DEFAULTS: dict[str, Any] = {
    **LEGACY_DEFAULTS,
    "SESSION_REFRESH_EACH_REQUEST": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_PATH": "/",
    "SESSION_COOKIE_PARTITIONED": False,
    "SESSION_COOKIE_HOST_PREFIX": False,
    "SESSION_COOKIE_MAX_SIZE": 4093,
    "SESSION_ABSOLUTE_LIFETIME": None,
    "SESSION_COOKIE_ENCRYPT": False,
}

#: Browsers keep about 4096 bytes per cookie; a longer incoming value is
#: rejected before any decoding.
MAX_INCOMING_COOKIE = 4096

#: A secret shorter than this gets a startup warning.
MIN_SECRET_BYTES = 32

#: Words that mark a secret as a placeholder copied from documentation
#: (matched in lower case, anywhere in the key): such a key is public.
PLACEHOLDER_MARKERS = (
    "change me", "change-me", "change_me", "changeme",
    "replace me", "replace-me", "replace_me", "replace-with", "replace with",
    "placeholder",
)

#: What the docs promise ``none`` means in any key (Sanic loads it from
#: the environment as the string ``"none"``): no value.
NONE_WORD = "none"

_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f"}
# RFC 6265 token characters: what a cookie name may contain.
_TOKEN = frozenset(
    "!#$%&'*+-.^_`|~0123456789"
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


class WeakSecretWarning(UserWarning):
    """The secret key is too short to be a good signing key."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Validated session settings (one per app, and one per namespace).

    Build it with :meth:`from_config`; every field has been checked.
    """

    cookie_name: str
    domain: str | None
    httponly: bool
    max_age: int | None
    salt: str
    secret_key: str | bytes = dataclasses.field(repr=False)
    secret_key_fallbacks: tuple[str | bytes, ...] = dataclasses.field(repr=False)
    secure: bool
    session_name: str
    refresh_each_request: bool
    samesite: str | None
    path: str
    partitioned: bool
    host_prefix: bool
    max_size: int
    absolute_lifetime: int | None
    encrypt: bool

    @property
    def wire_name(self) -> str:
        """The cookie name as sent to the browser (with any prefix)."""
        return f"__Host-{self.cookie_name}" if self.host_prefix else self.cookie_name

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], **overrides: Any
    ) -> Settings:
        """Read and validate every ``SESSION_*`` key of ``config``.

        ``overrides`` replace config values by field name (used by
        namespaces). Raises :class:`ConfigError` naming the first bad key.
        """

        def get(key: str) -> Any:
            return config.get(key, DEFAULTS[key])

        def text(key: str) -> Any:
            return _text(key, get(key))

        secret_key, secret = _secret(config)
        secret = _text(secret_key, secret)
        _check(secret_key, secret, _is_secret, "a non-empty str or bytes")

        fb_key = "SESSION_COOKIE_SECRET_KEY_FALLBACKS"
        fallbacks = config.get(fb_key)
        if _is_none(fallbacks):
            fb_key = "SECRET_KEY_FALLBACKS"
            fallbacks = config.get(fb_key)
        fallbacks = _text(fb_key, fallbacks)  # one key from the environment

        values: dict[str, Any] = {
            "cookie_name": _name("SESSION_COOKIE_NAME", text("SESSION_COOKIE_NAME")),
            "domain": _optional_str("SESSION_COOKIE_DOMAIN", text("SESSION_COOKIE_DOMAIN")),
            "httponly": _bool("SESSION_COOKIE_HTTPONLY", get("SESSION_COOKIE_HTTPONLY")),
            "max_age": _optional_int(
                "SESSION_COOKIE_MAX_AGE", get("SESSION_COOKIE_MAX_AGE"), minimum=1
            ),
            "salt": _str("SESSION_COOKIE_SALT", text("SESSION_COOKIE_SALT")),
            "secret_key": secret,
            "secret_key_fallbacks": _fallbacks(fb_key, fallbacks),
            "secure": _bool("SESSION_COOKIE_SECURE", get("SESSION_COOKIE_SECURE")),
            "session_name": _identifier("SESSION_NAME", text("SESSION_NAME")),
            "refresh_each_request": _bool(
                "SESSION_REFRESH_EACH_REQUEST", get("SESSION_REFRESH_EACH_REQUEST")
            ),
            "samesite": _samesite(
                "SESSION_COOKIE_SAMESITE", get("SESSION_COOKIE_SAMESITE")
            ),
            "path": _path("SESSION_COOKIE_PATH", text("SESSION_COOKIE_PATH")),
            "partitioned": _bool(
                "SESSION_COOKIE_PARTITIONED", get("SESSION_COOKIE_PARTITIONED")
            ),
            "host_prefix": _bool(
                "SESSION_COOKIE_HOST_PREFIX", get("SESSION_COOKIE_HOST_PREFIX")
            ),
            "max_size": _int(
                "SESSION_COOKIE_MAX_SIZE",
                get("SESSION_COOKIE_MAX_SIZE"),
                minimum=64,
                maximum=MAX_INCOMING_COOKIE + 4096,
            ),
            "absolute_lifetime": _optional_int(
                "SESSION_ABSOLUTE_LIFETIME", get("SESSION_ABSOLUTE_LIFETIME"), minimum=1
            ),
            "encrypt": _bool("SESSION_COOKIE_ENCRYPT", get("SESSION_COOKIE_ENCRYPT")),
        }
        values.update(overrides)
        settings = cls(**values)
        settings.check_combination()
        return settings

    def check_combination(self, prefix: str = "") -> None:
        """Reject settings that browsers or Sanic would refuse per request."""
        if self.samesite == "None" and not self.secure:
            raise ConfigError(
                prefix + "SESSION_COOKIE_SAMESITE",
                "'Strict' or 'Lax' when SESSION_COOKIE_SECURE is False "
                "(browsers drop SameSite=None cookies that are not Secure)",
                self.samesite,
            )
        if self.host_prefix:
            if not self.secure:
                raise ConfigError(
                    prefix + "SESSION_COOKIE_SECURE",
                    "True when SESSION_COOKIE_HOST_PREFIX is on (__Host- cookies must be Secure)",
                    self.secure,
                )
            if self.path != "/":
                raise ConfigError(
                    prefix + "SESSION_COOKIE_PATH",
                    "'/' when SESSION_COOKIE_HOST_PREFIX is on",
                    self.path,
                )
            if self.domain:
                raise ConfigError(
                    prefix + "SESSION_COOKIE_DOMAIN",
                    "None when SESSION_COOKIE_HOST_PREFIX is on",
                    self.domain,
                )
        if self.partitioned and not self.host_prefix:
            raise ConfigError(
                prefix + "SESSION_COOKIE_PARTITIONED",
                "False unless SESSION_COOKIE_HOST_PREFIX is True "
                "(partitioned cookies need the __Host- prefix)",
                self.partitioned,
            )

    def warn_weak_secret(self) -> None:
        """Warn (do not fail) when a key that verifies cookies is weak.

        The current key and every fallback key are checked: a fallback key
        still verifies cookies, so a weak one is as good as a weak secret
        to a forger. A key is weak when it is shorter than
        :data:`MIN_SECRET_BYTES` or looks like a placeholder copied from
        the docs. The warning says which key, never what it is.
        """
        keys = [("the session secret key", self.secret_key)]
        keys += [
            (f"session fallback key number {n} (of {len(self.secret_key_fallbacks)})", key)
            for n, key in enumerate(self.secret_key_fallbacks, start=1)
        ]
        for which, key in keys:
            problem = _weakness(key)
            if problem is not None:
                warnings.warn(
                    f"{which[0].upper()}{which[1:]} {problem}; anyone who guesses it can "
                    "forge sessions. Generate one with 'python -m sanic_cookiesession "
                    "genkey' and set SESSION_COOKIE_SECRET_KEY to it (from the "
                    "environment, not the source).",
                    WeakSecretWarning,
                    stacklevel=2,
                )


def _weakness(key: str | bytes) -> str | None:
    """Why ``key`` is weak (in words that do not reveal it), or ``None``."""
    raw = _as_bytes(key)
    if len(raw) < MIN_SECRET_BYTES:
        return f"is shorter than {MIN_SECRET_BYTES} bytes"
    text = raw.decode("utf-8", "replace").lower()
    if any(marker in text for marker in PLACEHOLDER_MARKERS):
        return "looks like a placeholder copied from the documentation"
    return None


def _is_none(value: Any) -> bool:
    """``None``, empty, or the word ``none`` (how the environment says it)."""
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        return text.strip().lower() in ("", NONE_WORD)
    return False


def _secret(config: Mapping[str, Any]) -> tuple[str, Any]:
    """The key that holds the signing secret, and its value.

    ``SESSION_COOKIE_SECRET_KEY`` wins; when it is unset, empty or ``none``
    ``SECRET_KEY`` is used (``none`` there too means no secret at all).
    """
    for key in ("SESSION_COOKIE_SECRET_KEY", "SECRET_KEY"):
        value = config.get(key)
        if not _is_none(value):
            return key, value
    raise ConfigError(
        "SESSION_COOKIE_SECRET_KEY",
        "a non-empty str or bytes: a key made with 'python -m sanic_cookiesession "
        "genkey', put in the environment variable SANIC_SESSION_COOKIE_SECRET_KEY "
        "(SECRET_KEY is used when this is unset; 'none' means no value)",
        config.get("SESSION_COOKIE_SECRET_KEY"),
    )


#: The prefix of the environment variables Sanic loads into ``app.config``.
ENV_PREFIX = "SANIC_"


def _text(key: str, value: Any) -> Any:
    """The value of a key that holds text, as text.

    Sanic casts ``SANIC_`` environment variables that look like numbers or
    booleans (``SANIC_SESSION_COOKIE_SALT=2024`` becomes ``2024``): such a
    value is read back from the environment, as written there (``007``
    stays ``007``). Anything else (a number set in code, say) is left for
    the key's own check, which refuses it.
    """
    if not isinstance(value, (int, float)):
        return value
    raw = os.environ.get(ENV_PREFIX + key)
    if raw is not None:
        cast = _sanic_cast(raw)
        # Compared as text: float("nan") is not equal to itself.
        if type(cast) is type(value) and repr(cast) == repr(value):
            return raw
    return value


def _sanic_cast(raw: str) -> Any:
    """What Sanic makes of an environment variable's text (its default
    converters, tried in the order Sanic tries them)."""
    for convert in (int, float, str_to_bool):
        try:
            return convert(raw)
        except ValueError:
            continue
    return raw


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def _check(key: str, value: Any, ok: Callable[[Any], bool], expected: str) -> None:
    if not ok(value):
        raise ConfigError(key, expected, value)


def _is_secret(value: Any) -> bool:
    return isinstance(value, (str, bytes)) and len(value) > 0


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ConfigError(key, "a boolean (True or False)", value)


def _int(key: str, value: Any, *, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        bound = f"between {minimum} and {maximum}" if maximum else f">= {minimum}"
        raise ConfigError(key, f"an integer {bound}", value)
    return value


def _optional_int(key: str, value: Any, *, minimum: int) -> int | None:
    if _is_none(value):
        return None
    try:
        return _int(key, value, minimum=minimum)
    except ConfigError:
        raise ConfigError(key, f"None or an integer >= {minimum}", value) from None


def _str(key: str, value: Any) -> str:
    if not isinstance(value, str) or _is_none(value):
        raise ConfigError(key, "a non-empty string ('none' means no value)", value)
    return value


def _optional_str(key: str, value: Any) -> str | None:
    if _is_none(value):
        return None
    if not isinstance(value, str) or not set(value) <= _TOKEN:
        raise ConfigError(key, "None or a domain name such as 'example.com'", value)
    return value


def _name(key: str, value: Any) -> str:
    if not isinstance(value, str) or _is_none(value) or not set(value) <= _TOKEN:
        raise ConfigError(key, "a non-empty cookie name (letters, digits, '_', '-', '.')", value)
    return value


def _identifier(key: str, value: Any) -> str:
    if not isinstance(value, str) or _is_none(value) or not value.isidentifier():
        raise ConfigError(key, "a Python identifier such as 'session'", value)
    return value


def _path(key: str, value: Any) -> str:
    if (
        not isinstance(value, str)
        or not value.startswith("/")
        or any(c in value for c in ";,\r\n\t ")
    ):
        raise ConfigError(key, "a URL path starting with '/' such as '/'", value)
    return value


def _samesite(key: str, value: Any) -> str | None:
    if value is None:
        return None  # no SameSite attribute: the browser's default applies
    if isinstance(value, str) and value.lower() in _SAMESITE:
        return _SAMESITE[value.lower()]
    raise ConfigError(key, "one of 'Strict', 'Lax', 'None', or None to leave it out", value)


def _fallbacks(key: str, value: Any) -> tuple[str | bytes, ...]:
    if _is_none(value):
        return ()
    if isinstance(value, str):
        # From an environment variable: a comma-separated list.
        value = [part.strip() for part in value.split(",") if part.strip()]
    expected = "a list of older secret keys (str or bytes), none of them 'none'"
    if isinstance(value, bytes) or not isinstance(value, (list, tuple)):
        raise ConfigError(key, expected, value)
    for item in value:
        # 'none' in a list is a config slip, never a key: a cookie signed
        # with the four letters "none" must not verify.
        if not _is_secret(item) or _is_none(item):
            raise ConfigError(key, expected, value)
    return tuple(value)
