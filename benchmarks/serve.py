"""One benchmark server on 127.0.0.1. Runs under any of the three
environments (this checkout, 0.3.1's, Starlette's), so it imports only what
its ``--impl`` needs.

    python benchmarks/serve.py --impl ours --port 8001 [--no-refresh]

Routes (same for every implementation; each answers ``ok``):

- ``/untouched``: never looks at the session;
- ``/read``: reads one key;
- ``/write``: changes the session (increments ``visits``).

``--impl``:

- ``bare``: Sanic, no session;
- ``lifecycle``: bare Sanic with two empty handlers on
  ``http.lifecycle.request`` and ``http.lifecycle.response`` (the two hooks
  the engine is built on, with nothing in them);
- ``floor``: the least a signed-cookie session can do on those same two
  signals, written inline (see :func:`floor_app`);
- ``ours``: this checkout through ``setup(app)`` (public API only);
- ``legacy``: 0.3.1 from its own environment;
- ``starlette-bare`` and ``starlette`` (``SessionMiddleware``), under
  uvicorn.

For diagnosis: ``signals`` (empty handlers on ``BENCH_SIGNALS=a,b``, by
default the two lifecycle signals and ``http.routing.after``),
``middleware`` (an empty request and response middleware), ``control``
(bare Sanic again, to see how far two identical servers differ in one
run), ``vary`` and ``headers`` (bare Sanic answering with a ``Vary: Cookie``
header, and also a constant ``Set-Cookie`` header like the ones this
checkout writes: what those headers cost in Sanic alone).
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
#: The session lifetime (seconds): this checkout's default.
MAX_AGE = 86400
#: The attributes this checkout writes after the value with its default
#: settings. The floor and ``headers`` use them as they are; ``e2e.py``
#: checks before every run that ``ours`` still writes the same ones.
COOKIE_ATTRS = "; Path=/; Max-Age=86400; SameSite=Lax; Secure; HttpOnly"
#: The two signals the engine hooks (and nothing else).
LIFECYCLE_SIGNALS = ("http.lifecycle.request", "http.lifecycle.response")


def sanic_app(impl: str, refresh: bool) -> Any:
    from sanic import Sanic, response

    app = Sanic(f"bench_{impl.replace('-', '_')}")
    # Installing sanic-ext turns on auto-extend in every app (on this side
    # and in 0.3.1's environment alike); switch it off everywhere so that
    # every server runs the same framework path.
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
    elif impl == "lifecycle":
        # The engine's two hooks with nothing in them, registered before
        # the app starts (as the engine does). A handler returns None: a
        # truthy value would stop the chain.
        async def on_request(request: Any) -> None:
            return None

        async def on_response(request: Any, response: Any) -> None:
            return None

        app.add_signal(on_request, LIFECYCLE_SIGNALS[0])
        app.add_signal(on_response, LIFECYCLE_SIGNALS[1])
    elif impl == "signals":
        async def nothing(**_: Any) -> None:
            return None

        default = ",".join([*LIFECYCLE_SIGNALS, "http.routing.after"])
        for event in os.environ.get("BENCH_SIGNALS", default).split(","):
            app.add_signal(nothing, event)
    elif impl == "middleware":

        async def nothing_in(request: Any) -> None:
            return None

        async def nothing_out(request: Any, response: Any) -> None:
            return None

        app.register_middleware(nothing_in, "request")
        app.register_middleware(nothing_out, "response")
    elif impl == "floor":
        return floor_app(app, refresh)
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


def floor_app(app: Any, refresh: bool) -> Any:
    """The least a signed-cookie session can do on the engine's two signals,
    written inline, with no library around it.

    - ``http.lifecycle.request``: find the cookie (exact name) in the
      ``Cookie`` header and keep the raw token on ``request.ctx``;
    - a route that uses the session calls :func:`session`, which decodes the
      token then: one HMAC-SHA1 (itsdangerous' derived key, the keyed
      states precomputed), the age, one ``json.loads`` (zlib when the token
      is compressed). No token cache, no session object, no change
      detection: the route says when it changed the data;
    - ``http.lifecycle.response``: nothing when the session was not used;
      else ``Vary: Cookie`` and, when changed (or on every read while
      refresh is on, re-signing the same payload), a preformatted
      ``Set-Cookie``: compact JSON, url-safe base64, the timestamp, one
      HMAC-SHA1. Never compressed.

    The tokens are ``URLSafeTimedSerializer``'s (``e2e.py`` checks that
    itsdangerous accepts them before every run). What this server keeps of
    bare Sanic is the most any implementation of the two-signal shape can
    keep on this stack.
    """
    import hashlib
    import hmac
    import json
    import time
    import zlib
    from binascii import a2b_base64, b2a_base64

    from itsdangerous import URLSafeTimedSerializer
    from itsdangerous.encoding import int_to_bytes
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
    stamp = [0, b""]

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


def example_set_cookie() -> str:
    """A ``Set-Cookie`` header like the ones this checkout writes for the
    small session (default settings)."""
    from itsdangerous import URLSafeTimedSerializer

    token = URLSafeTimedSerializer(SECRET, salt=SALT).dumps({"user": "ann", "visits": 2})
    return f"{COOKIE}={token}{COOKIE_ATTRS}"


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
