"""A deployable app: the secret comes from the environment, so every worker
and every host signs with the same key. See docs/deploying.md.

From this folder (or with it on ``PYTHONPATH``)::

    export SANIC_SESSION_COOKIE_SECRET_KEY="$(python -m sanic_cookiesession genkey)"
    sanic deploy_app:app --host 0.0.0.0 --port 8000 --workers 4
    uvicorn deploy_app:app --host 0.0.0.0 --port 8000 --workers 4
    hypercorn deploy_app:app --bind 0.0.0.0:8000 --workers 4

The cookie is ``Secure`` (the default): serve it over https, behind a proxy
that terminates TLS, or a browser will not send it back.
"""

from __future__ import annotations

import os

from sanic import Request, Sanic, response
from sanic.log import logger
from sanic.response import HTTPResponse

import sanic_cookiesession
from sanic_cookiesession import REJECTED_SIGNAL, get_session

app = Sanic("DeployApp")

# At module level: every worker imports this module and runs this line, and
# Sanic has already loaded SANIC_SESSION_COOKIE_SECRET_KEY into app.config in
# each of them. Without the variable, this line raises.
sanic_cookiesession.setup(app)


@app.signal(REJECTED_SIGNAL)
async def cookie_rejected(request: Request, reason: str, cookie_name: str) -> None:
    # Many of these right after a deploy: a worker or host with another secret.
    if reason == "bad_signature":
        logger.warning("session cookie %r has a bad signature (another secret key?)", cookie_name)


@app.post("/login/<user:str>")
async def login(request: Request, user: str) -> HTTPResponse:
    get_session(request)["user"] = user
    return response.json({"user": user, "worker": os.getpid()})


@app.get("/me")
async def me(request: Request) -> HTTPResponse:
    return response.json({"user": get_session(request).get("user"), "worker": os.getpid()})
