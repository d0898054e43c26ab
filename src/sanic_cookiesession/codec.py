"""Session <-> cookie value. Decoding untrusted input never raises.

The default codec writes exactly the token of itsdangerous'
``URLSafeTimedSerializer(secret, salt=salt)`` (what 0.3.x wrote), so an app
can move between versions without logging anyone out. It is built on
itsdangerous' own pieces -- its key derivation, base64 and integer
encodings -- with the derived keys computed once and the HMAC taken with
``hmac.digest``, so a request pays for one HMAC and one JSON call.
"""

from __future__ import annotations

import abc
import json
import time
import zlib
from collections.abc import Sequence
from typing import Any

from itsdangerous import BadData
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
#: More than one cookie of the session's name verified (see
#: ``docs/security.md``, sibling subdomains): the request gets none of them.
AMBIGUOUS = "ambiguous"

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


class Codec(abc.ABC):
    """Turns a session into a cookie value and back.

    A codec serializes a session to bytes (its *payload*, which the engine
    compares with the payload read to tell whether the session changed),
    makes the cookie value for a session, and reads one back.
    """

    @abc.abstractmethod
    def payload(self, data: dict[str, Any]) -> bytes:
        """Serialize ``data``; raises if it cannot be encoded."""

    @abc.abstractmethod
    def sign(self, data: dict[str, Any], payload: bytes) -> str:
        """The cookie value for ``data``, whose :meth:`payload` is ``payload``.

        Both are given so that nothing is serialized twice: a codec that
        writes its payload (the default and the encrypted one) signs
        ``payload``; one that writes with a serializer of its own (a custom
        ``serializer_type``) hands that ``data``.
        """

    def resign(self, decoded: Decoded, data: dict[str, Any], payload: bytes) -> str:
        """The cookie value for a session that did not change since it was
        read as ``decoded`` (the refresh on each request). By default made
        anew with :meth:`sign`; a codec that can sign the body it read
        again, with a new time stamp, does that instead."""
        return self.sign(data, payload)

    @abc.abstractmethod
    def loads(self, token: str) -> Decoded:
        """Decode a cookie value. Never raises."""


# What json.dumps(data, ensure_ascii=False, separators=(",", ":")) and
# json.loads build on every call, built once.
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_decode_json = json.JSONDecoder().decode


def compact_json(data: dict[str, Any]) -> bytes:
    """The JSON itsdangerous' URL-safe serializers write (compact, UTF-8)."""
    return _encode_json(data).encode("utf-8")


def load_dict(raw: bytes) -> dict[str, Any] | None:
    """The ``dict`` a JSON payload holds, or ``None``. Never raises.

    Payloads are UTF-8, as itsdangerous writes them; bytes that are not
    (and so could not have been signed by this package) are refused.
    """
    try:
        data = _decode_json(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None


# What verifying a token found: (signed_at, reason, payload, body). Never
# the objects handed to a request: each hit decodes the payload afresh.
_Entry = tuple[int, "str | None", bytes, bytes]


class TimedTokenCodec(Codec):
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
                return self._sign_body(b"." + base64_encode(compressed), payload)
        return self._sign_body(base64_encode(payload), payload)

    def resign(self, decoded: Decoded, data: dict[str, Any], payload: bytes) -> str:
        if decoded.body is None or decoded.payload != payload:
            return self.sign(data, payload)
        # Same contents: the body as read (already encoded and compressed).
        return self._sign_body(decoded.body, payload)

    def _sign_body(self, body: bytes, payload: bytes) -> str:
        """The token for an already encoded ``body`` (of ``payload``),
        signed now, and remembered: the browser sends it back next."""
        stamp = self._stamp
        value = body + b"." + stamp()
        token = (value + b"." + self.ring.sign(value)).decode("ascii")
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
        data = load_dict(payload)
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
