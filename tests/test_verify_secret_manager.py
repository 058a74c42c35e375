"""`verify` with keys kept in Secret Manager: read with the official SDK, then tested.

A fake Scaleway API on 127.0.0.1 answers the Secret Manager "access version" call; the SDK
reaches it through ``SCW_API_URL`` (its ``api_url`` setting).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
from private_serverless.cli import app
from private_serverless.verify.deployed_services import secret_manager_reader, verify_outputs
from typer.testing import CliRunner

from .test_verify import KEY, _outputs, _PrivateHandler, _serve, _write

ACCESS_KEY = "SCWPLANTED0ACCESS000"
SECRET_KEY = "5c0f7a2e-0d1e-4a1b-9d3c-8e6f1b2a7c40"
SECRET_UUID = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
STALE_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
_PATH = re.compile(
    r"^/secret-manager/v1beta1/regions/(?P<region>[a-z-]+)/secrets/(?P<id>[0-9a-f-]+)"
    r"/versions/(?P<revision>[a-z_0-9]+)/access$"
)


class _FakeScalewayAPI(BaseHTTPRequestHandler):
    """Secret Manager's access call: the right credentials read the stored keys."""

    stored: ClassVar[dict[str, str]] = {
        SECRET_UUID: KEY,
        STALE_UUID: "an-old-key-that-was-rotated-out",
    }

    def do_GET(self) -> None:
        match = _PATH.match(self.path)
        if self.headers.get("X-Auth-Token") != SECRET_KEY:
            self._answer(401, {"message": "authentication is denied", "type": "denied"})
        elif match is None or match["id"] not in self.stored or match["region"] != "fr-par":
            self._answer(404, {"message": "resource is not found", "type": "not_found"})
        else:
            data = base64.b64encode(self.stored[match["id"]].encode()).decode()
            body = {"secret_id": match["id"], "revision": 2, "data": data, "type": "opaque"}
            self._answer(200, body)

    def _answer(self, status: int, body: dict[str, object]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")  # no idle keep-alive to wait for at shutdown
        self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def scaleway_api() -> Iterator[str]:
    yield from _serve(_FakeScalewayAPI)


@pytest.fixture
def private_url() -> Iterator[str]:
    yield from _serve(_PrivateHandler)


def _with_secret(url: str, secret_id: str | None) -> dict[str, object]:
    outputs = _outputs(billing=(url, None))
    services = outputs["services"]
    assert isinstance(services, dict)
    services["billing"]["key_secret_id"] = secret_id
    return outputs


def _env(api: str, **overrides: str) -> dict[str, str]:
    return {
        "SCW_ACCESS_KEY": ACCESS_KEY,
        "SCW_SECRET_KEY": SECRET_KEY,
        "SCW_API_URL": api,
    } | overrides


def test_the_key_is_read_from_secret_manager_and_tested(
    scaleway_api: str, private_url: str
) -> None:
    reader = secret_manager_reader(_env(scaleway_api))
    [result] = verify_outputs(
        _with_secret(private_url, f"fr-par/{SECRET_UUID}"), timeout=5, key_reader=reader
    )
    assert result.passed, result.notes
    assert (result.anonymous_status, result.authenticated_status) == (403, 200)
    assert not result.authenticated_skipped


@pytest.mark.parametrize(
    ("secret_id", "env", "why"),
    [
        # The secret holds a key the service no longer accepts: refused, so FAIL.
        (f"fr-par/{STALE_UUID}", {}, "refused with 403"),
        (f"fr-par/{'9' * 8}-0000-4000-8000-000000000000", {}, "Secret Manager answered 404"),
        (f"nl-ams/{SECRET_UUID}", {}, "Secret Manager answered 404"),
        (
            f"fr-par/{SECRET_UUID}",
            {"SCW_SECRET_KEY": "0" * 8 + "-0000-4000-8000-" + "0" * 12},
            "answered 401",
        ),
        (f"fr-par/{SECRET_UUID}", {"SCW_ACCESS_KEY": ""}, "SCW_ACCESS_KEY and SCW_SECRET_KEY"),
        (
            f"fr-par/{SECRET_UUID}",
            {"SCW_SECRET_KEY": "PLANTED-not-a-uuid"},
            "not Scaleway credentials",
        ),
        (None, {}, "no key to test"),
    ],
)
def test_a_key_verify_cannot_test_is_a_failure(
    scaleway_api: str, private_url: str, secret_id: str | None, env: dict[str, str], why: str
) -> None:
    reader = secret_manager_reader(_env(scaleway_api, **env))
    [result] = verify_outputs(_with_secret(private_url, secret_id), timeout=5, key_reader=reader)
    assert not result.passed
    assert any(why in note for note in result.notes), result.notes
    notes = " ".join(result.notes)
    assert "PLANTED" not in notes and KEY not in notes and SECRET_KEY not in notes


def test_an_unreachable_api_is_a_failure(private_url: str) -> None:
    dead = ""
    for url in _serve(_FakeScalewayAPI):
        dead = url  # closed again after the loop: nobody listens there now
    reader = secret_manager_reader(_env(dead))
    [result] = verify_outputs(
        _with_secret(private_url, f"fr-par/{SECRET_UUID}"), timeout=5, key_reader=reader
    )
    assert not result.passed
    assert "unreachable" in " ".join(result.notes)


def test_cli_reads_credentials_from_scw_environment(
    scaleway_api: str, private_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in _env(scaleway_api).items():
        monkeypatch.setenv(name, value)
    outputs = _write(tmp_path, _with_secret(private_url, f"fr-par/{SECRET_UUID}"))
    result = CliRunner().invoke(app, ["verify", "--stack", "prod", "--outputs", str(outputs)])
    assert result.exit_code == 0, result.output
    assert "1/1 services passed" in result.output
    for secret in (KEY, SECRET_KEY, base64.b64encode(KEY.encode()).decode()):
        assert secret not in result.output
    monkeypatch.delenv("SCW_SECRET_KEY")
    failed = CliRunner().invoke(app, ["verify", "--stack", "prod", "--outputs", str(outputs)])
    assert failed.exit_code == 1
    assert "SCW_ACCESS_KEY and SCW_SECRET_KEY must be set" in failed.output
