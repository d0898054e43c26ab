"""Load on request, save on response. Depends on Sanic only.

The engine hooks into Sanic through two signal handlers, registered when
``setup()`` or ``app.extend()`` runs (see ``docs/how-it-works.md``):

- ``http.lifecycle.request`` (before routing and middleware, and before
  every handler the app has on that signal): the request gets a context
  whose ``session`` attribute is made on first access (:mod:`.context`).
  That first access opens the request's :class:`State`: it finds the
  matched route's namespace, decodes the cookie and puts a plain ``dict``
  session there.
- ``http.lifecycle.response`` (after every response middleware and every
  handler the app has on that signal, before the headers go out): writes,
  refreshes or deletes the cookie, or does nothing if no code reached the
  session. It never raises.

Config is read and checked once, in a ``before_server_start`` listener.
A handler on ``websocket.handler.before`` (which Sanic dispatches for
websocket routes only) has the request's task say, when it ends, whether a
change made during the websocket could not be saved.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from itsdangerous import URLSafeTimedSerializer
from sanic import Request, Sanic
from sanic.http.constants import Stage
from sanic.response.types import BaseHTTPResponse

from . import codec as _codec
from .codec import AMBIGUOUS, FALLBACK_KEY, Decoded
from .config import MAX_INCOMING_COOKIE, Settings
from .context import (
    MISSING,
    STATE_ATTR,
    Unopened,
    held,
    hold,
    lazy_context,
    opened,
    put_there,
    stored,
)
from .cookies import cookie_values
from .exc import SessionNotInstalledError
from .logs import send_to_sanic_log
from .namespaces import Namespace, build_codec, collect_namespaces
from .report import (
    add_vary_cookie,
    drop_set_cookie,
    log_oversize,
    log_unencodable,
    warn_changed_too_late,
    warn_duplicate_cookies,
    warn_eager_context,
    warn_namespace_fixed_early,
    warn_not_saved_unread,
    warn_websocket_change,
)
from .session import Session

__all__ = ["CREATED_KEY", "REJECTED_SIGNAL", "Engine", "State", "get_engine"]

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
#: Signal priorities (higher runs first): the session is there before any
#: handler of the app on ``http.lifecycle.request`` runs, and saved after
#: every handler of the app on ``http.lifecycle.response`` has run.
FIRST = sys.maxsize
LAST = -sys.maxsize
#: Stream stages once the response headers are sent.
_HEADERS_GONE = (Stage.RESPONSE, Stage.IDLE, Stage.FAILED)
_EMPTY = Decoded({}, None, None)


class State:
    """One request's session, from first access to save."""

    __slots__ = (
        "client_payload", "created", "decoded", "deleted", "duplicates", "engine", "name",
        "ns", "pending", "reached", "readonly", "reported", "request", "saved", "sent",
    )

    def __init__(self, engine: Engine, request: Request) -> None:
        self.engine = engine
        #: The session attribute's name (``SESSION_NAME``).
        self.name = engine.session_name
        # Weak: request -> ctx -> state -> request would be a cycle that
        # keeps every request alive until the garbage collector runs.
        self.request = weakref.ref(request)
        self.ns: Namespace | None = None
        self.decoded: Decoded | None = None
        #: Whether the request carried a cookie of the session's name, and
        #: more than one (a sibling subdomain or a sub-path set one too).
        self.sent = False
        self.duplicates = False
        self.created: int | None = None
        #: A custom session_type session built when the request started.
        self.pending: Any = None
        #: Whether user code reached the session: then the response varies
        #: on the cookie, and the session is saved.
        self.reached = False
        #: Whether a save ran (a later one replaces its Set-Cookie).
        self.saved = False
        #: The payload the client holds once this response is out, as far
        #: as the saves so far decided (``None``: no cookie).
        self.client_payload: bytes | None = None
        #: Whether the rejected-cookie signal was dispatched.
        self.reported = False
        #: Whether user code deleted the session (``del``, or ``= None``).
        self.deleted = False
        #: Whether the session must not be saved: the request's head was
        #: rejected before the engine saw it, so its cookie was never read.
        self.readonly = False

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
        self.deleted = True
        self.pending = None

    def assign(self) -> None:
        """``request.ctx.session = ...`` before its first access."""
        self.reached = True
        self.pending = None

    def load(self) -> dict[str, Any]:
        """Find the namespace, read and decode the cookie (once)."""
        if self.decoded is not None:
            return dict(self.decoded.data or {})
        request = self.request()
        ns = self.ns = self.engine.namespace_for(request)
        # Every Cookie field: HTTP/2 clients may send one per cookie, and a
        # duplicate in a later field must be seen like one in the first.
        fields = request.headers.getall("cookie", []) if request is not None else []
        header = fields[0] if len(fields) == 1 else "; ".join(fields)
        tokens = cookie_values(header, ns.cookie_name)
        self.sent = bool(tokens)
        if len(tokens) == 1:
            decoded = self.check(ns, tokens[0])
        elif tokens:
            decoded = self.pick(ns, tokens)
        else:
            decoded = _EMPTY
        self.decoded = decoded
        self.client_payload = decoded.payload if decoded.data else None
        if decoded.reason is not None and not self.duplicates:
            log = logger.debug if decoded.reason == FALLBACK_KEY else logger.info
            accepted = "accepted with a fallback key" if decoded.data is not None else "rejected"
            log("session cookie %r %s: %s", ns.cookie_name, accepted, decoded.reason)
        return decoded.data or {}  # decoded for this request alone

    def check(self, ns: Namespace, token: str) -> Decoded:
        """Decode one cookie value, and check its absolute lifetime."""
        decoded = ns.codec.loads(token)
        lifetime = ns.settings.absolute_lifetime
        if decoded.data is not None and lifetime is not None:
            created = decoded.data.pop(CREATED_KEY, None)
            now = _codec.now()
            if not isinstance(created, int) or isinstance(created, bool):
                # Written before the lifetime was on (or by 0.3.x): it starts
                # now. Compared as if it had been written with the stamp, so
                # adding the stamp alone is not a change made by the app.
                created = now
                stamped = {**decoded.data, CREATED_KEY: created}
                try:
                    decoded = Decoded(decoded.data, ns.codec.payload(stamped), decoded.reason)
                except Exception:  # noqa: BLE001 - never raise on input
                    return Decoded.rejected(_codec.MALFORMED)
            if now - created > lifetime:
                return Decoded.rejected(_codec.EXPIRED)
            self.created = created
        return decoded

    def pick(self, ns: Namespace, tokens: list[str]) -> Decoded:
        """The session among several cookies of its name: the one that
        verifies; none when several do (which is the site's own cannot be
        told). A request with duplicates never refreshes or deletes."""
        self.duplicates = True
        found = [self.check(ns, token) for token in tokens]
        good = [d for d in found if d.data is not None]
        bad = [d.reason for d in found if d.data is None]
        warn_duplicate_cookies(ns.cookie_name, len(tokens), len(good))
        if len(good) > 1:
            self.created = None
            return Decoded.rejected(AMBIGUOUS)
        if not good:
            return found[0]
        # The one that verifies, reported with why the others did not.
        only = good[0]
        return Decoded(only.data, only.payload, bad[0], only.body)


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
        """Register the signal handlers and the startup listener.

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
        app.signal("http.lifecycle.request", priority=FIRST)(self.on_request)
        app.signal("http.lifecycle.response", priority=LAST)(self.on_response)
        app.signal("websocket.handler.before")(self.on_websocket)
        send_to_sanic_log(app)

    async def configure(self, app: Sanic[Any, Any]) -> None:
        """Read and validate the config (``before_server_start``)."""
        settings = Settings.from_config(app.config)
        settings.warn_weak_secret()
        self.session_name = settings.session_name
        self.default = Namespace(settings, build_codec(settings, self.serializer_type))
        self.routes = collect_namespaces(app, settings, self.serializer_type)

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

    def open(self, request: Request) -> State:
        """The request's session state, made on first access."""
        return State(self, request)

    # -- load: http.lifecycle.request -------------------------------------

    async def on_request(self, request: Request) -> None:
        try:
            self.attach(request)
        except Exception:
            logger.exception("sanic-cookiesession: could not attach the session")

    def attach(self, request: Request) -> Any:
        """Give the request its session: on first access of
        ``request.ctx.<SESSION_NAME>`` where the context can, at once where
        it cannot. Returns what the request holds."""
        if self.default is None:  # not configured: the server did not start normally
            return None
        ctx = lazy_context(request, self.session_name)
        if ctx is not None:
            if self.session_type is dict or self.routes:
                marker = vars(ctx)[STATE_ATTR] = Unopened(self, request)
                return marker
            # 0.3.x built a custom session_type at the start of every request.
            state = vars(ctx)[STATE_ATTR] = self.open(request)
            state.pending = self.build(state.load())
            return state
        # The app's context cannot make the session on first access.
        state = self.open(request)
        hold(request, state)
        ctx = request.ctx
        if self.routes:
            # The route is not known yet: a session made now would be the
            # app's, also on a blueprint with a namespace of its own.
            warn_eager_context(type(ctx))
        elif not put_there(ctx, self.session_name):
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
            state = self.saving(request)
            if state is None:
                return  # never reached, or rejected while the head was read
            session = self.current(request, state)
            if headers_gone(request):
                self.too_late(state, session)  # streamed: the headers are out
            else:
                self.save(response, state, session)
        except Exception:
            logger.exception("sanic-cookiesession: could not save the session")
            return
        if state.decoded is not None and state.decoded.reason is not None:
            await self.report(request, state)

    def saving(self, request: Request) -> State | None:
        """The state of a request whose session is to be saved: reached,
        deleted, or put on ``request.ctx`` by user code; else ``None``."""
        found = held(request)
        if found is None:
            return None  # rejected while the head was read: no session
        if type(found) is Unopened or not found.reached:
            if stored(request.ctx, self.session_name, False) is MISSING:
                return None  # never reached: nothing to write
            found = opened(request)
        return found  # type: ignore[no-any-return]

    def current(self, request: Request, state: State) -> Any:
        """The session to save: what is on ``request.ctx`` now, a fresh one
        if it was deleted."""
        ctx = request.ctx
        session = stored(ctx, self.session_name, True)
        if session is MISSING:
            session = self.build({})  # deleted: a fresh one, as 0.3.x made
            setattr(ctx, self.session_name, session)
            state.deleted = True
        elif session is None:
            state.deleted = True
        state.reached = True  # reached, deleted, or put there by user code
        if state.decoded is None:
            state.load()
        elif self.routes and state.ns is not self.namespace_for(request):
            # Read before routing (an http.lifecycle.request handler): the
            # app's session, also on this route of a namespace.
            warn_namespace_fixed_early(request.route.name if request.route else request.path)
        return session

    def save(self, response: Any, state: State, session: Any) -> None:
        """Write, refresh or delete the cookie on ``response`` (or leave it)."""
        ns, decoded = state.ns, state.decoded
        assert ns is not None
        assert decoded is not None
        if state.saved:  # save_session() ran: replace what it wrote
            drop_set_cookie(response, ns.cookie_name)
            state.client_payload = decoded.payload if decoded.data else None
        state.saved = True
        add_vary_cookie(response)
        if state.readonly:
            if self.changed_since_saved(state, session):
                warn_not_saved_unread()
            return
        if not isinstance(session, Mapping) or not session:
            if session is not None and not isinstance(session, Mapping):
                logger.error(
                    "request.ctx.%s is a %s, not a mapping: session not saved",
                    self.session_name,
                    type(session).__name__,
                )
            # Emptied, or rejected: delete it -- unless it came with
            # duplicates and the app did not empty or delete it (a
            # sibling's cookie must not log the user out).
            elif state.sent and (
                not state.duplicates
                or decoded.data
                or state.deleted
                or getattr(session, "modified", False)
            ):
                response.headers.add("Set-Cookie", ns.writer.delete_header())
                state.client_payload = None
            return
        data = self.outgoing(state, session)
        try:
            payload = ns.codec.payload(data)
            if len(payload) > _codec.MAX_PAYLOAD:
                # It might compress under the cookie limit, but it would be
                # refused when read back: refuse it now, and keep the old one.
                log_oversize(ns, data, len(payload), "decoded payload", _codec.MAX_PAYLOAD)
                return
            changed = decoded.payload != payload or bool(getattr(session, "modified", False))
            if changed:
                token = ns.codec.sign(data, payload)
            elif state.duplicates:
                return  # never copy one of several cookies into the site's own
            elif ns.settings.refresh_each_request or decoded.reason == FALLBACK_KEY:
                token = ns.codec.resign(decoded, data, payload)
            else:
                return
        except Exception as exc:  # noqa: BLE001 - the serializer refused it
            log_unencodable(ns.codec, data, exc)
            return
        header = ns.header(token)
        if len(header) > ns.settings.max_size:
            log_oversize(ns, data, len(header))
        elif len(token) > MAX_INCOMING_COOKIE:  # under MAX_SIZE, but refused when read back
            log_oversize(ns, data, len(token), "cookie value", MAX_INCOMING_COOKIE)
        else:
            response.headers.add("Set-Cookie", header)
            state.client_payload = payload

    def outgoing(self, state: State, session: Mapping[str, Any]) -> dict[str, Any]:
        data = dict(session)
        if state.ns is not None and state.ns.settings.absolute_lifetime is not None:
            data[CREATED_KEY] = state.created or _codec.now()
        return data

    def changed_since_saved(self, state: State, session: Any) -> bool:
        """Whether ``session`` differs from what the client will hold."""
        if state.ns is None or not isinstance(session, Mapping) or not session:
            now = None
        else:
            try:
                now = state.ns.codec.payload(self.outgoing(state, session))
            except Exception:  # noqa: BLE001 - then it cannot be written either
                now = None
        return now != state.client_payload

    def too_late(self, state: State, session: Any) -> None:
        """Warn if ``session`` changed since it was read or last saved (the
        headers are out)."""
        if self.changed_since_saved(state, session):
            warn_changed_too_late()

    async def report(self, request: Request, state: State) -> None:
        """Dispatch the rejected-cookie signal, once per request."""
        decoded, ns = state.decoded, state.ns
        if state.reported or decoded is None or decoded.reason is None or ns is None:
            return
        state.reported = True
        context = {"request": request, "reason": decoded.reason, "cookie_name": ns.cookie_name}
        try:
            await self.app.dispatch(
                REJECTED_SIGNAL, context=context, inline=True, fail_not_found=False
            )
        except Exception:
            logger.exception("sanic-cookiesession: a %s handler failed", REJECTED_SIGNAL)

    # -- websockets: websocket.handler.before -----------------------------

    async def on_websocket(self, request: Request, **_: Any) -> None:
        """No header can follow a websocket handshake: when the request's
        task ends (the handler returned or raised, the client left, or the
        app's own ``websocket.handler.after`` handlers ran), say whether
        the session changed. Sanic dispatches no signal when the client
        leaves, so the task's end is the one moment that covers every way."""
        task = asyncio.current_task()
        if task is not None:
            task.add_done_callback(lambda _: self.websocket_ended(request))

    def websocket_ended(self, request: Request) -> None:
        """Warn (once per route) if the websocket changed the session, and
        dispatch the rejected-cookie signal if its cookie was refused."""
        try:
            state = self.saving(request)
            if state is None:
                return
            session = self.current(request, state)
            if self.changed_since_saved(state, session):
                route = request.route.name if request.route is not None else request.path
                warn_websocket_change(route)
        except Exception:
            logger.exception("sanic-cookiesession: could not check the websocket's session")
            return
        if state.decoded is not None and state.decoded.reason is not None:
            # The request's task has ended: the signal goes out in one of its own.
            report = asyncio.ensure_future(self.report(request, state))
            _reports.add(report)  # a strong reference until it is done
            report.add_done_callback(_reports.discard)


#: Rejected-cookie reports of websockets still being dispatched.
_reports: set[asyncio.Future[None]] = set()


def headers_gone(request: Request) -> bool:
    """Whether the response's headers were already sent."""
    return getattr(request.stream, "stage", None) in _HEADERS_GONE


def get_engine(app: Sanic[Any, Any]) -> Engine:
    """The engine installed on ``app``; raises if there is none."""
    engine = getattr(app.ctx, ENGINE_ATTR, None)
    if engine is None:
        raise SessionNotInstalledError(
            f"sanic-cookiesession is not installed on app {app.name!r}: call "
            "sanic_cookiesession.setup(app) or app.extend(extensions=[CookieSession])"
        )
    return engine  # type: ignore[no-any-return]
