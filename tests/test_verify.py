"""``verify``: against real HTTP servers on 127.0.0.1, one private, one public by mistake."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from private_serverless.cli import app
from private_serverless.errors import ConfigurationError
from private_serverless.verify.deployed_services import (
    Verdict,
    parse_outputs,
    render_results,
    verify_outputs,
)
from typer.testing import CliRunner

from tests.conftest import PLANTED_SECRET

KEY = PLANTED_SECRET


class _PrivateHandler(BaseHTTPRequestHandler):
    """Like a private Scaleway endpoint: 403 unless X-Auth-Token is the right key."""

    def do_GET(self) -> None:
        status = 200 if self.headers.get("X-Auth-Token") == KEY else 403
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


class _PublicHandler(_PrivateHandler):
    """A service left public: everybody gets in."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _RejectsEverythingHandler(_PrivateHandler):
    """Private, but the deployed key is not accepted (wrong key in the outputs)."""

    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _BrokenCodeHandler(_PrivateHandler):
    """Auth passes, the code fails: still a pass for verify (auth is what is checked)."""

    def do_GET(self) -> None:
        status = 500 if self.headers.get("X-Auth-Token") == KEY else 403
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def private_url() -> Iterator[str]:
    yield from _serve(_PrivateHandler)


@pytest.fixture
def public_url() -> Iterator[str]:
    yield from _serve(_PublicHandler)


def _outputs(**services: tuple[str, str | None]) -> dict[str, object]:
    return {
        "services": {
            name: {
                "kind": "function",
                "endpoint": url,
                "api_key": key,
                "application_id": "app",
                "policy_id": "pol",
                "project_id": "proj",
                "key_secret_id": None,
            }
            for name, (url, key) in services.items()
        }
    }


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(data))
    return path


def test_private_endpoint_passes(private_url: str) -> None:
    [result] = verify_outputs(_outputs(billing=(private_url, KEY)), timeout=5)
    assert result.verdict is Verdict.passed
    assert (result.anonymous_status, result.authenticated_status) == (403, 200)


def test_public_endpoint_fails(public_url: str) -> None:
    [result] = verify_outputs(_outputs(billing=(public_url, KEY)), timeout=5)
    assert result.verdict is Verdict.failed
    assert result.anonymous_status == 200
    assert any("not private" in note for note in result.notes)


def test_wrong_key_fails(private_url: str) -> None:
    [result] = verify_outputs(_outputs(billing=(private_url, "not-the-key")), timeout=5)
    assert result.verdict is Verdict.failed
    assert result.authenticated_status == 403


@pytest.mark.parametrize(
    ("handler", "verdict"), [(_RejectsEverythingHandler, "FAIL"), (_BrokenCodeHandler, "pass")]
)
def test_any_status_but_401_403_means_auth_passed(
    handler: type[BaseHTTPRequestHandler], verdict: str
) -> None:
    for url in _serve(handler):
        [result] = verify_outputs(_outputs(billing=(url, KEY)), timeout=5)
        assert result.verdict.value == verdict


def test_a_key_that_cannot_be_tested_is_a_failure(private_url: str) -> None:
    [result] = verify_outputs(_outputs(billing=(private_url, None)), timeout=5)
    assert not result.passed and result.authenticated_skipped
    assert result.anonymous_status == 403 and result.authenticated_status is None
    assert "no key to test" in render_results([result])


def test_unreachable_endpoint_fails_without_traceback() -> None:
    # A port nobody listens on: bind one, close it, call it.
    for url in _serve(_PrivateHandler):
        dead = url
    [result] = verify_outputs(_outputs(billing=(dead, KEY)), timeout=2)
    assert result.verdict is Verdict.failed and result.anonymous_status is None


def test_redirects_are_not_followed() -> None:
    seen: list[urllib.request.Request] = []

    def opener(request: urllib.request.Request, timeout: float) -> int:
        seen.append(request)
        return 302

    [result] = verify_outputs(
        _outputs(billing=("https://x.example/", KEY)), timeout=1, opener=opener
    )
    # A redirect is not a refusal: the anonymous call was let through somewhere.
    assert result.verdict is Verdict.failed
    assert [r.get_header("X-auth-token") for r in seen] == [None, KEY]


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ([], ""),
        ({}, "services"),
        ({"services": {}}, "services"),
        ({"services": {"a": "x"}}, "services.a"),
        ({"services": {"a": {"endpoint": "http://example.com/", "api_key": "k"}}}, "endpoint"),
        ({"services": {"a": {"endpoint": "ftp://127.0.0.1/", "api_key": "k"}}}, "endpoint"),
        ({"services": {"a": {"endpoint": None, "api_key": "k"}}}, "endpoint"),
        ({"services": {"a": {"endpoint": "https://[bad", "api_key": "k"}}}, "endpoint"),
        ({"services": {"a": {"endpoint": "https://x.example", "api_key": 5}}}, "api_key"),
        ({"services": {"a": {"endpoint": "https://x.example", "api_key": "[secret]"}}}, "api_key"),
        # Not sendable as a header value: an input error, not a failed call (a verdict).
        ({"services": {"a": {"endpoint": "https://x.example", "api_key": "k\nX: y"}}}, "api_key"),
        ({"services": {"a": {"endpoint": "https://x.example", "api_key": "cl\u00e9"}}}, "api_key"),
        ({"services": {"a": {"endpoint": "https://x.example", "api_key": "a b"}}}, "api_key"),
    ],
)
def test_unusable_outputs_are_configuration_errors(data: object, path: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_outputs(data, "outputs.json")
    assert caught.value.where == "outputs.json"
    assert path in str(caught.value)


# --- the command -------------------------------------------------------------------------


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def test_cli_passes_against_a_private_endpoint(
    cli: CliRunner, tmp_path: Path, private_url: str
) -> None:
    outputs = _write(tmp_path, _outputs(billing=(private_url, KEY), api=(private_url, KEY)))
    result = cli.invoke(app, ["verify", "--stack", "prod", "--outputs", str(outputs)])
    assert result.exit_code == 0, result.output
    assert "billing" in result.output and "403" in result.output and "200" in result.output
    assert "2/2 services passed" in result.output
    assert KEY not in result.output


def test_cli_fails_against_a_public_endpoint(
    cli: CliRunner, tmp_path: Path, private_url: str, public_url: str
) -> None:
    outputs = _write(tmp_path, _outputs(billing=(private_url, KEY), leaky=(public_url, KEY)))
    result = cli.invoke(app, ["verify", "--stack", "prod", "--outputs", str(outputs)])
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.output and "leaky" in result.output
    assert KEY not in result.output


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        f'{{"services": {{"a": {{"endpoint": "http://example.com", "api_key": "{KEY}"}}}}}}',
        '{"other": 1}',
        "\udcff",
    ],
)
def test_cli_bad_outputs_exit_2_without_traceback(
    cli: CliRunner, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "outputs.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    result = cli.invoke(app, ["verify", "--stack", "prod", "--outputs", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("error: ")
    assert KEY not in result.output


def test_cli_without_pulumi_installed(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    result = cli.invoke(app, ["verify", "--stack", "prod"])
    assert result.exit_code == 2
    assert "pulumi CLI is not installed" in result.output


def test_cli_runs_pulumi_stack_output(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_url: str
) -> None:
    # A fake `pulumi` on PATH printing the outputs, as `pulumi stack output --json` does.
    data = tmp_path / "data.json"
    data.write_text(json.dumps(_outputs(billing=(private_url, KEY))))
    fake = tmp_path / "bin" / "pulumi"
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/sh\n[ "$*" = "stack output --json --show-secrets --stack prod" ] || exit 3\n'
        f'cat "{data}"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    result = cli.invoke(app, ["verify", "--stack", "prod"])
    assert result.exit_code == 0, result.output
    assert KEY not in result.output
    result = cli.invoke(app, ["verify", "--stack", "staging"])
    assert result.exit_code == 2 and "exit 3" in result.output


def test_a_service_public_on_purpose_must_answer_without_a_key(
    public_url: str, private_url: str
) -> None:
    outputs = _outputs(gateway=(public_url, None), locked=(private_url, None))
    for entry in outputs["services"].values():  # type: ignore[attr-defined]
        entry["privacy"] = "public"  # as export_services writes it for a public service
    by_name = {r.service: r for r in verify_outputs(outputs, timeout=5)}
    assert by_name["gateway"].verdict is Verdict.passed
    assert by_name["gateway"].notes == ("public on purpose: answers without a key",)
    # Public in the stack but refusing anonymous calls: not what was deployed on purpose.
    assert by_name["locked"].verdict is Verdict.failed
    assert "refused with 403" in by_name["locked"].notes[0]
