"""100 concurrent clients against a real server with 2 workers.

Each client has its own cookie jar and its own id in its session, makes 50
increments, and checks on every response (the body and the cookie, decoded
with itsdangerous) that the session is its own and counts exactly.
Connections are reopened every few requests, so a client's requests land
on both workers.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer

from ..servers import running
from .helpers import COOKIE, SALT, SECRET, Connection, Jar, Reply, record

HERE = Path(__file__).resolve().parent
SERIALIZER = URLSafeTimedSerializer(SECRET, salt=SALT)
CLIENTS = 100
INCREMENTS = 50
RECONNECT_EVERY = 5
#: Safety bound for the whole run, not an assertion on speed.
RUN_LIMIT = 180.0


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    foreign: int = 0
    workers: set[str] = field(default_factory=set)
    final: dict[str, int] = field(default_factory=dict)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def check_own(reply: Reply, client_id: str, n: int, tally: Tally) -> None:
    """The response (body and cookie) carries this client's session, at ``n``."""
    tally.requests += 1
    tally.workers.update(reply.header_list("x-worker"))
    if reply.status >= 500:
        tally.server_errors += 1
    assert reply.status == 200, reply.body[:300]
    body = reply.json()
    if body.get("id") != client_id:
        tally.foreign += 1
    assert body == {"id": client_id, "n": n}
    value, max_age = reply.set_cookies()[COOKIE]
    assert max_age != "0"
    assert SERIALIZER.loads(value, max_age=600) == {"id": client_id, "n": n}


async def one_client(port: int, client_id: str, tally: Tally) -> None:
    connection = Connection(port, timeout=60)
    jar = Jar()
    try:
        reply = await connection.request("GET", f"/claim/{client_id}")
        check_own(reply, client_id, 0, tally)
        jar.update(reply)
        for n in range(1, INCREMENTS + 1):
            reply = await connection.request(
                "GET", "/inc", cookie=jar.header(), close=n % RECONNECT_EVERY == 0
            )
            check_own(reply, client_id, n, tally)
            jar.update(reply)
        reply = await connection.request("GET", "/read", cookie=jar.header())
        tally.requests += 1
        assert reply.json() == {"id": client_id, "n": INCREMENTS}
        tally.final[client_id] = reply.json()["n"]
    finally:
        await connection.close()


async def all_clients(port: int, tally: Tally) -> list[BaseException | None]:
    ids = [f"client-{i:03d}-{uuid.uuid4().hex}" for i in range(CLIENTS)]
    results = await asyncio.wait_for(
        asyncio.gather(*(one_client(port, cid, tally) for cid in ids), return_exceptions=True),
        RUN_LIMIT,
    )
    return list(results)


@pytest.mark.time_limit(RUN_LIMIT + 60)
def test_100_clients_each_count_to_50_on_2_workers_and_see_only_their_own_session() -> None:
    env = {"SANIC_SESSION_COOKIE_SECRET_KEY": SECRET}
    tally = Tally()
    with running("serve:app", cwd=HERE, env=env, workers=2) as server:
        started = time.monotonic()
        results = asyncio.run(all_clients(port_of(server.url), tally))
        seconds = time.monotonic() - started
        log = server.log()
    errors = [r for r in results if r is not None]
    record(
        "many_clients",
        clients=CLIENTS,
        requests=tally.requests,
        server_errors=tally.server_errors,
        client_errors=len(errors),
        foreign_sessions=tally.foreign,
        workers_seen=len(tally.workers),
        seconds=round(seconds, 1),
    )
    assert not errors, errors[:3]
    assert tally.server_errors == 0
    assert tally.foreign == 0
    assert sorted(tally.final.values()) == [INCREMENTS] * CLIENTS
    assert tally.requests == CLIENTS * (INCREMENTS + 2)
    # The run really did spread over both workers.
    assert len(tally.workers) == 2
    assert "Traceback" not in log
