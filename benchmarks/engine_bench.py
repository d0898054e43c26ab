"""Engine micro-benchmark: what a session costs a request, in process.

Builds requests the way Sanic's server does (through the app's request
class, after the engine's startup hook ran) and times, per request, the
three phases of the engine separately, in wall time
(``time.perf_counter_ns``, one request at a time, the clock's own cost
taken out; medians of rounds):

- ``ctx``: the first use of ``request.ctx`` (the lazy session attached);
- ``load``: the first use of the session (cookie lookup, token cache or
  decode, the session filled) plus what the route does with it;
- ``save``: what ``respond()`` adds after Sanic's own (the unchanged check,
  ``Vary``, re-signing or encoding, ``Set-Cookie``).

The request carries the same cookie every time, as a browser does until
the cookie changes, so the token cache answers after the first request
(as in ``e2e.py``). A loaded server pays two to three times these figures
(colder caches); ``e2e.py`` measures that.

    python benchmarks/engine_bench.py [--requests 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from pathlib import Path
from time import perf_counter_ns
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from e2e import session_data  # noqa: E402
from serve import COOKIE, SALT, SECRET  # noqa: E402

#: (case, refresh): what the route does with the session.
CASES = [("read", False), ("refresh", True), ("write", True)]
PHASES = ("ctx", "load", "save")
_apps = 0


def clock_overhead() -> float:
    """What two back-to-back ``perf_counter_ns()`` calls measure (ns)."""
    samples = []
    for _ in range(1000):
        t0 = perf_counter_ns()
        t1 = perf_counter_ns()
        samples.append(t1 - t0)
    return statistics.median(samples)


def build_app(refresh: bool) -> Any:
    from sanic import Sanic

    import sanic_cookiesession
    from sanic_cookiesession.engine import get_engine

    global _apps
    _apps += 1
    app = Sanic(f"engine_bench_{_apps}")
    app.config.AUTO_EXTEND = False
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    app.config.SESSION_REFRESH_EACH_REQUEST = refresh
    sanic_cookiesession.setup(app)
    asyncio.run(get_engine(app).configure(app))  # what server startup does
    return app


def measure(case: str, refresh: bool, size: str, requests: int) -> dict[str, float]:
    """Mean ns per request of each phase, over ``requests`` requests."""
    from itsdangerous import URLSafeTimedSerializer
    from sanic import response
    from sanic.compat import Header

    from sanic_cookiesession.engine import get_engine

    app = build_app(refresh)
    engine = get_engine(app)
    token = URLSafeTimedSerializer(SECRET, salt=SALT).dumps(session_data(size))
    headers = {"host": "127.0.0.1", "cookie": f"{COOKIE}={token}"}
    request_class = app.request_class
    totals = dict.fromkeys(PHASES, 0)
    for _ in range(requests):
        request = request_class(b"/", Header(headers), "1.1", "GET", None, app)
        resp = response.text("ok")
        t0 = perf_counter_ns()
        ctx = request.ctx
        t1 = perf_counter_ns()
        session = ctx.session
        if case == "write":
            session["visits"] = session.get("visits", 0) + 1
        else:
            session.get("user")
        t2 = perf_counter_ns()
        engine.on_response(request, resp, ctx)  # what respond() adds
        t3 = perf_counter_ns()
        totals["ctx"] += t1 - t0
        totals["load"] += t2 - t1
        totals["save"] += t3 - t2
    clock = clock_overhead()
    return {phase: max(0.0, total / requests - clock) for phase, total in totals.items()}


def run(requests: int, rounds: int) -> dict[str, Any]:
    rows = []
    for size in ("small", "1k"):
        for case, refresh in CASES:
            samples = [measure(case, refresh, size, requests) for _ in range(rounds)]
            row: dict[str, Any] = {"case": case, "size": size}
            for phase in PHASES:
                row[phase] = statistics.median(s[phase] for s in samples) / 1000
            row["total"] = sum(row[phase] for phase in PHASES)
            rows.append(row)
    return {"requests": requests, "rounds": rounds, "python": sys.version.split()[0], "rows": rows}


def markdown(result: dict[str, Any]) -> str:
    labels = {
        "read": "reads the session, refresh off",
        "refresh": "reads the session, refresh on",
        "write": "changes the session",
    }
    lines = [
        "| case | session | request.ctx (µs) | first use (µs) | save (µs) | total (µs) |",
        "|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        size = "~25 B" if r["size"] == "small" else "~1 KB"
        lines.append(
            f"| {labels[r['case']]} | {size} | {r['ctx']:.2f} | {r['load']:.2f} "
            f"| {r['save']:.2f} | {r['total']:.2f} |"
        )
    lines += [
        "",
        f"Per request, in process, medians of {result['rounds']} rounds of "
        f"{result['requests']:,} requests carrying the same cookie "
        f"(Python {result['python']}).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a few hundred requests")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    result = run(300, 1) if args.quick else run(args.requests, args.rounds)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "engine.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "engine.md").write_text(markdown(result))
    print(markdown(result))
    print(f"written: {args.out}/engine.json, engine.md")


if __name__ == "__main__":
    main()
