"""What pytest prints when a user's test of the testing kit fails: never a secret it was given.

Each test here reads one failure of a user's test suite (``USER_TESTS``), run once by pytest
in a subprocess with everything shown: long tracebacks (each frame's arguments), ``-l`` (the
locals of the frames shown) and ``-vv`` (full diffs). The planted secret comes from the
environment, so the user's own source lines, which pytest shows, do not hold it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from .conftest import PLANTED_SECRET

#: What a crash (a bug, not a user error) shows: its frames' arguments, to debug it.
CRASH_VALUE = "VISIBLE-IN-A-CRASH"

USER_TESTS = f'''
import os

import pulumi
import pytest
from private_serverless import PrivateContainer, PrivateContainerArgs, PrivateFunction
from private_serverless.testing import CONTAINER, MockedPulumi, mocked_pulumi, resolve

SECRET = os.environ["PLANTED"]
IMAGE = "rg.fr-par.scw.cloud/ns/api:1"


def test_mapping_args(pulumi_mocks: MockedPulumi) -> None:
    PrivateContainer("api", {{"image": IMAGE, "port": 0, "secrets": {{"K": SECRET}}}})


def test_model_args(pulumi_mocks: MockedPulumi) -> None:
    PrivateContainerArgs(image=IMAGE, port=0, secrets={{"K": SECRET}})


def test_after_coercion(pulumi_mocks: MockedPulumi) -> None:
    # Valid args, but the default namespace name ("9api-ns") must start with a letter.
    PrivateContainer("9api", PrivateContainerArgs(image=IMAGE, secrets={{"K": SECRET}}))


def test_function_args(pulumi_mocks: MockedPulumi, tmp_path) -> None:
    PrivateFunction("billing", {{
        "runtime": "python312", "handler": "handler.handle", "source_dir": tmp_path,
        "memory_limit_mb": 1, "secrets": {{"K": SECRET}},
    }})


class EchoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return args.name + "-id", dict(args.inputs)

    def call(self, args):
        return {{}}, []


def test_resolve(tmp_path) -> None:
    (tmp_path / "handler.py").write_text("def handle(event, context): ...\\n")
    with mocked_pulumi(EchoMocks()):
        billing = PrivateFunction("billing", {{
            "runtime": "python312", "handler": "handler.handle", "source_dir": tmp_path,
            "build_dir": tmp_path / "build", "secrets": {{"K": SECRET}},
        }})
        resolve(billing.endpoint)


def test_crash(pulumi_mocks: MockedPulumi, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the library")

    monkeypatch.setattr("private_serverless.services.private_service.validation_problems", broken)
    PrivateContainer("api", {{"image": IMAGE, "port": 0, "secrets": {{"K": "{CRASH_VALUE}"}}}})


def _api(pulumi_mocks: MockedPulumi):
    PrivateContainer("api", {{"image": IMAGE, "secrets": {{"K": SECRET}}, "env": {{"A": "plain"}}}})
    return pulumi_mocks.resource(CONTAINER, "api-container")


def test_secret_in(pulumi_mocks: MockedPulumi) -> None:
    assert "X" in _api(pulumi_mocks).inputs["secretEnvironmentVariables"]


def test_inputs_equal(pulumi_mocks: MockedPulumi) -> None:
    assert _api(pulumi_mocks).inputs == {{"environmentVariables": {{"A": "plain"}}}}


def test_secret_equal(pulumi_mocks: MockedPulumi) -> None:
    assert _api(pulumi_mocks).inputs["secretEnvironmentVariables"]["K"] == "another value"


def test_secret_not_in(pulumi_mocks: MockedPulumi) -> None:
    assert "PLANTED" not in _api(pulumi_mocks).inputs["secretEnvironmentVariables"]["K"]


def test_secret_list(pulumi_mocks: MockedPulumi) -> None:
    values = list(_api(pulumi_mocks).inputs["secretEnvironmentVariables"].values())
    assert values == ["another value"]


def test_resource(pulumi_mocks: MockedPulumi) -> None:
    assert _api(pulumi_mocks) is None


def test_resolved_secret(pulumi_mocks: MockedPulumi) -> None:
    assert resolve(pulumi.Output.secret(SECRET)) == "another value"
'''


@pytest.fixture(scope="module")
def failures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The failure report of each of ``USER_TESTS``, by test name."""
    folder = tmp_path_factory.mktemp("user-suite")
    (folder / "test_user.py").write_text(USER_TESTS)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env["PLANTED"] = PLANTED_SECRET
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--tb=long", "-l", "-vv", "-p", "no:cacheprovider"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "private-serverless" in result.stdout  # the kit's plugin ran (pulumi_mocks)
    sections = re.split(r"^_{3,} (test_\w+) _{3,}$", result.stdout, flags=re.MULTILINE)
    return dict(zip(sections[1::2], sections[2::2], strict=True))


#: A frame of the library in a traceback: its file, or its arguments.
_LIBRARY_FRAME = re.compile(r"private_serverless/|^(?:args|model|kind) = ", re.MULTILINE)


@pytest.mark.parametrize(
    ("test", "message"),
    [
        ("test_mapping_args", "ConfigurationError: PrivateContainer 'api': port: Input should be"),
        ("test_model_args", "ConfigurationError: PrivateContainerArgs: port: Input should be"),
        ("test_after_coercion", "ConfigurationError: PrivateContainer '9api': namespace_name:"),
        ("test_function_args", "ConfigurationError: PrivateFunction 'billing': memory_limit_mb"),
        ("test_resolve", "MissingProviderOutputError: PrivateFunction 'billing': the provider"),
    ],
)
def test_a_user_error_shows_its_message_not_the_library_frames(
    failures: dict[str, str], test: str, message: str
) -> None:
    report = failures[test]
    assert PLANTED_SECRET not in report
    assert message in report
    assert re.search(r"test_user\.py:\d+: \w+Error", report)  # where in the user's test
    assert not _LIBRARY_FRAME.search(report), report


def test_a_crash_shows_the_library_frames_and_their_arguments(failures: dict[str, str]) -> None:
    report = failures["test_crash"]
    assert "RuntimeError: a bug in the library" in report
    assert "private_serverless/services/private_service.py" in report
    assert re.search(rf"^args = .*{CRASH_VALUE}", report, re.MULTILINE)


@pytest.mark.parametrize(
    ("test", "shown"),
    [
        ("test_secret_in", ["assert 'X' in {'K': [secret]}"]),
        ("test_inputs_equal", ["'secretEnvironmentVariables': {", "'K': [secret]", "'A': 'plain'"]),
        ("test_secret_equal", ["assert [secret] == 'another value'"]),
        ("test_secret_not_in", ["assert 'PLANTED' not in [secret]"]),
        ("test_secret_list", ["At index 0 diff: [secret] != 'another value'"]),
        ("test_resource", ["'secretEnvironmentVariables': {'K': [secret]}", "outputs="]),
        ("test_resolved_secret", ["assert [secret] == 'another value'"]),
    ],
)
def test_a_failed_assertion_shows_a_secret_of_the_kit_as_secret(
    failures: dict[str, str], test: str, shown: list[str]
) -> None:
    report = failures[test]
    assert PLANTED_SECRET not in report
    for text in shown:
        assert text in report, report
