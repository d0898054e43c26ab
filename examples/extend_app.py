"""Sessions the Sanic Extensions way: injected into handlers, shown in OpenAPI.

Run it with ``python examples/extend_app.py`` and open
http://127.0.0.1:8000/docs (Redoc) or /docs/swagger: the session cookies are
the security schemes ``session`` and ``session_admin``, and ``GET /me`` is
marked as needing the first. It needs the ``ext`` extra:
``pip install "sanic-cookiesession[ext]"``.

    curl -c jar -b jar -X POST http://127.0.0.1:8000/login/ann
    curl -c jar -b jar http://127.0.0.1:8000/me
"""

from __future__ import annotations

import os
import sys

from sanic import Blueprint, Request, Sanic, response
from sanic.response import HTTPResponse
from sanic_ext import openapi

from sanic_cookiesession import CookieSession, Session, session_namespace

DEV_SECRET = "dev-only-secret-do-not-use-in-production-0123456789"

app = Sanic("ExtendApp")

# Sanic loads SANIC_SESSION_COOKIE_SECRET_KEY from the environment by itself.
if not app.config.get("SESSION_COOKIE_SECRET_KEY"):
    print(
        "WARNING: SANIC_SESSION_COOKIE_SECRET_KEY is not set; using a development "
        "secret. Generate a real one with: python -m sanic_cookiesession genkey",
        file=sys.stderr,
    )
    app.config.SESSION_COOKIE_SECRET_KEY = DEV_SECRET
# Only because this example serves plain http on 127.0.0.1 (browsers do not
# send Secure cookies over http). Keep the default (True) in production.
app.config.SESSION_COOKIE_SECURE = False

app.extend(extensions=[CookieSession])  # OpenAPI stays on: /docs

# The admin pages keep a session of their own, in the cookie "_session_admin".
admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-session")


@app.post("/login/<user:str>")
async def login(request: Request, user: str, session: Session) -> HTTPResponse:
    session["user"] = user
    return response.json({"user": user})


@app.get("/me")
@openapi.secured("session")
async def me(request: Request, session: Session) -> HTTPResponse:
    """Who is logged in.

    Needs the session cookie of a visitor who logged in.
    """
    user = session.get("user")
    if user is None:
        return response.json({"error": "log in first"}, status=401)
    return response.json({"user": user})


@app.post("/logout")
async def logout(request: Request, session: Session) -> HTTPResponse:
    session.clear()  # an empty session deletes the cookie
    return response.json({"user": None})


@admin.get("/")
@openapi.secured("session_admin")
async def admin_visits(request: Request, session: Session) -> HTTPResponse:
    """Counts the visits to the admin pages, in the admin session."""
    session["visits"] = session.get("visits", 0) + 1
    return response.json({"visits": session["visits"]})


app.blueprint(admin)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")), single_process=True)
