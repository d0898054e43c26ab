"""The test modules on the testing page pass under plain pytest, as a
reader would run them: saved as files, with no plugin and no configuration.

(``test_docs_examples.py`` runs every block with its own runner, which
awaits ``async def`` tests itself, so it cannot see this.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .test_docs_examples import ROOT, Block, python_blocks

TESTING_PAGE = ROOT / "docs" / "testing.md"
MODULES = [block for block in python_blocks(TESTING_PAGE) if "\ndef test_" in block.code]


@pytest.mark.parametrize("block", MODULES, ids=[block.id for block in MODULES])
def test_testing_page_module_passes_under_plain_pytest(block: Block, tmp_path: Path) -> None:
    code = block.code
    (tmp_path / "test_page.py").write_text(code, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # no project config
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # no async plugin either
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "test_page.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = proc.stdout.strip().splitlines()[-1]
    tests = code.count("\ndef test_") + code.count("\nasync def test_")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert summary.startswith(f"{tests} passed"), summary
    assert "skipped" not in summary
