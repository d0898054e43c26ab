"""Session <-> cookie value. Decoding untrusted input never raises.

The default codec writes exactly the token of itsdangerous'
``URLSafeTimedSerializer(secret, salt=salt)`` (what 0.3.x wrote), so an app
can move between versions without logging anyone out. It is built on
itsdangerous' own pieces -- its key derivation, base64 and integer
encodings -- with the derived keys computed once and the HMAC taken with
``hmac.digest``, so a request pays for one HMAC and one JSON call.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Sequence
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, Protocol

from itsdangerous import BadData, URLSafeTimedSerializer
from itsdangerous.encoding import bytes_to_int

from .config import MAX_INCOMING_COOKIE
from .signing import KeyRing, Stamp, base64_decode, base64_encode

#: Reasons a cookie was not accepted (or, for ``fallback_key``, accepted
#: but signed with an older key).
EXPIRED = "expired"
BAD_SIGNATURE = "bad_signature"
MALFORMED = "malformed"
OVERSIZE = "oversize"
FALLBACK_KEY = "fallback_key"

#: The largest decompressed payload accepted (a cookie of 4 KB cannot
#: honestly hold more; this stops zlib bombs).
MAX_PAYLOAD = 64 * 1024

#: A token signed this many seconds "in the future" is still accepted, so
#: servers whose clocks differ slightly can share sessions.
CLOCK_SKEW = 60

def now() -> int:
    """Seconds since the epoch. Tests replace ``sanic_cookiesession.codec.now``."""
    return int(time.time())


# zlib cannot shorten a JSON document this small: skip the attempt.
_ZLIB_MIN = 128


class Decoded:
    """What a cookie decoded to.

    Attributes:
        data: The session contents, or ``None`` when the cookie was rejected.
            Decoded afresh for every request: nothing in it is shared.
        payload: The serialized contents as read (compared on save to see
            whether the session changed).
        reason: Why the cookie was rejected, or ``fallback_key`` when it
            was accepted with an older key; ``None`` otherwise.
        body: The token's body as read (what a codec with ``resign`` can
            sign again as is, when the contents did not change).
    """

    __slots__ = ("body", "data", "payload", "reason")

    def __init__(
        self,
        data: dict[str, Any] | None,
        payload: bytes | None,
        reason: str | None,
        body: bytes | None = None,
    ) -> None:
        self.data = data
        self.payload = payload
        self.reason = reason
        self.body = body

    @classmethod
    def rejected(cls, reason: str) -> Decoded:
        return cls(None, None, reason)


class Codec(Protocol):
    """Turns a session into a cookie value and back."""

    def payload(self, data: dict[str, Any]) -> bytes:
        """Serialize ``data`` for comparison; raises if it cannot be encoded."""

    def sign(self, data: dict[str, Any], payload: bytes) -> str:
        """Make the cookie value for ``data`` (whose ``payload`` is given)."""

    def loads(self, token: str) -> Decoded:
        """Decode a cookie value. Never raises."""


# What json.dumps(data, ensure_ascii=False, separators=(",", ":")) builds on
# every call, built once.
_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_encode_json = _encoder.encode
_decode_json = json.JSONDecoder().decode
# What JSONEncoder.encode ends up calling for a dict, called directly (the
# C encoder, made afresh for each call as json does, so that its
# circular-reference bookkeeping starts empty).
_ENCODER_ARGS = (
    _encoder.default,
    encode_basestring,
    None,
    _encoder.key_separator,
    _encoder.item_separator,
    False,
    False,
    True,
)


def compact_json(data: dict[str, Any]) -> bytes:
    """The JSON itsdangerous' URL-safe serializers write (compact, UTF-8)."""
    if c_make_encoder is not None and type(data) is dict:
        return "".join(c_make_encoder({}, *_ENCODER_ARGS)(data, 0)).encode("utf-8")
    return _encode_json(data).encode("utf-8")  # pragma: no cover - no C json


def _load_dict(raw: bytes) -> dict[str, Any] | None:
    try:
        if raw[:1] == b"{" and raw[1:2] != b"\x00":
            # What json.loads(raw) does for UTF-8 (the only encoding
            # itsdangerous writes), minus the encoding detection.
            data = _decode_json(raw.decode("utf-8", "surrogatepass"))
        else:
            data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


# What verifying a token found: (signed_at, reason, payload, body). Never
# the objects handed to a request: each hit decodes the payload afresh.
_Entry = tuple[int, "str | None", bytes, bytes]


class TimedTokenCodec:
    """The default codec: the ``URLSafeTimedSerializer`` token format.

    Tokens verified or signed recently are remembered (see
    :attr:`CACHE_SIZE`): a browser sends back the same cookie until it
    changes, so most requests find their token here and skip the HMAC,
    the base64 and zlib. A token is only ever found by exact equality with
    one this process verified or signed with the same keys, and its age is
    checked on every use, so a hit accepts exactly what a full decode
    would. The cache holds bytes only; the JSON is decoded for each request.
    """

    #: Tokens remembered per codec (one codec per app or namespace); the
    #: oldest goes first. ``0`` turns the cache off.
    CACHE_SIZE = 256
    #: Larger payloads are not remembered. An entry holds the token, the
    #: JSON and the body: under 16 KB, so at most ~4 MB per codec.
    CACHE_MAX_PAYLOAD = 4096

    def __init__(
        self,
        secret: str | bytes,
        *,
        salt: str,
        max_age: int | None,
        fallbacks: Sequence[str | bytes] = (),
    ) -> None:
        self.ring = KeyRing(secret, fallbacks, salt)
        self.max_age = max_age
        self._stamp = Stamp(lambda: now())
        self._cache: dict[str, _Entry] = {}

    def payload(self, data: dict[str, Any]) -> bytes:
        return compact_json(data)

    def sign(self, data: dict[str, Any], payload: bytes) -> str:
        if len(payload) >= _ZLIB_MIN:
            compressed = zlib.compress(payload)
            if len(compressed) < len(payload) - 1:
                return self.resign(b"." + base64_encode(compressed), payload)
        return self.resign(base64_encode(payload), payload)

    def resign(self, body: bytes, payload: bytes | None = None) -> str:
        """The token for an already encoded ``body``, signed now.

        ``payload``, the JSON ``body`` encodes, lets the token be
        remembered: the browser sends it back on its next request.
        """
        stamp = self._stamp
        value = body + b"." + stamp()
        token = (value + b"." + self.ring.sign(value)).decode("ascii")
        if payload is not None:
            self._remember(token, (stamp.second, None, payload, body))
        return token

    def _remember(self, token: str, entry: _Entry) -> None:
        cache = self._cache
        if (
            len(entry[2]) > self.CACHE_MAX_PAYLOAD
            or len(token) > MAX_INCOMING_COOKIE  # could not be read back
            or self.CACHE_SIZE <= 0
            or token in cache
        ):
            return
        if len(cache) >= self.CACHE_SIZE:
            del cache[next(iter(cache))]
        cache[token] = entry

    def loads(self, token: str) -> Decoded:
        entry = self._cache.get(token)
        if entry is None:
            found = self._verify(token)
            if isinstance(found, Decoded):
                return found
            entry = found
        elif self._expired(entry[0]):
            del self._cache[token]
            return Decoded.rejected(EXPIRED)
        _, reason, payload, body = entry
        data = _load_dict(payload)
        if data is None:
            return Decoded.rejected(MALFORMED)
        self._remember(token, entry)
        return Decoded(data, payload, reason, body)

    def _expired(self, signed_at: int) -> bool:
        if self.max_age is None:
            return False
        age = now() - signed_at
        return age > self.max_age or age < -CLOCK_SKEW

    def _verify(self, token: str) -> _Entry | Decoded:
        """What the token holds, or why it is rejected."""
        if len(token) > MAX_INCOMING_COOKIE:
            return Decoded.rejected(OVERSIZE)
        if not token.isascii():
            return Decoded.rejected(MALFORMED)
        raw = token.encode("ascii")
        value, _, sig = raw.rpartition(b".")
        body, dot, stamp = value.rpartition(b".")
        if not dot or not body:
            return Decoded.rejected(MALFORMED)
        try:
            signature = base64_decode(sig)
        except BadData:
            return Decoded.rejected(BAD_SIGNATURE)
        key_index = self.ring.match(value, signature)
        if key_index is None:
            return Decoded.rejected(BAD_SIGNATURE)
        try:
            signed_at = bytes_to_int(base64_decode(stamp))
        except Exception:  # noqa: BLE001 - any garbage here is malformed
            return Decoded.rejected(MALFORMED)
        if self._expired(signed_at):
            return Decoded.rejected(EXPIRED)
        payload = _unpack(body)
        if payload is None:
            return Decoded.rejected(MALFORMED)
        return (signed_at, FALLBACK_KEY if key_index else None, payload, body)


def _unpack(body: bytes) -> bytes | None:
    compressed = body.startswith(b".")
    try:
        raw = base64_decode(body[1:] if compressed else body)
    except BadData:
        return None
    if not compressed:
        return raw
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, MAX_PAYLOAD)
    except zlib.error:
        return None
    if inflater.unconsumed_tail or not inflater.eof:
        return None
    return out


def make_codec(
    serializer_type: Callable[..., Any],
    secret: str | bytes,
    *,
    salt: str,
    max_age: int | None,
    fallbacks: Sequence[str | bytes] = (),
) -> Codec:
    """The fast codec for the default serializer, a wrapper for any other."""
    from .serializer import SerializerCodec

    if serializer_type is URLSafeTimedSerializer:
        return TimedTokenCodec(secret, salt=salt, max_age=max_age, fallbacks=fallbacks)
    return SerializerCodec(
        serializer_type, secret, salt=salt, max_age=max_age, fallbacks=fallbacks
    )
