"""Every JSON-compatible session survives save -> load exactly: through the
engine and through a real server (both sanic-testing clients: see
``test_round_trip_clients.py``). "Exactly" is type-strict: ``1``, ``1.0`` and ``True`` differ,
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
from hypothesis import given

from sanic_cookiesession.engine import CREATED_KEY

from ..conftest import FRONTS
from ..servers import running
from .apps import create_app
from .helpers import (
    COOKIE,
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
from .sessions import (
    MAX_SIZE,
    SEED,
    SERIALIZER,
    expect_round_trip,
    fast,
    fits,
    seed_cookie,
    sessions,
)

HERE = Path(__file__).resolve().parent


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


def test_highly_compressible_session_is_never_written_then_refused(driver: AsgiDriver) -> None:
    data = {"report": "0" * 70_000}
    assert fits(data)  # about 170 bytes of cookie
    stored, read = store_and_read(driver, data)
    if stored.header_list("set-cookie"):
        assert same_json(read, data)  # written: it must read back
    else:
        assert same_json(read, SEED)  # or refused when written, like an oversize one


def test_session_key_named_like_the_internal_created_key_round_trips(driver: AsgiDriver) -> None:
    data = {CREATED_KEY: "a value of the app's", "user": "ann"}
    _, read = store_and_read(driver, data)
    assert same_json(read, data)


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

            @fast(SERVER_CASES, shrink=False)
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
