"""One benchmark server on 127.0.0.1. Runs under any of the three
environments (this checkout, 0.3.1's, Starlette's), so it imports only what
its ``--impl`` needs.

    python benchmarks/serve.py --impl ours --port 8001 [--no-refresh]

Routes (same for every implementation; each answers ``ok``):

- ``/untouched``: never looks at the session;
- ``/read``: reads one key;
- ``/write``: changes the session (increments ``visits``).

``--impl``: ``bare`` (Sanic, no session), ``ours`` (this checkout through
``setup(app)``), ``legacy`` (0.3.1 from its own environment),
``starlette-bare`` and ``starlette`` (``SessionMiddleware``, under uvicorn);
for diagnosis, ``signals`` (empty handlers on the three signals the engine
used to hook; ``BENCH_SIGNALS=a,b`` picks others), ``middleware`` (an
empty request and response middleware), ``control`` (bare Sanic again,
to see how far two identical servers differ in one run), ``vary`` and
``headers`` (bare Sanic answering with a ``Vary: Cookie`` header, and also
a constant ``Set-Cookie`` header as this checkout writes it: what those
headers cost in Sanic alone), and ``floor``: the least any signed-cookie
session must do, written inline in the handlers with no library around it
(see :func:`floor_routes`); same wire format, same token cache idea.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

#: The secret every server signs with (benchmark only).
SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
SALT = "cookie-session"
COOKIE = "_session"
#: The signals the engine used before it moved to middleware.
ENGINE_SIGNALS = ("http.lifecycle.request", "http.routing.after", "http.lifecycle.response")


def sanic_app(impl: str, refresh: bool) -> Any:
    from sanic import Sanic, response

    app = Sanic(f"bench_{impl.replace('-', '_')}")
    # Installing sanic-ext turns on auto-extend in every app; 0.3.1's
    # environment has no sanic-ext, so switch it off everywhere for a fair
    # comparison.
    app.config.AUTO_EXTEND = False
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    if impl == "ours":
        import sanic_cookiesession

        app.config.SESSION_REFRESH_EACH_REQUEST = refresh
        sanic_cookiesession.setup(app)
    elif impl == "legacy":
        import sanic_cookiesession

        assert sanic_cookiesession.__version__.startswith("0.3"), sanic_cookiesession.__file__
        sanic_cookiesession.setup(app)
    elif impl == "signals":
        # What the three hooks cost with nothing in them.
        async def nothing(**_: Any) -> None:
            return None

        for event in os.environ.get("BENCH_SIGNALS", ",".join(ENGINE_SIGNALS)).split(","):
            app.add_signal(nothing, event)
    elif impl == "middleware":

        async def nothing_in(request: Any) -> None:
            return None

        async def nothing_out(request: Any, response: Any) -> None:
            return None

        app.register_middleware(nothing_in, "request")
        app.register_middleware(nothing_out, "response")
    elif impl == "floor":
        return floor_routes(app, refresh)
    elif impl not in ("bare", "control", "vary", "headers"):
        raise SystemExit(f"unknown --impl {impl!r}")

    # The response headers a session adds, on bare Sanic with no session
    # work at all (``vary``, ``headers``): what Sanic's own header
    # formatting costs. Empty for every other server.
    extra: dict[str, str] = {}
    if impl in ("vary", "headers"):
        extra["Vary"] = "Cookie"
    if impl == "headers":
        extra["Set-Cookie"] = example_set_cookie()

    @app.get("/untouched")
    async def untouched(request: Any) -> Any:
        return response.text("ok", headers=extra or None)

    @app.get("/read")
    async def read(request: Any) -> Any:
        if impl in ("ours", "legacy"):
            request.ctx.session.get("user")
        return response.text("ok", headers=extra or None)

    @app.get("/write")
    async def write(request: Any) -> Any:
        if impl in ("ours", "legacy"):
            session = request.ctx.session
            session["visits"] = session.get("visits", 0) + 1
        return response.text("ok", headers=extra or None)

    return app


def floor_routes(app: Any, refresh: bool) -> Any:
    """Bare Sanic whose handlers do, inline, the minimum a signed-cookie
    session needs for each case: no hooks, no session object, no change
    detection. A token seen before is found in a dict (its age still
    checked); a new one is verified once with itsdangerous. Writes sign
    with the primitives itsdangerous uses (compact JSON, url-safe base64,
    the timestamp, one HMAC-SHA1 with the derived key), no zlib. What this
    server keeps of bare Sanic is the most any implementation can keep on
    this stack.
    """
    import hashlib
    import hmac
    import json
    import time
    from base64 import urlsafe_b64encode

    from itsdangerous import URLSafeTimedSerializer
    from itsdangerous.encoding import int_to_bytes
    from sanic import response

    max_age = 31 * 24 * 3600
    serializer = URLSafeTimedSerializer(SECRET, salt=SALT)
    key = serializer.make_signer(SALT).derive_key()
    tail = example_set_cookie().split(";", 1)[1]
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    seen: dict[str, tuple[int, dict[str, Any], bytes]] = {}

    def b64(raw: bytes) -> bytes:
        return urlsafe_b64encode(raw).rstrip(b"=")

    def load(request: Any) -> tuple[dict[str, Any], bytes] | None:
        header = request.headers.get("cookie", "")
        prefix = COOKIE + "="
        if not header.startswith(prefix):
            return None
        token = header[len(prefix):].split(";", 1)[0]
        entry = seen.get(token)
        if entry is None:
            data, signed_at = serializer.loads(token, max_age=max_age, return_timestamp=True)
            entry = (int(signed_at.timestamp()), data, token.rsplit(".", 2)[0].encode())
            seen[token] = entry
        elif time.time() - entry[0] > max_age:
            return None
        return dict(entry[1]), entry[2]

    # HMAC-SHA1 from its two keyed SHA-1 states, copied per message (the
    # same bytes as ``hmac.digest``; the cheapest way to it in Python), and
    # the timestamp encoded once per second.
    inner = hashlib.sha1(bytes(b ^ 0x36 for b in key.ljust(64, b"\0")))
    outer = hashlib.sha1(bytes(b ^ 0x5C for b in key.ljust(64, b"\0")))
    stamp = [0, b""]

    def mac(value: bytes) -> bytes:
        i = inner.copy()
        i.update(value)
        o = outer.copy()
        o.update(i.digest())
        return o.digest()

    assert mac(b"x") == hmac.digest(key, b"x", "sha1")

    def signed(body: bytes) -> dict[str, str]:
        second = int(time.time())
        if second != stamp[0]:
            stamp[:] = [second, b64(int_to_bytes(second))]
        value = body + b"." + stamp[1]
        token = (value + b"." + b64(mac(value))).decode("ascii")
        return {"Vary": "Cookie", "Set-Cookie": f"{COOKIE}={token};{tail}"}

    @app.get("/untouched")
    async def untouched(request: Any) -> Any:
        return response.text("ok")

    @app.get("/read")
    async def read(request: Any) -> Any:
        loaded = load(request)
        assert loaded is not None
        loaded[0].get("user")
        if refresh:
            return response.text("ok", headers=signed(loaded[1]))
        return response.text("ok", headers={"Vary": "Cookie"})

    @app.get("/write")
    async def write(request: Any) -> Any:
        loaded = load(request)
        data = loaded[0] if loaded is not None else {}
        data["visits"] = data.get("visits", 0) + 1
        return response.text("ok", headers=signed(b64(dumps(data).encode())))

    return app


def example_set_cookie() -> str:
    """A ``Set-Cookie`` header as this checkout writes it for the small
    session (default settings)."""
    from itsdangerous import URLSafeTimedSerializer

    from sanic_cookiesession.config import Settings
    from sanic_cookiesession.cookies import CookieWriter

    token = URLSafeTimedSerializer(SECRET, salt=SALT).dumps({"user": "ann", "visits": 2})
    settings = Settings.from_config({"SESSION_COOKIE_SECRET_KEY": SECRET})
    return CookieWriter(settings).set_header(token)


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
        [Middleware(SessionMiddleware, secret_key=SECRET, session_cookie=COOKIE)]
        if touch
        else []
    )
    routes = [Route("/untouched", untouched), Route("/read", read), Route("/write", write)]
    return Starlette(routes=routes, middleware=middleware)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-refresh", action="store_true")
    args = parser.parse_args(argv)
    if args.impl.startswith("starlette"):
        import uvicorn

        uvicorn.run(
            starlette_app(args.impl), host="127.0.0.1", port=args.port, loop="uvloop",
            http="httptools", lifespan="off", access_log=False, log_level="warning",
        )
        return
    app = sanic_app(args.impl, refresh=not args.no_refresh)
    app.run(
        host="127.0.0.1", port=args.port, single_process=True, access_log=False,
        debug=False, motd=False,
    )


if __name__ == "__main__":
    sys.exit(main())
