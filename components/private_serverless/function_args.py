"""Arguments of :class:`PrivateFunction`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import (
    DirectoryPath,
    Field,
    FilePath,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from . import limits
from .service_args import ServiceArgs


def _os_error_as_value_error(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # pydantic's path checks call stat(), which raises OSError for a name too long for the
    # filesystem; pydantic only turns ValueError into a validation error.
    try:
        return handler(value)
    except OSError as exc:
        raise ValueError(f"cannot be checked: {exc.strerror or 'invalid path'}") from None


class PrivateFunctionArgs(ServiceArgs):
    """A private Scaleway Serverless Function: its code, runtime, resources and access."""

    runtime: limits.FunctionRuntime
    """Runtime identifier, for example ``python312`` or ``node22``."""

    handler: Annotated[str, Field(min_length=1, max_length=255, pattern=r"^\S+$")]
    """Entry point inside the code, for example ``handler.handle``."""

    source_dir: Annotated[DirectoryPath | None, WrapValidator(_os_error_as_value_error)] = None
    """Directory zipped (deterministically) into the function's code."""

    zip_file: Annotated[FilePath | None, WrapValidator(_os_error_as_value_error)] = None
    """A ready zip of the code, instead of ``source_dir``."""

    memory_limit_mb: limits.FunctionMemoryMB = 256
    """Memory in MB; Scaleway allocates vCPU in proportion (see ``limits``)."""

    build_dir: Path = Path(".private-serverless/build")
    """Where archives built from ``source_dir`` are written (relative to the working dir)."""

    @model_validator(mode="after")
    def _check_code(self) -> Self:
        if (self.source_dir is None) == (self.zip_file is None):
            raise ValueError("give exactly one of source_dir (a directory to zip) or zip_file")
        if self.zip_file is not None and self.zip_file.suffix.lower() != ".zip":
            raise ValueError(f"zip_file must be a .zip archive, not {self.zip_file.name}")
        return self
