"""The benchmark servers, and the launcher every benchmark script runs them with.

As a script, it runs one app (``--impl``) on 127.0.0.1, or in process
answering batches of ASGI requests (``--asgi``). It runs under this
checkout's environment and under 0.3.1's and Starlette's (``envs.py``), so
it imports at the top only the standard library and itsdangerous::

    python benchmarks/serve.py --impl ours --port 8001
    python benchmarks/serve.py --impl floor-norefresh --asgi

Every app has ``/untouched`` (never looks at the session), ``/read`` (reads
one key) and ``/write`` (changes it), each answering ``ok``. ``--impl``:
``bare``, ``lifecycle`` (two empty lifecycle signal handlers), ``floor``
(:func:`floor_app`), ``ours`` (this checkout through ``setup(app)``),
``legacy`` (0.3.1), ``starlette-bare`` and ``starlette``
(``SessionMiddleware``, under uvicorn); a session server's name with
``-norefresh`` runs it with refresh off. Diagnostics: ``middleware`` (an
empty request and response middleware), ``control`` (bare again: the noise
of a run), ``vary`` and ``headers`` (bare Sanic answering with ``Vary:
Cookie``, and also a ``Set-Cookie`` like this checkout's).

As a module, it gives the scripts the cases, targets and cookies, and the
launcher: :class:`Server`, :class:`AsgiWorker`, :func:`running` (start,
wait until ready, stop by PID) and :func:`load` (``wrk``).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import importlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from base64 import b64encode
from binascii import a2b_base64, b2a_base64
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import int_to_bytes

if TYPE_CHECKING:
    from sanic import Sanic

#: The secret every server signs with (benchmark only).
SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
SALT = "cookie-session"
COOKIE = "_session"
#: The session lifetime (seconds): this checkout's default.
MAX_AGE = 86400
#: The attributes this checkout writes after the value with its default
#: settings. The floor and ``headers`` use them as they are; ``e2e.py``
#: checks before every run that ``ours`` still writes the same ones.
COOKIE_ATTRS = "; Path=/; Max-Age=86400; SameSite=Lax; Secure; HttpOnly"
#: The two signals the engine hooks (and nothing else).
LIFECYCLE_SIGNALS = ("http.lifecycle.request", "http.lifecycle.response")

# -- what is measured -------------------------------------------------------

#: The cases, in report order: (key, label, route). The "read" case runs
#: the session servers with refresh off.
CASES = [
    ("untouched", "route never touches the session", "/untouched"),
    ("read", "reads the session, refresh off", "/read"),
    ("refresh", "reads the session, refresh on", "/read"),
    ("write", "changes the session every request", "/write"),
]
ROUTES = {key: route for key, _, route in CASES}
SIZES = ["small", "1k"]
#: The performance targets, the same for both sizes: (case, baseline, least
#: ratio of this checkout's requests per second to the baseline's).
TARGETS = [
    ("untouched", "lifecycle", 0.95),
    ("read", "floor", 0.92),
    ("refresh", "floor", 0.90),
    ("write", "floor", 0.85),
    ("write", "legacy", 1.25),
]
#: Servers that run a session, so a "refresh off" twin serves the read case.
SESSION_IMPLS = ("ours", "floor")
NO_REFRESH = "-norefresh"


def server_for(impl: str, case: str) -> str:
    """The server that stands for ``impl`` in ``case``."""
    return impl + NO_REFRESH if impl in SESSION_IMPLS and case == "read" else impl


def session_data(size: str) -> dict[str, Any]:
    """The session every request carries: ~25 B or ~1 KB of JSON."""
    data: dict[str, Any] = {"user": "ann", "visits": 1}
    if size == "small":
        return data
    rng = random.Random(size)
    cart: list[dict[str, Any]] = []
    while len(json.dumps({**data, "cart": cart}, separators=(",", ":"))) < 1000:
        cart.append({"sku": f"{rng.getrandbits(40):010x}", "qty": rng.randint(1, 9),
                     "note": rng.choice(["gift", "", "express", "fragile"])})
    data["cart"] = cart[:-1]
    return data


def cookie_for(impl: str, size: str) -> str:
    """A ``Cookie`` header value with a valid session for ``impl``'s server."""
    data = session_data(size)
    if impl.startswith("starlette"):
        raw = b64encode(json.dumps(data).encode("utf-8"))
        token = TimestampSigner(SECRET).sign(raw).decode("ascii")
    else:
        token = URLSafeTimedSerializer(SECRET, salt=SALT).dumps(data)
    return f"{COOKIE}={token}"


# -- the apps -----------------------------------------------------------------


def sanic_app(name: str) -> Sanic[Any, Any]:
    """The Sanic app of server ``name``."""
    from sanic import Sanic, response

    impl = name.removesuffix(NO_REFRESH)
    refresh = impl == name
    app = Sanic(f"bench_{impl.replace('-', '_')}")
    # Installing sanic-ext turns on auto-extend in every app (on this side
    # and in 0.3.1's environment alike); switch it off everywhere so that
    # every server runs the same framework path.
    app.config.AUTO_EXTEND = False
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET

    # Empty hooks, registered before the app starts (as the engine does);
    # each returns None (a truthy value would stop a signal's chain).
    async def on_request(request: Any) -> None:
        return None

    async def on_response(request: Any, response: Any) -> None:
        return None

    if impl in ("ours", "legacy"):
        import sanic_cookiesession

        legacy = sanic_cookiesession.__version__.startswith("0.3")
        assert legacy is (impl == "legacy"), sanic_cookiesession.__file__
        if impl == "ours":
            app.config.SESSION_REFRESH_EACH_REQUEST = refresh
        sanic_cookiesession.setup(app)
    elif impl == "lifecycle":
        app.add_signal(on_request, LIFECYCLE_SIGNALS[0])
        app.add_signal(on_response, LIFECYCLE_SIGNALS[1])
    elif impl == "middleware":
        app.register_middleware(on_request, "request")
        app.register_middleware(on_response, "response")
    elif impl == "floor":
        return floor_app(app, refresh)
    elif impl not in ("bare", "control", "vary", "headers"):
        raise SystemExit(f"unknown --impl {name!r}")

    extra: dict[str, str] = {}
    if impl in ("vary", "headers"):
        extra["Vary"] = "Cookie"
    if impl == "headers":
        token = URLSafeTimedSerializer(SECRET, salt=SALT).dumps(session_data("small"))
        extra["Set-Cookie"] = f"{COOKIE}={token}{COOKIE_ATTRS}"
    touch = impl in ("ours", "legacy")

    @app.get("/untouched")
    async def untouched(request: Any) -> Any:
        return response.text("ok", headers=extra or None)

    @app.get("/read")
    async def read(request: Any) -> Any:
        if touch:
            request.ctx.session.get("user")
        return response.text("ok", headers=extra or None)

    @app.get("/write")
    async def write(request: Any) -> Any:
        if touch:
            session = request.ctx.session
            session["visits"] = session.get("visits", 0) + 1
        return response.text("ok", headers=extra or None)

    return app


def floor_app(app: Sanic[Any, Any], refresh: bool) -> Sanic[Any, Any]:
    """The least a signed-cookie session can do on the engine's two signals,
    inline, with no library: no token cache, no session object, no change
    detection (the route says when it changed the data). Its tokens are
    ``URLSafeTimedSerializer``'s; ``benchmarks/README.md`` describes it, and
    ``e2e.py`` checks before every run that itsdangerous accepts them."""
    from sanic import response

    key = URLSafeTimedSerializer(SECRET, salt=SALT).make_signer(SALT).derive_key()
    prefix = COOKIE + "="
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    # The payload is JSON a JSON encoder wrote (its signature says so): no
    # need for json.loads' checks of the whitespace around it.
    loads = json.JSONDecoder().raw_decode

    # HMAC-SHA1 from its two keyed SHA-1 states, copied per message (the
    # same bytes as ``hmac.digest``; the cheapest way to it in Python).
    inner = hashlib.sha1(bytes(b ^ 0x36 for b in key.ljust(64, b"\0")))
    outer = hashlib.sha1(bytes(b ^ 0x5C for b in key.ljust(64, b"\0")))

    def mac(value: bytes) -> bytes:
        i = inner.copy()
        i.update(value)
        o = outer.copy()
        o.update(i.digest())
        return o.digest()

    assert mac(b"x") == hmac.digest(key, b"x", "sha1")

    # url-safe base64 without padding, straight from binascii (what
    # base64.urlsafe_b64encode / decode do, less their argument checks).
    to_urlsafe = bytes.maketrans(b"+/", b"-_")
    from_urlsafe = bytes.maketrans(b"-_", b"+/")

    def b64(raw: bytes) -> bytes:
        return b2a_base64(raw, newline=False).translate(to_urlsafe).rstrip(b"=")

    def unb64(text: bytes) -> bytes:
        return a2b_base64(text.translate(from_urlsafe) + b"=" * (-len(text) % 4))

    def find(header: str | None) -> str | None:
        if not header:
            return None
        if header.startswith(prefix):
            start = len(prefix)
        else:
            start = header.find("; " + prefix)
            if start < 0:
                return None
            start += len(prefix) + 2
        end = header.find(";", start)
        return header[start:] if end < 0 else header[start:end]

    def decode(token: str) -> tuple[dict[str, Any], bytes] | None:
        try:
            value, _, sig = token.encode("ascii").rpartition(b".")
            if not hmac.compare_digest(b64(mac(value)), sig):
                return None
            payload, _, stamp = value.rpartition(b".")
            if not 0 <= int(time.time()) - int.from_bytes(unb64(stamp), "big") <= MAX_AGE:
                return None
            if payload.startswith(b"."):
                data = loads(zlib.decompress(unb64(payload[1:])).decode())[0]
            else:
                data = loads(unb64(payload).decode())[0]
        except (ValueError, zlib.error):
            return None
        return (data, payload) if type(data) is dict else None

    # The timestamp, encoded once per second.
    stamp: list[Any] = [0, b""]

    def set_cookie(payload: bytes) -> str:
        second = int(time.time())
        if second != stamp[0]:
            stamp[:] = [second, b64(int_to_bytes(second))]
        value = payload + b"." + stamp[1]
        return f"{prefix}{(value + b'.' + b64(mac(value))).decode('ascii')}{COOKIE_ATTRS}"

    async def on_request(request: Any) -> None:
        ctx = request.ctx
        ctx.token = find(request.headers.get("cookie"))
        ctx.session = None

    def session(request: Any) -> dict[str, Any]:
        """What a route calls to use the session (decoded here, once)."""
        ctx = request.ctx
        decoded = decode(ctx.token) if ctx.token else None
        ctx.payload = decoded[1] if decoded else None
        ctx.changed = False
        ctx.session = data = decoded[0] if decoded else {}
        return data

    async def on_response(request: Any, response: Any) -> None:
        ctx = request.ctx
        if getattr(ctx, "session", None) is None:
            return None
        headers = response.headers
        headers["Vary"] = "Cookie"
        if ctx.changed:
            headers.add("Set-Cookie", set_cookie(b64(dumps(ctx.session).encode())))
        elif refresh and ctx.payload is not None:
            headers.add("Set-Cookie", set_cookie(ctx.payload))
        return None

    app.add_signal(on_request, LIFECYCLE_SIGNALS[0])
    app.add_signal(on_response, LIFECYCLE_SIGNALS[1])

    @app.get("/untouched")
    async def untouched(request: Any) -> Any:
        return response.text("ok")

    @app.get("/read")
    async def read(request: Any) -> Any:
        session(request).get("user")
        return response.text("ok")

    @app.get("/write")
    async def write(request: Any) -> Any:
        data = session(request)
        data["visits"] = data.get("visits", 0) + 1
        request.ctx.changed = True
        return response.text("ok")

    return app


def starlette_app(impl: str) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    touch = impl == "starlette"

    async def untouched(request: Any) -> Any:
        return PlainTextResponse("ok")

    async def read(request: Any) -> Any:
        if touch:
            request.session.get("user")
        return PlainTextResponse("ok")

    async def write(request: Any) -> Any:
        if touch:
            request.session["visits"] = request.session.get("visits", 0) + 1
        return PlainTextResponse("ok")

    middleware = (
        [Middleware(SessionMiddleware, secret_key=SECRET, session_cookie=COOKIE)] if touch else []
    )
    routes = [Route("/untouched", untouched), Route("/read", read), Route("/write", write)]
    return Starlette(routes=routes, middleware=middleware)


# -- one app, in the child process -------------------------------------------


def asgi_scope(path: str, cookie: str) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
        "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"cookie", cookie.encode("latin-1"))],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }


async def asgi_worker(app: Any, commands: IO[str], replies: IO[str]) -> None:
    """Start ``app`` through the ASGI lifespan (the startup a server runs,
    TouchUp included), then answer batches of identical requests: one JSON
    line ``{"path", "cookie", "n"}`` in, one ``{"cpu_ns", "wall_ns",
    "status", "set_cookie", "body"}`` out (the batch's CPU and wall time,
    and what the last response was)."""
    lifespan_in: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan_out: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await lifespan_in.put({"type": "lifespan.startup"})
    lifespan = asyncio.ensure_future(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, lifespan_in.get, lifespan_out.put)
    )
    started = asyncio.ensure_future(lifespan_out.get())
    await asyncio.wait([lifespan, started], return_when=asyncio.FIRST_COMPLETED)
    if not started.done() or started.result()["type"] != "lifespan.startup.complete":
        raise SystemExit(f"the app did not start: {started.result() if started.done() else ''}")

    request = {"type": "http.request", "body": b"", "more_body": False}

    async def receive() -> dict[str, Any]:
        return request

    last: dict[str, dict[str, Any]] = {}

    async def send(message: dict[str, Any]) -> None:
        last[message["type"]] = message

    replies.write("ready\n")
    replies.flush()
    for line in commands:
        job = json.loads(line)
        scope = asgi_scope(job["path"], job["cookie"])
        wall, cpu = time.perf_counter_ns(), time.process_time_ns()
        for _ in range(job["n"]):
            await app(dict(scope), receive, send)
        cpu, wall = time.process_time_ns() - cpu, time.perf_counter_ns() - wall
        head = last.get("http.response.start", {})
        body = last.get("http.response.body", {}).get("body", b"")
        replies.write(json.dumps({
            "cpu_ns": cpu, "wall_ns": wall, "status": head.get("status"),
            "set_cookie": any(k.lower() == b"set-cookie" for k, _ in head.get("headers", [])),
            "body": body.decode(errors="replace"),
        }) + "\n")
        replies.flush()
    await lifespan_in.put({"type": "lifespan.shutdown"})
    await lifespan


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", required=True, help="the server (see above)")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--port", type=int, help="serve on 127.0.0.1:PORT")
    how.add_argument("--asgi", action="store_true", help="answer batches of ASGI requests")
    parser.add_argument("--app", metavar="MODULE:FUNCTION",
                        help="with --asgi: the app is FUNCTION(impl) (default: sanic_app)")
    args = parser.parse_args(argv)
    if args.asgi:
        factory = sanic_app
        if args.app:
            module, _, function = args.app.partition(":")
            factory = getattr(importlib.import_module(module), function)
        # Replies go to the real stdout; whatever the app prints, to stderr.
        replies = os.fdopen(os.dup(1), "w")
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        asyncio.run(asgi_worker(factory(args.impl), sys.stdin, replies))
    elif args.impl.startswith("starlette"):
        import uvicorn

        uvicorn.run(
            starlette_app(args.impl), host="127.0.0.1", port=args.port, loop="uvloop",
            http="httptools", lifespan="off", access_log=False, log_level="warning",
        )
    else:
        sanic_app(args.impl).run(
            host="127.0.0.1", port=args.port, single_process=True, access_log=False,
            debug=False, motd=False,
        )


# -- the launcher, in the benchmark scripts ----------------------------------


def cpus() -> tuple[str | None, str | None]:
    """(server core, load generator core) for ``taskset``; Nones on one core."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2 or shutil.which("taskset") is None:
        return None, None
    return str(available[0]), str(available[1])


def pinned(core: str | None, cmd: Sequence[str]) -> list[str]:
    return ["taskset", "-c", core, *cmd] if core is not None else list(cmd)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(proc: subprocess.Popen[Any]) -> None:
    """Stop one process this script started, by its PID (SIGINT, then SIGKILL)."""
    proc.send_signal(signal.SIGINT)  # nothing once it has ended and been reaped
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class Child:
    """``serve.py`` in a process of its own, stopped by its PID; what it
    prints is kept for the error message when it fails."""

    def __init__(self, name: str, python: str = sys.executable, core: str | None = None) -> None:
        self.name = name
        self.impl = name.removesuffix(NO_REFRESH)
        self.refresh = self.impl == name
        self.python = python
        self.core = core
        self.proc: subprocess.Popen[Any] | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by stop())

    def spawn(self, *args: str, pipes: bool = False) -> subprocess.Popen[Any]:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        path = env.pop("PYTHONPATH", "")
        if self.python == sys.executable and path:
            # This checkout's package, as the script sees it: PYTHONPATH=src
            # wins over an installed copy, whatever the child's directory.
            env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in path.split(os.pathsep))
        pipe = subprocess.PIPE if pipes else None
        self.proc = subprocess.Popen(
            pinned(self.core, [self.python, __file__, "--impl", self.name, *args]),
            stdin=pipe or subprocess.DEVNULL, stdout=pipe or self.log, stderr=self.log,
            env=env, text=pipes,
        )
        return self.proc

    def failure(self, what: str) -> RuntimeError:
        self.log.seek(0)
        output = self.log.read()[-2000:].decode(errors="replace")
        return RuntimeError(f"{self.name} {what}:\n{output}")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
        self.log.close()


class Server(Child):
    """A server of this module on a free port of 127.0.0.1."""

    port = 0

    def start(self) -> None:
        self.port = free_port()
        self.spawn("--port", str(self.port))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(self.url("/untouched"), timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise self.failure("did not start")

    def set_cookies(self, path: str, cookie: str) -> list[str]:
        """The ``Set-Cookie`` headers of one request."""
        request = urllib.request.Request(self.url(path), headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.headers.get_all("Set-Cookie") or []


class AsgiWorker(Child):
    """An app in a process of its own, driven through ASGI (no socket):
    Sanic's startup rewrites request code that every app of a process
    shares (TouchUp), so one app per process is the only faithful way.
    ``app`` names its factory (default: :func:`sanic_app`)."""

    def __init__(self, name: str, app: str | None = None) -> None:
        super().__init__(name)
        self.app = app

    def start(self) -> None:
        proc = self.spawn("--asgi", *(["--app", self.app] if self.app else []), pipes=True)
        assert proc.stdin is not None
        assert proc.stdout is not None
        self.commands, self.replies = proc.stdin, proc.stdout

    def wait_ready(self) -> None:
        if self.replies.readline().strip() != "ready":
            raise self.failure("did not start")

    def batch(self, path: str, cookie: str, n: int) -> dict[str, Any]:
        """``n`` requests to ``path`` (see :func:`asgi_worker`)."""
        self.commands.write(json.dumps({"path": path, "cookie": cookie, "n": n}) + "\n")
        self.commands.flush()
        line = self.replies.readline()
        if not line:
            raise self.failure("stopped")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def stop(self) -> None:
        # End of input: the worker shuts its app down and exits.
        if self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.close()
            with suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        super().stop()


@contextmanager
def running(children: Iterable[Server | AsgiWorker]) -> Iterator[None]:
    """Start every child and wait until each is ready; on the way out,
    stop every one started, by its PID."""
    started: list[Server | AsgiWorker] = []
    try:
        for child in children:
            started.append(child)
            child.start()
        for child in started:
            child.wait_ready()
        yield
    finally:
        for child in started:
            child.stop()


# -- wrk ----------------------------------------------------------------------

_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_TOTAL = re.compile(r"(\d+) requests in")
_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)")


def need_wrk() -> str:
    exe = shutil.which("wrk")
    if exe is None:
        raise SystemExit(
            "wrk is not installed: install it first, e.g. `apt-get install wrk` "
            "(Debian/Ubuntu) or `brew install wrk` (macOS)"
        )
    return exe


@dataclass(frozen=True)
class WrkResult:
    rps: float
    requests: int
    errors: str = ""


def parse_wrk(output: str) -> WrkResult:
    rps = _RPS.search(output)
    total = _TOTAL.search(output)
    if rps is None or total is None:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    errors = "; ".join(m.group(0) for m in _ERRORS.finditer(output))
    return WrkResult(float(rps.group(1)), int(total.group(1)), errors)


def load(
    jobs: Sequence[tuple[str, str]], seconds: float, *, connections: int = 8,
    core: str | None = None,
) -> list[WrkResult]:
    """One ``wrk`` (1 thread) per (url, cookie), all at the same time."""
    wrk = need_wrk()
    procs: list[subprocess.Popen[str]] = []
    try:
        for url, cookie in jobs:
            cmd = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                   "-H", f"Cookie: {cookie}", url]
            procs.append(subprocess.Popen(pinned(core, cmd), stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
        outputs = [p.communicate(timeout=seconds + 30)[0] for p in procs]
    finally:
        for p in procs:
            stop(p)
    return [parse_wrk(out) for out in outputs]


if __name__ == "__main__":
    main()
