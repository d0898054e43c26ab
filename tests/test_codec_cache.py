"""The default codec remembers tokens it verified or signed; a hit must
accept exactly what a full decode accepts, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sanic import Request, Sanic, response

import sanic_cookiesession
from sanic_cookiesession import codec as codec_module
from sanic_cookiesession.codec import (
    BAD_SIGNATURE,
    EXPIRED,
    FALLBACK_KEY,
    Decoded,
    TimedTokenCodec,
    compact_json,
)
from sanic_cookiesession.engine import get_engine
from sanic_cookiesession.testing import session_cookie

from .conftest import SECRET, Client, unique_name
from .test_codec import NOW, SALT, reference, sessions

OLD = "an-older-secret-key-that-is-long-enough-0123"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec_module, "now", lambda: NOW)


class CountingRing:
    """Wraps a codec's key ring and counts HMAC verifications."""

    def __init__(self, ring: Any) -> None:
        self.ring = ring
        self.matches = 0

    def match(self, value: bytes, signature: bytes) -> int | None:
        self.matches += 1
        return self.ring.match(value, signature)  # type: ignore[no-any-return]

    def sign(self, value: bytes) -> bytes:
        return self.ring.sign(value)  # type: ignore[no-any-return]


def counted(**kwargs: Any) -> tuple[TimedTokenCodec, CountingRing]:
    kwargs.setdefault("max_age", 86400)
    c = TimedTokenCodec(kwargs.pop("secret", SECRET), salt=SALT, **kwargs)
    ring = CountingRing(c.ring)
    c.ring = ring  # type: ignore[assignment]
    return c, ring


def _containers(value: Any) -> list[Any]:
    found = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (dict, list)):
            found.append(item)
            stack.extend(item.values() if isinstance(item, dict) else item)
    return found


def _shares_containers(a: Any, b: Any) -> bool:
    return bool({id(x) for x in _containers(a)} & {id(x) for x in _containers(b)})


def same(a: Decoded, b: Decoded) -> None:
    assert (a.data, a.payload, a.reason, a.body) == (b.data, b.payload, b.reason, b.body)
    if a.data is not None:
        # Equal as JSON, type for type (1, 1.0 and True differ), order for order.
        assert compact_json(a.data) == compact_json(b.data)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(data=sessions)
def test_a_hit_decodes_to_what_a_full_decode_gives(data: dict[str, Any]) -> None:
    token = reference().dumps(data)
    c, ring = counted()
    first = c.loads(token)
    second = c.loads(token)
    assert ring.matches == 1  # the second one skipped the HMAC
    same(first, TimedTokenCodec(SECRET, salt=SALT, max_age=86400).loads(token))
    same(second, first)
    # Each decode hands out objects of its own: nothing is shared.
    assert second.data is not first.data
    assert not _shares_containers(first.data, second.data)


def test_the_cache_holds_bytes_not_the_objects_handed_out() -> None:
    token = reference().dumps({"user": "ann", "cart": [1, {"sku": "a"}]})
    c, _ = counted()
    data = c.loads(token).data
    assert data is not None
    data["cart"].append(3)
    data["cart"][1]["sku"] = "b"
    data["user"] = "eve"
    assert c.loads(token).data == {"user": "ann", "cart": [1, {"sku": "a"}]}
    for entry in c._cache.values():
        assert all(isinstance(part, (int, bytes, str, type(None))) for part in entry)


@pytest.mark.parametrize("lifetime", [None, 3600])
@pytest.mark.parametrize("data", [{"user": "ann", "visits": 1}, {"user": "ann", "cart": [1]}])
def test_requests_with_the_same_cookie_never_see_each_others_changes(
    lifetime: int | None, data: dict[str, Any], mode: str
) -> None:
    # Three requests carrying the same cookie, each changing its session in
    # place (nested too, and through dict's own methods, as C code would):
    # each sees the cookie's contents, also with SESSION_ABSOLUTE_LIFETIME.
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    app.config.SESSION_ABSOLUTE_LIFETIME = lifetime
    sanic_cookiesession.setup(app)
    seen = []

    @app.get("/")
    async def index(request: Request) -> Any:
        session = request.ctx.session
        seen.append(compact_json(dict(session)))
        dict.__setitem__(session, "user", "eve")
        session.pop("visits", None)
        cart = dict.get(session, "cart")
        if cart is not None:
            cart.append(2)
        return response.text("ok")

    client = Client(app, mode)
    cookie = session_cookie(app, data)
    for _ in range(3):
        client.get("/", cookie_header=cookie, use_jar=False)
    assert seen == [compact_json(data)] * 3
    assert len(get_engine(app).default.codec._cache) == 2  # type: ignore[union-attr]


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = reference().dumps({"user": "ann"})  # signed at NOW
    c, ring = counted(max_age=100)
    assert c.loads(token).data == {"user": "ann"}
    monkeypatch.setattr(codec_module, "now", lambda: NOW + 100)
    assert c.loads(token).data == {"user": "ann"}
    monkeypatch.setattr(codec_module, "now", lambda: NOW + 101)
    assert c.loads(token).reason == EXPIRED
    assert ring.matches == 1
    monkeypatch.setattr(codec_module, "now", lambda: NOW - codec_module.CLOCK_SKEW - 1)
    assert c.loads(token).reason == EXPIRED  # forgotten, then rejected in full


def test_a_token_signed_here_is_remembered() -> None:
    c, ring = counted()
    data = {"user": "ann", "cart": [{"sku": "a1", "qty": 2}]}
    token = c.sign(data, c.payload(data))
    decoded = c.loads(token)
    assert ring.matches == 0
    same(decoded, TimedTokenCodec(SECRET, salt=SALT, max_age=86400).loads(token))
    again = c.loads(token)
    same(again, decoded)
    assert ring.matches == 0


def test_fallback_reason_survives_a_hit() -> None:
    token = reference(secret=OLD).dumps({"user": "ann"})
    c, ring = counted(fallbacks=[OLD])
    assert c.loads(token).reason == FALLBACK_KEY
    assert c.loads(token).reason == FALLBACK_KEY
    assert ring.matches == 1


def test_only_exact_tokens_hit() -> None:
    token = reference().dumps({"user": "ann"})
    c, ring = counted()
    c.loads(token)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert c.loads(tampered).reason == BAD_SIGNATURE
    assert c.loads(token + " ").data is None
    assert ring.matches >= 2


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TimedTokenCodec, "CACHE_SIZE", 8)
    c, ring = counted()
    tokens = [reference().dumps({"n": n}) for n in range(20)]
    for token in tokens:
        c.loads(token)
    assert len(c._cache) == 8
    assert set(c._cache) == set(tokens[-8:])  # the oldest went first
    before = ring.matches
    c.loads(tokens[0])
    assert ring.matches == before + 1


def test_large_payloads_and_a_zero_size_are_not_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c, ring = counted()
    big = reference().dumps({"blob": "x" * (TimedTokenCodec.CACHE_MAX_PAYLOAD + 1)})
    c.loads(big)
    c.loads(big)
    assert ring.matches == 2
    monkeypatch.setattr(TimedTokenCodec, "CACHE_SIZE", 0)
    off, ring_off = counted()
    small = reference().dumps({"n": 1})
    off.loads(small)
    off.loads(small)
    assert ring_off.matches == 2
    assert off._cache == {}


@settings(max_examples=50, deadline=None)
@given(data=sessions, key=st.sampled_from([SECRET, OLD, "a-third-secret-key-nobody-uses-0123456"]))
def test_a_codec_with_other_keys_never_accepts_through_its_cache(
    data: dict[str, Any], key: str
) -> None:
    token = reference(secret=key).dumps(data)
    c, _ = counted()
    first, second = c.loads(token), c.loads(token)
    assert (first.data is None) == (key != SECRET)
    same(second, first)


def test_a_token_too_long_to_be_read_back_is_not_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import secrets

    monkeypatch.setattr(codec_module, "MAX_INCOMING_COOKIE", 512)
    c, _ = counted()
    data = {"blob": secrets.token_urlsafe(600)}  # compresses little
    payload = c.payload(data)
    assert len(payload) <= TimedTokenCodec.CACHE_MAX_PAYLOAD
    token = c.sign(data, payload)
    assert len(token) > codec_module.MAX_INCOMING_COOKIE
    assert token not in c._cache
    assert c.loads(token).reason == codec_module.OVERSIZE


def test_circular_sessions_are_refused_and_leave_the_encoder_clean() -> None:
    looped: dict[str, Any] = {"a": []}
    looped["a"].append(looped)
    with pytest.raises(ValueError, match="Circular"):
        compact_json(looped)
    shared = [1, 2]
    assert compact_json({"x": shared, "y": shared}) == b'{"x":[1,2],"y":[1,2]}'
