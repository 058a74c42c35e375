"""The program under the testing kit's mock runtime, with the dev stack's configuration."""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from private_serverless.testing import MockedPulumi, mocked_pulumi

PROGRAM = Path(__file__).resolve().parents[1] / "__main__.py"

CONFIG = {
    "ciApplicationId": "5c2bd8a4-9b8f-4b8e-8f6e-2b7f9d1c0a11",
    "officeCidr": "198.51.100.0/24",
    "dbPassword": "test-db-password",
    "signingKey": "test-signing-key",
}


@pytest.fixture
def mocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MockedPulumi]:
    monkeypatch.chdir(tmp_path)  # the function's archive is built under the working directory
    with mocked_pulumi(project="consumer", stack="dev", config=CONFIG) as mocked:
        yield mocked


@pytest.fixture
def program(mocked: MockedPulumi) -> dict[str, Any]:
    """The program's globals after it ran: its components by variable name."""
    return runpy.run_path(str(PROGRAM))
