"""Injection micro-benchmark: what declaring ``session: Session`` costs a request.

Whole requests through ASGI, in process (``serve.AsgiWorker``), each with
the same cookie, each handler reading one key (refresh off). ``ext``: the
app extended with ``CookieSession`` (OpenAPI off), with a route calling
``get_session(request)`` and one declaring ``session: Session``, measured
in alternating blocks of requests so that noise hits both alike; their
difference is the price of declaring. ``no-ext``: ``setup(app)`` without
Sanic Extensions, for scale. Fresh processes every round; medians over
rounds of the mean wall time per request.

    python benchmarks/injection_bench.py [--requests 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sanic import Request, Sanic, response
from sanic.log import access_logger

import sanic_cookiesession
from sanic_cookiesession import Session, get_session

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from serve import SECRET, AsgiWorker, cookie_for, running  # noqa: E402

APPS = ("no-ext", "ext")
#: Requests per block of the alternation between the extended app's routes.
BLOCK = 500


def build_app(kind: str) -> Sanic[Any, Any]:
    """The app of ``kind`` (``ext`` or ``no-ext``); run by an AsgiWorker."""
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


def measure(kind: str, requests: int, block: int) -> dict[str, float]:
    """Mean ns per request of each route of ``kind``'s app, in a fresh process."""
    cookie = cookie_for("ours", "small")
    paths = ["/get_session"] if kind == "no-ext" else ["/get_session", "/injected"]
    worker = AsgiWorker(kind, app="injection_bench:build_app")
    with running([worker]):
        for path in paths:  # check the answer, warm up
            reply = worker.batch(path, cookie, min(requests, 2000))
            if reply["status"] != 200 or reply["body"] != "ann":
                raise RuntimeError(f"{kind} {path}: {reply}")
        totals = dict.fromkeys(paths, 0)
        for done in range(0, requests, block):
            n = min(block, requests - done)
            for path in paths if (done // block) % 2 == 0 else paths[::-1]:
                totals[path] += worker.batch(path, cookie, n)["wall_ns"]
    return {f"{kind} {path}": total / requests for path, total in totals.items()}


def run(requests: int, rounds: int, block: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {}
    for index in range(rounds):
        for kind in APPS if index % 2 == 0 else APPS[::-1]:
            for key, ns in measure(kind, requests, block).items():
                samples.setdefault(key, []).append(ns / 1000)
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
        "versions": {name: version(name) for name in ("sanic", "sanic-ext")},
        "us_per_request": us,
        "rounds_us": samples,
        "declaring_session_us": statistics.median(declaring),
        "declaring_session_us_rounds": declaring,
        "sanic_ext_us": us["ext /get_session"] - us["no-ext /get_session"],
    }


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
    args = parser.parse_args(argv)
    requests, rounds = (300, 1) if args.quick else (args.requests, args.rounds)
    result = run(requests, rounds, min(BLOCK, requests))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "injection.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "injection.md").write_text(markdown(result))
    print(markdown(result))
    print(f"written: {args.out}/injection.json, injection.md")


if __name__ == "__main__":
    main()
