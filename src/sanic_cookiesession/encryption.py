"""Optional encryption: the cookie is unreadable as well as tamper-proof.

Uses Fernet from the ``cryptography`` package (AES-128-CBC with
HMAC-SHA256, authenticated, with a signed timestamp) through
``MultiFernet`` for key rotation. Each Fernet key is derived from the secret
(and each fallback) with HKDF-SHA256, using the cookie salt as HKDF salt, so
per-blueprint salts give per-namespace keys and rotation works as for
signed cookies. Nothing here is home-made: derivation, encryption and
authentication are ``cryptography``'s.

Token: the Fernet token (``0x80 | timestamp | IV | ciphertext | HMAC``,
URL-safe base64) with its ``=`` padding removed, since ``=`` would force
the cookie value to be quoted. Overhead over the JSON payload: 57 bytes
plus padding to 16, times 4/3 for base64 -- about 100 characters for a
small session. The payload is not compressed (compressing data that mixes
secrets with attacker-chosen text leaks the secrets through the length).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from . import codec as _codec
from .codec import (
    BAD_SIGNATURE,
    CLOCK_SKEW,
    EXPIRED,
    FALLBACK_KEY,
    MALFORMED,
    MAX_PAYLOAD,
    OVERSIZE,
    Codec,
    Decoded,
    compact_json,
    load_dict,
)
from .config import MAX_INCOMING_COOKIE, Settings
from .exc import ConfigError

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
except ImportError:  # pragma: no cover - exercised in the no-crypto env
    Fernet = None  # type: ignore[assignment,misc]

_INFO = b"sanic-cookiesession fernet key"


def derive_fernet_key(secret: str | bytes, salt: str) -> bytes:
    """A Fernet key (url-safe base64 of 32 bytes) derived with HKDF-SHA256."""
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt.encode("utf-8"), info=_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(raw))


class EncryptedCodec(Codec):
    """Fernet-encrypted session tokens; the first key encrypts, all decrypt."""

    def __init__(
        self,
        secret: str | bytes,
        *,
        salt: str,
        max_age: int | None,
        fallbacks: Sequence[str | bytes] = (),
    ) -> None:
        self.current = Fernet(derive_fernet_key(secret, salt))
        self.older = (
            MultiFernet([Fernet(derive_fernet_key(key, salt)) for key in fallbacks])
            if fallbacks
            else None
        )
        self.max_age = max_age

    def payload(self, data: dict[str, Any]) -> bytes:
        return compact_json(data)

    def sign(self, data: dict[str, Any], payload: bytes) -> str:
        token = self.current.encrypt_at_time(payload, _codec.now())
        return token.rstrip(b"=").decode("ascii")

    def loads(self, token: str) -> Decoded:
        if len(token) > MAX_INCOMING_COOKIE:
            return Decoded.rejected(OVERSIZE)
        if not token.isascii():
            return Decoded.rejected(MALFORMED)
        raw = token.encode("ascii")
        raw += b"=" * (-len(raw) % 4)
        reason = None
        payload = self._decrypt(self.current, raw)
        if payload is None and self.older is not None:
            payload = self._decrypt(self.older, raw)
            reason = FALLBACK_KEY
        if payload is None:
            return Decoded.rejected(self._why(raw))
        if isinstance(payload, str):
            return Decoded.rejected(payload)
        if len(payload) > MAX_PAYLOAD:
            return Decoded.rejected(OVERSIZE)
        data = load_dict(payload)
        if data is None:
            return Decoded.rejected(MALFORMED)
        return Decoded(data, payload, reason)

    def _decrypt(self, fernet: Fernet | MultiFernet, raw: bytes) -> bytes | str | None:
        """Plaintext; ``EXPIRED`` when authentic but too old; ``None`` if not ours."""
        try:
            if self.max_age is None:
                return fernet.decrypt(raw)
            return fernet.decrypt_at_time(raw, self.max_age, _codec.now())
        except InvalidToken:
            pass
        except Exception:  # noqa: BLE001 - never raise on input
            return None
        try:
            signed_at = fernet.extract_timestamp(raw)
        except (InvalidToken, InvalidSignature, Exception):  # noqa: BLE001
            return None
        now = _codec.now()
        if self.max_age is not None and (
            now - signed_at > self.max_age or signed_at - now > CLOCK_SKEW
        ):
            return EXPIRED
        return None

    def _why(self, raw: bytes) -> str:
        try:
            decoded = base64.urlsafe_b64decode(raw)
        except ValueError:
            return MALFORMED
        return BAD_SIGNATURE if decoded[:1] == b"\x80" else MALFORMED


def make_encrypted_codec(settings: Settings) -> EncryptedCodec:
    """The codec for ``SESSION_COOKIE_ENCRYPT = True``."""
    if Fernet is None:
        raise ConfigError(
            "SESSION_COOKIE_ENCRYPT",
            'False, or install the crypto extra: pip install "sanic-cookiesession[crypto]"',
            True,
        )
    return EncryptedCodec(
        settings.secret_key,
        salt=settings.salt,
        max_age=settings.max_age,
        fallbacks=settings.secret_key_fallbacks,
    )
