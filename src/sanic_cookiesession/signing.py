"""Signing for the default codec: itsdangerous' key derivation, one HMAC
per message from precomputed keyed states, its URL-safe base64 and its
timestamp encoding (the same bytes as ``URLSafeTimedSerializer``)."""

from __future__ import annotations

import binascii
import hashlib
import hmac
from collections.abc import Callable, Sequence

from itsdangerous import BadData, TimestampSigner
from itsdangerous.encoding import int_to_bytes

_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")


def base64_encode(value: bytes) -> bytes:
    """itsdangerous' ``base64_encode`` for bytes (URL-safe, unpadded),
    without its generic conversions."""
    return binascii.b2a_base64(value, newline=False).translate(_TO_URLSAFE).rstrip(b"=")


def base64_decode(value: bytes) -> bytes:
    """itsdangerous' ``base64_decode`` for bytes, without its generic
    conversions: pad, map the URL-safe alphabet, decode leniently (as
    ``base64.urlsafe_b64decode`` does). Raises :class:`BadData`."""
    try:
        return binascii.a2b_base64(value.translate(_FROM_URLSAFE) + b"=" * (-len(value) % 4))
    except binascii.Error as exc:
        raise BadData("Invalid base64-encoded data") from exc


class Stamp:
    """The encoded timestamp, computed once per second."""

    __slots__ = ("encoded", "now", "second")

    def __init__(self, now: Callable[[], int]) -> None:
        self.now = now
        self.second = -1
        self.encoded = b""

    def __call__(self) -> bytes:
        second = self.now()
        if second != self.second:
            self.encoded = base64_encode(int_to_bytes(second))
            self.second = second
        return self.encoded


class KeyRing:
    """The derived signing keys for one secret, its fallbacks and a salt.

    Keys are derived once by itsdangerous' own ``TimestampSigner`` (same
    derivation as ``URLSafeTimedSerializer``: django-concat over SHA-1).
    The first key signs; the rest only verify.
    """

    __slots__ = ("_macs", "digest", "keys")

    def __init__(
        self, secret: str | bytes, fallbacks: Sequence[str | bytes], salt: str
    ) -> None:
        signer = TimestampSigner(secret, salt=salt)
        self.keys: tuple[bytes, ...] = tuple(
            signer.derive_key(key) for key in (secret, *fallbacks)
        )
        self.digest = "sha1"
        # One keyed HMAC per key, copied for each message: the key is
        # padded and hashed once instead of on every call.
        self._macs = tuple(hmac.new(key, digestmod=hashlib.sha1) for key in self.keys)

    def sign(self, value: bytes) -> bytes:
        mac = self._macs[0].copy()
        mac.update(value)
        return base64_encode(mac.digest())

    def match(self, value: bytes, signature: bytes) -> int | None:
        """Index of the key that made ``signature``, or ``None``."""
        for index, base in enumerate(self._macs):
            mac = base.copy()
            mac.update(value)
            if hmac.compare_digest(mac.digest(), signature):
                return index
        return None
