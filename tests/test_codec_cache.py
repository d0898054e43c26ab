"""The default codec remembers tokens it verified or signed; a hit must
accept exactly what a full decode accepts, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sanic import response

from sanic_cookiesession import codec as codec_module
from sanic_cookiesession.codec import (
    BAD_SIGNATURE,
    EXPIRED,
    FALLBACK_KEY,
    Decoded,
    TimedTokenCodec,
    compact_json,
    snapshot,
)

from .conftest import SECRET
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
    assert (a.nested, a.snapshot) == (b.nested, b.snapshot)
    if a.data is not None:
        # Equal as JSON, type for type (1, 1.0 and True differ), order for order.
        assert snapshot(a.data) == snapshot(b.data)  # type: ignore[arg-type]
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
    third = c.loads(token)
    same(third, first)
    # Every hit hands out the one decoded object (read-only, marked so);
    # private() gives what may be changed: equal type for type, nothing shared.
    assert second is third
    assert second.shared
    own, other = second.private(), second.private()
    assert snapshot(own) == snapshot(second.data)  # type: ignore[arg-type]
    assert compact_json(own) == compact_json(data)
    assert own is not second.data
    assert not _shares_containers(own, second.data)
    assert not _shares_containers(own, other)
    if first.nested:
        assert second.snapshot == snapshot(second.data)  # type: ignore[arg-type]


def test_a_private_copy_can_change_without_touching_the_cache() -> None:
    token = reference().dumps({"user": "ann", "cart": [1, {"sku": "a"}]})
    c, _ = counted()
    own = c.loads(token).private()
    own["cart"].append(3)
    own["cart"][1]["sku"] = "b"
    own["user"] = "eve"
    assert c.loads(token).data == {"user": "ann", "cart": [1, {"sku": "a"}]}
    assert c.loads(token).private() == {"user": "ann", "cart": [1, {"sku": "a"}]}


def test_a_codec_that_does_not_remember_hands_out_what_it_owns() -> None:
    # Decoded data no other request can be given is not marked shared: its
    # session needs no copies. A rejected token's private() is empty.
    decoded = Decoded({"cart": [1]}, b'{"cart":[1]}', None)
    assert not decoded.shared
    assert decoded.private() == {"cart": [1]}
    assert not _shares_containers(decoded.private(), decoded.data)
    assert Decoded.rejected(EXPIRED).private() == {}


@pytest.mark.parametrize("lifetime", [None, 3600])
@pytest.mark.parametrize("data", [{"user": "ann", "visits": 1}, {"user": "ann", "cart": [1]}])
def test_requests_with_the_same_cookie_never_see_each_others_changes(
    lifetime: int | None, data: dict[str, Any]
) -> None:
    # The cache hands the same decoded dict to every request carrying the
    # token (sessions without lists or dicts); the engine copies it into
    # each session, so no request's change shows in the next one, also
    # with SESSION_ABSOLUTE_LIFETIME (which takes a key out of what was
    # decoded). Two requests in one server, as a browser sends them.
    import copy

    from sanic import Sanic

    import sanic_cookiesession
    from sanic_cookiesession.engine import get_engine
    from sanic_cookiesession.testing import session_cookie

    from .conftest import server_request, started, unique_name

    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    app.config.SESSION_ABSOLUTE_LIFETIME = lifetime
    sanic_cookiesession.setup(app)
    engine = get_engine(started(app))
    cookie = session_cookie(app, data)

    seen = []
    for _ in range(3):
        r = server_request(app, cookie)
        session = r.ctx.session
        seen.append(copy.deepcopy(dict(session)))
        session["user"] = "eve"
        session.pop("visits", None)
        if "cart" in session:
            session["cart"].append(2)
        engine.on_response(r, response.text("ok"), r.ctx)
    assert seen == [data, data, data]
    assert len(engine.default.codec._cache) == 2  # the cookie's token and one written


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
