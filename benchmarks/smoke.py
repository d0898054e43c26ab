"""A quick smoke run of the benchmark scripts, for CI (``tox -e bench``).

Runs every script with tiny durations and checks that each wrote its
results (JSON, Markdown, chart). No thresholds: a benchmark is not a test,
and a run this short is not judged against the targets. The end-to-end run
leaves out 0.3.1 and Starlette, whose environments take a minute to set up.

    python benchmarks/smoke.py
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import codec_bench  # noqa: E402
import e2e  # noqa: E402
import engine_bench  # noqa: E402
import injection_bench  # noqa: E402
from serve import need_wrk  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    started = time.monotonic()
    need_wrk()
    with tempfile.TemporaryDirectory(prefix="cookiesession-smoke-") as tmp:
        out = Path(tmp)
        codec_bench.main(["--quick", "--out", str(out)])
        engine_bench.main(["--quick", "--out", str(out)])
        injection_bench.main(["--quick", "--out", str(out)])
        only = ["lifecycle", "floor", "ours"]
        e2e.main([
            "--duration", "1", "--rounds", "1",
            "--case", "untouched", "write", "--size", "small",
            "--memory-requests", "2000", "--only", *only, "--out", str(out),
        ])
        for name in (
            "codec.json", "codec.md", "engine.json", "engine.md", "injection.json",
            "injection.md", "e2e.json", "e2e.md", "e2e.png",
        ):
            path = out / name
            assert path.is_file(), f"{name} was not written"
            assert path.stat().st_size > 0, f"{name} is empty"
        result = json.loads((out / "e2e.json").read_text())
        assert {(r["case"], r["size"]) for r in result["rows"]} == {
            ("untouched", "small"), ("write", "small")
        }
        assert all(t["ratio"] > 0 for r in result["rows"] for t in r["targets"])
        assert {t["baseline"] for r in result["rows"] for t in r["targets"]} >= {
            "lifecycle", "floor"
        }
        assert all(r["vs_bare"].get(impl, 0) > 0 for r in result["rows"] for impl in only)
        assert result["memory"]["requests"] >= 2000
        # A run this short is not judged: nothing in it may read as a failure.
        report = (out / "e2e.md").read_text()
        assert "not met" not in report, "a short run judged against the targets"
    print(f"benchmark smoke passed in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
