"""Tools shared by the reliability tests: an in-process ASGI driver, a raw
HTTP/1.1 client for the real servers, a browser-like cookie jar, the
figures the tests report, and a type-strict equality for JSON values."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from sanic import Sanic

SECRET = "reliability-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
OLD_SECRET = "reliability-old-secret-0123456789-abcdefghijklmnopqrstuv"
COOKIE = "_session"
SALT = "cookie-session"

# -- figures ---------------------------------------------------------------

#: What the tests measured, printed in the terminal summary (see conftest).
FIGURES: dict[str, dict[str, Any]] = {}


def record(test: str, **figures: Any) -> None:
    """Add ``figures`` to what ``test`` reports (counts add up)."""
    entry = FIGURES.setdefault(test, {})
    for key, value in figures.items():
        if isinstance(value, int) and isinstance(entry.get(key), int):
            entry[key] += value
        else:
            entry[key] = value


# -- JSON values -------------------------------------------------------------


def same_json(a: Any, b: Any) -> bool:
    """``a == b`` where ``1``, ``1.0``, ``True`` and ``0.0``, ``-0.0`` differ."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return bool(a == b)


# -- logs ----------------------------------------------------------------------


class Capture(logging.Handler):
    """Keeps every log record (formatted) emitted while installed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.texts.append(text)

    def errors(self) -> list[str]:
        return [t for r, t in zip(self.records, self.texts, strict=True) if r.levelno >= 30]

    def ours(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.name == "sanic_cookiesession"]

    def contains(self, secret: str) -> bool:
        return any(secret in text for text in self.texts)

    def clear(self) -> None:
        self.records.clear()
        self.texts.clear()


def capture_logs() -> Iterator[Capture]:
    """Install a :class:`Capture` on the root logger at DEBUG (a generator
    for use as a fixture body)."""
    handler = Capture()
    root = logging.getLogger()
    ours = logging.getLogger("sanic_cookiesession")
    old_root, old_ours = root.level, ours.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    ours.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_root)
        ours.setLevel(old_ours)


# -- in-process ASGI -----------------------------------------------------------


@dataclass
class Reply:
    """A response, from the ASGI driver or the raw HTTP client."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header_list(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name]

    def json(self) -> Any:
        return json.loads(self.body)

    def set_cookies(self) -> dict[str, tuple[str, str]]:
        """``{name: (value, max_age)}`` from the ``Set-Cookie`` headers."""
        out: dict[str, tuple[str, str]] = {}
        for header in self.header_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                out[name] = (morsel.value, morsel["max-age"])
        return out


class AsgiDriver:
    """Runs one app's ASGI lifespan on a private event loop and sends it
    requests as raw ASGI scopes: the whole engine path, without sockets, in
    about a tenth of a millisecond per request."""

    def __init__(self, app: Sanic[Any, Any]) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._in: asyncio.Queue[dict[str, Any]] | None = None
        self._out: asyncio.Queue[dict[str, Any]] | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        # Several apps start in this process: like sanic-testing, tell Sanic
        # so (its TouchUp then rewrites the original methods each time).
        Sanic.test_mode = True
        self.loop.run_until_complete(self._lifespan("startup"))

    def stop(self) -> None:
        try:
            self.loop.run_until_complete(self._lifespan("shutdown"))
        finally:
            self.loop.close()

    async def _lifespan(self, event: str) -> None:
        if self._task is None:
            self._in, self._out = asyncio.Queue(), asyncio.Queue()
            scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
            self._task = asyncio.ensure_future(self.app(scope, self._in.get, self._out.put))
        assert self._in is not None
        assert self._out is not None
        await self._in.put({"type": f"lifespan.{event}"})
        message = await asyncio.wait_for(self._out.get(), 30)
        assert message["type"] == f"lifespan.{event}.complete", message
        if event == "shutdown":
            await asyncio.wait_for(self._task, 30)

    def request(
        self,
        method: str,
        path: str,
        headers: list[tuple[bytes, bytes]] | None = None,
        body: bytes = b"",
    ) -> Reply:
        return self.loop.run_until_complete(
            asyncio.wait_for(self._request(method, path, headers or [], body), 30)
        )

    async def _request(
        self, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> Reply:
        raw_path, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": raw_path,
            "raw_path": raw_path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), *headers],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            if pending:
                return pending.pop()
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError("unreachable")

        status = 0
        out_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers.extend(
                    (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                    for k, v in message["headers"]
                )
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))

        await self.app(scope, receive, send)
        return Reply(status, out_headers, b"".join(chunks))


# -- a cookie jar that behaves like a browser's, for one site ------------------


@dataclass
class Jar:
    """Keeps what ``Set-Cookie`` says; forgets cookies deleted with Max-Age=0."""

    cookies: dict[str, str] = field(default_factory=dict)

    def header(self) -> str | None:
        if not self.cookies:
            return None
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def update(self, reply: Reply) -> None:
        for name, (value, max_age) in reply.set_cookies().items():
            if max_age == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


# -- a raw HTTP/1.1 client (keep-alive), for the real servers ------------------


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1. Every read has a
    time limit; a closed connection is reopened on the next request."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.opened = 0

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, asyncio.TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 5)

    async def request(
        self,
        method: str,
        path: str,
        *,
        cookie: str | bytes | None = None,
        body: bytes = b"",
        close: bool = False,
    ) -> Reply:
        return await asyncio.wait_for(
            self._request(method, path, cookie, body, close), self.timeout
        )

    async def _request(
        self, method: str, path: str, cookie: str | bytes | None, body: bytes, close: bool
    ) -> Reply:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.opened += 1
        assert self.reader is not None
        head = [f"{method} {path} HTTP/1.1".encode(), f"Host: 127.0.0.1:{self.port}".encode()]
        if cookie is not None:
            head.append(b"Cookie: " + (cookie if isinstance(cookie, bytes) else cookie.encode()))
        if body or method == "POST":
            head.append(b"Content-Type: application/json")
            head.append(f"Content-Length: {len(body)}".encode())
        if close:
            head.append(b"Connection: close")
        self.writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        await self.writer.drain()
        raw_head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *lines = raw_head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = []
        for line in lines:
            if line:
                name, _, value = line.partition(":")
                headers.append((name.strip().lower(), value.strip()))
        length = int(next((v for k, v in headers if k == "content-length"), "0"))
        data = await self.reader.readexactly(length) if length else b""
        reply = Reply(status, headers, data)
        keep = next((v for k, v in headers if k == "connection"), "keep-alive")
        if close or keep.lower() == "close":
            await self.close()
        return reply
