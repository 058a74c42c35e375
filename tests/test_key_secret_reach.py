"""key-secret-reach: reading Secret Manager secrets where a service's callers' key is stored is
a way to call that service (secret access is granted per project, not per secret)."""

from __future__ import annotations

import pytest
from private_serverless import PrivateFunction
from private_serverless.plan.stack_plan import run_stack_plan

READS = {"grants": [{"permission_set": "SecretManagerSecretAccess"}]}


@pytest.fixture(autouse=True)
def _base(source_dir, monkeypatch):
    monkeypatch.chdir(source_dir.parent)  # archives are written relative to the working directory
    BASE.update(runtime="python312", handler="handler.handle", source_dir=source_dir)


BASE: dict[str, object] = {}


def _findings(program) -> list[dict]:
    plan = run_stack_plan("dev", loader=lambda stack: (program, {}, set()), project="keys")
    return [f for f in plan.findings if f["rule"] == "key-secret-reach"]


def test_reading_secrets_where_another_service_s_key_is_stored_is_a_finding():

    def program() -> None:
        PrivateFunction("billing", {**BASE, "access": {"store_key_in_secret_manager": True}})
        PrivateFunction("api", {**BASE, "identity": READS})

    (finding,) = _findings(program)
    assert finding["severity"] == "mandatory"
    assert "api (service identity)" in finding["message"]
    assert "the callers of function 'billing'" in finding["message"]
    assert "dedicated_project on 'billing'" in finding["message"]


def test_no_finding_when_the_key_is_elsewhere_or_not_stored_or_its_own():

    def dedicated() -> None:
        PrivateFunction(
            "billing",
            {**BASE, "dedicated_project": True, "access": {"store_key_in_secret_manager": True}},
        )
        PrivateFunction("api", {**BASE, "identity": READS})

    def not_stored() -> None:
        PrivateFunction("billing", {**BASE, "access": {"store_key_in_secret_manager": False}})
        PrivateFunction("api", {**BASE, "identity": READS})

    def own_key() -> None:
        PrivateFunction(
            "billing",
            {**BASE, "identity": READS, "access": {"store_key_in_secret_manager": True}},
        )

    assert _findings(dedicated) == []
    assert _findings(not_stored) == []
    assert _findings(own_key) == []
