"""Streaming responses: the session saved before the headers go out.

A streamed response (``await request.respond()`` then ``send()``) sends its
headers on the first ``send()``, and ``response.file_stream()`` sends them
once the handler returns, but Sanic dispatches ``http.lifecycle.response``
only after the body is out: too late for a cookie. :func:`save_session`
saves it in time; the response signal then only warns if the session
changed after that (or was never saved).
"""

from __future__ import annotations

from typing import Any

from sanic import Request

from .engine import get_engine, headers_gone


def save_session(request: Request, response: Any) -> None:
    """Save the session now, for streaming responses.

    The session is saved when the response is sent; a streamed response
    sends its headers before that. Call this after the last change to the
    session and before the headers go out:

    - ``await request.respond()``: before the first ``await response.send(...)``;
    - ``response.file_stream()``: on the object it returned, before
      returning it from the handler.

    Calling it again replaces what the previous call prepared. A change
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
    state = engine.saving(request)
    if state is None:
        return  # never reached: nothing to save
    session = engine.current(request, state)
    if headers_gone(request):
        engine.too_late(state, session)
    else:
        engine.save(response, state, session)
