"""``session`` and ``get_flashed_messages()`` in Jinja templates, as in Flask.

Run it with ``python examples/templates_app.py`` and open
http://127.0.0.1:8000 (or the port in ``$PORT``). The page,
``examples/templates/flash.html``, reads the session and the flashed
messages itself. It needs the ``ext`` extra and Jinja2:
``pip install "sanic-cookiesession[ext]" jinja2``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sanic import Request, Sanic, response
from sanic.response import HTTPResponse
from sanic_ext import render

from sanic_cookiesession import CookieSession, flash, get_session

DEV_SECRET = "dev-only-secret-do-not-use-in-production-0123456789"

app = Sanic("TemplatesApp")

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
# Sanic Extensions looks for templates in ./templates by default.
app.config.TEMPLATING_PATH_TO_TEMPLATES = str(Path(__file__).parent / "templates")

app.extend(extensions=[CookieSession], config={"oas": False})


@app.get("/")
async def index(request: Request) -> HTTPResponse:
    # No context to pass: the template finds `session` and
    # `get_flashed_messages()` itself. (`@app.ext.template("flash.html")`
    # on a handler that returns {} does the same.)
    page: HTTPResponse = await render("flash.html", app=request.app)
    return page


@app.get("/about")
async def about(request: Request) -> HTTPResponse:
    page: HTTPResponse = await render("about.html", app=request.app)
    return page


@app.post("/login")
async def login(request: Request) -> HTTPResponse:
    form = request.form
    user = ((form.get("user") if form else None) or "").strip()
    if user:
        get_session(request)["user"] = user
        flash(request, f"Welcome, {user}!", "info")  # escaped when shown
    else:
        flash(request, "Tell us your name first.", "error")
    return response.redirect("/", status=303)


@app.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    get_session(request).pop("user", None)
    flash(request, "Logged out.")
    return response.redirect("/", status=303)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")), single_process=True)
