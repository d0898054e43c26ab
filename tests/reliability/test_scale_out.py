"""Stateless scale-out: the session lives in the cookie, so any server that
shares the secret serves it, a restarted server loses nothing, and a key
rotation (old key moved to the fallbacks) logs nobody out."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..servers import free_port, running
from .helpers import COOKIE, OLD_SECRET, SALT, SECRET, Connection, Jar, Reply, record

HERE = Path(__file__).resolve().parent
CLIENTS = 20
LIMIT = 60.0  # seconds, per phase: a safety bound


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def env_for(secret: str, fallbacks: str | None = None, **extra: str) -> dict[str, str]:
    env = {"SANIC_SESSION_COOKIE_SECRET_KEY": secret, **extra}
    if fallbacks is not None:
        env["SANIC_SESSION_COOKIE_SECRET_KEY_FALLBACKS"] = fallbacks
    return env


class Visitor:
    """A client with its own jar and id, that can talk to any server."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.jar = Jar()
        self.n = 0

    async def get(self, port: int, path: str) -> Reply:
        connection = Connection(port, timeout=20)
        try:
            reply = await connection.request("GET", path, cookie=self.jar.header(), close=True)
        finally:
            await connection.close()
        assert reply.status == 200, reply.body[:300]
        self.jar.update(reply)
        return reply

    async def claim(self, port: int) -> None:
        reply = await self.get(port, f"/claim/{self.id}")
        assert reply.json() == {"id": self.id, "n": 0}

    async def inc(self, port: int) -> None:
        reply = await self.get(port, "/inc")
        self.n += 1
        assert reply.json() == {"id": self.id, "n": self.n}

    async def read(self, port: int) -> Any:
        return (await self.get(port, "/read")).json()

    def cookie(self) -> str:
        return self.jar.cookies[COOKIE]


def run(
    visitors: list[Visitor], step: Callable[[Visitor], Awaitable[None]], limit: float = LIMIT
) -> None:
    """Run ``step`` for every visitor concurrently, within the time limit."""

    async def go() -> None:
        await asyncio.wait_for(asyncio.gather(*(step(v) for v in visitors)), limit)

    asyncio.run(go())


def verifies(token: str, secret: str) -> bool:
    try:
        URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=600)
    except BadSignature:
        return False
    return True


@pytest.mark.time_limit(120)
def test_client_alternating_between_two_servers_keeps_one_session() -> None:
    visitors = [Visitor() for _ in range(CLIENTS)]
    rounds = 20
    with (
        running("serve:app", cwd=HERE, env=env_for(SECRET)) as a,
        running("serve:app", cwd=HERE, env=env_for(SECRET)) as b,
    ):
        ports = [port_of(a.url), port_of(b.url)]
        assert a.pid != b.pid

        async def alternate(v: Visitor) -> None:
            await v.claim(ports[0])
            for i in range(rounds):
                await v.inc(ports[(i + 1) % 2])
            # Both servers see the same session.
            assert await v.read(ports[0]) == await v.read(ports[1]) == {"id": v.id, "n": rounds}

        run(visitors, alternate)
        logs = a.log() + b.log()
    assert "Traceback" not in logs
    record("scale_out/two_servers", clients=CLIENTS, requests=CLIENTS * (rounds + 3))


@pytest.mark.time_limit(120)
def test_restarted_server_loses_no_session() -> None:
    visitors = [Visitor() for _ in range(CLIENTS)]

    async def start(v: Visitor) -> None:
        await v.claim(port)
        for _ in range(10):
            await v.inc(port)

    async def carry_on(v: Visitor) -> None:
        for _ in range(10):
            await v.inc(port)
        assert await v.read(port) == {"id": v.id, "n": 20}

    with running("serve:app", cwd=HERE, env=env_for(SECRET)) as first:
        port = port_of(first.url)
        run(visitors, start)
    # The first process is gone; a new one, same port, same secret.
    with running("serve:app", cwd=HERE, env=env_for(SECRET), port=port) as second:
        assert second.pid != first.pid
        run(visitors, carry_on)
    record("scale_out/restart", clients=CLIENTS, requests=CLIENTS * 22)


async def inc_until_served(v: Visitor, port: int, deadline: float) -> int:
    """One increment, retried while the server is down. A retry sends the
    same cookie as the lost attempt, so it cannot count twice. Returns the
    number of retries."""
    retries = 0
    while True:
        try:
            await v.inc(port)
            return retries
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
            if time.monotonic() > deadline:
                raise
            retries += 1
            await asyncio.sleep(0.05)


@pytest.mark.time_limit(150)
def test_server_restarted_while_clients_run_loses_no_session() -> None:
    visitors = [Visitor() for _ in range(CLIENTS)]
    increments = 60
    port = free_port()
    progress = [0]
    retries = [0]
    outcome: list[BaseException | None] = []
    deadline = time.monotonic() + 90

    async def keep_going(v: Visitor) -> None:
        for _ in range(increments):
            retries[0] += await inc_until_served(v, port, deadline)
            progress[0] += 1
            await asyncio.sleep(0.01)  # a steady pace, so the restart lands mid-run

    async def claim_then_go(v: Visitor) -> None:
        await v.claim(port)
        await keep_going(v)
        assert await v.read(port) == {"id": v.id, "n": increments}

    def clients() -> None:
        try:
            run(visitors, claim_then_go, limit=100)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            outcome.append(exc)

    total = CLIENTS * increments
    thread = threading.Thread(target=clients, daemon=True)
    with running("serve:app", cwd=HERE, env=env_for(SECRET), port=port) as first:
        thread.start()
        while progress[0] < total // 3 and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        at_restart = progress[0]
    with running("serve:app", cwd=HERE, env=env_for(SECRET), port=port) as second:
        assert second.pid != first.pid
        thread.join(max(1.0, deadline - time.monotonic()))
        log = second.log()
    assert not thread.is_alive(), "clients still running after the time limit"
    assert outcome == [None], outcome
    assert 0 < at_restart < total  # the restart came mid-run
    assert "Traceback" not in log
    record(
        "scale_out/restart_mid_run",
        clients=CLIENTS,
        requests=CLIENTS * (increments + 2),
        done_before_restart=at_restart,
        retried_while_down=retries[0],
    )


@pytest.mark.time_limit(180)
def test_key_rotation_by_restart_loses_no_session() -> None:
    visited = [Visitor() for _ in range(CLIENTS)]
    away = [Visitor() for _ in range(5)]  # do not come back during the rotation

    async def start(v: Visitor) -> None:
        await v.claim(port)
        for _ in range(5):
            await v.inc(port)

    async def visit_once(v: Visitor) -> None:
        old = v.cookie()
        assert await v.read(port) == {"id": v.id, "n": 5}
        # Re-signed on this one visit: the new cookie needs only the new key.
        assert v.cookie() != old
        assert verifies(v.cookie(), SECRET)
        assert not verifies(v.cookie(), OLD_SECRET)

    async def after(v: Visitor) -> None:
        await v.inc(port)
        assert await v.read(port) == {"id": v.id, "n": 6}

    async def gone(v: Visitor) -> None:
        assert verifies(v.cookie(), OLD_SECRET)
        assert await v.read(port) == {}

    with running("serve:app", cwd=HERE, env=env_for(OLD_SECRET)) as before:
        port = port_of(before.url)
        run(visited + away, start)
    assert all(verifies(v.cookie(), OLD_SECRET) for v in visited + away)

    # Rotation: the new key signs, the old one (and an older one) only
    # verify. With refresh off, only the fallback rule re-signs on a read.
    rotation = env_for(
        SECRET,
        fallbacks=f"{OLD_SECRET},an-even-older-secret-0123456789abcdef",
        SANIC_SESSION_REFRESH_EACH_REQUEST="false",
    )
    with running("serve:app", cwd=HERE, env=rotation, port=port):
        run(visited, visit_once)

    # The old key retired: who visited keeps the session; who did not is
    # logged out (the fallback was what kept them).
    with running("serve:app", cwd=HERE, env=env_for(SECRET), port=port) as last:
        run(visited, after)
        run(away, gone)
        log = last.log()
    assert "Traceback" not in log
    record(
        "scale_out/key_rotation",
        clients=CLIENTS + len(away),
        kept=len(visited),
        logged_out_as_expected=len(away),
    )
