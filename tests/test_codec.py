"""The default codec writes and reads exactly what itsdangerous (0.3.x) does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from sanic_cookiesession import codec as codec_module
from sanic_cookiesession.codec import (
    BAD_SIGNATURE,
    EXPIRED,
    FALLBACK_KEY,
    MALFORMED,
    OVERSIZE,
    TimedTokenCodec,
)
from sanic_cookiesession.serializer import SerializerCodec

from .conftest import SECRET

SALT = "cookie-session"
NOW = 1_800_000_000

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
sessions = st.dictionaries(st.text(max_size=10), json_values, max_size=6)


class FixedSigner(URLSafeTimedSerializer.default_signer):  # type: ignore[misc]
    def get_timestamp(self) -> int:
        return NOW


def reference(secret: str = SECRET, salt: str = SALT) -> URLSafeTimedSerializer:
    serializer = URLSafeTimedSerializer(secret, salt=salt)
    serializer.signer = FixedSigner
    return serializer


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec_module, "now", lambda: NOW)


def codec(**kwargs: Any) -> TimedTokenCodec:
    kwargs.setdefault("salt", SALT)
    kwargs.setdefault("max_age", 86400)
    return TimedTokenCodec(kwargs.pop("secret", SECRET), **kwargs)


def dumps(c: Any, data: dict[str, Any]) -> str:
    return str(c.sign(data, c.payload(data)))


@settings(max_examples=300, deadline=None)
@given(sessions)
def test_our_tokens_read_by_itsdangerous(data: dict[str, Any]) -> None:
    assert reference().loads(dumps(codec(), data), max_age=86400) == data


@settings(max_examples=300, deadline=None)
@given(sessions)
def test_itsdangerous_tokens_read_by_us(data: dict[str, Any]) -> None:
    decoded = codec().loads(reference().dumps(data))
    assert decoded.reason is None
    assert decoded.data == data


@settings(max_examples=300, deadline=None)
@given(sessions)
def test_token_is_byte_identical_to_itsdangerous(data: dict[str, Any]) -> None:
    ours = dumps(codec(), data)
    theirs = reference().dumps(data)
    # The one allowed difference: below _ZLIB_MIN bytes we do not try zlib
    # (itsdangerous sometimes saves a byte or two); both read either form.
    if len(codec().payload(data)) >= codec_module._ZLIB_MIN:
        assert ours == theirs
    else:
        assert ours == reference().dumps(data) or theirs.startswith(".")
        assert not ours.startswith(".")


def test_large_payload_is_compressed_like_itsdangerous() -> None:
    data = {"items": ["same value"] * 50}
    ours = dumps(codec(), data)
    assert ours.startswith(".")
    assert ours == reference().dumps(data)


def test_payload_compare_key_is_compact_json() -> None:
    assert codec().payload({"a": [1, "é"]}) == '{"a":[1,"é"]}'.encode()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("x" * 5000, OVERSIZE),
        ("nodots", MALFORMED),
        ("a.b", MALFORMED),
        (".x.y", MALFORMED),
        ("abc.def.!!!", BAD_SIGNATURE),
    ],
)
def test_rejection_reasons(value: str, reason: str) -> None:
    assert codec().loads(value).reason == reason
    assert codec().loads(value).data is None


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(0, True), (100, True), (101, False), (-codec_module.CLOCK_SKEW, True),
     (-codec_module.CLOCK_SKEW - 1, False)],
)
def test_expiry_window(offset: int, accepted: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    c = codec(max_age=100)
    token = reference().dumps({"a": 1})
    monkeypatch.setattr(codec_module, "now", lambda: NOW + offset)
    decoded = c.loads(token)
    assert (decoded.data == {"a": 1}) is accepted
    assert decoded.reason == (None if accepted else EXPIRED)


def test_no_max_age_never_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = reference().dumps({"a": 1})
    monkeypatch.setattr(codec_module, "now", lambda: NOW + 10**8)
    assert codec(max_age=None).loads(token).data == {"a": 1}


def test_fallback_key_verifies_but_does_not_sign() -> None:
    old = "an-older-secret-key-that-was-rotated-out-00"
    c = codec(fallbacks=[old])
    decoded = c.loads(reference(secret=old).dumps({"a": 1}))
    assert decoded.data == {"a": 1}
    assert decoded.reason == FALLBACK_KEY
    assert reference().loads(dumps(c, {"a": 1})) == {"a": 1}
    assert codec().loads(reference(secret=old).dumps({"a": 1})).reason == BAD_SIGNATURE


def make_codec(serializer_type: Any, secret: str, *, salt: str, max_age: int | None) -> Any:
    from sanic_cookiesession.config import DEFAULTS, Settings
    from sanic_cookiesession.namespaces import build_codec

    config = {**DEFAULTS, "SESSION_COOKIE_SECRET_KEY": secret, "SESSION_COOKIE_SALT": salt,
              "SESSION_COOKIE_MAX_AGE": max_age}
    return build_codec(Settings.from_config(config), serializer_type)


def test_build_codec_picks_fast_path_only_for_the_exact_default() -> None:
    assert isinstance(make_codec(URLSafeTimedSerializer, SECRET, salt=SALT, max_age=1),
                      TimedTokenCodec)

    class Custom(URLSafeTimedSerializer):
        pass

    assert isinstance(make_codec(Custom, SECRET, salt=SALT, max_age=1), SerializerCodec)


def test_custom_serializer_codec_round_trip_and_reasons() -> None:
    class Custom(URLSafeTimedSerializer):
        pass

    old = "an-older-secret-key-that-was-rotated-out-00"
    c = SerializerCodec(Custom, SECRET, salt=SALT, max_age=100, fallbacks=[old])
    token = c.sign({"a": 1}, c.payload({"a": 1}))
    assert c.loads(token).data == {"a": 1}
    assert c.loads(token).reason is None
    fallback = c.loads(URLSafeTimedSerializer(old, salt=SALT).dumps({"b": 2}))
    assert (fallback.data, fallback.reason) == ({"b": 2}, FALLBACK_KEY)
    assert c.loads("garbage").reason == BAD_SIGNATURE
    assert c.loads("x" * 5000).reason == OVERSIZE
    assert c.loads(URLSafeTimedSerializer(SECRET, salt=SALT).dumps([1])).reason == MALFORMED


def test_untimed_serializer_type_works_like_0_3() -> None:
    c = make_codec(URLSafeSerializer, SECRET, salt=SALT, max_age=None)
    token = c.sign({"a": 1}, c.payload({"a": 1}))
    assert URLSafeSerializer(SECRET, salt=SALT).loads(token) == {"a": 1}
    assert c.loads(token).data == {"a": 1}


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=40).map(lambda b: b.translate(bytes.maketrans(b"+/", b"-_")))
       | st.text(alphabet="AZaz09-_=.!+/ \n", max_size=30).map(str.encode))
def test_base64_decode_accepts_and_rejects_like_itsdangerous(value: bytes) -> None:
    from itsdangerous import BadData
    from itsdangerous.encoding import base64_decode as theirs

    try:
        expected: bytes | None = theirs(value)
    except BadData:
        expected = None
    try:
        ours: bytes | None = codec_module.base64_decode(value)
    except BadData:
        ours = None
    assert ours == expected

