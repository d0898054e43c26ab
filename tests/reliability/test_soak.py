"""Soak: one worker, mixed routes, bounded in time and in requests.

16 keep-alive connections, each a client with its own jar and its own model
of what its session holds, hit five kinds of request (untouched, read,
write, clear, bad cookie) until 60 seconds or 300,000 requests, whichever
comes first (on a 2-core machine the request bound usually comes first).
Every response is checked against the model; the worker's resident memory
must grow by less than 5 MB after a warm-up of 10,000 requests; the server
log holds no error and no cookie value.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import random
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import Signer, URLSafeTimedSerializer

from ..conftest import FRONTS
from ..servers import running
from .helpers import COOKIE, SALT, SECRET, Connection, Jar, record

HERE = Path(__file__).resolve().parent
SERIALIZER = URLSafeTimedSerializer(SECRET, salt=SALT)
SIGNER = Signer(
    SECRET, salt=SALT, sep=".", key_derivation="django-concat", digest_method=hashlib.sha1
)

DURATION = 60.0  # seconds
MAX_REQUESTS = 300_000
WARMUP_REQUESTS = 10_000
CONNECTIONS = 16
RSS_GROWTH_LIMIT_KB = 5 * 1024

ROUTES = ["untouched"] * 25 + ["read"] * 25 + ["write"] * 25 + ["clear"] * 10 + ["bad"] * 15


def _token(data: Any, secret: str = SECRET) -> str:
    value = URLSafeTimedSerializer(secret, salt=SALT).dumps(data)
    assert isinstance(value, str)
    return value


def _bad_cookies() -> list[str]:
    good = _token({"user": "ann", "role": "reader"})
    _, stamp, sig = good.split(".")
    evil = base64.urlsafe_b64encode(b'{"user":"ann","role":"admin"}').rstrip(b"=").decode()
    bomb = b"." + base64.urlsafe_b64encode(zlib.compress(b'{"a":"' + b"x" * 10**6 + b'"}'))
    return [
        f"{evil}.{stamp}.{sig}",  # tampered
        good[:-7],  # truncated
        good[:20] + ("A" if good[20] != "A" else "B") + good[21:],  # one character changed
        _token({"user": "ann"}, secret="a-former-secret-key-0123456789-abcdefgh"),  # wrong key
        _token([1, 2, 3]),  # validly signed, not a dict
        SIGNER.sign(bomb.rstrip(b"=") + b".AAAAAA").decode(),  # validly signed zlib bomb
        "not-a-session-cookie-at-all-0123456789",
        "x" * 4500,  # oversize
    ]


BAD = _bad_cookies()


@dataclass
class Soak:
    deadline: float
    sent: int = 0
    by_route: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    workers: set[str] = field(default_factory=set)
    warm: asyncio.Event = field(default_factory=asyncio.Event)

    def more(self) -> bool:
        return self.sent < MAX_REQUESTS and time.monotonic() < self.deadline and not self.errors


async def client(port: int, seed: int, soak: Soak) -> None:
    rnd = random.Random(seed)
    connection = Connection(port, timeout=30)
    jar = Jar()
    model: dict[str, Any] = {}
    try:
        while soak.more():
            route = rnd.choice(ROUTES)
            soak.sent += 1
            if soak.sent >= WARMUP_REQUESTS:
                soak.warm.set()
            soak.by_route[route] += 1
            bad = route == "bad"
            cookie = f"{COOKIE}={rnd.choice(BAD)}" if bad else jar.header()
            path = {"untouched": "/", "bad": "/read"}.get(route, f"/{route}")
            reply = await connection.request("GET", path, cookie=cookie)
            soak.statuses[reply.status] += 1
            soak.workers.update(reply.header_list("x-worker"))
            if reply.status != 200:
                soak.mismatches.append(f"{route}: status {reply.status}")
                continue
            if route == "write":
                model["w"] = model.get("w", 0) + 1
            elif route == "clear":
                model = {}
            expected: Any = "ok" if route == "untouched" else ({} if bad else model)
            if reply.json() != expected:
                soak.mismatches.append(f"{route}: {reply.json()!r} != {expected!r}")
            if route == "untouched" and reply.header_list("set-cookie"):
                soak.mismatches.append("untouched route wrote a cookie")
            if not bad:  # a bad cookie came from some other browser
                jar.update(reply)
    except Exception as exc:  # noqa: BLE001 - counted and reported
        soak.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await connection.close()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


async def soak_run(port: int, pid: int) -> tuple[Soak, int, int, int, float]:
    soak = Soak(deadline=time.monotonic() + DURATION)
    started = time.monotonic()
    tasks = [asyncio.ensure_future(client(port, seed, soak)) for seed in range(CONNECTIONS)]
    peak = 0

    async def sample() -> None:
        nonlocal peak
        while not all(t.done() for t in tasks):
            peak = max(peak, rss_kb(pid))
            await asyncio.sleep(0.5)

    sampler = asyncio.ensure_future(sample())
    await asyncio.wait_for(soak.warm.wait(), DURATION + 30)
    baseline = rss_kb(pid)
    await asyncio.wait_for(asyncio.gather(*tasks), DURATION + 60)
    await sampler
    final = rss_kb(pid)
    return soak, baseline, final, peak, time.monotonic() - started


@pytest.mark.time_limit(DURATION + 120)
def test_soak_one_worker_mixed_routes() -> None:
    env = {"SANIC_SESSION_COOKIE_SECRET_KEY": SECRET, "RELIABILITY_FRONT": FRONTS[-1]}
    with running("serve:app", cwd=HERE, env=env) as server:
        port = int(server.url.rsplit(":", 1)[1])
        soak, baseline, final, peak, seconds = asyncio.run(soak_run(port, server.pid))
        log = server.log()
    growth = final - baseline
    lines = log.splitlines()
    # serve.py formats the package's records as "LEVEL sanic_cookiesession: ...".
    rejected = sum(line.startswith("INFO sanic_cookiesession:") for line in lines)
    error_lines = [
        line for line in lines
        if any(word in line for word in ("ERROR", "CRITICAL", "Traceback", "WARNING"))
    ]
    record(
        "soak",
        front=FRONTS[-1],
        requests=soak.sent,
        seconds=round(seconds, 1),
        connections=CONNECTIONS,
        routes=" ".join(f"{k}={v}" for k, v in sorted(soak.by_route.items())),
        statuses=" ".join(f"{k}x{v}" for k, v in sorted(soak.statuses.items())),
        server_5xx=sum(v for k, v in soak.statuses.items() if k >= 500),
        client_errors=len(soak.errors),
        mismatches=len(soak.mismatches),
        rss_baseline_kb=baseline,
        rss_final_kb=final,
        rss_peak_kb=peak,
        rss_growth_kb=growth,
        log_rejections=rejected,
        log_errors=len(error_lines),
    )
    assert not soak.errors, soak.errors[:5]
    assert not soak.mismatches, soak.mismatches[:5]
    assert set(soak.statuses) == {200}
    assert soak.sent >= WARMUP_REQUESTS
    # The RSS read is the worker's: with --single-process the server is it.
    assert soak.workers == {str(server.pid)}
    assert growth < RSS_GROWTH_LIMIT_KB, f"RSS grew by {growth} kB"
    assert not error_lines, error_lines[:5]
    # The package's log was read: one INFO line per rejected cookie at most.
    assert 0 < rejected <= soak.by_route["bad"]
    for value in BAD:
        assert value[:40] not in log, "a cookie value reached the server log"
