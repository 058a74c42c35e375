"""pytest fixtures of the testing kit, registered through the ``pytest11`` entry point.

Importing this module costs nothing: Pulumi and the provider SDK load when a test first uses
a fixture.
"""

from __future__ import annotations

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
