"""Every JSON-compatible session survives save -> load exactly: through the
engine, through both sanic-testing clients and both front doors, and through
a real server. "Exactly" is type-strict: ``1``, ``1.0`` and ``True`` differ,
and so do ``0.0`` and ``-0.0``.

A session whose ``Set-Cookie`` header would pass ``SESSION_COOKIE_MAX_SIZE``
is not sent, and the previous cookie stays: the tests predict which case
applies with itsdangerous itself (the same token format), not with the
package under test.
"""

from __future__ import annotations

import asyncio
import json
import random
import string
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from sanic_cookiesession.engine import CREATED_KEY

from ..conftest import FRONTS, Client
from ..servers import running
from .apps import create_app
from .helpers import (
    COOKIE,
    SALT,
    SECRET,
    AsgiDriver,
    Capture,
    Connection,
    Jar,
    Reply,
    capture_logs,
    record,
    same_json,
)

HERE = Path(__file__).resolve().parent
SERIALIZER = URLSafeTimedSerializer(SECRET, salt=SALT)
MAX_SIZE = 4093  # the default SESSION_COOKIE_MAX_SIZE
SUFFIX = "; Path=/; Max-Age=86400; SameSite=Lax; Secure; HttpOnly"
SEED = {"seed": "the previous session"}

# Valid Unicode only: a lone surrogate cannot be encoded as UTF-8, so it is
# not JSON-compatible (the package logs it and keeps the previous cookie).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
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


def fast(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- through the engine (ASGI, in-process) -------------------------------------


@pytest.fixture(scope="module")
def logs() -> Iterator[Capture]:
    yield from capture_logs()


@pytest.fixture(scope="module")
def driver(logs: Capture) -> Iterator[AsgiDriver]:
    app = create_app("RelRoundTrip", SESSION_COOKIE_SECRET_KEY=SECRET)
    driver = AsgiDriver(app)
    driver.start()
    try:
        yield driver
    finally:
        driver.stop()


def store_and_read(driver: AsgiDriver, data: dict[str, Any]) -> tuple[Reply, dict[str, Any]]:
    seed = seed_cookie()
    jar = Jar({COOKIE: seed})
    body = json.dumps(data).encode()
    stored = driver.request("POST", "/store", [(b"cookie", f"{COOKIE}={seed}".encode())], body)
    assert stored.status == 200
    jar.update(stored)
    if jar.cookies.get(COOKIE, seed) != seed:
        # The cookie holds the session for any reader of the format.
        assert same_json(SERIALIZER.loads(jar.cookies[COOKIE], max_age=60), data)
    cookie = jar.header()
    read = driver.request("GET", "/read", [(b"cookie", cookie.encode())] if cookie else [])
    assert read.status == 200
    return stored, read.json()


ENGINE_CASES = 1500


def test_json_sessions_round_trip_through_the_engine(driver: AsgiDriver, logs: Capture) -> None:
    outcomes: dict[str, int] = {}

    @fast(ENGINE_CASES)
    @given(data=sessions())
    def case(data: dict[str, Any]) -> None:
        logs.clear()
        _, read = store_and_read(driver, data)
        outcome = expect_round_trip(read, data)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == "stored":
            assert not logs.errors()
        else:  # the one error expected: the session was too big to send
            assert all("SESSION_COOKIE_MAX_SIZE" in line for line in logs.errors())

    case()
    record("round_trip/engine", cases=sum(outcomes.values()), **outcomes)
    assert sum(outcomes.values()) >= ENGINE_CASES
    assert outcomes.get("stored", 0) > 0
    assert outcomes.get("not sent", 0) > 0


def test_largest_session_that_fits_round_trips_and_one_more_byte_is_not_sent(
    driver: AsgiDriver,
) -> None:
    rnd = random.Random(6)
    filler = "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(4000))
    low, high = 0, 4000  # fits(low) is True, fits(high) is False
    assert fits({"pad": filler[:low]})
    assert not fits({"pad": filler[:high]})
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if fits({"pad": filler[:mid]}) else (low, mid)
    largest, too_big = {"pad": filler[:low]}, {"pad": filler[:high]}
    stored, read = store_and_read(driver, largest)
    header = next(h for h in stored.header_list("set-cookie") if h.startswith(COOKIE + "="))
    assert len(header) <= MAX_SIZE
    assert same_json(read, largest)
    stored, read = store_and_read(driver, too_big)
    assert stored.header_list("set-cookie") == []
    assert same_json(read, SEED)
    record("round_trip/size_limit", largest_header_bytes=len(header))


@pytest.mark.xfail(
    strict=True,
    reason="package bug: a session that deflates into a small cookie but inflates past "
    "codec.MAX_PAYLOAD (64 KB) is written, then refused on the next request",
)
def test_highly_compressible_session_round_trips(driver: AsgiDriver) -> None:
    data = {"report": "0" * 70_000}
    assert fits(data)  # about 170 bytes of cookie
    _, read = store_and_read(driver, data)
    assert same_json(read, data)


@pytest.mark.xfail(
    strict=True,
    reason="package bug: the engine drops a session key named '_cs_created' (its internal "
    "creation-time key) even when SESSION_ABSOLUTE_LIFETIME is off; undocumented",
)
def test_session_key_named_like_the_internal_created_key_round_trips(driver: AsgiDriver) -> None:
    data = {CREATED_KEY: "a value of the app's", "user": "ann"}
    _, read = store_and_read(driver, data)
    assert same_json(read, data)


# -- through both sanic-testing clients, both front doors ----------------------


CLIENT_CASES = 25


@pytest.mark.parametrize("front", FRONTS)
@pytest.mark.parametrize("client_mode", ["http", "asgi"])
def test_json_sessions_round_trip_through_both_test_clients(front: str, client_mode: str) -> None:
    app = create_app(f"RelRoundTrip{front}{client_mode}", front=front,
                     SESSION_COOKIE_SECRET_KEY=SECRET)
    count = [0]

    @fast(CLIENT_CASES)
    @given(data=sessions())
    def case(data: dict[str, Any]) -> None:
        client = Client(app, client_mode)
        client.jar[COOKIE] = seed_cookie()
        stored = client.post("/store", content=json.dumps(data).encode())
        assert stored.status == 200
        read = client.get("/read")
        assert read.status == 200
        expect_round_trip(read.json(), data)
        count[0] += 1

    case()
    record(f"round_trip/sanic_testing_{client_mode}_{front}", cases=count[0])
    assert count[0] >= CLIENT_CASES


# -- through a real server ---------------------------------------------------


SERVER_CASES = 200


@pytest.mark.time_limit(240)
def test_json_sessions_round_trip_through_a_real_server() -> None:
    env = {"SANIC_SESSION_COOKIE_SECRET_KEY": SECRET, "RELIABILITY_FRONT": FRONTS[-1]}
    loop = asyncio.new_event_loop()
    outcomes: dict[str, int] = {}
    try:
        with running("serve:app", cwd=HERE, env=env) as server:
            connection = Connection(int(server.url.rsplit(":", 1)[1]), timeout=20)

            async def store_and_read(data: dict[str, Any]) -> tuple[Reply, dict[str, Any]]:
                jar = Jar({COOKIE: seed_cookie()})
                stored = await connection.request(
                    "POST", "/store", cookie=jar.header(), body=json.dumps(data).encode()
                )
                assert stored.status == 200
                jar.update(stored)
                read = await connection.request("GET", "/read", cookie=jar.header())
                assert read.status == 200
                return stored, read.json()

            @fast(SERVER_CASES)
            @given(data=sessions())
            def case(data: dict[str, Any]) -> None:
                _, read = loop.run_until_complete(store_and_read(data))
                outcome = expect_round_trip(read, data)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1

            started = time.monotonic()
            try:
                case()
            finally:
                loop.run_until_complete(connection.close())
            log = server.log()
    finally:
        loop.close()
    assert "Traceback" not in log
    record(
        "round_trip/real_server",
        cases=sum(outcomes.values()),
        seconds=round(time.monotonic() - started, 1),
        **outcomes,
    )
    assert sum(outcomes.values()) >= SERVER_CASES
