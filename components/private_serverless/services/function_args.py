"""Arguments of :class:`PrivateFunction`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import (
    BeforeValidator,
    DirectoryPath,
    Field,
    FilePath,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from ..attachments.container_operation import Sandbox
from ..core import limits
from .service_args import ServiceArgs

#: Where archives go by default, relative to the project (the working directory under pulumi).
DEFAULT_BUILD_DIR = Path(".private-serverless/build")

# Handler formats per runtime family (limits: functions-handlers page). Folders are plain
# relative names: no leading slash, no `.` or `..` segment.
_FOLDERS = r"(?:(?!\.{1,2}/)[A-Za-z0-9_.-]+/)*"
_FILE_FUNCTION = "<folder>/<file>.<function>, e.g. handler.handle"
_HANDLER_FORMATS: dict[limits.RuntimeFamily, tuple[re.Pattern[str], str]] = {}
# Python imports the file as one module: its name holds no dot (a dot would name a package).
_HANDLER_FORMATS["python"] = (
    re.compile(rf"^{_FOLDERS}[A-Za-z0-9_-]+\.[A-Za-z_][A-Za-z0-9_]*$"),
    _FILE_FUNCTION,
)
_HANDLER_FORMATS["php"] = _HANDLER_FORMATS["python"]
_HANDLER_FORMATS["node"] = (  # JavaScript identifiers may hold `$`
    re.compile(rf"^{_FOLDERS}[A-Za-z0-9_.-]*[A-Za-z0-9_-]\.[A-Za-z_$][A-Za-z0-9_$]*$"),
    _FILE_FUNCTION,
)
_HANDLER_FORMATS["go"] = (
    re.compile(rf"^{_FOLDERS}[A-Z][A-Za-z0-9_]*$"),
    "<folder>/<Function> with an exported (capitalised) Go function, e.g. Handle",
)
_HANDLER_FORMATS["rust"] = (
    re.compile(rf"^{_FOLDERS}[A-Za-z_][A-Za-z0-9_]*$"),
    "<folder>/<function> naming a pub fn, e.g. handle",
)


#: The file endings a handler may wrongly end with, per language (TypeScript too: a `.ts`
#: file is compiled to the `.js` the runtime loads).
_FILE_SUFFIXES: dict[limits.RuntimeFamily, tuple[str, ...]] = {
    **limits.HANDLER_FILE_SUFFIXES,
    "node": (*limits.HANDLER_FILE_SUFFIXES["node"], ".ts"),
}


def _explain_retired_runtime(value: Any) -> Any:
    # A precise message for runtimes Scaleway knows but new functions should not use.
    if isinstance(value, str) and value in limits.RETIRED_RUNTIMES:
        raise ValueError(
            f"{value} is {limits.RETIRED_RUNTIMES[value]} at Scaleway; use a generally "
            f"available runtime of the same language (see limits.FunctionRuntime)"
        )
    return value


def handler_file_candidates(runtime: str, handler: str) -> tuple[str, tuple[str, ...]]:
    """Where the handler's code must be: ``(folder, file names)`` relative to the sources.

    Python, Node and PHP name a file (``src/app.handle`` -> ``src/app.py``); Go and Rust name
    a folder holding a source file of the language (empty names: any ``.go`` / ``.rs`` file).
    """
    family = limits.runtime_family(runtime)
    folder, _, last = handler.rpartition("/")
    suffixes = limits.HANDLER_FILE_SUFFIXES[family]
    if family in ("go", "rust"):
        return folder, ()
    stem = last.rpartition(".")[0]
    return folder, tuple(stem + suffix for suffix in suffixes)


def handler_present(runtime: str, handler: str, entries: frozenset[str]) -> bool:
    """Whether the archive entries hold the code ``handler`` names."""
    folder, names = handler_file_candidates(runtime, handler)
    prefix = f"{folder}/" if folder else ""
    if names:
        return any(prefix + name in entries for name in names)
    suffixes = limits.HANDLER_FILE_SUFFIXES[limits.runtime_family(runtime)]
    return any(
        entry.startswith(prefix) and "/" not in entry[len(prefix) :] and entry.endswith(suffixes)
        for entry in entries
    )


def _os_error_as_value_error(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # pydantic's path checks call stat(), which raises OSError for a name too long for the
    # filesystem; pydantic only turns ValueError into a validation error.
    try:
        return handler(value)
    except OSError as exc:
        raise ValueError(f"cannot be checked: {exc.strerror or 'invalid path'}") from None


class PrivateFunctionArgs(ServiceArgs):
    """A private Scaleway Serverless Function: its code, runtime, resources and access."""

    runtime: Annotated[limits.FunctionRuntime, BeforeValidator(_explain_retired_runtime)]
    """Runtime identifier, for example ``python312`` or ``node22`` (generally available ones)."""

    handler: Annotated[str, Field(min_length=1, max_length=255, pattern=r"^\S+$")]
    """Entry point inside the code: ``<folder>/<file>.<function>`` for Python, Node and PHP
    (``handler.handle`` is ``handle`` in ``handler.py``), ``<folder>/<Function>`` for Go and
    ``<folder>/<function>`` for Rust. With ``source_dir``, the file must be in the archive."""

    source_dir: Annotated[DirectoryPath | None, WrapValidator(_os_error_as_value_error)] = None
    """Directory zipped (deterministically) into the function's code."""

    zip_file: Annotated[FilePath | None, WrapValidator(_os_error_as_value_error)] = None
    """A ready zip of the code, instead of ``source_dir``."""

    memory_limit_mb: limits.FunctionMemoryMB = 256
    """Memory in MB; Scaleway allocates vCPU in proportion (see ``limits``)."""

    build_dir: Path = DEFAULT_BUILD_DIR
    """Where archives built from ``source_dir`` are written: by default
    ``.private-serverless/build`` in the project (the working directory). A relative path must
    stay inside the project; an absolute one is taken as the explicit choice it is. Never
    packed, even inside ``source_dir``."""

    sandbox: Sandbox | None = None
    """Execution environment, ``v1`` (legacy, full Linux system calls, known clock drift) or
    ``v2`` (gVisor, faster cold starts, recommended); Scaleway's default when unset. Sent as
    the provider's ``functions.Function.sandbox``. Functions sandbox reference:
    https://www.scaleway.com/en/docs/serverless-functions/reference-content/functions-sandbox/"""

    follow_external_symlinks: bool = False
    """Pack a symlink that leaves ``source_dir`` as the file it names. Off: such a link is an
    error, so that nothing outside the source folder ends up in the archive by accident."""

    @field_validator("handler")
    @classmethod
    def _check_handler(cls, handler: str, info: ValidationInfo) -> str:
        runtime = info.data.get("runtime")
        if runtime is None:
            return handler  # the runtime's own error says what is wrong
        family = limits.runtime_family(runtime)
        pattern, shown = _HANDLER_FORMATS[family]
        function = handler.rpartition("/")[2].rpartition(".")[2]
        if family in ("python", "node", "php") and f".{function}" in _FILE_SUFFIXES[family]:
            # `handlers/handler.py` reads as function `py` of file handlers/handler: it names
            # the file, not the function in it.
            raise ValueError(
                f"names a file (.{function}) instead of a function in it: {runtime} handlers "
                f"are written {shown} (handle() in handlers/handler.{function} is "
                "handlers/handler.handle)"
            )
        if not pattern.match(handler):
            raise ValueError(f"{runtime} handlers are written {shown}")
        return handler

    @field_validator("build_dir")
    @classmethod
    def _check_build_dir(cls, build_dir: Path) -> Path:
        if not build_dir.is_absolute():
            project = Path.cwd().resolve()
            if not (project / build_dir).resolve().is_relative_to(project):
                raise ValueError(
                    "a relative build_dir must stay inside the project (no ..); give an "
                    "absolute path to build elsewhere"
                )
        return build_dir

    @model_validator(mode="after")
    def _check_code(self) -> Self:
        if (self.source_dir is None) == (self.zip_file is None):
            raise ValueError("give exactly one of source_dir (a directory to zip) or zip_file")
        if self.zip_file is not None and self.zip_file.suffix.lower() != ".zip":
            raise ValueError(f"zip_file must be a .zip archive, not {self.zip_file.name}")
        for key, queue in self.queues.items():
            if queue.http_method is not None:
                raise ValueError(
                    f"queues.{key}.http_method: containers only; a function's trigger has no "
                    "method (the provider's functions.Trigger takes none)"
                )
        for key, schedule in self.schedules.items():
            given = schedule.container_only_settings()
            if given:
                # functions.Cron takes schedule, args and name only: no zone, method or header.
                raise ValueError(
                    f"schedules.{key}: {', '.join(given)}: containers only; a function's cron "
                    "runs in UTC and sends args as its event (the provider's functions.Cron "
                    "takes no time zone, method or headers): write the schedule in UTC and "
                    "set time_zone to see the runs in your zone"
                )
        return self
