"""The argument models as a user meets them: one error type, useful help, friendly types."""

from __future__ import annotations

import inspect
import pydoc
import subprocess
import sys
from pathlib import Path

import pytest
from private_serverless import (
    AccessArgs,
    ConfigurationError,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
    Probe,
)
from private_serverless.conditions import ip_in, weekdays
from pydantic import SecretStr

from .conftest import PLANTED_SECRET

BAD = {"runtime": "cobol", "handler": "", "max_scale": 0, "env": {"DB_PASSWORD": PLANTED_SECRET}}


def test_bad_values_raise_the_library_error_naming_every_field(source_dir: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        PrivateFunctionArgs(source_dir=source_dir, **BAD)  # type: ignore[arg-type]
    error = info.value
    assert isinstance(error, ValueError)
    assert error.where == "PrivateFunctionArgs"
    assert {p.path for p in error.problems} >= {"runtime", "handler", "max_scale", "env"}
    assert "pydantic.dev" not in str(error)
    assert PLANTED_SECRET not in str(error) and PLANTED_SECRET not in repr(error)


def test_the_model_form_reports_what_the_mapping_form_reports(source_dir: Path) -> None:
    with pytest.raises(ConfigurationError) as direct:
        PrivateFunctionArgs(source_dir=source_dir, **BAD)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as mapping:
        PrivateFunction("billing", {"source_dir": source_dir, **BAD})
    assert direct.value.problems == mapping.value.problems
    assert mapping.value.where == "PrivateFunction 'billing'"


def test_a_nested_model_error_keeps_its_key_path(source_dir: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        PrivateFunctionArgs(
            runtime="python312",
            handler="h.h",
            source_dir=source_dir,
            access={"key_expires_in_days": 0},  # type: ignore[arg-type]
        )
    assert [p.path for p in info.value.problems] == ["access.key_expires_in_days"]


@pytest.mark.parametrize("model", [PrivateFunctionArgs, PrivateContainerArgs, AccessArgs, Probe])
def test_every_field_has_a_description_and_help_shows_it(model: type) -> None:
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name} has no docstring"
    text = pydoc.render_doc(model)
    for name, field in model.model_fields.items():
        assert name in text
        assert field.description.split()[0] in text


def test_help_is_useful_before_any_instance_exists() -> None:
    code = (
        "import inspect, pydoc\n"
        "from private_serverless import PrivateFunctionArgs as A\n"
        "assert not A.__pydantic_complete__\n"
        "print(inspect.signature(A))\n"
        "print(pydoc.render_doc(A))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "(**data" not in result.stdout
    assert "runtime:" in result.stdout and "memory_limit_mb" in result.stdout
    assert "memory_limit_mb (default 256)" in result.stdout


def test_the_signature_lists_fields_and_defaults() -> None:
    parameters = inspect.signature(PrivateContainerArgs).parameters
    assert parameters["image"].default is inspect.Parameter.empty
    assert parameters["port"].default == 8080
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())


def test_a_condition_builder_or_text_is_accepted() -> None:
    built = AccessArgs(condition=ip_in("198.51.100.0/24") & weekdays())
    text = AccessArgs(condition=built.condition_cel)
    assert built.condition_cel == text.condition_cel
    assert isinstance(built.condition, str)


def test_a_plain_string_secret_becomes_a_hidden_secret(source_dir: Path) -> None:
    args = PrivateFunctionArgs(
        runtime="python312", handler="h.h", source_dir=source_dir, secrets={"TOKEN": PLANTED_SECRET}
    )
    assert isinstance(args.secrets["TOKEN"], SecretStr)
    assert PLANTED_SECRET not in repr(args)
