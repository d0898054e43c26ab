"""Flash messages after a redirect (post/redirect/get).

Run it with ``python examples/flash_messages.py`` and open
http://127.0.0.1:8000 (or the port in ``$PORT``). It works without Sanic
Extensions.
"""

from __future__ import annotations

import html
import os
import sys

from sanic import Request, Sanic, response
from sanic.response import HTTPResponse

import sanic_cookiesession
from sanic_cookiesession import flash, get_flashed_messages, get_session

DEV_SECRET = "dev-only-secret-do-not-use-in-production-0123456789"

app = Sanic("FlashMessages")

# Set the secret at module level (not under __main__) so every worker sees it.
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
<head><meta charset="utf-8"><title>Flash messages</title></head>
<body>
  <ul id="messages">{messages}</ul>
  <form method="post" action="/subscribe">
    <input name="email" type="email" placeholder="you@example.com">
    <button id="subscribe">Subscribe</button>
  </form>
</body>
</html>
"""


@app.get("/")
async def index(request: Request) -> HTTPResponse:
    items = "".join(
        f'<li class="{html.escape(category)}">{html.escape(message)}</li>'
        for category, message in get_flashed_messages(request, with_categories=True)
    )
    return response.html(PAGE.format(messages=items))


@app.post("/subscribe")
async def subscribe(request: Request) -> HTTPResponse:
    form = request.form
    email = str((form.get("email") if form is not None else None) or "").strip()
    if "@" not in email:
        flash(request, "Please enter an email address.", "error")
    else:
        get_session(request)["email"] = email
        flash(request, f"Subscribed {email}.", "info")
    return response.redirect("/", status=303)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")), single_process=True)
