"""The counter example with the 0.3.x front door, ``setup(app)``.

Run it with ``python examples/legacy_setup.py`` and open http://127.0.0.1:8000.
It works without Sanic Extensions.
"""

from __future__ import annotations

import os
import sys

from sanic import Request, Sanic, response
from sanic.response import HTTPResponse

import sanic_cookiesession

DEV_SECRET = "dev-only-secret-do-not-use-in-production-0123456789"

app = Sanic("LegacyCounter")

# Sanic loads SANIC_SESSION_COOKIE_SECRET_KEY from the environment by itself.
# Set it at module level (not under __main__) so every worker sees it.
if not app.config.get("SESSION_COOKIE_SECRET_KEY"):
    print(
        "WARNING: SANIC_SESSION_COOKIE_SECRET_KEY is not set; using a development "
        "secret. Anyone can forge sessions signed with it. Generate a real one "
        "with: python -m sanic_cookiesession genkey",
        file=sys.stderr,
    )
    app.config.SESSION_COOKIE_SECRET_KEY = DEV_SECRET
# Only because this example serves plain http on 127.0.0.1: browsers do not
# send Secure cookies over http. Keep the default (True) in production.
app.config.SESSION_COOKIE_SECURE = False

sanic_cookiesession.setup(app)

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Session counter</title></head>
<body>
  <h1>Counter: <span id="counter">{counter}</span></h1>
  <p>
    <a id="dec" href="/dec">&minus;</a>
    <a id="inc" href="/inc">+</a>
    <a id="reset" href="/reset">reset</a>
  </p>
</body>
</html>
"""


@app.get("/")
async def index(request: Request) -> HTTPResponse:
    counter = request.ctx.session.get("counter", 0)
    return response.html(PAGE.format(counter=counter))


@app.get("/inc")
async def inc(request: Request) -> HTTPResponse:
    session = request.ctx.session
    session["counter"] = session.get("counter", 0) + 1
    return response.redirect("/")


@app.get("/dec")
async def dec(request: Request) -> HTTPResponse:
    session = request.ctx.session
    session["counter"] = session.get("counter", 0) - 1
    return response.redirect("/")


@app.get("/reset")
async def reset(request: Request) -> HTTPResponse:
    request.ctx.session.clear()  # an empty session deletes the cookie
    return response.redirect("/")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")), single_process=True)
