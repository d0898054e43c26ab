"""What a JSON-compatible session is, for the round-trip tests, and what
should become of it: stored and read back exactly, or (over the size limit)
not sent, the previous session staying whole."""

from __future__ import annotations

import random
import string
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from sanic_cookiesession.engine import CREATED_KEY

from .helpers import COOKIE, SALT, SECRET, same_json

SERIALIZER = URLSafeTimedSerializer(SECRET, salt=SALT)
MAX_SIZE = 4093  # the default SESSION_COOKIE_MAX_SIZE
SUFFIX = "; Path=/; Max-Age=86400; SameSite=Lax; Secure; HttpOnly"
SEED = {"seed": "the previous session"}

# Valid Unicode only: a lone surrogate cannot be encoded as UTF-8, so it is
# not JSON-compatible (the package logs it and keeps the previous cookie).
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**1000), 2**1000)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(text, inner, max_size=6),
    max_leaves=30,
)


@st.composite
def sessions(draw: st.DrawFn) -> dict[str, Any]:
    """A JSON object; sometimes padded with incompressible text up to and
    past the size limit."""
    # The one key the engine keeps for itself is tested on its own (below).
    data = draw(st.dictionaries(text.filter(lambda k: k != CREATED_KEY), values, max_size=8))
    pad = draw(st.one_of(st.just(0), st.integers(0, 3500), st.integers(2500, 4500)))
    if pad:
        rnd = random.Random(draw(st.integers(0, 2**32)))
        data["pad"] = "".join(rnd.choice(string.printable) for _ in range(pad))
    return data


def fits(data: dict[str, Any]) -> bool:
    """Whether the cookie for ``data`` is within the size limit (predicted
    with itsdangerous, which writes the same token)."""
    token = SERIALIZER.dumps(data)
    assert isinstance(token, str)
    return len(f"{COOKIE}={token}{SUFFIX}") <= MAX_SIZE


def seed_cookie() -> str:
    token = SERIALIZER.dumps(SEED)
    assert isinstance(token, str)
    return token


def expect_round_trip(read: dict[str, Any], data: dict[str, Any]) -> str:
    """Check one store + read; returns "stored" or "not sent"."""
    if fits(data):
        assert same_json(read, data), (read, data)
        return "stored"
    # Not sent: the previous session stays, whole.
    assert same_json(read, SEED), read
    return "not sent"


def fast(examples: int, *, shrink: bool = True) -> settings:
    """Settings for ``examples`` cases. Where each case costs a real server
    round trip, ``shrink=False`` reports the first failing case as found
    instead of spending minutes minimizing it (the engine test shrinks)."""
    phases = list(Phase) if shrink else [Phase.explicit, Phase.reuse, Phase.generate]
    return settings(
        max_examples=examples,
        deadline=None,
        phases=phases,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
