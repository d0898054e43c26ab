"""A codec around any itsdangerous-style serializer class (a custom
``serializer_type``), built as 0.3.x built it."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from itsdangerous import BadPayload, BadSignature, SignatureExpired

from .codec import BAD_SIGNATURE, EXPIRED, FALLBACK_KEY, MALFORMED, OVERSIZE, Codec, Decoded
from .config import MAX_INCOMING_COOKIE


class SerializerCodec(Codec):
    """A codec around any itsdangerous-style serializer class.

    Used when ``serializer_type`` is not the plain ``URLSafeTimedSerializer``:
    the class is built as 0.3.x built it, ``serializer_type(secret,
    salt=salt)``, and its ``dumps``/``loads(token, max_age=...)`` are used.
    """

    def __init__(
        self,
        serializer_type: Callable[..., Any],
        secret: str | bytes,
        *,
        salt: str,
        max_age: int | None,
        fallbacks: Sequence[str | bytes] = (),
    ) -> None:
        self.current = serializer_type(secret, salt=salt)
        # itsdangerous verifies with every key in the list; the last signs.
        self.any_key = (
            serializer_type([*reversed(fallbacks), secret], salt=salt) if fallbacks else None
        )
        self.max_age = max_age

    def payload(self, data: dict[str, Any]) -> bytes:
        # Only compared, never sent: repr() stands in for types the custom
        # serializer may know how to write.
        return json.dumps(data, separators=(",", ":"), default=repr).encode("utf-8")

    def sign(self, data: dict[str, Any], payload: bytes) -> str:
        # 0.3.x wrote serializer.dumps(session): so does this.
        token = self.current.dumps(data)
        return token.decode("ascii") if isinstance(token, bytes) else str(token)

    def loads(self, token: str) -> Decoded:
        if len(token) > MAX_INCOMING_COOKIE:
            return Decoded.rejected(OVERSIZE)
        reason = None
        try:
            data = self._loads(self.current, token)
        except SignatureExpired:
            return Decoded.rejected(EXPIRED)
        except BadSignature as exc:
            if self.any_key is None or isinstance(exc, BadPayload):
                return Decoded.rejected(_reason(exc))
            try:
                data = self._loads(self.any_key, token)
            except Exception as exc2:  # noqa: BLE001 - never raise on input
                return Decoded.rejected(_reason(exc2))
            reason = FALLBACK_KEY
        except Exception as exc:  # noqa: BLE001 - never raise on input
            return Decoded.rejected(_reason(exc))
        if not isinstance(data, dict):
            return Decoded.rejected(MALFORMED)
        try:
            payload = self.payload(data)
        except Exception:  # noqa: BLE001
            return Decoded.rejected(MALFORMED)
        return Decoded(data, payload, reason)

    def _loads(self, serializer: Any, token: str) -> Any:
        if self.max_age is None:
            return serializer.loads(token)
        return serializer.loads(token, max_age=self.max_age)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, SignatureExpired):
        return EXPIRED
    if isinstance(exc, BadPayload) or not isinstance(exc, BadSignature):
        return MALFORMED
    return BAD_SIGNATURE
