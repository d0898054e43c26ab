"""Engine micro-benchmark: what a session costs a request, in process,
through Sanic's public ASGI interface (no engine internals).

The servers of ``serve.py`` that run from this checkout's environment --
``bare``, ``lifecycle`` (two empty lifecycle signal handlers), ``floor``
(the least a session can do on those two signals) and ``ours`` (this
checkout through ``setup(app)``), and the floor and ours again with refresh
off for the "refresh off" case -- each run in a worker process of its own:
Sanic's startup rewrites request code shared by every app of a process
(TouchUp), so one app per process is the only faithful way. A worker starts
its app through the ASGI lifespan (the startup a server runs, TouchUp
included), then drives it with ASGI ``http`` requests, one after the other,
carrying the same cookie every time (as a browser does). Each figure is the
CPU time per request (``time.process_time_ns`` over a batch) of Sanic's
whole request path: request object, the signals, routing, the handler, the
response; workers take turns batch by batch, so that noise hits them alike;
medians of rounds.

The report gives microseconds per request, what this checkout adds over two
empty lifecycle handlers and over the floor, and this checkout's speed over
its baseline's (the baselines of ``e2e.py``'s targets). In process there is
no socket and no HTTP/1.1 parsing, so these ratios are harsher than the
end-to-end ones; ``e2e.py`` measures those.

    python benchmarks/engine_bench.py [--requests 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from time import process_time_ns
from typing import IO, Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from e2e import CASES, SESSION_IMPLS, SIZES, TARGETS, stop, token_for  # noqa: E402
from serve import COOKIE  # noqa: E402

IMPLS = ["bare", "lifecycle", "floor", "ours"]
LABELS = {"bare": "bare", "lifecycle": "2 empty lifecycle handlers", "floor": "floor",
          "ours": "this version"}


# -- the worker (one app, driven through ASGI) ----------------------------


def asgi_scope(path: str, cookie: str) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
        "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"cookie", cookie.encode("latin-1"))],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }


async def serve_worker(impl: str, refresh: bool, commands: IO[str], replies: IO[str]) -> None:
    """Start ``impl``'s app through the ASGI lifespan, then answer batches:
    one JSON line ``{"path", "cookie", "n"}`` in, one
    ``{"ns", "status", "set_cookie"}`` out (CPU ns for the whole batch, and
    the last response's status and whether it set a cookie)."""
    from serve import sanic_app

    app = sanic_app(impl, refresh)
    lifespan_in: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan_out: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await lifespan_in.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, lifespan_in.get, lifespan_out.put)
    )
    started = await lifespan_out.get()
    if started["type"] != "lifespan.startup.complete":
        raise SystemExit(f"{impl} did not start: {started}")

    request = {"type": "http.request", "body": b"", "more_body": False}

    async def receive() -> dict[str, Any]:
        return request

    last: list[dict[str, Any]] = [{}]

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            last[0] = message

    replies.write("ready\n")
    replies.flush()
    for line in commands:
        job = json.loads(line)
        scope = asgi_scope(job["path"], job["cookie"])
        n = job["n"]
        t0 = process_time_ns()
        for _ in range(n):
            await app(dict(scope), receive, send)
        ns = process_time_ns() - t0
        headers = last[0].get("headers", [])
        replies.write(json.dumps({
            "ns": ns,
            "status": last[0].get("status"),
            "set_cookie": any(k.lower() == b"set-cookie" for k, _ in headers),
        }) + "\n")
        replies.flush()
    await lifespan_in.put({"type": "lifespan.shutdown"})
    await lifespan


def worker_main(impl: str, refresh: bool) -> None:
    # Replies go to the real stdout; whatever Sanic logs goes to stderr.
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    asyncio.run(serve_worker(impl, refresh, sys.stdin, replies))


# -- the parent ---------------------------------------------------------------


@dataclass
class Worker:
    name: str
    impl: str
    refresh: bool
    proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", self.impl]
        if not self.refresh:
            cmd.append("--no-refresh")
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env, cwd=str(HERE),
        )

    def ready(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"worker {self.name} did not start (run it with --worker to see)")

    def batch(self, path: str, cookie: str, n: int) -> dict[str, Any]:
        assert self.proc is not None
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"path": path, "cookie": cookie, "n": n}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.name} stopped")
        reply: dict[str, Any] = json.loads(line)
        return reply


def members(case: str, workers: dict[str, Worker]) -> dict[str, Worker]:
    """impl -> the worker that serves it in ``case`` (the refresh-off twin
    of a session server in the "refresh off" case)."""
    return {
        impl: workers[f"{impl}-norefresh" if impl in SESSION_IMPLS and case == "read" else impl]
        for impl in IMPLS
    }


def expected_cookie(impl: str, case: str) -> bool:
    return impl in SESSION_IMPLS and case in ("refresh", "write")


def run(requests: int, rounds: int) -> dict[str, Any]:
    workers = {impl: Worker(impl, impl, True) for impl in IMPLS}
    workers.update({f"{impl}-norefresh": Worker(f"{impl}-norefresh", impl, False)
                    for impl in SESSION_IMPLS})
    routes = {c[0]: c[2] for c in CASES}
    groups = [(case, size) for size in SIZES for case in routes]
    samples: dict[tuple[str, str], dict[str, list[float]]] = {g: {} for g in groups}
    try:
        for worker in workers.values():
            worker.start()
        for worker in workers.values():
            worker.ready()
        # Warm-up, and a check that each server answers as it should.
        for case, size in groups:
            for impl, worker in members(case, workers).items():
                cookie = f"{COOKIE}={token_for(impl, size)}"
                reply = worker.batch(routes[case], cookie, max(10, requests // 10))
                assert reply["status"] == 200, (worker.name, case, size, reply)
                assert reply["set_cookie"] is expected_cookie(impl, case), (
                    worker.name, case, size, reply)
        for r in range(rounds):
            order = groups[r % len(groups):] + groups[: r % len(groups)]
            for case, size in order:
                for impl, worker in members(case, workers).items():
                    cookie = f"{COOKIE}={token_for(impl, size)}"
                    reply = worker.batch(routes[case], cookie, requests)
                    samples[(case, size)].setdefault(impl, []).append(reply["ns"] / requests)
    finally:
        for worker in workers.values():
            if worker.proc is not None:
                if worker.proc.stdin is not None:
                    worker.proc.stdin.close()
                try:
                    worker.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    stop(worker.proc)
    rows = []
    for (case, size), by_impl in samples.items():
        us = {impl: statistics.median(v) / 1000 for impl, v in by_impl.items()}
        baseline = next(b for c, b, _ in TARGETS if c == case)
        rows.append({
            "case": case, "size": size, "us": us,
            "over_lifecycle": us["ours"] - us["lifecycle"],
            "over_floor": us["ours"] - us["floor"],
            "baseline": baseline,
            "ratio": us[baseline] / us["ours"],
        })
    return {"requests": requests, "rounds": rounds, "python": sys.version.split()[0],
            "rows": rows}


def markdown(result: dict[str, Any]) -> str:
    labels = {c[0]: c[1] for c in CASES}
    lines = [
        "| case | session | " + " | ".join(f"{LABELS[i]} (µs)" for i in IMPLS)
        + " | this minus lifecycle (µs) | this minus floor (µs) | baseline ÷ this |",
        "|---|---|" + "---|" * (len(IMPLS) + 3),
    ]
    for r in result["rows"]:
        size = "~25 B" if r["size"] == "small" else "~1 KB"
        lines.append(
            f"| {labels[r['case']]} | {size} | "
            + " | ".join(f"{r['us'][i]:.1f}" for i in IMPLS)
            + f" | {r['over_lifecycle']:+.1f} | {r['over_floor']:+.1f} "
            f"| {r['ratio']:.2f} ({r['baseline']}) |"
        )
    lines += [
        "",
        "CPU time per request through Sanic's ASGI interface, in process, medians of "
        f"{result['rounds']} rounds of {result['requests']:,} requests carrying the same "
        f"cookie (Python {result['python']}). \"baseline ÷ this\": this version's speed over "
        "the baseline of its end-to-end target (two empty lifecycle handlers when the route "
        "never touches the session, the floor otherwise); with no socket and no HTTP parsing "
        "in the figures, it is harsher than the end-to-end ratio.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2_000, help="per batch")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a few hundred requests")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--no-refresh", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(args.worker, refresh=not args.no_refresh)
        return
    result = run(200, 1) if args.quick else run(args.requests, args.rounds)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "engine.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "engine.md").write_text(markdown(result))
    print(markdown(result))
    print(f"written: {args.out}/engine.json, engine.md")


if __name__ == "__main__":
    main()
