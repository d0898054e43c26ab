"""The test run's warning filters (pyproject.toml): known third-party
warnings are filtered, and the project's own DeprecationWarnings fail."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest
from sanic import Sanic

from .conftest import unique_name
from .test_docs_examples import ROOT


def own_deprecation() -> None:
    """A DeprecationWarning as a module of the package would give it."""
    warnings.warn_explicit(
        "this option is deprecated",
        DeprecationWarning,
        filename="config.py",
        lineno=1,
        module="sanic_cookiesession.config",
    )


def test_own_deprecation_warning_fails_the_test() -> None:
    with pytest.raises(DeprecationWarning, match="deprecated"):
        own_deprecation()


def test_own_deprecation_warning_fails_the_test_after_an_app_is_made() -> None:
    # Each Sanic() used to put a "once" filter for "sanic.*" first in line,
    # which matches sanic_cookiesession too: the warning was only shown.
    Sanic(unique_name())
    with pytest.raises(DeprecationWarning, match="deprecated"):
        own_deprecation()


def test_requests_through_both_clients_leave_no_warnings() -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"}
    proc = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/test_front_doors.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = proc.stdout.strip().splitlines()[-1]
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "passed" in summary
    assert "warning" not in summary, proc.stdout[-3000:]
