"""Every JSON-compatible session survives save -> load exactly through both
sanic-testing clients (``test_client``: a real server per request;
``asgi_client``: ASGI) and both front doors. Kept apart from
``test_round_trip.py``: sanic-testing starts and stops apps of its own, which
must not interleave with that module's long-lived ASGI app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

from ..conftest import FRONTS, Client
from .apps import create_app
from .helpers import COOKIE, SECRET, record
from .sessions import expect_round_trip, fast, seed_cookie, sessions

CLIENT_CASES = 25


@pytest.mark.parametrize("front", FRONTS)
@pytest.mark.parametrize("client_mode", ["http", "asgi"])
def test_json_sessions_round_trip_through_both_test_clients(front: str, client_mode: str) -> None:
    app = create_app(f"RelRoundTrip{front}{client_mode}", front=front,
                     SESSION_COOKIE_SECRET_KEY=SECRET)
    count = [0]

    @fast(CLIENT_CASES, shrink=False)
    @given(data=sessions())
    def case(data: dict[str, Any]) -> None:
        client = Client(app, client_mode)
        client.jar[COOKIE] = seed_cookie()
        stored = client.post("/store", content=json.dumps(data).encode())
        assert stored.status == 200
        read = client.get("/read")
        assert read.status == 200
        expect_round_trip(read.json(), data)
        count[0] += 1

    case()
    record(f"round_trip/sanic_testing_{client_mode}_{front}", cases=count[0])
    assert count[0] >= CLIENT_CASES


