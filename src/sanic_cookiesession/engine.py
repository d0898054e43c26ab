"""Load on request, save on response. Depends on Sanic only.

The engine hooks into Sanic through two signal handlers, registered when
``setup()`` or ``app.extend()`` runs (see ``docs/how-it-works.md``):

- ``http.lifecycle.request`` (before routing and middleware): the request
  gets a context on which ``ctx.session`` appears on first access. Nothing
  is decoded until then; the first access finds the matched route's
  namespace, decodes the cookie and puts a plain ``dict`` session there.
- ``http.lifecycle.response`` (after every response middleware, before the
  headers go out): writes, refreshes or deletes the cookie, or does nothing
  if no code reached the session. It never raises.

Config is read and checked once, in a ``before_server_start`` listener.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

from itsdangerous import URLSafeTimedSerializer
from sanic import Request, Sanic
from sanic.http.constants import Stage
from sanic.response.types import BaseHTTPResponse

from . import codec as _codec
from .codec import FALLBACK_KEY, Codec, Decoded, make_codec
from .config import MAX_INCOMING_COOKIE, Settings
from .cookies import CookieWriter, cookie_value
from .exc import SessionNotInstalledError
from .report import add_vary_cookie, log_oversize, log_unencodable
from .session import Session, warn_changed_too_late

logger = logging.getLogger("sanic_cookiesession")

#: Where the per-request state lives on ``request.ctx``.
STATE_ATTR = "_cookiesession"
#: Where the engine lives on ``app.ctx``.
ENGINE_ATTR = "_cookiesession_engine"
#: The key that holds the creation time inside the signed payload when
#: ``SESSION_ABSOLUTE_LIFETIME`` is set. The handler never sees it.
CREATED_KEY = "_cs_created"
#: The Sanic signal dispatched when a request carried a session cookie
#: that was not accepted (or was signed with a fallback key).
REJECTED_SIGNAL = "cookiesession.cookie.rejected"
#: ``before_server_start`` priority of the config check: after the app's
#: own listeners (which may set config) and after Sanic Extensions adds
#: its HEAD and OPTIONS routes (priority -1000), so every route is known.
CONFIGURE_PRIORITY = -2000

_HEADERS_GONE = (Stage.RESPONSE, Stage.IDLE, Stage.FAILED)
_NOT_SAVED = object()


class Namespace:
    """One session cookie: its settings, its codec, its header writer."""

    def __init__(self, settings: Settings, codec: Codec, label: str = "app") -> None:
        self.settings = settings
        self.codec = codec
        self.label = label
        self.writer = CookieWriter(settings)
        self.cookie_name = self.writer.name
        #: Formats the Set-Cookie header of a token this codec made (the
        #: default codec's tokens never need quoting).
        self.header: Callable[[str], str] = (
            self.writer.token_header
            if isinstance(codec, _codec.TimedTokenCodec)
            else self.writer.set_header
        )


class State:
    """One request's session: found on ``request.ctx``, made on first reach."""

    __slots__ = (
        "created", "decoded", "engine", "ns", "pending", "reached", "request", "token",
        "written",
    )

    def __init__(self, engine: Engine, request: Request) -> None:
        self.engine = engine
        # A weak reference: request -> ctx -> state -> request would be a
        # cycle that keeps every request alive until the collector runs.
        self.request = weakref.ref(request)
        self.ns: Namespace | None = None
        self.token: str | None = None
        self.decoded: Decoded | None = None
        self.created: int | None = None
        #: A custom ``session_type`` session built at the start of the
        #: request, handed out on first reach.
        self.pending: Any = None
        #: Whether user code reached the session (then the response varies
        #: on the cookie, and the session is saved).
        self.reached = False
        #: What :func:`save_session` wrote (its payload; ``None`` for no
        #: cookie), once it ran.
        self.written: Any = _NOT_SAVED

    def __repr__(self) -> str:
        return f"<sanic-cookiesession state reached={self.reached}>"

    def load(self) -> dict[str, Any]:
        """Find the namespace, read and decode the cookie (once). Returns a
        fresh dict, which nothing else holds."""
        if self.decoded is not None:
            return dict(self.decoded.data or {})
        request = self.request()
        ns = self.ns = self.engine.namespace_for(request)
        headers = request.headers if request is not None else None
        header = headers.getone("cookie", "") if headers is not None else ""
        self.token = cookie_value(header, ns.cookie_name)
        decoded = self.decoded = (
            ns.codec.loads(self.token) if self.token is not None else Decoded({}, None, None)
        )
        data = decoded.data
        lifetime = ns.settings.absolute_lifetime
        if data is not None and lifetime is not None:
            created = data.pop(CREATED_KEY, None)
            now = _codec.now()
            if not isinstance(created, int) or isinstance(created, bool):
                created = now
            if now - created > lifetime:
                decoded = self.decoded = Decoded.rejected("expired")
            else:
                self.created = created
        if decoded.reason is not None:
            log = logger.debug if decoded.reason == FALLBACK_KEY else logger.info
            log(
                "session cookie %r %s: %s",
                ns.cookie_name,
                "accepted with a fallback key" if decoded.data is not None else "rejected",
                decoded.reason,
            )
        return dict(decoded.data or {})

    def reach(self) -> Any:
        """The session user code gets on its first access."""
        self.reached = True
        session = self.pending
        if session is None:
            session = self.engine.build(self.load())
        self.pending = None
        return session


class SessionContext(SimpleNamespace):
    """``request.ctx`` (Sanic's ``SimpleNamespace``), with the session made on
    first access of its attribute."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        return _reach(self, name, None)

    def __delattr__(self, name: str) -> None:
        if not _forget(self, name):
            super().__delattr__(name)


def _forget(ctx: Any, name: str) -> bool:
    """``del ctx.session`` before its first access: the request ends with a
    fresh, empty session (as in 0.3.x, where the session was always there)."""
    state: State | None = vars(ctx).get(STATE_ATTR)
    if state is None or state.reached or name != state.engine.session_name:
        return False
    if name in vars(ctx):
        return False
    state.reached = True
    state.pending = None
    return True


def _reach(ctx: Any, name: str, base: Callable[[Any, str], Any] | None) -> Any:
    state: State | None = vars(ctx).get(STATE_ATTR)
    if state is not None and not state.reached and name == state.engine.session_name:
        session = state.reach()
        setattr(ctx, name, session)
        return session
    if base is not None:
        return base(ctx, name)
    raise AttributeError(f"{type(ctx).__name__!r} object has no attribute {name!r}")


_lazy_classes: dict[type, type | None] = {SimpleNamespace: SessionContext}


def _lazy_class(cls: type) -> type | None:
    """A subclass of an app's own context class that makes the session on
    first access, or ``None`` if instances cannot take it (no ``__dict__``,
    or a built-in type)."""
    if cls in _lazy_classes:
        return _lazy_classes[cls]
    lazy: type | None = None
    immutable = cls.__flags__ & (1 << 8)  # Py_TPFLAGS_IMMUTABLETYPE
    if not immutable and "__dict__" in dir(cls):
        base = getattr(cls, "__getattr__", None)
        base_delattr: Callable[[Any, str], None] = getattr(cls, "__delattr__")  # noqa: B009

        def __getattr__(self: Any, name: str) -> Any:
            return _reach(self, name, base)

        def __delattr__(self: Any, name: str) -> None:
            if not _forget(self, name):
                base_delattr(self, name)

        lazy = type(
            cls.__name__,
            (cls,),
            {
                "__slots__": (),
                "__getattr__": __getattr__,
                "__delattr__": __delattr__,
                "__module__": cls.__module__,
            },
        )
    _lazy_classes[cls] = lazy
    return lazy


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

    # -- installation -----------------------------------------------------

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

    async def configure(self, app: Sanic[Any, Any]) -> None:
        """Read and validate the config (``before_server_start``)."""
        from .namespaces import collect_namespaces

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
        """The session object for decoded ``data`` (which it may keep)."""
        if self.session_type is dict:
            return Session(data)
        return self.session_type(data)

    # -- request ----------------------------------------------------------

    async def on_request(self, request: Request) -> None:
        """``http.lifecycle.request``: attach the session to ``request.ctx``."""
        try:
            self.attach(request)
        except Exception:
            logger.exception("sanic-cookiesession: could not attach the session")

    def attach(self, request: Request) -> State | None:
        """Give ``request.ctx`` its session state; the session itself is made
        on first access of ``request.ctx.<SESSION_NAME>``."""
        if self.default is None:  # not configured: the server did not start normally
            return None
        state = State(self, request)
        cls = type(request)
        if request._ctx is None and cls.make_context is Request.make_context and (
            cls.ctx is Request.ctx
        ):
            ctx: Any = SessionContext()
            request._ctx = ctx
        else:  # the app's own context: make its class lazy, if it can be
            ctx = request.ctx
            lazy = _lazy_class(type(ctx))
            try:
                if lazy is None:
                    raise TypeError
                ctx.__class__ = lazy
            except TypeError:
                # Cannot be made lazy: the session is there at once (one put
                # there earlier is kept, as 0.3.x did) and counts as used.
                state.reached = True
                setattr(ctx, STATE_ATTR, state)
                session = state.load()
                if getattr(ctx, self.session_name, None) is None:
                    setattr(ctx, self.session_name, self.build(session))
                return state
        setattr(ctx, STATE_ATTR, state)
        if self.session_type is not dict and not self.routes:
            # 0.3.x built a custom session_type at the start of every request.
            state.pending = self.build(state.load())
        return state

    # -- response ---------------------------------------------------------

    async def on_response(self, request: Request, response: BaseHTTPResponse) -> None:
        """``http.lifecycle.response``: save the session. Never raises (an
        exception here would make Sanic drop the connection)."""
        try:
            state: State | None = getattr(request.ctx, STATE_ATTR, None)
            if state is None:
                return  # rejected while the head was read: no session
            session = self.current(request, state)
            if session is None:
                return  # never reached: nothing to write
            if getattr(request.stream, "stage", None) in _HEADERS_GONE:
                self.too_late(state, session)  # streamed: the headers are out
                return
            reason = self.save(response, state, session)
        except Exception:
            logger.exception("sanic-cookiesession: could not save the session")
            return
        if reason is not None:
            await self._report(request, state, reason)

    def current(self, request: Request, state: State) -> Any:
        """The session to save: what is on ``request.ctx`` now, a fresh one if
        it was deleted, ``None`` if user code never reached it."""
        ctx = request.ctx
        session = vars(ctx).get(self.session_name, state) if hasattr(ctx, "__dict__") else (
            getattr(ctx, self.session_name, state)
        )
        if session is state:
            if not state.reached:
                return None
            # ``del request.ctx.session``: a fresh one, as 0.3.x made.
            session = self.build({})
            setattr(ctx, self.session_name, session)
        # Reached, deleted or put there by user code: it counts as used.
        state.reached = True
        if state.decoded is None:
            state.load()
        return session

    def outgoing(self, state: State, session: Mapping[str, Any]) -> dict[str, Any]:
        data = dict(session)
        if state.ns is not None and state.ns.settings.absolute_lifetime is not None:
            data[CREATED_KEY] = state.created or _codec.now()
        return data

    def too_late(self, state: State, session: Any) -> None:
        """Warn if ``session`` changed since it was read or last saved."""
        before = state.written
        if before is _NOT_SAVED:
            decoded = state.decoded
            before = decoded.payload if decoded is not None and decoded.data else None
        if self.payload_now(state, session) != before:
            warn_changed_too_late()

    def payload_now(self, state: State, session: Any) -> bytes | None:
        """What ``session`` would be written as (``None``: empty or unusable)."""
        ns = state.ns
        if ns is None or not isinstance(session, Mapping) or not session:
            return None
        try:
            return ns.codec.payload(self.outgoing(state, session))
        except Exception:  # noqa: BLE001 - then it cannot be written either
            return None

    def save(self, response: BaseHTTPResponse, state: State, session: Any) -> str | None:
        """Write, refresh or delete the cookie. Returns a rejection reason to
        report, if the request's cookie was not (fully) accepted."""
        ns = state.ns
        decoded = state.decoded
        assert ns is not None
        assert decoded is not None
        if state.written is not _NOT_SAVED:
            # Saved before (save_session): replace what that wrote.
            _drop_set_cookie(response, ns.cookie_name)
        add_vary_cookie(response)
        reason = decoded.reason
        if session is None or (isinstance(session, Mapping) and not session):
            if state.token is not None:
                response.headers.add("Set-Cookie", ns.writer.delete_header())
            return reason
        if not isinstance(session, Mapping):
            logger.error(
                "request.ctx.%s is a %s, not a mapping: session not saved",
                self.session_name,
                type(session).__name__,
            )
            return reason
        data = self.outgoing(state, session)
        try:
            payload = ns.codec.payload(data)
        except Exception as exc:  # noqa: BLE001
            log_unencodable(ns.codec, data, exc)
            return reason
        if len(payload) > _codec.MAX_PAYLOAD:
            # It may compress under the cookie limit, but it would be refused
            # when read back: refuse it now, loudly, and keep the old cookie.
            log_oversize(ns, data, len(payload), "decoded payload", _codec.MAX_PAYLOAD)
            return reason
        changed = decoded.payload != payload or bool(getattr(session, "modified", False))
        if not (changed or ns.settings.refresh_each_request or reason == FALLBACK_KEY):
            return reason
        resign = getattr(ns.codec, "resign", None)
        try:
            if changed or decoded.body is None or resign is None:
                token = ns.codec.sign(data, payload)
            else:  # same contents: sign the body as read, with a new timestamp
                token = resign(decoded.body, payload)
        except Exception as exc:  # noqa: BLE001
            log_unencodable(ns.codec, data, exc)
            return reason
        header = ns.header(token)
        if len(header) > ns.settings.max_size:
            log_oversize(ns, data, len(header))
        elif len(token) > MAX_INCOMING_COOKIE:
            # Under SESSION_COOKIE_MAX_SIZE, but refused when read back.
            log_oversize(ns, data, len(token), "cookie value", MAX_INCOMING_COOKIE)
        else:
            response.headers.add("Set-Cookie", header)
        return reason

    async def _report(self, request: Request, state: State, reason: str) -> None:
        try:
            await self.app.dispatch(
                REJECTED_SIGNAL,
                context={
                    "request": request,
                    "reason": reason,
                    "cookie_name": state.ns.cookie_name if state.ns else None,
                },
                inline=True,
                fail_not_found=False,
            )
        except Exception:
            logger.exception("sanic-cookiesession: a %s handler failed", REJECTED_SIGNAL)


def get_engine(app: Sanic[Any, Any]) -> Engine:
    """The engine installed on ``app``; raises if there is none."""
    engine = getattr(app.ctx, ENGINE_ATTR, None)
    if engine is None:
        raise SessionNotInstalledError(
            f"sanic-cookiesession is not installed on app {app.name!r}: call "
            "sanic_cookiesession.setup(app) or "
            "app.extend(extensions=[CookieSession])"
        )
    return engine  # type: ignore[no-any-return]


def save_session(request: Request, response: BaseHTTPResponse) -> None:
    """Save the session now, for streaming responses.

    The session is saved when the response is sent; a streamed response
    (``await request.respond()`` then ``send()``) sends its headers on the
    first ``send()``, before that. Call this after the last change to the
    session and before the first ``await response.send(...)``. A change
    made once the headers are out is lost, with a warning.

    Example:
        >>> async def handler(request):  # doctest: +SKIP
        ...     request.ctx.session["streamed"] = True
        ...     response = await request.respond(content_type="text/plain")
        ...     save_session(request, response)
        ...     await response.send("hello")
        ...     await response.eof()
    """
    engine = get_engine(request.app)
    state: State | None = getattr(request.ctx, STATE_ATTR, None)
    if state is None:
        return
    session = engine.current(request, state)
    if session is None:
        return
    if getattr(request.stream, "stage", None) in _HEADERS_GONE:
        engine.too_late(state, session)
        return
    engine.save(response, state, session)
    state.written = engine.payload_now(state, session)


def _drop_set_cookie(response: BaseHTTPResponse, name: str) -> None:
    prefix = name + "="
    headers = response.headers
    kept = [v for v in headers.getall("set-cookie", []) if not str(v).startswith(prefix)]
    headers.popall("set-cookie", None)
    for value in kept:
        headers.add("Set-Cookie", value)
