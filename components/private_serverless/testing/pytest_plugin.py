"""The testing kit's pytest plugin (its fixture, and how failed assertions show its secrets),
registered through the ``pytest11`` entry point.

Importing this module costs nothing: Pulumi and the provider SDK load when a test first uses
a fixture.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from . import MockedPulumi


@pytest.fixture
def pulumi_mocks() -> Iterator[MockedPulumi]:
    """Pulumi's mock runtime with :class:`~private_serverless.testing.ScalewayMocks`, project
    ``test``, stack ``dev``, set for the test and reset after it; yields the registrations.

    For other settings, use :func:`private_serverless.testing.mocked_pulumi` in a fixture of
    your own.
    """
    from . import mocked_pulumi

    with mocked_pulumi() as mocked:
        yield mocked


#: How a comparison with a secret quotes its other side: cut, as pytest's summary line is.
_QUOTE = reprlib.Repr()
_QUOTE.maxstring = _QUOTE.maxother = 160


@pytest.hookimpl(tryfirst=True)
def pytest_assertrepr_compare(op: str, left: object, right: object) -> list[str] | None:
    """A comparison with a :class:`~private_serverless.testing.SecretString` as one side,
    explained by ``repr`` (``[secret]``): for ``==`` and ``not in`` between two strings, pytest
    would show a diff of their texts."""
    from . import SecretString

    if not isinstance(left, SecretString) and not isinstance(right, SecretString):
        return None
    return [
        f"{_QUOTE.repr(left)} {op} {_QUOTE.repr(right)}",
        "",
        "(the text of a secret is not shown)",
    ]
