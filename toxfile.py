"""tox's inline plugin for this project (tox loads ``toxfile.py`` by itself).

The browser test needs Chromium. Without it the test is skipped (locally;
under CI it fails), and tox used to report the env as ``OK``, which reads as
"the browser test passed". The test writes why it skipped to the file named
by ``BROWSER_SKIP_REPORT`` (set for the ``browser`` env in tox.ini); this
plugin turns that into tox's own ``SKIP``, with the reason and the install
command in tox's output: ``browser: skipped because ...`` and, in the
summary, ``browser: SKIP``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tox.plugin import impl
from tox.tox_env.errors import Skip

#: The environment variable that names the skip report file.
REPORT_VARIABLE = "BROWSER_SKIP_REPORT"


def _report(tox_env: Any) -> Path | None:
    value = tox_env.environment_variables.get(REPORT_VARIABLE)
    return Path(value) if value else None


@impl
def tox_before_run_commands(tox_env: Any) -> None:
    """Forget the report of an earlier run."""
    report = _report(tox_env)
    if report is not None:
        report.unlink(missing_ok=True)


@impl
def tox_after_run_commands(tox_env: Any, exit_code: int, outcomes: list[Any]) -> None:
    """Report the env as skipped, saying why, when its test was skipped.

    A failed run stays a failure.
    """
    report = _report(tox_env)
    if report is None or exit_code != 0 or not report.exists():
        return
    raise Skip(report.read_text(encoding="utf-8").strip())
