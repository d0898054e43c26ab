"""The preformatted Set-Cookie header equals what Sanic's helpers produce."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sanic.cookies import Cookie
from sanic.cookies.request import CookieRequestParameters, parse_cookie

from sanic_cookiesession.config import Settings
from sanic_cookiesession.cookies import CookieWriter, cookie_values, set_cookie_values

from .conftest import SECRET

VARIANTS = [
    dict(zip(("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
              "SESSION_COOKIE_MAX_AGE", "SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_PATH"), combo,
             strict=True))
    for combo in itertools.product(
        [True, False], [True, False], ["Lax", "Strict"], [86400, None], [None, "example.com"],
        ["/", "/app"],
    )
] + [
    {"SESSION_COOKIE_SAMESITE": "None"},
    {"SESSION_COOKIE_SAMESITE": None},
    {"SESSION_COOKIE_HOST_PREFIX": True},
    {"SESSION_COOKIE_HOST_PREFIX": True, "SESSION_COOKIE_PARTITIONED": True},
    {"SESSION_COOKIE_NAME": "sid.v2"},
]

VALUES = ["eyJhIjoxfQ.aBcD.sig-_x", ".eJyrVkrOSc0rSVWyUkpMSlHSUSpOLSrLTE4FAF5cB64.aW.s", "plain"]


def _label(config: dict[str, Any]) -> str:
    return ",".join(f"{key[15:]}={value}" for key, value in config.items())


@pytest.mark.parametrize("config", VARIANTS, ids=_label)
def test_set_header_equals_sanic_cookie(config: dict[str, Any]) -> None:
    settings = Settings.from_config({"SECRET_KEY": SECRET, **config})
    writer = CookieWriter(settings)
    for value in VALUES:
        expected = Cookie(
            settings.cookie_name, value, path=settings.path, domain=settings.domain,
            secure=settings.secure, max_age=settings.max_age, httponly=settings.httponly,
            samesite=settings.samesite, partitioned=settings.partitioned,  # type: ignore[arg-type]
            host_prefix=settings.host_prefix,
        )
        assert writer.set_header(value) == str(expected)
        assert writer.token_header(value) == str(expected)
    deleted = Cookie(
        settings.cookie_name, "", path=settings.path, domain=settings.domain,
        secure=settings.secure, max_age=0, httponly=settings.httponly,
        samesite=settings.samesite, partitioned=settings.partitioned,  # type: ignore[arg-type]
        host_prefix=settings.host_prefix,
    )
    assert writer.delete_header() == str(deleted)


@settings(max_examples=300, deadline=None)
@given(
    data=st.dictionaries(
        st.text(max_size=12),
        st.none() | st.booleans() | st.integers() | st.text(max_size=300) | st.floats(),
        max_size=8,
    )
)
def test_default_codec_tokens_never_need_quoting(data: dict[str, Any]) -> None:
    # Why the engine may format their header without the check set_header
    # makes: every token is URL-safe base64 and dots.
    from sanic_cookiesession.codec import TimedTokenCodec

    codec = TimedTokenCodec(SECRET, salt="cookie-session", max_age=None)
    token = codec.sign(data, codec.payload(data))
    writer = CookieWriter(Settings.from_config({"SECRET_KEY": SECRET}))
    assert writer.token_header(token) == writer.set_header(token) == str(
        writer.sanic_cookie(token, 86400)
    )


def test_value_needing_quotes_falls_back_to_sanic() -> None:
    writer = CookieWriter(Settings.from_config({"SECRET_KEY": SECRET}))
    odd = 'has space;and "quote"'
    assert writer.set_header(odd) == str(writer.sanic_cookie(odd, 86400))
    assert writer.set_header(odd).startswith('_session="')


def sanic_reads_all(header: str, name: str) -> list[str]:
    """What Sanic's own parsing gives for exactly ``name`` (empty = absent)."""
    values = dict.get(CookieRequestParameters(parse_cookie(header)), name) or []
    return [value for value in values if value]


ODD_HEADERS = [
    "_session=a",
    "_session=a; _session=b",
    "_session=; _session=b",
    "__Host-_session=h; _session=p",
    "__Secure-_session=s",
    "__Secure-_session=s; __Host-_session=h",
    "x__Host-_session=1; _session_x=2; x_session=3",
    '_session="quoted"',
    '_session="a\\"b\\073c"',
    '_session="',
    '_session=""',
    "other=1",
    "",
    "_session=",
    "  _session  =  spaced  ",
    "_session",
    "=_session",
    "; ;_session=a;;",
    "a=b=c; _session=x=y",
    "_session=a\tb",
    "Ssession=1; _SESSION=2; _session=3",
    "bad name=1; _session=ok",
    "_session=\u00e9t\u00e9",
    "_session=eyJhIjoxfQ.aBcD.sig-_x; other=\"quoted; with semicolon\"",
]


@pytest.mark.parametrize("header", ODD_HEADERS)
@pytest.mark.parametrize("name", ["_session", "__Host-_session", "__Secure-_session", "sid.v2"])
def test_cookie_values_equal_sanic_parsing(header: str, name: str) -> None:
    assert cookie_values(header, name) == sanic_reads_all(header, name)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["_session", "__Host-_session", "__Secure-_session", " _session",
                             "_session ", "x", "", "a b", '"_session"']),
            st.sampled_from(["=", "", " = "]),
            st.text(alphabet=' abc"\\;=_.-\t0173', max_size=12),
        ),
        max_size=5,
    ),
    st.sampled_from(["; ", ";", " ;"]),
)
def test_cookie_values_equal_sanic_parsing_fuzzed(
    parts: list[tuple[str, str, str]], sep: str
) -> None:
    header = sep.join(f"{n}{eq}{v}" for n, eq, v in parts)
    for name in ("_session", "__Host-_session"):
        assert cookie_values(header, name) == sanic_reads_all(header, name)


@pytest.mark.parametrize(
    ("header", "name", "expected"),
    [
        ("_session=a", "_session", ["a"]),
        ("_session=a; _session=b", "_session", ["a", "b"]),
        ("_session=; _session=b", "_session", ["b"]),
        ("__Host-_session=h; _session=p", "_session", ["p"]),
        ("__Host-_session=h; _session=p", "__Host-_session", ["h"]),
        ("__Secure-_session=s", "_session", []),
        ('_session="quoted"', "_session", ["quoted"]),
        # A cookie whose name merely starts (or ends) with the session's
        # name is never read as the session.
        ("_session_admin=x", "_session", []),
        ("_session_admin=x; x_session=y; _session=z", "_session", ["z"]),
        ("other=1", "_session", []),
        ("", "_session", []),
        ("_session=", "_session", []),
    ],
)
def test_cookie_values_reads_exactly_the_name(
    header: str, name: str, expected: list[str]
) -> None:
    assert cookie_values(header, name) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["_session=a; Path=/; HttpOnly"], ("a", {"path": "/", "httponly": ""})),
        (['_session=""; Path=/; Max-Age=0'], ("", {"path": "/", "max-age": "0"})),
        (['_session="q"; Path=/'], ("q", {"path": "/"})),
        (["_session_admin=x; Path=/"], None),
        (["_session=old; Path=/", "_session=new; Path=/"], ("new", {"path": "/"})),
    ],
)
def test_set_cookie_values_reads_the_last_header_for_the_name(
    headers: list[str], expected: tuple[str, dict[str, str]] | None
) -> None:
    assert set_cookie_values(headers, "_session") == expected
