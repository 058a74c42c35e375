"""Load a stack for the offline plan: its file, as the Pulumi CLI would hand it to the program.

The Pulumi CLI decrypts ``secure:`` values before the program sees them; offline there is no
key to decrypt with, so such values reach the program as ``[secret]`` and are marked secret,
which is all the plan shows of any secret anyway. The project and its stack files are read by
:mod:`private_serverless.project`, as for any other program; this module runs the library's
own stack program on them, in process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from ...errors import hide_on_user_error
from ..pulumi_project import find_project, hermetic_config_environment, read_stack_config
from .program import StackContext, run

__tracebackhide__ = hide_on_user_error


def load_offline_program(
    stack: str,
    *,
    project_dir: Path | None = None,
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Callable[[], None], dict[str, str], set[str]]:
    """The program, configuration and secret keys of ``stack``, for the offline plan.

    ``project_dir`` (default: the working directory) is where the search for ``Pulumi.yaml``
    starts. ``env_file`` defaults to the project's ``.env``; the quick start passes
    ``.env.example``.
    """
    project = find_project(project_dir)
    config, secret_keys = read_stack_config(project, stack)
    context = StackContext(
        source=project.label(project.stack_file(stack)),
        project_dir=project.root,
        environ=dict(os.environ if environ is None else environ),
        env_file=env_file if env_file is not None else project.root / ".env",
    )

    def program() -> None:
        with hermetic_config_environment():
            run(context)

    return program, config, secret_keys
