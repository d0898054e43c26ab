"""tox reports the browser env as skipped, with why, when its test was
skipped for want of Chromium (toxfile.py), instead of ``OK``."""

from __future__ import annotations

import configparser
import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from .test_docs_examples import ROOT

pytest.importorskip("tox", reason="the tox plugin is tested where tox is installed")


def load_toxfile() -> ModuleType:
    spec = importlib.util.spec_from_file_location("toxfile_under_test", ROOT / "toxfile.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def browser_env(report: Path) -> Any:
    return SimpleNamespace(environment_variables={"BROWSER_SKIP_REPORT": str(report)})


REASON = (
    "the browser test did not run: /usr/bin/chromium not found "
    "(apt-get install chromium chromium-driver)"
)


def test_skipped_browser_test_makes_tox_report_skip_with_the_install_command(
    tmp_path: Path,
) -> None:
    from tox.tox_env.errors import Skip

    toxfile = load_toxfile()
    report = tmp_path / "browser-skipped.txt"
    env = browser_env(report)
    toxfile.tox_before_run_commands(env)
    report.write_text(REASON + "\n")
    with pytest.raises(Skip, match=r"apt-get install chromium chromium-driver"):
        toxfile.tox_after_run_commands(env, 0, [])


def test_browser_test_that_ran_or_failed_keeps_its_outcome(tmp_path: Path) -> None:
    toxfile = load_toxfile()
    report = tmp_path / "browser-skipped.txt"
    env = browser_env(report)
    toxfile.tox_after_run_commands(env, 0, [])  # ran: no report, OK stays OK
    report.write_text(REASON)
    toxfile.tox_after_run_commands(env, 1, [])  # failed: stays a failure
    toxfile.tox_before_run_commands(env)
    assert not report.exists()  # an old report does not outlive the next run


def test_envs_without_a_report_variable_are_left_alone() -> None:
    toxfile = load_toxfile()
    env = SimpleNamespace(environment_variables={})
    toxfile.tox_before_run_commands(env)
    toxfile.tox_after_run_commands(env, 0, [])


def test_tox_ini_gives_the_browser_env_a_report_file() -> None:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "tox.ini", encoding="utf-8")
    assert "BROWSER_SKIP_REPORT = {envtmpdir}/" in ini["testenv:browser"]["setenv"]
