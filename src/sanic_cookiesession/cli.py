"""``python -m sanic_cookiesession``: make a secret key, look inside a cookie.

Commands:

- ``genkey``: print a fresh random secret for ``SESSION_COOKIE_SECRET_KEY``.
- ``decode TOKEN``: print what a session cookie holds, how old it is, and
  whether its signature is valid (with ``--secret`` or ``--secret-env``).

``decode`` exit codes:

====  ==============================================================
code  meaning
====  ==============================================================
0     the signature is valid and the cookie has not expired
1     the signature is bad (tampered, or another secret or salt)
2     the command line is wrong (or ``--secret-env`` names an unset
      variable)
3     the signature is valid but the cookie has expired
4     the token is not a session cookie this tool can read
5     no secret was given: the payload is shown, NOT VERIFIED
====  ==============================================================

The secret is never printed.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime
import json
import os
import secrets
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from itsdangerous.encoding import base64_decode, bytes_to_int

from . import codec as _codec
from .codec import BAD_SIGNATURE, EXPIRED, FALLBACK_KEY, Codec, TimedTokenCodec
from .config import DEFAULTS, Settings
from .cookies import cookie_values
from .exc import ConfigError

EXIT_VALID = 0
EXIT_BAD_SIGNATURE = 1
EXIT_USAGE = 2
EXIT_EXPIRED = 3
EXIT_MALFORMED = 4
EXIT_NOT_VERIFIED = 5

#: Bytes of randomness in a key made by ``genkey`` (64 URL-safe characters).
GENKEY_BYTES = 48

_PROG = "python -m sanic_cookiesession"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    result: int = args.run(args)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Tools for sanic-cookiesession: make a secret key, look inside a cookie.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    genkey = commands.add_parser(
        "genkey",
        help="print a fresh random secret key",
        description=(
            "Print a fresh random secret key for SESSION_COOKIE_SECRET_KEY "
            f"({GENKEY_BYTES} random bytes, URL-safe base64). Keep it out of "
            "version control: put it in the environment as "
            "SANIC_SESSION_COOKIE_SECRET_KEY."
        ),
    )
    genkey.add_argument(
        "--bytes", type=int, default=GENKEY_BYTES, metavar="N",
        help=f"bytes of randomness, at least 32 (default: {GENKEY_BYTES})",
    )
    genkey.set_defaults(run=_genkey, parser=genkey)

    decode = commands.add_parser(
        "decode",
        help="show what a session cookie holds, and check its signature",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Print a session cookie's payload as JSON, its age, and whether its\n"
            "signature is valid, expired or bad. Without a secret the payload is\n"
            "printed NOT VERIFIED: anyone can write a cookie that reads like this."
        ),
        epilog=(
            "exit codes:\n"
            "  0  valid signature, not expired\n"
            "  1  bad signature (tampered, or another secret or salt)\n"
            "  2  wrong command line, or --secret-env names an unset variable\n"
            "  3  valid signature, but expired (older than --max-age)\n"
            "  4  not a session cookie this tool can read\n"
            "  5  no secret given: payload shown NOT VERIFIED\n"
            "\n"
            "Prefer --secret-env to --secret: a secret on the command line ends up\n"
            "in the shell history and in the process list. The secret is never printed."
        ),
    )
    decode.add_argument(
        "token",
        metavar="TOKEN",
        help="the cookie value, 'name=value' as copied from a browser, or a whole "
        "Cookie header; '-' reads stdin",
    )
    decode.add_argument(
        "--name",
        default=os.environ.get("SANIC_SESSION_COOKIE_NAME") or DEFAULTS["SESSION_COOKIE_NAME"],
        help="in a Cookie header with several cookies, the one to decode (default: "
        "SANIC_SESSION_COOKIE_NAME if set, else %(default)s)",
    )
    secret = decode.add_mutually_exclusive_group()
    secret.add_argument("--secret", metavar="KEY", help="the secret key to verify with")
    secret.add_argument(
        "--secret-env", metavar="NAME",
        help="read the secret key from environment variable NAME "
        "(e.g. SANIC_SESSION_COOKIE_SECRET_KEY)",
    )
    decode.add_argument(
        "--salt", default=DEFAULTS["SESSION_COOKIE_SALT"],
        help="SESSION_COOKIE_SALT, or a namespace's salt (default: %(default)s)",
    )
    decode.add_argument(
        "--max-age", type=_max_age, default=DEFAULTS["SESSION_COOKIE_MAX_AGE"],
        metavar="SECONDS",
        help="SESSION_COOKIE_MAX_AGE: older cookies are expired; 'none' for no limit "
        "(default: %(default)s)",
    )
    decode.add_argument(
        "--encrypted", action="store_true",
        help="the cookie was written with SESSION_COOKIE_ENCRYPT on (needs a secret)",
    )
    decode.add_argument(
        "--json", action="store_true", dest="as_json",
        help="print one JSON object: payload, age, signed_at, signature",
    )
    decode.set_defaults(run=_decode, parser=decode)
    return parser


def _max_age(text: str) -> int | None:
    if text.strip().lower() == "none":
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 'none' or seconds >= 1, got {text!r}")
    return value


# -- genkey ---------------------------------------------------------------


def _genkey(args: argparse.Namespace) -> int:
    if args.bytes < 32:
        args.parser.error("--bytes must be at least 32")
    print(secrets.token_urlsafe(args.bytes))
    return 0


# -- decode ---------------------------------------------------------------


class _Report:
    """What ``decode`` found out about a token."""

    def __init__(self) -> None:
        self.payload: Any = None
        self.readable = False
        self.signed_at: int | None = None
        self.signature = "not verified"
        self.code = EXIT_NOT_VERIFIED


def _decode(args: argparse.Namespace) -> int:
    parser: argparse.ArgumentParser = args.parser
    secret: str | None = args.secret
    if args.secret_env is not None:
        secret = os.environ.get(args.secret_env)
        if not secret:
            parser.error(f"environment variable {args.secret_env} is not set or empty")
    if args.encrypted and not secret:
        parser.error("--encrypted needs --secret or --secret-env")
    codec: Codec | None = None
    if args.encrypted:
        codec = _encrypted_codec(secret or "", args.salt, args.max_age, parser)
    elif secret:
        codec = TimedTokenCodec(secret, salt=args.salt, max_age=args.max_age)
    raw = sys.stdin.read() if args.token == "-" else args.token
    token = _clean(raw, args.name, parser, codec)

    report = _Report()
    if args.encrypted:
        assert codec is not None
        _verify_encrypted(report, token, codec)
    else:
        _read_unverified(report, token)
        if codec is not None:
            decoded = codec.loads(token)
            _judge(report, decoded.reason, decoded.data)
    if not report.readable and report.code in (EXIT_NOT_VERIFIED, EXIT_VALID):
        report.code = EXIT_MALFORMED
    _print(report, args, sys.stdout)
    return report.code


def _clean(raw: str, name: str, parser: argparse.ArgumentParser, codec: Codec | None) -> str:
    """The token in what was pasted: a cookie value, ``name=value``, or a
    whole ``Cookie`` header (then the cookie called ``name``; of several,
    the one the server would take, when ``codec`` can verify them)."""
    token = raw.strip()
    if token[:7].lower() == "cookie:":  # the header's name came along
        token = token[7:].strip()
    if ";" in token:  # a Cookie header: tokens never contain ';'
        # The name as configured, or as sent with SESSION_COOKIE_HOST_PREFIX.
        for candidate in (name, f"__Host-{name}"):
            values = cookie_values(token, candidate)
            if values:
                break
        if not values:
            names = sorted({part.partition("=")[0].strip() for part in token.split(";")} - {""})
            parser.error(f"the header has no cookie named {name!r} (it has: {', '.join(names)})")
        value, which = _which(values, codec)
        print(f"decoding cookie {candidate!r} from the header ({which})", file=sys.stderr)
        return value
    key, sep, value = token.partition("=")
    # Session tokens never contain '=': this is 'name=value' from a browser.
    if sep and key and "." not in key:
        token = value.strip()
    if len(token) >= 2 and token[0] == token[-1] == '"':
        token = token[1:-1]
    return token


def _which(values: list[str], codec: Codec | None) -> tuple[str, str]:
    """Of the values a header sent for one name, the one to decode, and
    why: the one that verifies, as the server takes it."""
    count = len(values)
    if count == 1:
        return values[0], "it"
    if codec is None:
        return values[0], f"the first of the {count} sent; a secret finds the one that verifies"
    good = [n for n, value in enumerate(values) if codec.loads(value).data is not None]
    if len(good) == 1:
        return values[good[0]], f"number {good[0] + 1} of the {count} sent: the one that verifies"
    if not good:
        return values[0], f"the first of the {count} sent; none verifies"
    return values[good[0]], (
        f"number {good[0] + 1} of the {count} sent; {len(good)} verify, so the server "
        "gives such a request an empty session"
    )


def _read_unverified(report: _Report, token: str) -> None:
    """Read the itsdangerous token's payload and timestamp, without a key."""
    value, _, _sig = token.rpartition(".")
    body, dot, stamp = value.rpartition(".")
    if not dot or not body or not token.isascii():
        return
    try:
        report.signed_at = bytes_to_int(base64_decode(stamp))
    except Exception:  # noqa: BLE001 - any garbage here means unreadable
        return
    raw = _codec._unpack(body.encode("ascii"))
    if raw is None:
        return
    try:
        report.payload = json.loads(raw)
    except (ValueError, RecursionError):
        return
    report.readable = True


def _encrypted_codec(
    secret: str, salt: str, max_age: int | None, parser: argparse.ArgumentParser
) -> Codec:
    try:
        from .encryption import make_encrypted_codec

        settings = Settings.from_config(
            {
                "SESSION_COOKIE_SECRET_KEY": secret,
                "SESSION_COOKIE_SALT": salt,
                "SESSION_COOKIE_MAX_AGE": max_age,
                "SESSION_COOKIE_ENCRYPT": True,
            }
        )
        return make_encrypted_codec(settings)
    except (ImportError, ConfigError) as exc:
        parser.error(f"cannot decrypt: {exc}")


def _verify_encrypted(report: _Report, token: str, codec: Codec) -> None:
    report.signed_at = _fernet_timestamp(token)
    decoded = codec.loads(token)
    if decoded.data is not None:
        report.payload = decoded.data
        report.readable = True
    elif decoded.reason in (EXPIRED, BAD_SIGNATURE):
        report.readable = True  # readable enough to judge; contents hidden
    _judge(report, decoded.reason, decoded.data)


def _fernet_timestamp(token: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    return int.from_bytes(raw[1:9], "big") if len(raw) > 9 and raw[0] == 0x80 else None


def _judge(report: _Report, reason: str | None, data: Any) -> None:
    if data is not None and reason in (None, FALLBACK_KEY):
        report.signature, report.code = "valid", EXIT_VALID
    elif reason == EXPIRED:
        report.signature, report.code = "expired", EXIT_EXPIRED
    elif reason == BAD_SIGNATURE:
        report.signature, report.code = "bad", EXIT_BAD_SIGNATURE
    else:
        report.signature, report.code = "malformed", EXIT_MALFORMED
        report.readable = False


_VERDICTS = {
    "valid": "valid",
    "expired": "EXPIRED (valid signature, but older than --max-age)",
    "bad": "BAD (tampered, or another secret or salt): the payload is not trustworthy",
    "not verified": "NOT VERIFIED (no secret given): anyone could have written this payload",
}


def _print(report: _Report, args: argparse.Namespace, out: TextIO) -> None:
    age = None if report.signed_at is None else _codec.now() - report.signed_at
    signed_at = None
    if report.signed_at is not None:
        signed_at = datetime.datetime.fromtimestamp(
            report.signed_at, datetime.timezone.utc
        ).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not report.readable:
        what = "it does not decrypt" if args.encrypted else "it is not a signed session token"
        hint = "" if args.encrypted else " (is it encrypted? try --encrypted with a secret)"
        if args.as_json:
            verdict = "malformed" if report.code == EXIT_MALFORMED else report.signature
            json.dump({"signature": verdict, "error": what}, out)
            out.write("\n")
        else:
            print(f"error: cannot read this cookie: {what}{hint}", file=sys.stderr)
        return
    if args.as_json:
        json.dump(
            {
                "payload": report.payload,
                "age": age,
                "signed_at": signed_at,
                "signature": report.signature,
            },
            out,
            ensure_ascii=False,
        )
        out.write("\n")
        return
    if report.payload is not None:
        out.write(json.dumps(report.payload, indent=2, ensure_ascii=False, sort_keys=True))
        out.write("\n")
    if age is not None:
        out.write(f"age: {age} s (signed {signed_at})\n")
    out.write(f"signature: {_VERDICTS[report.signature]}\n")
