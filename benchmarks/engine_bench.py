"""Engine micro-benchmark: what a session costs a request, in process.

``serve.py``'s ``bare``, ``lifecycle``, ``floor`` and ``ours`` (and the
floor and ours with refresh off) each run in an ``AsgiWorker`` of their
own, which sends batches of identical requests through Sanic's public ASGI
interface (no engine internals). Figures: CPU time per request, the workers
taking turns batch by batch, medians of rounds. With no socket and no HTTP
parsing, the ratios are harsher than ``e2e.py``'s.

    python benchmarks/engine_bench.py [--requests 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from serve import (  # noqa: E402
    CASES,
    NO_REFRESH,
    ROUTES,
    SESSION_IMPLS,
    SIZES,
    TARGETS,
    AsgiWorker,
    cookie_for,
    running,
    server_for,
)

IMPLS = ["bare", "lifecycle", "floor", "ours"]
LABELS = {"bare": "bare", "lifecycle": "2 empty lifecycle handlers", "floor": "floor",
          "ours": "this version"}


def run(requests: int, rounds: int) -> dict[str, Any]:
    names = [*IMPLS, *(impl + NO_REFRESH for impl in SESSION_IMPLS)]
    workers = {name: AsgiWorker(name) for name in names}
    groups = [(case, size) for size in SIZES for case in ROUTES]
    samples: dict[tuple[str, str], dict[str, list[float]]] = {g: {} for g in groups}

    def batch(impl: str, case: str, size: str, n: int) -> dict[str, Any]:
        worker = workers[server_for(impl, case)]
        return worker.batch(ROUTES[case], cookie_for(impl, size), n)

    with running(workers.values()):
        # Warm-up, and a check that each server answers as it should.
        for case, size in groups:
            for impl in IMPLS:
                reply = batch(impl, case, size, max(10, requests // 10))
                writes = impl in SESSION_IMPLS and case in ("refresh", "write")
                assert reply["status"] == 200, (impl, case, size, reply)
                assert reply["set_cookie"] is writes, (impl, case, size, reply)
        for r in range(rounds):
            for case, size in groups[r % len(groups):] + groups[: r % len(groups)]:
                for impl in IMPLS:
                    ns = batch(impl, case, size, requests)["cpu_ns"]
                    samples[(case, size)].setdefault(impl, []).append(ns / requests)
    rows = []
    for (case, size), by_impl in samples.items():
        us = {impl: statistics.median(v) / 1000 for impl, v in by_impl.items()}
        baseline = next(b for c, b, _ in TARGETS if c == case)
        rows.append({
            "case": case, "size": size, "us": us,
            "over_lifecycle": us["ours"] - us["lifecycle"],
            "over_floor": us["ours"] - us["floor"],
            "baseline": baseline,
            "ratio": us[baseline] / us["ours"],
        })
    return {"requests": requests, "rounds": rounds, "python": sys.version.split()[0],
            "rows": rows}


def markdown(result: dict[str, Any]) -> str:
    labels = {key: label for key, label, _ in CASES}
    lines = [
        "| case | session | " + " | ".join(f"{LABELS[i]} (µs)" for i in IMPLS)
        + " | this minus lifecycle (µs) | this minus floor (µs) | baseline ÷ this |",
        "|---|---|" + "---|" * (len(IMPLS) + 3),
    ]
    for r in result["rows"]:
        size = "~25 B" if r["size"] == "small" else "~1 KB"
        lines.append(
            f"| {labels[r['case']]} | {size} | "
            + " | ".join(f"{r['us'][i]:.1f}" for i in IMPLS)
            + f" | {r['over_lifecycle']:+.1f} | {r['over_floor']:+.1f} "
            f"| {r['ratio']:.2f} ({r['baseline']}) |"
        )
    lines += [
        "",
        "CPU time per request through Sanic's ASGI interface, in process, medians of "
        f"{result['rounds']} rounds of {result['requests']:,} requests carrying the same "
        f"cookie (Python {result['python']}). \"baseline ÷ this\": this version's speed over "
        "the baseline of its end-to-end target (two empty lifecycle handlers when the route "
        "never touches the session, the floor otherwise); with no socket and no HTTP parsing "
        "in the figures, it is harsher than the end-to-end ratio.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2_000, help="per batch")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a few hundred requests")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    result = run(200, 1) if args.quick else run(args.requests, args.rounds)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "engine.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "engine.md").write_text(markdown(result))
    print(markdown(result))
    print(f"written: {args.out}/engine.json, engine.md")


if __name__ == "__main__":
    main()
