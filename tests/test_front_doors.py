"""The two front doors: setup(app) and app.extend(extensions=[CookieSession])."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import urllib.request
from typing import Any

import pytest
from sanic import Request, Sanic, response

import sanic_cookiesession

from .conftest import SECRET, read_token, unique_name
from .servers import running


def test_import_without_sanic_ext_names_the_extra() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["sanic_ext"] = None  # as if not installed
        import sanic_cookiesession
        from sanic import Sanic
        app = Sanic("NoExt")
        app.config.SECRET_KEY = "x" * 40
        sanic_cookiesession.setup(app)   # works without sanic-ext
        try:
            from sanic_cookiesession import CookieSession
        except ImportError as exc:
            print("ImportError:", exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert 'pip install "sanic-cookiesession[ext]"' in out.stdout


def test_setup_on_an_already_extended_app(client_for: Any) -> None:
    pytest.importorskip("sanic_ext")
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    app.extend(config={"oas": False})
    sanic_cookiesession.setup(app)

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["ok"] = 1
        return response.text("ok")

    assert read_token(client_for(app).get("/").cookie().value) == {"ok": 1}


def test_installing_twice_is_refused() -> None:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    sanic_cookiesession.setup(app)
    with pytest.raises(RuntimeError, match="already installed"):
        sanic_cookiesession.setup(app)


def test_extension_passes_options(client_for: Any) -> None:
    pytest.importorskip("sanic_ext")
    from itsdangerous import URLSafeTimedSerializer

    from sanic_cookiesession import CookieSession

    class Tagged(dict[str, Any]):
        pass

    class Serializer(URLSafeTimedSerializer):
        pass

    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    app.extend(
        extensions=[CookieSession(session_type=Tagged, serializer_type=Serializer)],
        config={"oas": False},
    )

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["n"] = 1
        return response.text(type(request.ctx.session).__name__)

    result = client_for(app).get("/")
    assert result.text == "Tagged"
    assert read_token(result.cookie().value) == {"n": 1}


def test_extension_hooks_work_in_production_mode(tmp_path: Any) -> None:
    """What app.extend() registers works in production mode (debug off, TouchUp on)."""
    pytest.importorskip("sanic_ext")
    (tmp_path / "prodapp.py").write_text(
        textwrap.dedent(
            f"""
            from sanic import Sanic, response
            from sanic_cookiesession import CookieSession

            app = Sanic("ProdApp")
            app.config.SECRET_KEY = {SECRET!r}
            app.extend(extensions=[CookieSession], config={{"oas": False}})

            @app.get("/")
            async def index(request):
                request.ctx.session["n"] = request.ctx.session.get("n", 0) + 1
                return response.text(str(request.ctx.session["n"]))
            """
        )
    )
    with running("prodapp:app", cwd=tmp_path) as server:
        with urllib.request.urlopen(server.url + "/", timeout=10) as resp:
            cookie = resp.headers["Set-Cookie"].split(";")[0]
        request = urllib.request.Request(server.url + "/", headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.read() == b"2"
        assert "debug" not in server.log().lower()
