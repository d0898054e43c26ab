"""A session holding lists or dicts shares them with the token cache until a
method could hand one out; then it takes private copies.

What must hold: every way of reaching a list or dict inside the session
lets the handler change it, that change is saved, and no later request
carrying the same cookie ever sees it unless it was saved; a handler that
reads only plain values pays for no copy and no comparison of the insides.
"""

from __future__ import annotations

import copy
import json
import logging
import pickle
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sanic import Sanic, response

import sanic_cookiesession
from sanic_cookiesession import engine as engine_module
from sanic_cookiesession.engine import get_engine, save_session
from sanic_cookiesession.session import (
    LateSession,
    LateSharedSession,
    LazySession,
    Session,
    SharedSession,
)
from sanic_cookiesession.testing import load_session, session_cookie

from .conftest import COOKIE, SECRET, server_request, started, token, unique_name

DATA: dict[str, Any] = {"user": "ann", "visits": 3, "cart": [1, {"sku": "a"}], "prefs": {"x": 1}}


def app_with(**config: Any) -> Sanic:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    app.config.SESSION_REFRESH_EACH_REQUEST = False
    for key, value in config.items():
        app.config[key] = value
    sanic_cookiesession.setup(app)
    return started(app)


def save(app: Sanic, request: Any) -> dict[str, Any] | None:
    """Save ``request``'s session; what its Set-Cookie carries (``None``: none)."""
    resp = response.text("ok")
    get_engine(app).on_response(request, resp, request.ctx)
    return load_session(app, resp)


# Every way a handler can reach the "cart" list, each returning it.
def _pop_back(s: Any) -> Any:
    cart = s.pop("cart")
    s["cart"] = cart
    return cart


def _popitem_back(s: Any) -> Any:
    key, value = s.popitem()  # "prefs", the last key
    s[key] = value
    return s["cart"] if key != "cart" else value


REACH: dict[str, Callable[[Any], Any]] = {
    "getitem": lambda s: s["cart"],
    "get": lambda s: s.get("cart"),
    "setdefault": lambda s: s.setdefault("cart", []),
    "values": lambda s: list(s.values())[2],
    "items": lambda s: dict(s.items())["cart"],
    "copy": lambda s: s.copy()["cart"],
    "dict()": lambda s: dict(s)["cart"],
    "unpacking": lambda s: {**s}["cart"],
    "keywords": lambda s: (lambda **kw: kw)(**s)["cart"],
    "or": lambda s: (s | {})["cart"],
    "ror": lambda s: ({} | s)["cart"],
    "copy.copy": lambda s: copy.copy(s)["cart"],
    "pop": _pop_back,
    "popitem": lambda s: _popitem_back(s),
    "iteration": lambda s: next(s[k] for k in s if k == "cart"),
    "json round trip": lambda s: (json.dumps(s), s["cart"])[1],
}


@pytest.mark.parametrize("path", list(REACH))
@pytest.mark.parametrize("first", [True, False], ids=["first-use", "after-a-read"])
@pytest.mark.parametrize("seen_before", [False, True], ids=["new-token", "cached-token"])
def test_a_list_reached_any_way_is_the_handlers_and_its_change_is_saved(
    path: str, first: bool, seen_before: bool
) -> None:
    app = app_with()
    # A token signed elsewhere (decoded here first), or one seen before.
    cookie = f"{COOKIE}={token(DATA)}"
    if seen_before:
        warm = server_request(app, cookie)
        warm.ctx.session.get("user")
        assert save(app, warm) is None
    r = server_request(app, cookie)
    session = r.ctx.session
    if not first:
        assert session["user"] == "ann"
    cart = REACH[path](session)
    assert cart == [1, {"sku": "a"}]
    cart.append(2)
    cart[1]["sku"] = "b"
    saved = save(app, r)
    assert saved is not None
    assert saved["cart"] == [1, {"sku": "b"}, 2]
    # The next request with the same (old) cookie sees what was signed.
    again = server_request(app, cookie)
    assert again.ctx.session == DATA
    assert dict(again.ctx.session) == DATA
    assert save(app, again) is None


# (pop moves the key to the end: a change of order, which is written.)
@pytest.mark.parametrize("path", [p for p in REACH if p != "pop"])
def test_reaching_a_list_without_changing_it_writes_nothing(path: str) -> None:
    app = app_with()
    cookie = session_cookie(app, DATA)
    for _ in range(2):
        r = server_request(app, cookie)
        REACH[path](r.ctx.session)
        assert save(app, r) is None


def test_reading_plain_values_takes_no_copy_and_compares_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = app_with()
    cookie = session_cookie(app, DATA)
    server_request(app, cookie).ctx.session.get("user")  # remembered now
    r = server_request(app, cookie)
    session = r.ctx.session
    assert type(session) is LazySession
    assert session["user"] == "ann"
    assert session.get("visits") == 3
    assert "cart" in session
    assert len(session) == 4
    assert list(session) == list(DATA)
    assert type(session) is SharedSession
    # The save needs neither the fingerprint nor a private copy.
    fingerprints = counting(monkeypatch, engine_module, "snapshot")
    copies = counting(monkeypatch, pickle, "loads")
    assert save(app, r) is None
    assert type(session) is LateSharedSession
    assert fingerprints == []
    assert copies == []


def _must_not_run(*_: Any, **__: Any) -> Any:
    raise AssertionError("called")


def counting(patch: pytest.MonkeyPatch, owner: Any, name: str) -> list[Any]:
    """Record each call of ``owner.name`` (the save swallows exceptions, so
    a raising stand-in could not show that it ran)."""
    calls: list[Any] = []
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    patch.setattr(owner, name, wrapper)
    return calls


def test_a_top_level_change_to_a_shared_session_is_saved_without_copies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = app_with()
    cookie = session_cookie(app, DATA)
    r = server_request(app, cookie)
    session = r.ctx.session
    session["visits"] = session["visits"] + 1
    del session["user"]
    resp = response.text("ok")
    with monkeypatch.context() as patch:
        copies = counting(patch, pickle, "loads")
        get_engine(app).on_response(r, resp, r.ctx)
    assert copies == []
    assert load_session(app, resp) == {"visits": 4, "cart": [1, {"sku": "a"}], "prefs": {"x": 1}}


def test_a_key_replaced_before_the_copy_keeps_the_handlers_value() -> None:
    app = app_with()
    cookie = session_cookie(app, DATA)
    r = server_request(app, cookie)
    session = r.ctx.session
    mine = [9]
    session["cart"] = mine  # not the shared list: must survive the copy
    session["prefs"]["y"] = 2  # takes the copies
    assert session["cart"] is mine
    assert save(app, r) == {**DATA, "cart": [9], "prefs": {"x": 1, "y": 2}}
    assert server_request(app, cookie).ctx.session == DATA


@pytest.mark.parametrize("lifetime", [None, 3600])
@pytest.mark.parametrize("refresh", [False, True])
def test_requests_never_see_each_others_unsaved_changes(
    lifetime: int | None, refresh: bool
) -> None:
    app = app_with(SESSION_ABSOLUTE_LIFETIME=lifetime, SESSION_REFRESH_EACH_REQUEST=refresh)
    cookie = session_cookie(app, DATA)
    for _ in range(3):
        r = server_request(app, cookie)
        session = r.ctx.session
        assert session == DATA
        assert session.get("user") == "ann"
        saved = save(app, r)  # nothing changed: written only to refresh
        if lifetime is None:
            assert saved == (DATA if refresh else None)
        else:  # this cookie had no creation time: it gets one, once
            assert saved in (None, DATA)
        # Changed after the save: lost, and never seen by the next request.
        session["cart"].append("late")
        session["prefs"]["late"] = True
        assert type(session) is LateSession


def test_save_session_after_respond_saves_a_nested_change() -> None:
    app = app_with()
    cookie = session_cookie(app, DATA)
    r = server_request(app, cookie)
    r.ctx.session.get("user")
    resp = response.text("ok")
    get_engine(app).on_response(r, resp, r.ctx)  # as `await request.respond()` does
    assert type(r.ctx.session) is LateSharedSession
    r.ctx.session["cart"].append(5)
    save_session(r, resp)
    assert load_session(app, resp)["cart"] == [1, {"sku": "a"}, 5]  # type: ignore[index]
    assert server_request(app, cookie).ctx.session == DATA


def test_a_late_shared_session_warns_once_and_copies_before_changing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = app_with()
    cookie = session_cookie(app, DATA)
    r = server_request(app, cookie)
    r.ctx.session.get("user")
    save(app, r)
    session = r.ctx.session
    with caplog.at_level(logging.WARNING, "sanic_cookiesession"):
        session["new"] = 1  # warns, stays shared (nothing handed out)
        assert type(session) is SharedSession
        session.setdefault("prefs", {})["z"] = 1
    assert caplog.text.count("changed after its response was saved") == 1
    assert server_request(app, cookie).ctx.session == DATA


def test_a_session_first_used_after_the_save_is_late_and_shared(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = app_with()
    cookie = session_cookie(app, DATA)
    r = server_request(app, cookie)
    session = r.ctx.session
    save(app, r)  # never touched: nothing written
    assert session.get("user") == "ann"
    assert type(session) is LateSharedSession
    with caplog.at_level(logging.WARNING, "sanic_cookiesession"):
        session.pop("cart").append(1)
    assert "changed after its response was saved" in caplog.text
    assert type(session) is Session
    assert server_request(app, cookie).ctx.session == DATA


def test_a_custom_session_type_gets_private_copies() -> None:
    app2 = Sanic(unique_name())
    app2.config.SECRET_KEY = SECRET

    class Custom(dict):  # type: ignore[type-arg]
        pass

    sanic_cookiesession.setup(app2, session_type=Custom)
    started(app2)
    cookie = session_cookie(app2, DATA)
    for _ in range(2):
        r = server_request(app2, cookie)
        session = r.ctx.session
        assert type(session) is Custom
        assert session == DATA
        session["cart"].append(7)
        session["prefs"]["y"] = 1
        get_engine(app2).on_response(r, response.text("ok"), r.ctx)


def test_the_testing_kit_hands_out_copies() -> None:
    app = app_with()
    cookie = session_cookie(app, DATA)
    server_request(app, cookie).ctx.session.get("user")  # remembered
    set_cookie = [f"{cookie}; Path=/"]
    loaded = load_session(app, set_cookie)
    assert loaded is not None
    loaded["cart"].append(1)
    assert load_session(app, set_cookie) == DATA
    assert server_request(app, cookie).ctx.session == DATA


def test_pickling_and_deep_copies_are_of_the_contents() -> None:
    app = app_with()
    cookie = session_cookie(app, DATA)
    r = server_request(app, cookie)
    session = r.ctx.session
    session.get("user")
    clone = copy.deepcopy(session)
    assert clone == DATA
    assert type(clone) is Session
    assert pickle.loads(pickle.dumps(session)) == DATA
    clone["cart"].append(1)
    assert session == DATA
    assert save(app, r) is None


# -- any sequence of operations behaves as on a plain dict ----------------

values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3),
    max_leaves=6,
)
KEYS = ["a", "b", "c"]
operations = st.lists(
    st.tuples(
        st.sampled_from(
            ["get", "set", "del", "append", "nest", "pop", "setdefault", "update", "clear"]
        ),
        st.sampled_from(KEYS),
        values,
    ),
    max_size=6,
)


def apply(session: Any, ops: list[tuple[str, str, Any]]) -> None:
    for op, key, value in ops:
        if op == "get":
            session.get(key)
        elif op == "set":
            session[key] = copy.deepcopy(value)
        elif op == "del":
            session.pop(key, None)
        elif op == "append":
            target = session.get(key)
            if isinstance(target, list):
                target.append(copy.deepcopy(value))
        elif op == "nest":
            target = session.get(key)
            if isinstance(target, dict):
                target[str(value)[:3]] = copy.deepcopy(value)
        elif op == "pop":
            session.pop(key, None)
        elif op == "setdefault":
            session.setdefault(key, copy.deepcopy(value))
        elif op == "update":
            session.update({key: copy.deepcopy(value)})
        elif op == "clear" and value is None:
            session.clear()


@settings(max_examples=150, deadline=None)
@given(
    start=st.dictionaries(st.sampled_from(KEYS), values, min_size=1, max_size=3),
    ops=operations,
    cached=st.booleans(),
)
def test_any_operations_save_what_a_plain_dict_would_hold(
    start: dict[str, Any], ops: list[tuple[str, str, Any]], cached: bool
) -> None:
    app = _APP
    cookie = session_cookie(app, start)
    if cached:
        server_request(app, cookie).ctx.session.get("a")
    model = copy.deepcopy(start)
    apply(model, ops)
    r = server_request(app, cookie)
    apply(r.ctx.session, ops)
    assert r.ctx.session == model
    saved = save(app, r)
    if saved is None:  # unchanged: nothing written
        assert json.dumps(model) == json.dumps(start)
    elif saved == {} and not model:
        pass  # deleted
    else:
        assert json.dumps(saved) == json.dumps(model)
    # The cache still holds what was signed.
    assert server_request(app, cookie).ctx.session == start


_APP = app_with()


def test_comparing_the_session_hands_out_private_copies_only() -> None:
    # dict's == passes each value to the other side's __eq__, which may
    # keep or change it: the session takes its copies first.
    class Grabby:
        def __eq__(self, other: object) -> bool:
            if isinstance(other, list):
                other.append("grabbed")
            return False

    app = app_with()
    cookie = session_cookie(app, DATA)
    r = server_request(app, cookie)
    session = r.ctx.session
    assert session != {**DATA, "cart": Grabby()}
    assert session["cart"] == [1, {"sku": "a"}, "grabbed"]
    saved = save(app, r)
    assert saved is not None
    assert saved["cart"] == [1, {"sku": "a"}, "grabbed"]
    again = server_request(app, cookie)
    again.ctx.session["visits"] = 4  # a write from the shared contents
    assert save(app, again) == {**DATA, "visits": 4}


def test_a_failed_copy_leaves_the_session_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    from sanic_cookiesession.codec import Decoded

    app = app_with()
    cookie = session_cookie(app, DATA)
    r = server_request(app, cookie)
    session = r.ctx.session
    assert session["user"] == "ann"
    with monkeypatch.context() as patch:
        patch.setattr(Decoded, "private", _must_not_run)
        with pytest.raises(AssertionError):
            session["cart"]
    assert type(session) is SharedSession  # not a Session holding the cache's lists
    session["cart"].append(2)  # copies now
    assert type(session) is Session
    assert save(app, r) == {**DATA, "cart": [1, {"sku": "a"}, 2]}
    again = server_request(app, cookie)
    again.ctx.session["visits"] = 4
    assert save(app, again) == {**DATA, "visits": 4}


@pytest.mark.parametrize(
    "data",
    [DATA, {"user": "ann", "cart": [{"user": 1, "cart": []}], "n": {"user": "x"}}],
    ids=["distinct-keys", "repeated-keys"],
)
def test_a_reached_but_unchanged_session_is_not_encoded_again(
    data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # After the copies, the session still matches the fingerprint taken when
    # it was decoded (keys the JSON decoder shared included): the save knows
    # it is unchanged without encoding it.
    app = app_with()
    cookie = session_cookie(app, data)
    r = server_request(app, cookie)
    assert r.ctx.session["cart"] == data["cart"]
    assert type(r.ctx.session) is Session
    codec = get_engine(app).default.codec  # type: ignore[union-attr]
    encodings = counting(monkeypatch, codec, "payload")
    assert save(app, r) is None
    assert encodings == []


def test_a_token_the_cache_did_not_keep_is_owned_by_its_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sanic_cookiesession.codec import TimedTokenCodec

    monkeypatch.setattr(TimedTokenCodec, "CACHE_SIZE", 0)
    app = app_with()
    cookie = session_cookie(app, DATA)
    r = server_request(app, cookie)
    assert r.ctx.session["user"] == "ann"
    assert type(r.ctx.session) is Session  # nothing shared: no copies to take
    r.ctx.session["cart"].append(2)
    assert save(app, r) == {**DATA, "cart": [1, {"sku": "a"}, 2]}
    assert server_request(app, cookie).ctx.session == DATA
