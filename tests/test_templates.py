"""``session`` and ``get_flashed_messages()`` in Jinja templates (Sanic
Extensions' templating), through either front door and either test client."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sanic import Blueprint, Request, Sanic, response

import sanic_cookiesession
from sanic_cookiesession import flash, session_namespace

from .conftest import HAVE_EXT, SECRET, Client, read_token, token, unique_name

HAVE_JINJA = importlib.util.find_spec("jinja2") is not None
needs_templating = pytest.mark.skipif(
    not (HAVE_EXT and HAVE_JINJA), reason="needs sanic-ext and jinja2"
)
needs_ext = pytest.mark.skipif(not HAVE_EXT, reason="needs sanic-ext")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

TEMPLATES = {
    "session": (
        '{{ session.user }}|{{ session["user"] }}|{{ "user" in session }}|'
        '{{ session.get("x", 1) }}|'
        "{% for k, v in session.items() %}{{ k }}={{ v }};{% endfor %}|"
        "{{ session is mapping }}|{{ session|length }}"
    ),
    "more": (
        "{% for k in session %}{{ k }};{% endfor %}|"
        '{{ session == {"user": "ann", "_note": "n"} }}|{{ session._note }}|{{ session }}'
    ),
    "flashes": "{% for m in get_flashed_messages() %}[{{ m }}]{% endfor %}",
    "categories": (
        "{% for c, m in get_flashed_messages(with_categories=true) %}[{{ c }}:{{ m }}]{% endfor %}"
    ),
    "errors": (
        '{% for m in get_flashed_messages(category_filter=["error"]) %}[{{ m }}]{% endfor %}|'
        "{% for c, m in get_flashed_messages(with_categories=true, "
        'category_filter=["error", "info"]) %}[{{ c }}:{{ m }}]{% endfor %}'
    ),
    "plain": "no session here",
}
# How a route renders: sanic_ext.render(), or the @app.ext.template decorator.
VIAS = ["render", "decorator"]


def add_routes(app: Sanic, via: str = "render", target: Sanic | Blueprint | None = None) -> None:
    """``POST /set`` (JSON into the session), ``POST /flash`` (JSON
    ``[category, message]`` pairs), ``GET /handler-reads`` (reads the
    session in the handler) and, unless ``via`` is ``"none"``,
    ``GET /page/<template>``; on ``target`` (the app, or a blueprint)."""
    routes = target or app

    @routes.post("/set")
    async def set_values(request: Request) -> Any:
        request.ctx.session.update(request.json)
        return response.empty()

    @routes.post("/flash")
    async def add_flashes(request: Request) -> Any:
        for category, message in request.json:
            flash(request, message, category)
        return response.empty()

    @routes.get("/handler-reads")
    async def handler_reads(request: Request) -> Any:
        return response.text(str(request.ctx.session.get("x", 1)))

    if via == "render":
        from sanic_ext import render

        @routes.get("/page/<name:str>")
        async def page(request: Request, name: str) -> Any:
            return await render(f"{name}.html", app=request.app)

    elif via == "decorator":
        for name in TEMPLATES:

            async def decorated(request: Request) -> Any:
                return {}  # the template needs no context

            template = app.ext.template(f"{name}.html")
            routes.add_route(template(decorated), f"/page/{name}", name=f"page_{name}")


@pytest.fixture
def templates_dir(tmp_path: Path) -> str:
    for name, source in TEMPLATES.items():
        (tmp_path / f"{name}.html").write_text(source, encoding="utf-8")
    return str(tmp_path)


@pytest.fixture
def templated_app(make_app: Any, templates_dir: str) -> Callable[..., Sanic]:
    """An app with sessions (either front door) and the test templates."""

    def factory(via: str = "render", **config: Any) -> Sanic:
        app: Sanic = make_app(TEMPLATING_PATH_TO_TEMPLATES=templates_dir, **config)
        add_routes(app, via)
        return app

    return factory


@needs_templating
@pytest.mark.parametrize("via", VIAS)
def test_session_values_render_in_templates(
    templated_app: Any, client_for: Any, via: str
) -> None:
    client: Client = client_for(templated_app(via))
    client.post("/set", json={"user": "ann"})
    page = client.get("/page/session")
    assert page.status == 200
    assert page.text == "ann|ann|True|1|user=ann;|True|1"


@needs_templating
def test_session_iterates_compares_and_prints_like_the_session(
    templated_app: Any, client_for: Any
) -> None:
    client: Client = client_for(templated_app())
    client.post("/set", json={"user": "ann", "_note": "n"})
    assert client.get("/page/more").text == (
        "user;_note;|True|n|"
        "&lt;Session {&#39;user&#39;: &#39;ann&#39;, &#39;_note&#39;: &#39;n&#39;}&gt;"
    )


@needs_templating
def test_session_renders_with_sync_templates(templated_app: Any, client_for: Any) -> None:
    client: Client = client_for(templated_app(TEMPLATING_ENABLE_ASYNC=False))
    client.post("/set", json={"user": "ann", "x": 2})
    assert client.get("/page/session").text == "ann|ann|True|2|user=ann;x=2;|True|2"


@needs_templating
def test_session_of_a_custom_session_type_renders(templated_app: Any, client_for: Any) -> None:
    class Tagged(dict[str, Any]):
        pass

    client: Client = client_for(templated_app(options={"session_type": Tagged}))
    client.post("/set", json={"user": "ann"})
    assert client.get("/page/session").text == "ann|ann|True|1|user=ann;|True|1"


@needs_templating
@pytest.mark.parametrize("via", VIAS)
def test_flashed_messages_render_once_then_are_gone(
    templated_app: Any, client_for: Any, via: str
) -> None:
    client: Client = client_for(templated_app(via))
    client.post("/flash", json=[["message", "Saved."], ["info", "Hello."]])
    shown = client.get("/page/flashes")
    assert shown.text == "[Saved.][Hello.]"
    assert shown.cookie().value == ""  # the last messages read: cookie deleted
    assert shown.cookie()["max-age"] == "0"
    assert client.get("/page/flashes").text == ""


@needs_templating
def test_flashed_messages_with_categories_and_filter(templated_app: Any, client_for: Any) -> None:
    client: Client = client_for(templated_app())
    pairs = [["message", "a"], ["error", "b"], ["info", "c"], ["error", "d"]]
    client.post("/flash", json=pairs)
    assert client.get("/page/categories").text == "[message:a][error:b][info:c][error:d]"

    client.post("/flash", json=pairs)
    # Filtered calls, as in Flask, still consume every message.
    assert client.get("/page/errors").text == "[b][d]|[error:b][info:c][error:d]"
    assert client.get("/page/categories").text == ""


@needs_templating
def test_autoescape_escapes_flashed_messages_and_session_values(
    templated_app: Any, client_for: Any
) -> None:
    client: Client = client_for(templated_app())
    client.post("/flash", json=[["<b>", "<script>alert(1)</script>"]])
    assert client.get("/page/categories").text == (
        "[&lt;b&gt;:&lt;script&gt;alert(1)&lt;/script&gt;]"
    )
    client.post("/set", json={"user": "<i>ann</i>"})
    assert client.get("/page/session").text.startswith("&lt;i&gt;ann&lt;/i&gt;|")


@needs_templating
@pytest.mark.parametrize("via", VIAS)
def test_namespaced_blueprint_template_sees_its_namespace_session(
    make_app: Any, client_for: Any, templates_dir: str, via: str
) -> None:
    app: Sanic = make_app(TEMPLATING_PATH_TO_TEMPLATES=templates_dir)
    admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-salt")
    add_routes(app, via)
    add_routes(app, via, target=admin)
    app.blueprint(admin)
    client: Client = client_for(app)

    client.post("/set", json={"user": "ann"})
    admin_cookie = client.post("/admin/set", json={"user": "root"}).cookie("_session_admin")
    assert read_token(admin_cookie.value, salt="admin-salt") == {"user": "root"}
    client.post("/admin/flash", json=[["message", "admin only"]])

    assert client.get("/admin/page/session").text.startswith("root|root|")
    assert client.get("/page/session").text.startswith("ann|ann|")
    assert client.get("/page/flashes").text == ""  # the app's session has none
    assert client.get("/admin/page/flashes").text == "[admin only]"


@needs_templating
def test_setup_with_sanic_extensions_extending_at_startup(
    client_for: Any, templates_dir: str
) -> None:
    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    app.config.TEMPLATING_PATH_TO_TEMPLATES = templates_dir
    sanic_cookiesession.setup(app)
    add_routes(app, "render")
    assert not hasattr(app, "_ext")  # Sanic extends it when it starts (AUTO_EXTEND)

    client: Client = client_for(app)
    client.post("/set", json={"user": "ann"})
    client.post("/flash", json=[["message", "hi"]])
    assert client.get("/page/session").text.startswith("ann|ann|True|")
    assert client.get("/page/flashes").text == "[hi]"
    assert hasattr(app, "_ext")


@needs_templating
def test_template_without_session_writes_no_cookie_and_no_vary(
    templated_app: Any, client_for: Any
) -> None:
    client: Client = client_for(templated_app())
    cookie = f"_session={token({'user': 'ann'})}"
    page = client.get("/page/plain", cookie_header=cookie)
    assert page.text == "no session here"
    assert page.set_cookie_headers == []
    assert "vary" not in page.headers


@needs_templating
@pytest.mark.parametrize("cookie", [None, {"user": "ann"}], ids=["no-cookie", "cookie"])
def test_reading_in_a_template_is_a_use_like_reading_in_the_handler(
    templated_app: Any, client_for: Any, cookie: dict[str, Any] | None
) -> None:
    client: Client = client_for(templated_app())
    header = f"_session={token(cookie)}" if cookie else None
    in_template = client.get("/page/session", cookie_header=header, use_jar=False)
    in_handler = client.get("/handler-reads", cookie_header=header, use_jar=False)
    assert in_template.headers.get("vary") == "Cookie"
    assert in_template.headers.get("vary") == in_handler.headers.get("vary")
    assert list(in_template.cookies) == list(in_handler.cookies)
    if cookie:
        assert read_token(in_template.cookie().value) == cookie


@needs_templating
def test_a_global_the_app_set_itself_is_kept(make_app: Any, client_for: Any) -> None:
    from sanic_ext import render

    app: Sanic = make_app()
    app.ext.environment.globals["session"] = "mine"

    @app.get("/")
    async def index(request: Request) -> Any:
        source = "{{ session }} {{ get_flashed_messages() }}"
        return await render(template_source=source, app=request.app)

    assert client_for(app).get("/").text == "mine []"


@needs_templating
def test_both_environments_get_the_globals_when_the_app_replaced_one(make_app: Any) -> None:
    from jinja2 import Environment

    from sanic_cookiesession.templates import current_session, get_flashed_messages, register

    app: Sanic = make_app()
    app.ext.environment = Environment(autoescape=True)  # render() uses this one now
    assert register(app)
    for environment in (app.ext.environment, app.ext.templating.environment):
        assert environment.globals["session"] is current_session
        assert environment.globals["get_flashed_messages"] is get_flashed_messages
    assert app.ext.environment is not app.ext.templating.environment


@needs_templating
def test_outside_a_request_the_template_globals_raise(make_app: Any) -> None:
    from sanic_cookiesession.exc import SessionNotInstalledError
    from sanic_cookiesession.templates import current_session, register

    app: Sanic = make_app()
    environment = app.ext.environment  # (extends an app set up with setup())
    assert register(app)  # what the server does when it starts
    for source in ("{{ session.user }}", "{{ get_flashed_messages() }}"):
        with pytest.raises(SessionNotInstalledError, match="outside of a request"):
            environment.from_string(source).render()
    assert repr(current_session) == "<the current request's session>"


@needs_ext
@pytest.mark.parametrize("front", ["setup", "extend"])
@pytest.mark.parametrize("why", ["built_in_extensions=False", "no jinja2"])
def test_nothing_is_added_when_templating_is_not_active(
    client_for: Any, monkeypatch: pytest.MonkeyPatch, front: str, why: str
) -> None:
    import sanic_ext.bootstrap

    from sanic_cookiesession import CookieSession
    from sanic_cookiesession.templates import register

    # sanic-ext 25.12 has no setting that turns templating off: it is off
    # without jinja2, or without the built-in extensions.
    builtins = why != "built_in_extensions=False"
    if why == "no jinja2":
        monkeypatch.setattr(sanic_ext.bootstrap, "TEMPLATING_ENABLED", False)
    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    if front == "setup":
        sanic_cookiesession.setup(app)
        app.extend(built_in_extensions=builtins, config={"oas": False})
    else:
        app.extend(extensions=[CookieSession], built_in_extensions=builtins, config={"oas": False})
    add_routes(app, "none")

    assert client_for(app).get("/handler-reads").status == 200  # the server started
    assert not hasattr(app.ext, "environment")
    assert not register(app)


def test_setup_without_sanic_extensions_adds_nothing(client_for: Any) -> None:
    # Runs in the tox env without sanic-ext too; here AUTO_EXTEND=False keeps
    # Sanic from extending the app.
    from sanic_cookiesession.templates import register

    app = Sanic(unique_name())
    app.config.AUTO_EXTEND = False
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    sanic_cookiesession.setup(app)
    add_routes(app, "none")
    assert client_for(app).get("/handler-reads").text == "1"
    assert not hasattr(app, "_ext")
    assert not register(app)


def test_install_adds_one_startup_listener_and_nothing_per_request() -> None:
    from sanic_cookiesession import templates

    app = Sanic(unique_name())
    templates.install(app)
    # Sanic keeps a before_server_start listener as a server.init.before signal.
    assert [signal.event for signal in app._future_signals] == ["server.init.before"]
    assert not app._future_middleware


# The example app: examples/templates_app.py and examples/templates/*.html.


def load_example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr(Sanic, "test_mode", True)  # loaded again for each client
    monkeypatch.setenv("SANIC_SESSION_COOKIE_SECRET_KEY", SECRET)
    spec = importlib.util.spec_from_file_location(
        "templates_app_example", EXAMPLES / "templates_app.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_templating
def test_example_shows_the_user_and_each_message_once(
    monkeypatch: pytest.MonkeyPatch, client_for: Any
) -> None:
    client: Client = client_for(load_example(monkeypatch).app)

    first = client.get("/")
    assert 'id="user">Not logged in.' in first.text
    assert first.set_cookie_headers == []

    user = "<script>alert(1)</script>"
    login = client.post("/login", data={"user": user}, allow_redirects=False)
    assert login.status == 303
    assert read_token(login.cookie().value)["user"] == user

    page = client.get("/")
    assert "<script>" not in page.text
    assert "Logged in as &lt;script&gt;alert(1)&lt;/script&gt;." in page.text
    assert '<li class="info">Welcome, &lt;script&gt;alert(1)&lt;/script&gt;!</li>' in page.text
    again = client.get("/")
    assert "Welcome" not in again.text  # shown once
    assert "Logged in as" in again.text

    about = client.get("/about")
    assert about.status == 200
    assert about.set_cookie_headers == []
    assert "vary" not in about.headers

    client.post("/logout", allow_redirects=False)
    out = client.get("/")
    assert 'id="user">Not logged in.' in out.text
    assert '<li class="message">Logged out.</li>' in out.text

    client.post("/login", data={"user": " "}, allow_redirects=False)
    assert '<li class="error">Tell us your name first.</li>' in client.get("/").text
