"""Reliability tests: a hard time limit per test, and the measured figures
printed at the end of the run (``tox -e reliability`` shows them)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from types import FrameType

import pytest

from .helpers import FIGURES

#: Seconds a reliability test may run before it is stopped (a safety bound,
#: not an assertion on speed). Override with ``@pytest.mark.time_limit(s)``.
DEFAULT_TIME_LIMIT = 180


class TimeLimitExceeded(BaseException):
    """Raised in the test when its time limit passes. A ``BaseException``
    so that hypothesis does not take it for a failing example and shrink,
    and so that every ``finally`` (which stops the servers) still runs."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "time_limit(seconds): hard time limit for a reliability test"
    )


@pytest.fixture(autouse=True)
def time_limit(request: pytest.FixtureRequest) -> Iterator[None]:
    marker = request.node.get_closest_marker("time_limit")
    seconds = float(marker.args[0]) if marker else DEFAULT_TIME_LIMIT

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitExceeded(f"{request.node.nodeid} ran longer than {seconds:.0f}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    write = terminalreporter.write_line
    terminalreporter.section("reliability figures")
    for test, figures in FIGURES.items():
        shown = ", ".join(f"{key}={value}" for key, value in figures.items())
        write(f"{test}: {shown}")
    hostile = sum(
        int(figures.get("cases", 0))
        for test, figures in FIGURES.items()
        if test.startswith("hostile")
    )
    if hostile:
        write(f"hostile input: {hostile} generated cases in total")
