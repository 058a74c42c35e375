"""Fuzzing component arguments: random dicts in, a model or a ValidationError out.

``PrivateFunctionArgs`` / ``PrivateContainerArgs`` are what every stack entry and every program
ends in; whatever junk they are given, only pydantic's ``ValidationError`` (or our
``ConfigurationError``) may come out. Example counts come from the hypothesis profile.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from private_serverless import PrivateContainerArgs, PrivateFunctionArgs
from private_serverless.errors import ConfigurationError
from private_serverless.services.service_args import ServiceArgs
from pydantic import ValidationError

from tests.test_fuzz_stack import JUNK

SOURCE = Path(__file__).resolve().parent.parent / "services" / "billing"

VALID_FUNCTION: dict[str, Any] = {
    "runtime": "python312",
    "handler": "handler.handle",
    "source_dir": SOURCE,
    "env": {"LOG_LEVEL": "info"},
    "secrets": {"DB_PASSWORD": "x"},
    "access": {"condition": 'inIpRange(request.ip, "198.51.100.0/24")'},
}
VALID_CONTAINER: dict[str, Any] = {
    "image": "rg.fr-par.scw.cloud/team/api:1.0",
    "port": 8080,
    "liveness_probe": {"http_path": "/health"},
    "access": {"key_expires_in_days": 30},
}


def _keys(model: type[ServiceArgs]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(sorted(model.model_fields)), st.text(max_size=20))


def _validate(model: type[ServiceArgs], values: dict[str, Any]) -> None:
    # Only these two may come out; anything else fails the test with its traceback.
    with contextlib.suppress(ValidationError, ConfigurationError):
        model.model_validate(values)


@st.composite
def _mutated(draw: st.DrawFn, model: type[ServiceArgs], valid: dict[str, Any]) -> dict[str, Any]:
    """A valid argument dict with some keys dropped or set to junk (nested ones included)."""
    values = dict(valid)
    for _ in range(draw(st.integers(1, 3))):
        key = draw(_keys(model))
        if draw(st.booleans()) and key in values:
            del values[key]
        elif key == "access" or (draw(st.booleans()) and key in ("env", "secrets")):
            values[key] = draw(st.dictionaries(st.text(max_size=30), JUNK, max_size=3))
        else:
            values[key] = draw(JUNK)
    return values


@given(values=st.dictionaries(_keys(PrivateFunctionArgs), JUNK, max_size=8))
def test_function_args_from_random_dicts(values: dict[str, Any]) -> None:
    _validate(PrivateFunctionArgs, values)


@given(values=st.dictionaries(_keys(PrivateContainerArgs), JUNK, max_size=8))
def test_container_args_from_random_dicts(values: dict[str, Any]) -> None:
    _validate(PrivateContainerArgs, values)


@given(data=st.data())
def test_mutated_valid_args(data: st.DataObject) -> None:
    model, valid = data.draw(
        st.sampled_from(
            [(PrivateFunctionArgs, VALID_FUNCTION), (PrivateContainerArgs, VALID_CONTAINER)]
        )
    )
    _validate(model, data.draw(_mutated(model, valid)))
