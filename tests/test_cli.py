"""python -m sanic_cookiesession: genkey and decode."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

import pytest
from sanic import Sanic

from sanic_cookiesession import cli
from sanic_cookiesession import codec as codec_module
from sanic_cookiesession.testing import session_cookie

from .conftest import SECRET, token, unique_name

DATA = {"counter": 2, "user": "ann"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process: (exit code, stdout, stderr)."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse's --help and usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as caught:
        cli.main(list(argv))
    assert caught.value.code == cli.EXIT_USAGE
    return capsys.readouterr().err


def test_genkey_prints_a_fresh_long_url_safe_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, first, _ = run(capsys, "genkey")
    _, second, _ = run(capsys, "genkey")
    assert code == 0
    key = first.strip()
    assert len(key) == 64
    assert set(key) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert key != second.strip()


def test_genkey_refuses_short_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert "at least 32" in usage_error(capsys, "genkey", "--bytes", "16")


def test_decode_with_the_secret_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decode", token(DATA), "--secret", SECRET)
    assert code == cli.EXIT_VALID == 0
    payload, _, rest = out.partition("\n}\n")
    assert json.loads(payload + "}") == DATA
    assert "age: " in rest
    assert rest.splitlines()[-1] == "signature: valid"


def test_decode_reads_the_secret_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SESSION_SECRET", SECRET)
    code, out, _ = run(capsys, "decode", token(DATA), "--secret-env", "MY_SESSION_SECRET")
    assert code == cli.EXIT_VALID
    assert out.endswith("signature: valid\n")


def test_decode_with_a_missing_environment_variable_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    err = usage_error(capsys, "decode", token(DATA), "--secret-env", "NOT_SET_ANYWHERE")
    assert "NOT_SET_ANYWHERE is not set" in err


def test_decode_without_a_secret_says_not_verified(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decode", token(DATA))
    assert code == cli.EXIT_NOT_VERIFIED
    assert json.loads(out.partition("\n}\n")[0] + "}") == DATA
    assert "NOT VERIFIED" in out


def test_decode_with_another_secret_is_bad(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decode", token(DATA), "--secret", "another-" + SECRET)
    assert code == cli.EXIT_BAD_SIGNATURE
    assert "signature: BAD" in out


def test_decode_with_another_salt_is_bad(capsys: pytest.CaptureFixture[str]) -> None:
    value = token(DATA, salt="admin-session")
    assert run(capsys, "decode", value, "--secret", SECRET)[0] == cli.EXIT_BAD_SIGNATURE
    code = run(capsys, "decode", value, "--secret", SECRET, "--salt", "admin-session")[0]
    assert code == cli.EXIT_VALID


def test_decode_of_an_old_cookie_is_expired_unless_no_max_age(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    value = token(DATA)
    later = codec_module.now() + 7200
    monkeypatch.setattr(codec_module, "now", lambda: later)
    code, out, _ = run(capsys, "decode", value, "--secret", SECRET, "--max-age", "3600", "--json")
    assert code == cli.EXIT_EXPIRED
    report = json.loads(out)
    assert report["signature"] == "expired"
    assert report["payload"] == DATA
    assert report["age"] >= 7200
    code = run(capsys, "decode", value, "--secret", SECRET, "--max-age", "none")[0]
    assert code == cli.EXIT_VALID


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "..", "é.x.y", "!!!.AAAA.sig"])
def test_decode_of_something_else_is_malformed(
    capsys: pytest.CaptureFixture[str], garbage: str
) -> None:
    code, out, err = run(capsys, "decode", garbage)
    assert code == cli.EXIT_MALFORMED
    assert out == ""
    assert "not a signed session token" in err


def test_decode_accepts_a_name_value_pair_and_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    value = token(DATA)
    assert run(capsys, "decode", f"_session={value}", "--secret", SECRET)[0] == cli.EXIT_VALID
    monkeypatch.setattr(sys, "stdin", io.StringIO(f'"{value}"\n'))
    assert run(capsys, "decode", "-", "--secret", SECRET)[0] == cli.EXIT_VALID


def test_decode_json_output_is_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decode", token(DATA), "--secret", SECRET, "--json")
    report = json.loads(out)
    assert code == cli.EXIT_VALID
    assert report["payload"] == DATA
    assert report["signature"] == "valid"
    assert isinstance(report["age"], int)
    assert report["signed_at"].endswith("Z")


def test_decode_reads_an_encrypted_cookie(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("cryptography")
    import sanic_cookiesession

    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    app.config.SESSION_COOKIE_ENCRYPT = True
    sanic_cookiesession.setup(app)
    value = session_cookie(app, DATA).partition("=")[2]
    code, _, err = run(capsys, "decode", value)
    assert code == cli.EXIT_MALFORMED
    assert "--encrypted" in err
    code, out, _ = run(capsys, "decode", value, "--secret", SECRET, "--encrypted", "--json")
    assert code == cli.EXIT_VALID
    assert json.loads(out)["payload"] == DATA
    code, out, _ = run(
        capsys, "decode", value, "--secret", "another-" + SECRET, "--encrypted", "--json"
    )
    assert code == cli.EXIT_BAD_SIGNATURE
    assert json.loads(out)["payload"] is None


def test_encrypted_needs_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--encrypted needs" in usage_error(capsys, "decode", "x.y.z", "--encrypted")


@pytest.mark.parametrize("bad", ["0", "-5", "soon"])
def test_max_age_must_be_positive_or_none(capsys: pytest.CaptureFixture[str], bad: str) -> None:
    assert "expected 'none' or seconds" in usage_error(capsys, "decode", "x", "--max-age", bad)


@pytest.mark.parametrize("argv", [["--help"], ["genkey", "--help"], ["decode", "--help"]])
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out.startswith("usage: python -m sanic_cookiesession")


def test_decode_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "decode", "--help")[1]
    for code in (0, 1, 2, 3, 4, 5):
        assert f"\n  {code}  " in out


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == cli.EXIT_USAGE
    assert "genkey" in err
    assert "decode" in err


@pytest.mark.parametrize("as_json", [False, True])
def test_the_secret_is_never_printed(capsys: pytest.CaptureFixture[str], as_json: bool) -> None:
    outputs: list[Any] = []
    for secret in (SECRET, "wrong-" + SECRET):
        argv = ["decode", token(DATA), "--secret", secret] + (["--json"] if as_json else [])
        outputs.append(run(capsys, *argv))
    assert all(secret not in str(outputs) for secret in (SECRET, "wrong-" + SECRET))


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sanic_cookiesession", "decode", token(DATA), "--secret", SECRET],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == cli.EXIT_VALID, done.stderr
    assert done.stdout.endswith("signature: valid\n")


def test_decode_json_reports_an_unreadable_token(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decode", "garbage", "--json")
    assert code == cli.EXIT_MALFORMED
    report = json.loads(out)
    assert report == {"signature": "malformed", "error": "it is not a signed session token"}


def test_decode_of_a_signed_non_json_payload_is_malformed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from itsdangerous import TimestampSigner

    value = TimestampSigner(SECRET, salt="cookie-session").sign(b"bm90IGpzb24").decode()
    code, _, err = run(capsys, "decode", value, "--secret", SECRET)
    assert code == cli.EXIT_MALFORMED
    assert "not a signed session token" in err


def test_decode_of_an_expired_encrypted_cookie(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("cryptography")
    import sanic_cookiesession

    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    app.config.SESSION_COOKIE_ENCRYPT = True
    sanic_cookiesession.setup(app)
    value = session_cookie(app, DATA).partition("=")[2]
    later = codec_module.now() + 7200
    monkeypatch.setattr(codec_module, "now", lambda: later)
    argv = ["decode", value, "--secret", SECRET, "--encrypted", "--max-age", "3600", "--json"]
    code, out, _ = run(capsys, *argv)
    assert code == cli.EXIT_EXPIRED
    report = json.loads(out)
    assert report["signature"] == "expired"
    assert report["age"] >= 7200


def test_decode_of_garbage_as_encrypted_does_not_decrypt(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("cryptography")
    code, _, err = run(capsys, "decode", "not-fernet!", "--secret", SECRET, "--encrypted")
    assert code == cli.EXIT_MALFORMED
    assert "does not decrypt" in err


def test_decode_with_an_invalid_salt_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("cryptography")
    err = usage_error(capsys, "decode", "x", "--secret", SECRET, "--encrypted", "--salt", "")
    assert "SESSION_COOKIE_SALT" in err
    assert SECRET not in err


def test_decode_takes_the_named_cookie_from_a_pasted_header(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SANIC_SESSION_COOKIE_NAME", raising=False)
    admin = token({"admin": True}, salt="admin-salt")
    header = f"_session_admin={admin}; _session={token(DATA)}; theme=dark"
    code, out, err = run(capsys, "decode", header, "--secret", SECRET, "--json")
    assert code == cli.EXIT_VALID
    assert json.loads(out)["payload"] == DATA
    assert "'_session'" in err
    code, out, err = run(
        capsys, "decode", header, "--secret", SECRET, "--salt", "admin-salt",
        "--name", "_session_admin", "--json",
    )
    assert code == cli.EXIT_VALID
    assert json.loads(out)["payload"] == {"admin": True}
    assert "'_session_admin'" in err


def test_decode_takes_the_cookie_that_verifies_among_several_of_the_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tossed cookie first, as a browser sends a longer path's cookie first.
    monkeypatch.delenv("SANIC_SESSION_COOKIE_NAME", raising=False)
    forged = token({"user": "attacker"}, secret="another-" + SECRET)
    header = f"theme=dark; _session={forged}; _session={token(DATA)}"
    code, out, err = run(capsys, "decode", header, "--secret", SECRET, "--json")
    assert code == cli.EXIT_VALID
    assert json.loads(out)["payload"] == DATA
    assert "number 2 of the 2 sent: the one that verifies" in err
    # Without a secret: the first, and a word on how to find the right one.
    code, out, err = run(capsys, "decode", header, "--json")
    assert json.loads(out)["payload"] == {"user": "attacker"}
    assert "a secret finds the one that verifies" in err
    # Two that verify: what the server does with them is said.
    header = f"_session={token({'user': 'sibling'})}; _session={token(DATA)}"
    code, out, err = run(capsys, "decode", header, "--secret", SECRET)
    assert "2 verify, so the server gives such a request an empty session" in err


def test_decode_takes_the_encrypted_cookie_that_verifies(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("cryptography")
    import sanic_cookiesession

    monkeypatch.delenv("SANIC_SESSION_COOKIE_NAME", raising=False)
    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    app.config.SESSION_COOKIE_ENCRYPT = True
    sanic_cookiesession.setup(app)
    header = f"_session=garbage; {session_cookie(app, DATA)}"
    code, out, err = run(capsys, "decode", header, "--secret", SECRET, "--encrypted", "--json")
    assert code == cli.EXIT_VALID
    assert json.loads(out)["payload"] == DATA
    assert "number 2 of the 2 sent" in err


def test_decode_names_the_cookie_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANIC_SESSION_COOKIE_NAME", "sid")
    code, out, _ = run(capsys, "decode", f"theme=dark; sid={token(DATA)}", "--secret", SECRET)
    assert code == cli.EXIT_VALID
    assert out.splitlines()[-1] == "signature: valid"


def test_decode_says_which_cookies_a_header_has_when_the_name_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SANIC_SESSION_COOKIE_NAME", raising=False)
    err = usage_error(capsys, "decode", "theme=dark; lang=en")
    assert "no cookie named '_session'" in err
    assert "lang, theme" in err


def test_decode_reads_a_header_pasted_with_its_name_and_a_host_prefixed_cookie(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SANIC_SESSION_COOKIE_NAME", raising=False)
    header = f"Cookie: theme=dark; __Host-_session={token(DATA)}"
    code, out, err = run(capsys, "decode", header, "--secret", SECRET, "--json")
    assert code == cli.EXIT_VALID
    assert json.loads(out)["payload"] == DATA
    assert "'__Host-_session'" in err
