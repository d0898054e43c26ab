"""Injection micro-benchmark: what declaring ``session: Session`` costs a request.

Whole requests, in process: an app is started as an ASGI server is (the
lifespan startup runs every ``before_server_start`` listener) and then
called with one ASGI ``http`` request after another, with no network and no
HTTP client in between. Every request carries the same valid session cookie
and its handler reads one key of the session (refresh off: no
``Set-Cookie``). Routes, identical but for how the handler gets the session:

- ``ext / get_session``: the app extended
  (``app.extend(extensions=[CookieSession])``, OpenAPI off); the handler
  calls ``get_session(request)``. sanic-ext's injection already runs on
  every request (``http.routing.after``);
- ``ext / injected``: the same app, another route whose handler declares
  ``session: Session`` instead;
- ``no-ext / get_session``: ``setup(app)`` with ``AUTO_EXTEND = False``, no
  Sanic Extensions at all (another process: Sanic's start-up optimisations
  rewrite shared classes for the first app started in a process).

The two routes of the extended app are measured in alternating blocks of
``--block`` requests, so that whatever else the machine does slows both
alike; their difference is the price of declaring the session. Each round
runs in a fresh process; the figures are medians over rounds of the mean
wall time per request (``time.perf_counter_ns``).

    python benchmarks/injection_bench.py [--requests 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
from pathlib import Path
from time import perf_counter_ns
from typing import Any

from sanic import Request, Sanic, response
from sanic.log import access_logger

import sanic_cookiesession
from sanic_cookiesession import Session, get_session

HERE = Path(__file__).resolve().parent
SECRET = "injection-bench-secret-0123456789-abcdefghijklmnop"
APPS = ("no-ext", "ext")


def build_app(kind: str) -> Any:
    app = Sanic(f"injection_bench_{kind.replace('-', '_')}")
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    app.config.SESSION_REFRESH_EACH_REQUEST = False
    app.config.ACCESS_LOG = False
    access_logger.disabled = True
    if kind == "no-ext":
        app.config.AUTO_EXTEND = False
        sanic_cookiesession.setup(app)
    else:
        from sanic_cookiesession import CookieSession

        app.extend(extensions=[CookieSession], config={"oas": False})

        @app.get("/injected")
        async def injected(request: Request, session: Session) -> Any:
            return response.text(session.get("user", "nobody"))

    @app.get("/get_session")
    async def called(request: Request) -> Any:
        return response.text(get_session(request).get("user", "nobody"))

    return app


class Driver:
    """Starts an app through the ASGI lifespan and sends it requests."""

    def __init__(self, app: Any, cookie: str) -> None:
        self.app = app
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/",
            "raw_path": b"/",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"cookie", cookie.encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        self.body: list[bytes] = []
        self.status = 0
        self._shutdown = asyncio.Event()

    async def start(self) -> None:
        started = asyncio.Event()
        messages = iter([{"type": "lifespan.startup"}])

        async def receive() -> dict[str, Any]:
            message = next(messages, None)
            if message is None:
                await self._shutdown.wait()
                return {"type": "lifespan.shutdown"}
            return message

        outcome: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"].startswith("lifespan.startup"):
                outcome.append(message)
                started.set()

        self._lifespan = asyncio.ensure_future(self.app({"type": "lifespan"}, receive, send))
        waiting = asyncio.ensure_future(started.wait())
        await asyncio.wait([self._lifespan, waiting], return_when=asyncio.FIRST_COMPLETED)
        if not outcome or outcome[0]["type"] != "lifespan.startup.complete":
            waiting.cancel()
            raise RuntimeError(f"the app did not start: {outcome}")

    async def stop(self) -> None:
        self._shutdown.set()
        await self._lifespan

    async def request(self, path: str) -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
            elif message["type"] == "http.response.body":
                self.body.append(message.get("body", b""))

        scope = dict(self.scope)
        scope["path"], scope["raw_path"] = path, path.encode()
        await self.app(scope, receive, send)


async def total_ns(driver: Driver, path: str, requests: int) -> int:
    t0 = perf_counter_ns()
    for _ in range(requests):
        await driver.request(path)
    return perf_counter_ns() - t0


async def measure(kind: str, requests: int, block: int) -> dict[str, float]:
    """Mean ns per request of each route of ``kind``'s app (in this process)."""
    from itsdangerous import URLSafeTimedSerializer

    token = URLSafeTimedSerializer(SECRET, salt="cookie-session").dumps({"user": "ann"})
    driver = Driver(build_app(kind), f"_session={token}")
    paths = ["/get_session"] if kind == "no-ext" else ["/get_session", "/injected"]
    await driver.start()
    try:
        for path in paths:  # check the answer, warm up
            driver.body.clear()
            await driver.request(path)
            if driver.status != 200 or b"".join(driver.body) != b"ann":
                raise RuntimeError(f"{kind} {path}: {driver.status} {b''.join(driver.body)!r}")
            await total_ns(driver, path, min(requests, 2000))
        totals = dict.fromkeys(paths, 0)
        done = 0
        while done < requests:
            n = min(block, requests - done)
            for path in paths if (done // block) % 2 == 0 else paths[::-1]:
                totals[path] += await total_ns(driver, path, n)
            done += n
        return {f"{kind} {path}": total / requests for path, total in totals.items()}
    finally:
        await driver.stop()


def run(requests: int, rounds: int, block: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {}
    for index in range(rounds):
        for kind in APPS if index % 2 == 0 else APPS[::-1]:
            out = subprocess.run(
                [sys.executable, __file__, "--measure", kind,
                 "--requests", str(requests), "--block", str(block)],
                capture_output=True, text=True, check=True,
            )
            for key, value in json.loads(out.stdout.strip().splitlines()[-1]).items():
                samples.setdefault(key, []).append(value / 1000)
    us = {key: statistics.median(values) for key, values in samples.items()}
    declaring = [
        inj - called
        for inj, called in zip(samples["ext /injected"], samples["ext /get_session"], strict=True)
    ]
    return {
        "requests": requests,
        "rounds": rounds,
        "block": block,
        "python": sys.version.split()[0],
        "versions": versions(),
        "us_per_request": us,
        "rounds_us": samples,
        "declaring_session_us": statistics.median(declaring),
        "declaring_session_us_rounds": declaring,
        "sanic_ext_us": us["ext /get_session"] - us["no-ext /get_session"],
    }


def versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("sanic", "sanic-ext")}


def markdown(result: dict[str, Any]) -> str:
    us = result["us_per_request"]
    labels = {
        "no-ext /get_session": "`setup(app)`, no Sanic Extensions; `get_session(request)`",
        "ext /get_session": "Sanic Extensions; `get_session(request)`",
        "ext /injected": "Sanic Extensions; `session: Session` declared",
    }
    base = us["ext /get_session"]
    lines = ["| app | µs per request | vs. `get_session()` |", "|---|---|---|"]
    for key, label in labels.items():
        lines.append(f"| {label} | {us[key]:.1f} | {us[key] - base:+.1f} |")
    rounds = ", ".join(f"{d:+.1f}" for d in result["declaring_session_us_rounds"])
    versions_text = ", ".join(f"{k} {v}" for k, v in result["versions"].items())
    lines += [
        "",
        f"Whole requests through ASGI, in process: medians of {result['rounds']} rounds of "
        f"{result['requests']:,} requests per route (Python {result['python']}, "
        f"{versions_text}). Declaring `session: Session` costs "
        f"{result['declaring_session_us']:+.1f} µs per request (median of the rounds' "
        f"paired differences: {rounds}); Sanic Extensions itself, "
        f"{result['sanic_ext_us']:+.1f} µs.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="a few hundred requests")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--block", type=int, default=500, help="requests per alternation")
    parser.add_argument("--measure", choices=APPS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, args.requests, args.block))))
        return
    requests, rounds = (300, 1) if args.quick else (args.requests, args.rounds)
    result = run(requests, rounds, min(args.block, requests))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "injection.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "injection.md").write_text(markdown(result))
    print(markdown(result))
    print(f"written: {args.out}/injection.json, injection.md")


if __name__ == "__main__":
    main()
