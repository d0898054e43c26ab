"""Codec micro-benchmark: CPU time of one decode + one encode, in process.

The same token (``URLSafeTimedSerializer``'s) four ways: ``ours``
(``sanic_cookiesession.codec.TimedTokenCodec``, a private class, with its
token cache off), ``itsdangerous`` (``URLSafeTimedSerializer`` with 0.3.x's
defaults), ``lower bound`` (:class:`LowerBound`) and ``ours, cached`` (the
token seen before, as in a server; for information). Samples are
interleaved so that noise hits all alike; figures are medians, in CPU µs.
A sweep from 100 B to 3.5 KB of JSON fits a line through our cost.

    python benchmarks/codec_bench.py [--repeats 15] [--quick]
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import random
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from itsdangerous import URLSafeTimedSerializer

from sanic_cookiesession.codec import TimedTokenCodec

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from serve import MAX_AGE, SALT, SECRET, session_data  # noqa: E402

SIZES = [100, 250, 500, 1000, 2000, 3500]
SMALL = session_data("small")  # 25 bytes of compact JSON


def sized(n: int) -> dict[str, Any]:
    """A session whose compact JSON is close to ``n`` bytes (varied content,
    so that zlib has about as much to do as with a real session)."""
    rng = random.Random(n)
    data: dict[str, Any] = {"user": "ann", "visits": 1, "cart": []}

    def size() -> int:
        return len(json.dumps(data, separators=(",", ":")))

    while size() < n:
        data["cart"].append({"sku": f"{rng.getrandbits(40):010x}", "qty": rng.randint(1, 9)})
    data["cart"].pop()
    data["pad"] = ""
    data["pad"] = "x" * max(0, n - size())
    return data


class LowerBound:
    """The token by hand: what any implementation has to do at least (the
    same primitives, no checks beyond the signature and the age; it
    inflates a compressed token but never compresses)."""

    def __init__(self, secret: str, salt: str, max_age: int) -> None:
        # Derived once, as itsdangerous derives it (django-concat, SHA-1).
        self.key = URLSafeTimedSerializer(secret, salt=salt).make_signer().derive_key()
        self.max_age = max_age
        self.encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    def dumps(self, data: dict[str, Any]) -> str:
        body = base64.urlsafe_b64encode(self.encoder.encode(data).encode()).rstrip(b"=")
        stamp = base64.urlsafe_b64encode(int(time.time()).to_bytes(4, "big")).rstrip(b"=")
        value = body + b"." + stamp
        sig = base64.urlsafe_b64encode(hmac.digest(self.key, value, "sha1")).rstrip(b"=")
        return (value + b"." + sig).decode()

    def loads(self, token: str) -> Any:
        raw = token.encode()
        value, _, sig = raw.rpartition(b".")
        expected = base64.urlsafe_b64encode(hmac.digest(self.key, value, "sha1")).rstrip(b"=")
        if not hmac.compare_digest(expected, sig):
            raise ValueError("bad signature")
        body, _, stamp = value.rpartition(b".")
        signed = int.from_bytes(base64.urlsafe_b64decode(stamp + b"=" * (-len(stamp) % 4)), "big")
        if time.time() - signed > self.max_age:
            raise ValueError("expired")
        compressed = body[:1] == b"."
        if compressed:
            body = body[1:]
        payload = base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4))
        return json.loads(zlib.decompress(payload) if compressed else payload)


def implementations() -> dict[str, Callable[[dict[str, Any], str], str | bytes]]:
    """name -> one decode of ``token`` plus one encode of ``data``."""
    ours = TimedTokenCodec(SECRET, salt=SALT, max_age=MAX_AGE)
    ours.CACHE_SIZE = 0  # measure the whole decode
    cached = TimedTokenCodec(SECRET, salt=SALT, max_age=MAX_AGE)
    theirs = URLSafeTimedSerializer(SECRET, salt=SALT)
    bound = LowerBound(SECRET, SALT, MAX_AGE)

    def run_ours(data: dict[str, Any], token: str) -> str | bytes:
        ours.loads(token)
        return ours.sign(data, ours.payload(data))

    def run_cached(data: dict[str, Any], token: str) -> str | bytes:
        cached.loads(token)
        return cached.sign(data, cached.payload(data))

    def run_theirs(data: dict[str, Any], token: str) -> str | bytes:
        theirs.loads(token, max_age=MAX_AGE)
        return theirs.dumps(data)

    def run_bound(data: dict[str, Any], token: str) -> str | bytes:
        bound.loads(token)
        return bound.dumps(data)

    return {
        "ours": run_ours,
        "itsdangerous": run_theirs,
        "lower bound": run_bound,
        "ours, cached": run_cached,
    }


def measure(
    data: dict[str, Any], repeats: int, target_ms: float = 20.0
) -> dict[str, float]:
    """Median CPU µs per decode + encode, per implementation."""
    impls = implementations()
    token = URLSafeTimedSerializer(SECRET, salt=SALT).dumps(data)
    # Every implementation must accept the token and make one we accept.
    for name, fn in impls.items():
        made = fn(data, token)
        assert URLSafeTimedSerializer(SECRET, salt=SALT).loads(made) == data, name
    # Loop counts so that one sample takes about target_ms.
    loops = {}
    for name, fn in impls.items():
        n, elapsed = 1, 0
        while elapsed < target_ms * 1e6 / 4:
            n *= 2
            start = time.process_time_ns()
            for _ in range(n):
                fn(data, token)
            elapsed = time.process_time_ns() - start
        loops[name] = max(1, int(n * target_ms * 1e6 / max(elapsed, 1)))
    samples: dict[str, list[float]] = {name: [] for name in impls}
    for r in range(repeats):
        order = list(impls.items())
        order = order[r % len(order):] + order[: r % len(order)]
        for name, fn in order:
            n = loops[name]
            start = time.process_time_ns()
            for _ in range(n):
                fn(data, token)
            samples[name].append((time.process_time_ns() - start) / n / 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def fit(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least squares: (intercept, slope, r²)."""
    slope, intercept = statistics.linear_regression(xs, ys)
    return intercept, slope, statistics.correlation(xs, ys) ** 2


def run(repeats: int, sizes: list[int], target_ms: float) -> dict[str, Any]:
    small = measure(SMALL, repeats, target_ms)
    sweep = []
    for n in sizes:
        data = sized(n)
        size = len(json.dumps(data, separators=(",", ":")))
        sweep.append({"bytes": size, **measure(data, repeats, target_ms)})
    intercept, slope, r2 = fit([s["bytes"] for s in sweep], [s["ours"] for s in sweep])
    return {
        "repeats": repeats,
        "python": sys.version.split()[0],
        "small": {"bytes": len(json.dumps(SMALL, separators=(",", ":"))), **small},
        "sweep": sweep,
        "fit_ours": {"intercept_us": intercept, "us_per_kb": slope * 1000, "r2": r2},
    }


def markdown(result: dict[str, Any]) -> str:
    s = result["small"]
    lines = [
        "| session | ours (µs) | itsdangerous (µs) | lower bound (µs) | ours ÷ bound "
        "| itsdangerous ÷ ours | ours, token cached (µs) |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [("small", s)] + [(f"{r['bytes']} B", r) for r in result["sweep"]]
    for label, r in rows:
        if label == "small":
            label = f"{r['bytes']} B (small)"
        lines.append(
            f"| {label} | {r['ours']:.1f} | {r['itsdangerous']:.1f} | {r['lower bound']:.1f} "
            f"| {r['ours'] / r['lower bound']:.2f} | {r['itsdangerous'] / r['ours']:.1f} "
            f"| {r['ours, cached']:.1f} |"
        )
    f = result["fit_ours"]
    lines += [
        "",
        f"One decode + one encode, CPU µs, medians of {result['repeats']} interleaved "
        f"samples (Python {result['python']}); \"ours\" with its token cache off, "
        "\"token cached\" when the decoded token was seen before. Our cost fits "
        f"{f['intercept_us']:.1f} µs + {f['us_per_kb']:.2f} µs per KB of JSON "
        f"(r² = {f['r2']:.3f}).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Codec micro-benchmark (in process, CPU time).")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="few repeats, two sizes")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    result = run(3, [100, 1000], 2.0) if args.quick else run(args.repeats, SIZES, 20.0)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "codec.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "codec.md").write_text(markdown(result))
    print(markdown(result))
    print(f"written: {args.out}/codec.json, codec.md")


if __name__ == "__main__":
    main()
