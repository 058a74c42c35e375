"""Reading and writing the files users hand us or ask for, with errors that name the file.

Reads never quote the file's content (it may hold secrets in clear); writes are atomic, so a
reader never sees half a file and a failure leaves any previous file untouched.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PrivateServerlessError, hide_on_user_error

__tracebackhide__ = hide_on_user_error

#: Plans, archives and reports hold no secret: give them the usual mode, not mkstemp's 0600.
_MODE_OF_NEW_FILES = 0o644

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Bounds:
    """How much of a file the tools accept: bytes, nesting depth and number of values.

    Beyond these a file is junk or an attack (a billion-laughs document, a 1 GB paste), and
    refusing it early keeps every later step linear and far from Python's recursion limit.
    """

    max_bytes: int
    max_depth: int
    max_values: int


#: A ``pulumi stack export``: real ones with hundreds of resources are a few MB.
EXPORT_BOUNDS = Bounds(max_bytes=64 * MIB, max_depth=64, max_values=4_000_000)
#: A plan JSON file (``plan --format json``): the 1000-service benchmark plan is ~10 MB.
PLAN_BOUNDS = Bounds(max_bytes=64 * MIB, max_depth=64, max_values=4_000_000)
#: ``pulumi stack output --json``: one small object per service.
OUTPUTS_BOUNDS = Bounds(max_bytes=8 * MIB, max_depth=32, max_values=500_000)
#: A stack file: the generated 1000-service stack of the benchmark is 0.2 MB and 17,000 YAML
#: nodes. Values are counted with YAML aliases expanded, which is what bounds an alias bomb.
STACK_FILE_BOUNDS = Bounds(max_bytes=4 * MIB, max_depth=32, max_values=100_000)
#: ``Pulumi.yaml``: a name, a runtime and a few options.
PROJECT_FILE_BOUNDS = Bounds(max_bytes=64 * KIB, max_depth=16, max_values=10_000)
#: A ``.env`` file: one ``NAME=value`` per line.
ENV_FILE_BOUNDS = Bounds(max_bytes=1 * MIB, max_depth=0, max_values=10_000)

#: Integers longer than this many digits are not configuration (and Python refuses to read
#: integers of more than 4300 digits with a ValueError).
MAX_INTEGER_DIGITS = 30


def read_text(
    path: Path,
    *,
    what: str,
    max_bytes: int,
    error: type[PrivateServerlessError] = PrivateServerlessError,
    name: str | None = None,
) -> str:
    """The UTF-8 text of ``path``, at most ``max_bytes``; ``error`` naming the file if not.

    ``name`` is how messages name the file (default: the path), and is followed by ``": "``.
    """
    where = str(path) if name is None else name
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise error(f"{where}: cannot read the {what} ({reason})") from None
    if len(data) > max_bytes:
        raise error(f"{where}: the {what} is larger than {_size(max_bytes)}, the most accepted")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{where}: the {what} is not UTF-8 text (byte {exc.start})") from None


def parse_json(
    text: str,
    *,
    where: str,
    what: str,
    bounds: Bounds,
    error: type[PrivateServerlessError] = PrivateServerlessError,
) -> Any:
    """The JSON document ``text``, checked against ``bounds``; errors name ``where``, never
    quote the text (it may hold secrets in clear).

    Refused: NaN and infinities (not JSON), numbers beyond what Python holds exactly,
    strings that are not valid Unicode (lone surrogates), nesting deeper than allowed.
    """
    if len(text) > bounds.max_bytes:
        raise error(f"{where}: the {what} is larger than {_size(bounds.max_bytes)}")
    try:
        data = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_bounded_int, parse_float=_finite
        )
    except json.JSONDecodeError as exc:
        raise error(
            f"{where}: not a valid {what}: invalid JSON at line {exc.lineno}, "
            f"column {exc.colno} ({exc.msg})"
        ) from None
    except _NumberError as exc:
        raise error(f"{where}: not a valid {what}: {exc}") from None
    except RecursionError:
        raise error(
            f"{where}: not a valid {what}: nested more than {bounds.max_depth} levels deep"
        ) from None
    problem = check_json_value(data, bounds)
    if problem:
        raise error(f"{where}: not a valid {what}: {problem}")
    return data


def check_json_value(data: Any, bounds: Bounds) -> str | None:
    """Why ``data`` (parsed JSON) is outside ``bounds``, or ``None``; iterative, linear."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > bounds.max_values:
            return f"more than {bounds.max_values} values"
        if isinstance(value, dict):
            if depth >= bounds.max_depth and value:
                return f"nested more than {bounds.max_depth} levels deep"
            for key, item in value.items():
                if not _is_unicode(key):
                    return "a key is not valid Unicode text"
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if depth >= bounds.max_depth and value:
                return f"nested more than {bounds.max_depth} levels deep"
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _is_unicode(value):
            return "a string is not valid Unicode text (lone surrogate escape)"
    return None


def read_json(
    path: Path,
    *,
    what: str,
    error: type[PrivateServerlessError] = PrivateServerlessError,
    bounds: Bounds = EXPORT_BOUNDS,
) -> Any:
    """The JSON document at ``path``; ``error`` naming the file and ``what`` it should be."""
    text = read_text(path, what=what, max_bytes=bounds.max_bytes, error=error)
    return parse_json(text, where=str(path), what=what, bounds=bounds, error=error)


class _NumberError(ValueError):
    """A number the tools do not accept; the message never quotes it."""


def _refuse_constant(name: str) -> Any:
    raise _NumberError("NaN and Infinity are not JSON numbers")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _NumberError(f"an integer has more than {MAX_INTEGER_DIGITS} digits")
    return int(digits)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NumberError("a number is too large to be held as a float")
    return value


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _size(count: int) -> str:
    if count >= MIB:
        return f"{count // MIB} MB"
    return f"{count // KIB} KB" if count >= KIB else f"{count} bytes"


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file beside it, then rename.

    Beside it so that the rename stays on one filesystem, which makes it atomic. A symbolic
    link is followed: the file it leads to is replaced, and the link stays a link. A target
    that is not a regular file (``/dev/stdout``, ``/dev/null``, a named pipe) is written to
    directly: renaming over it would replace the device by a file (or fail), and a stream has
    no "whole or nothing" to keep.
    """
    content = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode: int | None = os.stat(path).st_mode  # follows links, /proc's fd links too
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise PrivateServerlessError(f"{path}: cannot write: {exc.strerror}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise PrivateServerlessError(f"{path}: cannot write: it is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        _write_stream(path, content)
        return
    # The file a link (or a chain of links, or a link to a file yet to exist) leads to.
    target = Path(os.path.realpath(path))
    directory = target.parent if str(target.parent) else Path()
    try:
        descriptor, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.")
    except OSError as exc:
        raise PrivateServerlessError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, _MODE_OF_NEW_FILES)
        os.replace(temp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise PrivateServerlessError(f"{path}: cannot write: {exc.strerror}") from None
        raise


def _write_stream(path: Path, content: bytes) -> None:
    """Write to a device or named pipe as a shell's ``>`` would (a pipe waits for its reader)."""
    try:
        with open(path, "wb") as handle:
            handle.write(content)
    except OSError as exc:
        raise PrivateServerlessError(f"{path}: cannot write: {exc.strerror}") from None
