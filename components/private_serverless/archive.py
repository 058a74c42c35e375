"""Deterministic zip archives of function source code.

The same files must give byte-identical archives, so that an unchanged function keeps the same
``zip_hash`` and is not redeployed. Everything that varies between machines or checkouts is
fixed: entry order, timestamps, permissions, compression level and the host OS field.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .files import write_atomic

# The earliest timestamp the zip format can store; any fixed value would do.
_FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
# Never worth shipping, and they differ between machines.
_SKIPPED_DIRS = frozenset(
    {"__pycache__", ".git", ".hg", ".svn", ".venv", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_SKIPPED_FILES = frozenset({".DS_Store", "Thumbs.db"})


@dataclass(frozen=True)
class FunctionArchive:
    """A zip file on disk and the SHA-256 of its bytes (the function's ``zip_hash``)."""

    path: Path
    sha256: str


def _source_files(source_dir: Path) -> list[tuple[str, Path]]:
    files: list[tuple[str, Path]] = []
    for root, dirs, names in os.walk(source_dir):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        for name in names:
            if name in _SKIPPED_FILES or name.endswith(_SKIPPED_SUFFIXES):
                continue
            path = Path(root) / name
            if path.is_file():
                files.append((path.relative_to(source_dir).as_posix(), path))
    return sorted(files)


def zip_directory(source_dir: Path) -> bytes:
    """The deterministic zip of every file under ``source_dir``, as bytes."""
    files = _source_files(source_dir)
    if not files:
        raise ValueError(f"source_dir {source_dir} contains no files to deploy")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for arcname, path in files:
            info = zipfile.ZipInfo(arcname, date_time=_FIXED_DATE_TIME)
            info.create_system = 3  # Unix, whatever the host, so attributes mean the same.
            executable = path.stat().st_mode & stat.S_IXUSR
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_archive(source_dir: Path, destination: Path) -> FunctionArchive:
    """Zip ``source_dir`` to ``destination`` (atomically) and return its path and hash.

    The file is rewritten only when its content changes, so repeated runs leave it untouched.
    """
    data = zip_directory(source_dir)
    digest = hashlib.sha256(data).hexdigest()
    if destination.is_file() and sha256_file(destination) == digest:
        return FunctionArchive(destination, digest)
    destination.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(destination, data)
    return FunctionArchive(destination, digest)
