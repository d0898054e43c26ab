"""Load on request, save on response. Depends on Sanic only.

The engine hooks into Sanic through two signal handlers, registered when
``setup()`` or ``app.extend()`` runs (see ``docs/how-it-works.md``):

- ``http.lifecycle.request`` (before routing and middleware): the request
  gets a context whose ``session`` attribute is made on first access
  (:mod:`.context`). That first access finds the matched route's namespace,
  decodes the cookie and puts a plain ``dict`` session there.
- ``http.lifecycle.response`` (after every response middleware, before the
  headers go out): writes, refreshes or deletes the cookie, or does nothing
  if no code reached the session. It never raises.

Config is read and checked once, in a ``before_server_start`` listener.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from itsdangerous import URLSafeTimedSerializer
from sanic import Request, Sanic
from sanic.response.types import BaseHTTPResponse

from . import codec as _codec
from .codec import FALLBACK_KEY, Codec, Decoded, make_codec
from .config import MAX_INCOMING_COOKIE, Settings
from .context import MISSING, STATE_ATTR, hold, session_context, state_of, stored
from .cookies import cookie_value
from .exc import SessionNotInstalledError
from .logs import send_to_sanic_log
from .namespaces import Namespace, collect_namespaces
from .report import (
    add_vary_cookie,
    drop_set_cookie,
    log_oversize,
    log_unencodable,
    warn_eager_context,
)
from .session import Session
from .streaming import NOT_SAVED, headers_gone, too_late

__all__ = ["CREATED_KEY", "REJECTED_SIGNAL", "STATE_ATTR", "Engine", "Namespace", "get_engine"]

logger = logging.getLogger("sanic_cookiesession")

#: Where the engine lives on ``app.ctx``.
ENGINE_ATTR = "_cookiesession_engine"
#: The key that holds the creation time inside the signed payload when
#: ``SESSION_ABSOLUTE_LIFETIME`` is set. The handler never sees it.
CREATED_KEY = "_cs_created"
#: The Sanic signal dispatched when a request carried a session cookie
#: that was not accepted (or was signed with a fallback key).
REJECTED_SIGNAL = "cookiesession.cookie.rejected"
#: ``before_server_start`` priority of the config check: after the app's
#: own listeners (which may set config) and after Sanic Extensions adds its
#: HEAD and OPTIONS routes (priority -1000), so that every route is known.
CONFIGURE_PRIORITY = -2000



class State:
    """One request's session, from first access to save."""

    __slots__ = (
        "created", "decoded", "engine", "name", "ns", "pending", "reached", "request",
        "token", "written",
    )

    def __init__(self, engine: Engine, request: Request) -> None:
        self.engine = engine
        self.name = engine.session_name
        # Weak: request -> ctx -> state -> request would be a cycle that
        # keeps every request alive until the garbage collector runs.
        self.request = weakref.ref(request)
        self.ns: Namespace | None = None
        self.token: str | None = None
        self.decoded: Decoded | None = None
        self.created: int | None = None
        #: A custom session_type session built when the request started.
        self.pending: Any = None
        #: Whether user code reached the session: then the response varies
        #: on the cookie, and the session is saved.
        self.reached = False
        #: What the last save wrote (a payload, ``None`` for no cookie).
        self.written: Any = NOT_SAVED

    def __repr__(self) -> str:
        return f"<sanic-cookiesession state reached={self.reached}>"

    def reach(self) -> Any:
        """The session user code gets on its first access."""
        self.reached = True
        session = self.pending if self.pending is not None else self.engine.build(self.load())
        self.pending = None
        return session

    def forget(self) -> None:
        """``del request.ctx.session`` before its first access."""
        self.reached = True
        self.pending = None

    def load(self) -> dict[str, Any]:
        """Find the namespace, read and decode the cookie (once)."""
        if self.decoded is not None:
            return dict(self.decoded.data or {})
        request = self.request()
        ns = self.ns = self.engine.namespace_for(request)
        header = request.headers.getone("cookie", "") if request is not None else ""
        token = self.token = cookie_value(header, ns.cookie_name)
        decoded = ns.codec.loads(token) if token is not None else Decoded({}, None, None)
        lifetime = ns.settings.absolute_lifetime
        if decoded.data is not None and lifetime is not None:
            created = decoded.data.pop(CREATED_KEY, None)
            now = _codec.now()
            if not isinstance(created, int) or isinstance(created, bool):
                created = now
            if now - created > lifetime:
                decoded = Decoded.rejected(_codec.EXPIRED)
            else:
                self.created = created
        self.decoded = decoded
        if decoded.reason is not None:
            log = logger.debug if decoded.reason == FALLBACK_KEY else logger.info
            accepted = "accepted with a fallback key" if decoded.data is not None else "rejected"
            log("session cookie %r %s: %s", ns.cookie_name, accepted, decoded.reason)
        return decoded.data or {}  # decoded for this request alone


class Engine:
    """Loads and saves sessions for one app."""

    def __init__(
        self,
        app: Sanic[Any, Any],
        session_type: Callable[..., Mapping[str, Any]] = dict,
        serializer_type: Callable[..., Any] = URLSafeTimedSerializer,
    ) -> None:
        self.app = app
        self.session_type = session_type
        self.serializer_type = serializer_type
        self.session_name = "session"
        self.default: Namespace | None = None
        self.routes: dict[str, Namespace] = {}

    def install(self) -> None:
        """Register the two signal handlers and the startup listener.

        Called by ``setup()`` and ``CookieSession.startup()``, before the app
        starts: Sanic drops the dispatch of signals that have no handler when
        it starts, so a handler registered later would never run.
        """
        app = self.app
        if getattr(app.ctx, ENGINE_ATTR, None) is not None:
            raise RuntimeError(
                f"sanic-cookiesession is already installed on app {app.name!r}; "
                "use either setup(app) or app.extend(extensions=[CookieSession]), once"
            )
        setattr(app.ctx, ENGINE_ATTR, self)
        app.register_listener(self.configure, "before_server_start", priority=CONFIGURE_PRIORITY)
        app.signal("http.lifecycle.request")(self.on_request)
        app.signal("http.lifecycle.response")(self.on_response)
        send_to_sanic_log(app)

    async def configure(self, app: Sanic[Any, Any]) -> None:
        """Read and validate the config (``before_server_start``)."""
        settings = Settings.from_config(app.config)
        settings.warn_weak_secret()
        self.session_name = settings.session_name
        self.default = self.namespace(settings)
        self.routes = collect_namespaces(app, self, settings)

    def namespace(self, settings: Settings, label: str = "app") -> Namespace:
        return Namespace(settings, self.make_codec(settings), label)

    def make_codec(self, settings: Settings) -> Codec:
        if settings.encrypt:
            from .encryption import make_encrypted_codec

            return make_encrypted_codec(settings)
        return make_codec(
            self.serializer_type,
            settings.secret_key,
            salt=settings.salt,
            max_age=settings.max_age,
            fallbacks=settings.secret_key_fallbacks,
        )

    def namespace_for(self, request: Request | None) -> Namespace:
        """The namespace of the request's route (the app's before routing)."""
        default = self.default
        assert default is not None
        route = request.route if request is not None else None
        if route is None or not self.routes:
            return default
        return self.routes.get(route.name, default)

    def build(self, data: dict[str, Any]) -> Any:
        """The session object for decoded ``data``."""
        return Session(data) if self.session_type is dict else self.session_type(data)

    # -- load: http.lifecycle.request -------------------------------------

    async def on_request(self, request: Request) -> None:
        try:
            self.attach(request)
        except Exception:
            logger.exception("sanic-cookiesession: could not attach the session")

    def attach(self, request: Request) -> State | None:
        """Give the request its session state; the session itself is made on
        first access of ``request.ctx.<SESSION_NAME>``."""
        if self.default is None:  # not configured: the server did not start normally
            return None
        state = State(self, request)
        if session_context(request, state) is not None:
            if self.session_type is not dict and not self.routes:
                # 0.3.x built a custom session_type at the start of every request.
                state.pending = self.build(state.load())
            return state
        # The app's context cannot make the session on first access.
        ctx = request.ctx
        hold(ctx, state)
        if self.routes:
            # The route is not known yet: a session made now would be the
            # app's, also on a blueprint with a namespace of its own.
            warn_eager_context(type(ctx))
        elif getattr(ctx, self.session_name, None) is None:
            # Made at once (one put there earlier is kept, as 0.3.x did); it
            # then counts as used.
            setattr(ctx, self.session_name, state.reach())
        else:
            state.reached = True
        return state

    # -- save: http.lifecycle.response ------------------------------------

    async def on_response(self, request: Request, response: BaseHTTPResponse) -> None:
        # Never raises: Sanic would dispatch this signal again for the error
        # response, and the client would get no response at all.
        try:
            state: State | None = state_of(request.ctx)
            if state is None:
                return  # rejected while the head was read: no session
            session = self.current(request, state)
            if session is MISSING:
                return  # never reached: nothing to write
            if headers_gone(request):
                too_late(self, state, session)  # streamed: the headers are out
                return
            reason = self.save(response, state, session)
        except Exception:
            logger.exception("sanic-cookiesession: could not save the session")
            return
        if reason is not None and state.ns is not None:
            context = {"request": request, "reason": reason, "cookie_name": state.ns.cookie_name}
            try:
                await self.app.dispatch(
                    REJECTED_SIGNAL, context=context, inline=True, fail_not_found=False
                )
            except Exception:
                logger.exception("sanic-cookiesession: a %s handler failed", REJECTED_SIGNAL)

    def current(self, request: Request, state: State) -> Any:
        """The session to save: what is on ``request.ctx`` now, a fresh one if
        it was deleted, ``MISSING`` if user code never reached it."""
        ctx = request.ctx
        session = stored(ctx, self.session_name, state.reached)
        if session is MISSING:
            if not state.reached:
                return MISSING
            session = self.build({})  # deleted: a fresh one, as 0.3.x made
            setattr(ctx, self.session_name, session)
        state.reached = True  # reached, deleted, or put there by user code
        if state.decoded is None:
            state.load()
        return session

    def save(self, response: BaseHTTPResponse, state: State, session: Any) -> str | None:
        """Write, refresh or delete the cookie. Returns why the request's
        cookie was not (fully) accepted, if it was not."""
        ns, decoded = state.ns, state.decoded
        assert ns is not None
        assert decoded is not None
        if state.written is not NOT_SAVED:  # save_session() ran: replace it
            drop_set_cookie(response, ns.cookie_name)
        state.written = None  # what this save wrote, as compared on a later one
        add_vary_cookie(response)
        reason = decoded.reason
        if not isinstance(session, Mapping) or not session:
            if session is not None and not isinstance(session, Mapping):
                logger.error(
                    "request.ctx.%s is a %s, not a mapping: session not saved",
                    self.session_name,
                    type(session).__name__,
                )
            elif state.token is not None:
                response.headers.add("Set-Cookie", ns.writer.delete_header())
            return reason
        data = self.outgoing(state, session)
        try:
            payload = state.written = ns.codec.payload(data)
            if len(payload) > _codec.MAX_PAYLOAD:
                # It might compress under the cookie limit, but it would be
                # refused when read back: refuse it now, and keep the old one.
                log_oversize(ns, data, len(payload), "decoded payload", _codec.MAX_PAYLOAD)
                return reason
            changed = decoded.payload != payload or bool(getattr(session, "modified", False))
            if not (changed or ns.settings.refresh_each_request or reason == FALLBACK_KEY):
                return reason
            resign = getattr(ns.codec, "resign", None)
            if changed or decoded.body is None or resign is None:
                token = ns.codec.sign(data, payload)
            else:  # same contents: sign the body as read, with a new timestamp
                token = resign(decoded.body, payload)
        except Exception as exc:  # noqa: BLE001 - the serializer refused it
            log_unencodable(ns.codec, data, exc)
            return reason
        header = ns.header(token)
        if len(header) > ns.settings.max_size:
            log_oversize(ns, data, len(header))
        elif len(token) > MAX_INCOMING_COOKIE:  # under MAX_SIZE, but refused when read back
            log_oversize(ns, data, len(token), "cookie value", MAX_INCOMING_COOKIE)
        else:
            response.headers.add("Set-Cookie", header)
        return reason

    def outgoing(self, state: State, session: Mapping[str, Any]) -> dict[str, Any]:
        data = dict(session)
        if state.ns is not None and state.ns.settings.absolute_lifetime is not None:
            data[CREATED_KEY] = state.created or _codec.now()
        return data


def get_engine(app: Sanic[Any, Any]) -> Engine:
    """The engine installed on ``app``; raises if there is none."""
    engine = getattr(app.ctx, ENGINE_ATTR, None)
    if engine is None:
        raise SessionNotInstalledError(
            f"sanic-cookiesession is not installed on app {app.name!r}: call "
            "sanic_cookiesession.setup(app) or app.extend(extensions=[CookieSession])"
        )
    return engine  # type: ignore[no-any-return]
