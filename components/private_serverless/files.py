"""Reading and writing the files users hand us or ask for, with errors that name the file.

Reads never quote the file's content (it may hold secrets in clear); writes are atomic, so a
reader never sees half a file and a failure leaves any previous file untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import PrivateServerlessError

#: Plans, archives and reports hold no secret: give them the usual mode, not mkstemp's 0600.
_MODE_OF_NEW_FILES = 0o644


def read_json(
    path: Path, *, what: str, error: type[PrivateServerlessError] = PrivateServerlessError
) -> Any:
    """The JSON document at ``path``; ``error`` naming the file and ``what`` it should be."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise error(f"{path}: cannot read the {what} ({reason})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"{path}: not a valid {what}: invalid JSON at line {exc.lineno}, "
            f"column {exc.colno} ({exc.msg})"
        ) from None


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file beside it, then rename.

    Beside it so that the rename stays on one filesystem, which makes it atomic.
    """
    directory = path.parent if str(path.parent) else Path()
    try:
        descriptor, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    except OSError as exc:
        raise PrivateServerlessError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, _MODE_OF_NEW_FILES)
        os.replace(temp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise PrivateServerlessError(f"{path}: cannot write: {exc.strerror}") from None
        raise
