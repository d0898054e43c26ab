"""Load on request, save on response. Depends on Sanic only.

Where each hook sits (see ``docs/how-it-works.md``): when the server
starts, the app's request class is replaced by a subclass of it (made once
per app) with two additions, and no middleware or signal is registered:

- ``request.ctx``, when first used, carries a lazy session (in the
  namespace of the matched route's blueprint, resolved when the session is
  first used) — a route that never touches ``request.ctx`` pays nothing;
- ``request.respond()``, after Sanic's own (which runs every response
  middleware, including one that replaces the response or raises), writes,
  refreshes or deletes the cookie on the response about to be sent, or does
  nothing. It never raises.

They are not middleware because Sanic dispatches two signals around each
middleware call, and not ``http.lifecycle.*`` signals because each dispatch
costs about a sixth of a bare request (see ``docs/performance.md``).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Coroutine, Mapping
from operator import is_
from types import SimpleNamespace
from typing import Any

from itsdangerous import URLSafeTimedSerializer
from sanic import Request, Sanic
from sanic.http.constants import Stage
from sanic.response.types import BaseHTTPResponse

from . import codec as _codec
from .codec import FALLBACK_KEY, Codec, Decoded, _has_containers, make_codec, snapshot
from .config import MAX_INCOMING_COOKIE, Settings
from .cookies import CookieWriter, cookie_value
from .exc import SessionNotInstalledError
from .session import (
    LateSession,
    LateSharedSession,
    LazySession,
    Session,
    SharedSession,
    warn_changed_too_late,
)

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

_ENGINE_CLASS_ATTR = "_cookiesession_engine"
_HEADERS_GONE = (Stage.RESPONSE, Stage.IDLE, Stage.FAILED)
_NO_COOKIE = object()
_OURS = (Session, SharedSession, LateSession, LateSharedSession)


class Namespace:
    """One session cookie: its settings, its codec, its header writer."""

    __slots__ = (
        "codec", "cookie_name", "header", "label", "lifetime", "refresh", "resign", "settings",
        "writer",
    )

    def __init__(
        self, settings: Settings, codec: Codec, label: str = "app"
    ) -> None:
        self.settings = settings
        self.codec = codec
        # Read on every request: kept at hand.
        self.lifetime = settings.absolute_lifetime
        self.refresh = settings.refresh_each_request
        #: Re-signs an unchanged body without encoding it again, for codecs
        #: that can (the default one).
        self.resign: Callable[[bytes, bytes | None], str] | None = getattr(codec, "resign", None)
        self.writer = CookieWriter(settings)
        self.cookie_name = self.writer.name
        #: Formats the Set-Cookie header of a token this codec made.
        self.header: Callable[[str], str] = (
            self.writer.token_header
            if isinstance(codec, _codec.TimedTokenCodec)
            else self.writer.set_header
        )
        self.label = label


class State:
    """What the engine knows about one request's session.

    Nothing is read from the request until the session is used or saved:
    the cookie is looked up in the ``Cookie`` header on first need.
    """

    __slots__ = (
        "_ns", "_request", "_token", "built", "created", "decoded", "engine", "headers",
        "loaded", "saved", "shares",
    )

    def __init__(self, engine: Engine, request: Request) -> None:
        self.engine = engine
        self.headers = request.headers
        #: The namespace, known at once unless the request is not routed
        #: yet and blueprints have namespaces of their own; then the request
        #: is kept by a weak reference (a strong one would make a cycle,
        #: request -> ctx -> state -> request, and keep every request, body
        #: included, alive until the garbage collector runs).
        ns = engine.namespace_now(request)
        self._ns: Namespace | None = ns
        self._request = weakref.ref(request) if ns is None else None
        self._token: Any = _NO_COOKIE
        self.built = False
        self.decoded: Decoded | None = None
        self.created: int | None = None
        self.saved = False
        #: The contents as read (what the session is compared with on save).
        self.loaded: dict[str, Any] | None = None
        #: Whether their lists and dicts are shared with other requests
        #: (see :class:`~sanic_cookiesession.session.SharedSession`).
        self.shares = False

    @property
    def ns(self) -> Namespace:
        """The namespace of the route matched when this is first asked."""
        ns = self._ns
        if ns is None:
            request = self._request() if self._request is not None else None
            ns = self._ns = self.engine.namespace_for(request)
            self._request = None
        return ns

    @property
    def token(self) -> str | None:
        """The request's session cookie (read on first use), or ``None``."""
        token = self._token
        if token is _NO_COOKIE:
            headers = self.headers
            header = headers.getone("cookie", "") if headers is not None else ""
            token = self._token = cookie_value(header, self.ns.cookie_name)
        return token  # type: ignore[no-any-return]

    def load(self) -> dict[str, Any]:
        """Decode the cookie (called on the session's first use).

        The dict returned may be shared with the token cache: copy it.
        """
        ns = self.ns
        token = self.token
        if token is None:
            return {}
        decoded = ns.codec.loads(token)
        data = decoded.data
        lifetime = ns.lifetime
        if data is not None and lifetime is not None:
            data = dict(data)  # decoded.data is never changed in place
            created = data.pop(CREATED_KEY, None)
            now = _codec.now()
            if not isinstance(created, int) or isinstance(created, bool):
                created = now
            if now - created > lifetime:
                decoded = Decoded.rejected("expired")
                data = None  # the next session starts a new lifetime
            else:
                self.created = created
        self.decoded = decoded
        self.loaded = data
        if data is not None:
            self.shares = decoded.shared and decoded.nested is True
        if decoded.reason is not None:
            log = logger.debug if decoded.reason == FALLBACK_KEY else logger.info
            log(
                "session cookie %r %s: %s",
                ns.cookie_name,
                "accepted with a fallback key" if data is not None else "rejected",
                decoded.reason,
            )
        return data if data is not None else {}

    def own(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """What :meth:`load` returned, and a private deep copy of it (which
        becomes the contents as read)."""
        shared = self.loaded or {}
        decoded = self.decoded
        if not self.shares or decoded is None:
            return shared, shared
        private = decoded.private()
        if self.ns.lifetime is not None:
            private.pop(CREATED_KEY, None)
        self.shares = False
        self.loaded = private
        return shared, private


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
        """Register the middleware and the startup listener."""
        app = self.app
        if getattr(app.ctx, ENGINE_ATTR, None) is not None:
            raise RuntimeError(
                f"sanic-cookiesession is already installed on app {app.name!r}; "
                "use either setup(app) or app.extend(extensions=[CookieSession]), once"
            )
        setattr(app.ctx, ENGINE_ATTR, self)
        app.register_listener(self.configure, "before_server_start")
        __import__("sanic_cookiesession.logs").logs.send_to_sanic_log(app)

    async def configure(self, app: Sanic[Any, Any]) -> None:
        """Read and validate the config (``before_server_start``)."""
        from .namespaces import collect_namespaces

        settings = Settings.from_config(app.config)
        settings.warn_weak_secret()
        self.session_name = settings.session_name
        self.default = self.namespace(settings)
        self.routes = collect_namespaces(app, self, settings)
        if getattr(app.request_class, _ENGINE_CLASS_ATTR, None) is not self:
            app.request_class = session_request_class(app.request_class or Request, self)

    def namespace(self, settings: Settings, label: str = "app") -> Namespace:
        codec = self.make_codec(settings)
        return Namespace(settings, codec, label)

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

    # -- request ----------------------------------------------------------

    def attach(self, request: Request, ctx: Any) -> None:
        """Put a lazy session on a new ``request.ctx`` (called on its first use).

        The namespace is resolved when the session is first used, from the
        route matched by then. Never raises.
        """
        if self.default is None:  # not configured: the server did not start normally
            return
        try:
            state = State(self, request)
            # First used after request.respond(): a change can no longer be saved.
            state.saved = request.responded
            setattr(ctx, STATE_ATTR, state)
            if self.session_type is dict:
                # The session refers to the state, never the other way round:
                # no reference cycle, so both are freed with the request.
                setattr(ctx, self.session_name, LazySession.pending(state))
            elif state._ns is None and type(ctx) is DeferredContext:
                pass  # built on first access, once the route is known
            else:
                setattr(ctx, self.session_name, self.build_session(state))
        except Exception:
            logger.exception("sanic-cookiesession: could not attach the session")

    def build_session(self, state: State) -> Any:
        """A custom ``session_type`` session, decoded now (``load()``'s dict
        may be the token cache's: the type gets a copy)."""
        state.load()
        return self.session_type(dict(state.own()[1]))

    def namespace_now(self, request: Request) -> Namespace | None:
        """The request's namespace, or ``None`` if it cannot be known yet
        (blueprints have namespaces and the request is not routed yet)."""
        if not self.routes:
            return self.default
        route = request.route
        if route is None:
            return None
        return self.routes.get(route.name, self.default)

    def namespace_for(self, request: Request | None) -> Namespace:
        """The request's namespace; the app's if it has no route (yet)."""
        ns = self.namespace_now(request) if request is not None else None
        ns = ns or self.default
        assert ns is not None
        return ns

    # -- response ---------------------------------------------------------

    def on_response(
        self, request: Request, response: BaseHTTPResponse, ctx: Any = None
    ) -> Coroutine[Any, Any, None] | None:
        """Save the session (after the response middleware have run).

        Returns a coroutine only when a rejected cookie must be reported,
        which the caller awaits. Never raises.
        """
        try:
            if ctx is None:
                ctx = request.ctx
            state: State | None = getattr(ctx, STATE_ATTR, None)
            if state is None or state.saved:
                return None
            session = getattr(ctx, self.session_name, None)
            if type(session) is LazySession:
                state.saved = True  # never touched: never decoded, nothing to write
                return None
            stream = request.stream
            if stream is not None and getattr(stream, "stage", None) in _HEADERS_GONE:
                self._too_late(request, state)
                return None
            reason = self.save(request, response, state, session)
        except Exception:
            logger.exception("sanic-cookiesession: could not save the session")
            return None
        if reason is None:
            return None
        return self._report(request, state, reason)

    async def _report(self, request: Request, state: State, reason: str) -> None:
        try:
            await self.app.dispatch(
                REJECTED_SIGNAL,
                context={
                    "request": request,
                    "reason": reason,
                    "cookie_name": state.ns.writer.name,
                },
                inline=True,
                fail_not_found=False,
            )
        except Exception:
            logger.exception("sanic-cookiesession: a %s handler failed", REJECTED_SIGNAL)

    def _too_late(self, request: Request, state: State) -> None:
        state.saved = True
        session = getattr(request.ctx, self.session_name, None)
        if type(session) is LazySession:
            return
        if self._changed(request, state):
            warn_changed_too_late()

    def _changed(self, request: Request, state: State) -> bool:
        session = getattr(request.ctx, self.session_name, None)
        decoded = state.decoded
        if session is None or not session:
            return state.token is not None
        try:
            payload = state.ns.codec.payload(self._outgoing(session, state))
        except Exception:  # noqa: BLE001
            return True
        return decoded is None or decoded.payload != payload or bool(
            getattr(session, "modified", False)
        )

    def _outgoing(self, session: Mapping[str, Any], state: State) -> dict[str, Any]:
        data: dict[str, Any] = (
            # Read from the dict's storage: a shared session takes no copies.
            dict(dict.items(session))  # type: ignore[arg-type]
            if type(session) in _OURS
            else dict(session)
        )
        if state.ns.settings.absolute_lifetime is not None:
            data[CREATED_KEY] = state.created or _codec.now()
        return data

    def save(
        self, request: Request, response: BaseHTTPResponse, state: State, session: Any = _NO_COOKIE
    ) -> str | None:
        """Write, refresh or delete the cookie. Returns a rejection reason
        to report, if the request's cookie was not (fully) accepted."""
        state.saved = True
        if session is _NO_COOKIE:
            session = getattr(request.ctx, self.session_name, None)
        if type(session) is LazySession:
            return None  # never touched: never decoded, nothing to write
        try:
            return self._save(response, state, session)
        finally:
            # From now on a change is lost: say so if one happens.
            if type(session) is Session:
                session.__class__ = LateSession
            elif type(session) is SharedSession:
                session.__class__ = LateSharedSession

    def _save(self, response: BaseHTTPResponse, state: State, session: Any) -> str | None:
        ns = state.ns
        _add_vary_cookie(response)
        decoded = state.decoded
        reason = decoded.reason if decoded is not None else None
        is_mapping = type(session) is Session or isinstance(session, (dict, Mapping))
        if session is None or (is_mapping and not session):
            if state.token is not None:
                response.headers.add("Set-Cookie", ns.writer.delete_header())
            return reason
        if not is_mapping:
            logger.error(
                "request.ctx.%s is a %s, not a mapping: session not saved",
                self.session_name,
                type(session).__name__,
            )
            return reason
        modified = bool(getattr(session, "modified", False))
        if (
            not modified
            and decoded is not None
            and ns.lifetime is None
            and same_as_read(session, state.loaded, decoded.snapshot, decoded.nested)
        ):
            # Provably what was read: no need to encode it to compare.
            if not (ns.refresh or reason == FALLBACK_KEY):
                return reason
            if decoded.body is not None and ns.resign is not None:
                return self._set(
                    response, ns, session, ns.resign, decoded.body, decoded.payload, reason=reason
                )
        data = self._outgoing(session, state)
        try:
            payload = ns.codec.payload(data)
        except Exception as exc:  # noqa: BLE001
            _log_unencodable(ns, data, exc)
            return reason
        if len(payload) > _codec.MAX_PAYLOAD:
            # It may compress under the cookie limit, but it would be refused
            # when read back: refuse it now, loudly, and keep the old cookie.
            _log_oversize(ns, data, len(payload), what="decoded payload", limit=_codec.MAX_PAYLOAD)
            return reason
        changed = decoded is None or decoded.payload != payload or modified
        if not (changed or ns.refresh or reason == FALLBACK_KEY):
            return reason
        if changed or decoded is None or decoded.body is None or ns.resign is None:
            return self._set(response, ns, data, ns.codec.sign, data, payload, reason=reason)
        # Same contents: sign the body as read, with a new timestamp.
        return self._set(
            response, ns, data, ns.resign, decoded.body, decoded.payload, reason=reason
        )

    @staticmethod
    def _set(
        response: BaseHTTPResponse,
        ns: Namespace,
        data: Mapping[str, Any],
        make_token: Callable[..., str],
        *args: Any,
        reason: str | None,
    ) -> str | None:
        try:
            token = make_token(*args)
        except Exception as exc:  # noqa: BLE001
            _log_unencodable(ns, data, exc)
            return reason
        header = ns.header(token)
        if len(header) > ns.settings.max_size:
            _log_oversize(ns, data, len(header))
            return reason
        if len(token) > MAX_INCOMING_COOKIE:
            # Under SESSION_COOKIE_MAX_SIZE, but refused when read back.
            _log_oversize(ns, data, len(token), what="cookie value", limit=MAX_INCOMING_COOKIE)
            return reason
        response.headers.add("Set-Cookie", header)
        return reason


def same_as_read(
    session: Any,
    original: dict[str, Any] | None,
    fingerprint: bytes | None,
    nested: bool | None = None,
) -> bool:
    """Whether ``session`` provably still encodes to the JSON it was read from.

    ``original`` is the dict decoded from the cookie and ``fingerprint`` its
    :func:`snapshot`, taken then when it held lists or dicts (``nested``,
    computed when not given). ``False`` only means "compare the JSON": it
    is cheap to answer for a session changed at the top level (the usual
    write), and exact whenever it says ``True``.
    """
    cls = type(session)
    if (
        original is None
        or (cls is not Session and cls is not SharedSession)
        or len(session) != len(original)
    ):
        return False
    if nested is None:
        nested = _has_containers(original)
    if not (
        # The session as read holds the very objects decoded, in order: a
        # loop in C answers for the usual, read-only, case.
        all(map(is_, dict.keys(session), original))
        and all(map(is_, dict.values(session), original.values()))
    ):
        for (key, value), (new_key, new_value) in zip(
            dict.items(original), dict.items(session), strict=True
        ):
            if new_key is not key and (type(new_key) is not str or new_key != key):
                return False
            kind = type(value)
            if kind is dict or kind is list:
                if new_value is not value:
                    return False
            elif new_value is not value and (
                (kind is not str and kind is not int)
                or type(new_value) is not kind
                or new_value != value
            ):
                return False
    if not nested or cls is SharedSession:
        return True  # no list or dict inside was ever handed out
    # The same objects, but lists or dicts may have changed inside.
    return fingerprint is not None and snapshot(dict(session)) == fingerprint


def _add_vary_cookie(response: BaseHTTPResponse) -> None:
    headers = response.headers
    if headers.setdefault("Vary", "Cookie") == "Cookie":
        return  # there was none (the usual case), or just this one
    # Merge into what is there, however many Vary headers that is.
    vary = ", ".join(value for value in headers.getall("vary") if value)
    names = {name.strip().lower() for name in vary.split(",")}
    if "cookie" not in names and "*" not in names:  # "*" varies on everything
        headers["Vary"] = f"{vary}, Cookie" if vary else "Cookie"


def _log_unencodable(ns: Namespace, data: Mapping[str, Any], exc: Exception) -> None:
    culprit = None
    for key, value in data.items():
        try:
            ns.codec.payload({key: value})
        except Exception:  # noqa: BLE001
            culprit = (key, type(value).__name__)
            break
    if culprit is None:
        logger.error(
            "session not saved: it cannot be encoded (%s); the previous cookie stays",
            type(exc).__name__,
        )
    else:
        logger.error(
            "session not saved: key %r holds a %s, which the serializer cannot "
            "encode; the previous cookie stays",
            *culprit,
        )


def _log_oversize(
    ns: Namespace,
    data: Mapping[str, Any],
    size: int,
    *,
    what: str = "Set-Cookie header",
    limit: int | None = None,
) -> None:
    sizes = []
    for key, value in data.items():
        try:
            sizes.append((len(ns.codec.payload({key: value})), key))
        except Exception:  # noqa: BLE001
            continue
    largest = ", ".join(f"{key!r} ({n} B)" for n, key in sorted(sizes, reverse=True)[:3])
    if limit is None:
        bound = f"SESSION_COOKIE_MAX_SIZE={ns.settings.max_size} (browsers drop such cookies)"
    else:
        bound = f"the {limit}-byte limit a session is read back with"
    logger.error(
        "session not saved: the %s would be %d bytes, over %s; largest keys: %s; "
        "the previous cookie stays",
        what,
        size,
        bound,
        largest,
    )


class DeferredContext(SimpleNamespace):
    """``request.ctx`` for an app with a custom ``session_type`` and
    blueprint namespaces: when the context is made before routing, the
    session is built on its first access, in the namespace of the route
    matched by then (a ``dict`` session is lazy anyway)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        state: State | None = self.__dict__.get(STATE_ATTR)
        if state is not None:
            engine = state.engine
            if name == engine.session_name and name not in self.__dict__ and not state.built:
                state.built = True
                session = engine.build_session(state)
                setattr(self, name, session)
                return session
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def session_request_class(base: type[Request], engine: Engine) -> type[Request]:
    """A subclass of ``base`` (the app's request class) that loads and saves
    the session (see the module's docstring). Made once per app, at startup.
    """
    attach = engine.attach
    on_response = engine.on_response
    sanic_ctx = base.ctx is Request.ctx
    # A custom session type cannot be lazy itself: with namespaces, the
    # context defers building it until the route is known.
    deferred = (
        sanic_ctx
        and engine.session_type is not dict
        and bool(engine.routes)
        and base.make_context is Request.make_context
    )

    class SessionRequest(base):  # type: ignore[valid-type,misc]
        __slots__ = ()

        if sanic_ctx:
            # Sanic's own property, with the session attached on creation.
            @property
            def ctx(self) -> Any:
                ctx = self._ctx  # type: ignore[has-type]
                if ctx is None:
                    ctx = DeferredContext() if deferred else self.make_context()
                    self._ctx = ctx  # type: ignore[misc]
                    attach(self, ctx)
                elif getattr(ctx, STATE_ATTR, None) is None:
                    attach(self, ctx)  # made by the app's own __init__
                return ctx

            def _session_ctx(self) -> Any:
                """The context if it exists (a route that never used it has none)."""
                return self._ctx

        else:  # the app's request class has a ctx of its own: use it

            @property
            def ctx(self) -> Any:
                ctx = super().ctx
                if getattr(ctx, STATE_ATTR, None) is None:
                    attach(self, ctx)
                return ctx

            def _session_ctx(self) -> Any:
                return self.ctx

        async def respond(
            self,
            response: BaseHTTPResponse | None = None,
            *,
            status: int = 200,
            headers: Any = None,
            content_type: str | None = None,
        ) -> Any:
            response = await super().respond(
                response, status=status, headers=headers, content_type=content_type
            )
            ctx = self._session_ctx()
            if ctx is not None and isinstance(response, BaseHTTPResponse):
                report = on_response(self, response, ctx)
                if report is not None:
                    await report
            return response

    setattr(SessionRequest, _ENGINE_CLASS_ATTR, engine)
    SessionRequest.__name__ = SessionRequest.__qualname__ = base.__name__
    SessionRequest.__module__ = base.__module__
    SessionRequest.__doc__ = base.__doc__
    return SessionRequest


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

    ``await request.respond(...)`` saves the session as it is then (it runs
    the response middleware). For a change made after ``respond()``, call
    this before the first ``await response.send(...)``: once the headers
    are out, a cookie can no longer be set, and later changes are lost
    (with a warning).

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
    stream = request.stream
    if stream is not None and getattr(stream, "stage", None) in _HEADERS_GONE:
        engine._too_late(request, state)
        return
    if state.saved:
        # request.respond() already ran the response middleware: save again,
        # replacing what that save wrote for this cookie.
        prefix = state.ns.writer.name + "="
        headers = response.headers
        kept = [v for v in headers.getall("set-cookie", []) if not str(v).startswith(prefix)]
        headers.popall("set-cookie", None)
        for value in kept:
            headers.add("Set-Cookie", value)
        session = getattr(request.ctx, engine.session_name, None)
        if type(session) is LateSession:
            session.__class__ = Session  # type: ignore[assignment]
        elif type(session) is LateSharedSession:
            session.__class__ = SharedSession  # type: ignore[assignment]
    engine.save(request, response, state)
