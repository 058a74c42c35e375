"""Function archives: only what belongs in them, checked against Scaleway's limits, built once.

What is packed: the regular files under ``source_dir``, minus what never belongs in a function
(:data:`NEVER_PACKED_DIRS`, names starting with ``.env``, :data:`CREDENTIAL_FILES`, the build
folder, the patterns of the source folder's ``.scwignore``); these names are compared ignoring
case, as macOS and Windows file systems do. A package tool's settings file
(:data:`SCANNED_FILES`) is packed unless it holds a credential, which is an error. A symlink is
packed as the file it names when that file is inside ``source_dir``; one that leaves
``source_dir`` is an error unless the caller opts in.

Fast when unchanged: a content fingerprint of the sources (relative paths, normalised modes,
bytes) is stored next to the archive (``<archive>.manifest.json``); when it matches, the archive
on disk is reused after a single hashing pass, without compressing anything. Otherwise the
archive is compressed file by file, in chunks, straight to a temporary file beside the target
and renamed over it, so memory does not grow with the archive and a reader never sees half of
one.

Deterministic: entries are sorted, timestamps fixed, modes normalised to 0644/0755, the host OS
field fixed to Unix, no extra fields; a file whose first 64 KiB do not compress (wheels,
images, native blobs) is stored rather than deflated, decided from its bytes alone. The same
sources give byte-identical archives wherever the deflate implementation is the same (CPython's
zlib); the function's ``zip_hash`` is the source fingerprint itself, so even a machine with
another zlib never triggers a redeploy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, Literal

from ..core import limits
from ..errors import PrivateServerlessError, hide_on_user_error

if TYPE_CHECKING:
    import pathspec

__tracebackhide__ = hide_on_user_error

#: Bump when the archive layout changes: archives built by another format are rebuilt.
FORMAT: Final = 1
#: Deflate level, chosen by measurement (bench/archive.py, docs/benchmarks.md): level 6 gives
#: almost all of level 9's size for a fraction of its time.
COMPRESS_LEVEL: Final = 6
#: The ignore file read from the top of ``source_dir`` (gitignore syntax).
IGNORE_FILE: Final = ".scwignore"
#: Folders never packed, wherever they are: version control, caches, this library's own state.
NEVER_PACKED_DIRS: Final = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".private-serverless",
        ".venv",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
#: Files never packed: OS clutter and bytecode (rebuilt by the runtime), and the ignore file.
NEVER_PACKED_FILES: Final = frozenset({".DS_Store", "Thumbs.db", IGNORE_FILE})
NEVER_PACKED_SUFFIXES: Final = (".pyc", ".pyo")
#: ``.env``, ``.env.local``, ``.envrc``...: dotenv files hold the stack's secrets in clear.
ENV_FILE_PREFIX: Final = ".env"
#: Files that hold nothing but credentials: git's credential store, and the logins curl, git
#: and ftp read (``_netrc`` is their Windows name). A function never needs them.
CREDENTIAL_FILES: Final = frozenset({".git-credentials", ".netrc", "_netrc"})
#: Package tools' settings: a registry address is a setting (packed), a token or password in
#: them is a credential (an error naming the file and line, see :func:`_refuse_credentials`).
SCANNED_FILES: Final = frozenset({".npmrc", ".pypirc"})
#: The longest settings file the credential check reads; none of them comes close.
SCANNED_FILE_MAX_BYTES: Final = 64 * 1024

# The earliest timestamp the zip format can store; any fixed value would do.
_FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 256 * 1024  # read and compressed at a time: the memory a build needs
_MANIFEST_SUFFIX = ".manifest.json"
_MIB = 1 << 20
# How much of a file's start decides whether it is stored rather than deflated.
_SAMPLE = 64 * 1024
_SAMPLE_MIN = 4096


class ArchiveError(PrivateServerlessError):
    """A function archive cannot be built; ``field`` is the setting to fix.

    Messages name paths relative to ``source_dir`` and sizes, never a file's content.
    """

    def __init__(self, field: Literal["source_dir", "build_dir", "zip_file"], message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class SourceFile:
    """One file to pack: its name in the archive, where to read it, its mode and size."""

    arcname: str
    path: Path
    mode: int
    size: int


@dataclass(frozen=True)
class FunctionArchive:
    """A zip file on disk and what identifies its content.

    ``zip_hash`` is what the function's ``zip_hash`` input gets: the source fingerprint for an
    archive built from ``source_dir``, the SHA-256 of the file for a given ``zip_file``.
    ``sha256`` is always the SHA-256 of the archive's bytes.
    """

    path: Path
    sha256: str
    zip_hash: str
    size: int
    unpacked_size: int
    entries: frozenset[str]
    reused: bool = False
    #: Per packed file, ``<mode>:<sha256>`` (built from ``source_dir`` only): what a plan diff
    #: reads to list the files a change adds, removes or changes.
    files: Mapping[str, str] = field(default_factory=dict)


# --- what goes in -----------------------------------------------------------------------------


_FOLDED_DIRS: Final = frozenset(name.casefold() for name in NEVER_PACKED_DIRS)
_FOLDED_FILES: Final = frozenset(name.casefold() for name in NEVER_PACKED_FILES | CREDENTIAL_FILES)


def _never_packed(name: str, is_dir: bool) -> bool:
    # Case ignored: on macOS and Windows `.ENV` is the file dotenv opens as `.env`, `.NETRC`
    # the one curl reads. casefold, not lower: it also folds U+017F (long s) to the `s` those
    # file systems take it for.
    folded = name.casefold()
    if folded.startswith(ENV_FILE_PREFIX):
        return True
    if is_dir:
        return folded in _FOLDED_DIRS
    return folded in _FOLDED_FILES or folded.endswith(NEVER_PACKED_SUFFIXES)


def _scanned(*names: str) -> bool:
    return any(name.casefold() in SCANNED_FILES for name in names)


def _refuse_credentials(rel: str, path: Path) -> None:
    """Refuse a settings file holding a credential, naming the lines, never their content.

    Read line by line with the heuristics of plain settings (``_authToken=...``,
    ``password = ...``, a URL with a password, provider token prefixes); a reference such as
    ``_authToken=${NPM_TOKEN}`` is no credential.
    """
    from ..sensitive.values import secret_values  # detect-secrets loads on first use only

    with path.open("rb") as handle:
        data = handle.read(SCANNED_FILE_MAX_BYTES + 1)
    if len(data) > SCANNED_FILE_MAX_BYTES:
        raise ArchiveError(
            "source_dir",
            f"{rel}: over {SCANNED_FILE_MAX_BYTES // 1024} KiB, too large to be checked for "
            f"credentials; trim it or leave it out with {IGNORE_FILE}",
        )
    lines = data.decode("utf-8", errors="replace").splitlines()
    found = secret_values({str(number): line for number, line in enumerate(lines, 1)})
    if found:
        where = "; ".join(
            f"line {number} holds what looks like a {found[number]}"
            for number in sorted(found, key=int)
        )
        raise ArchiveError(
            "source_dir",
            f"{rel}: {where}; the archive is readable by whoever can read the function: keep "
            "the credential out of source_dir (npm reads `_authToken=${NPM_TOKEN}` from the "
            f"environment) or leave the file out with {IGNORE_FILE}",
        )


def _read_ignore_file(root: Path) -> pathspec.GitIgnoreSpec:
    # Imported here, not at the top: pathspec (with its re2 backend) is a noticeable part of
    # `import private_serverless`, and only building an archive needs it.
    import pathspec

    path = root / IGNORE_FILE
    if not path.is_file():
        return pathspec.GitIgnoreSpec.from_lines([])
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ArchiveError("source_dir", f"{IGNORE_FILE}: cannot read ({reason})") from None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _normal_mode(mode: int) -> int:
    # Only "executable or not" survives: umask and owner/group bits differ between machines.
    return 0o755 if mode & stat.S_IXUSR else 0o644


class _Walker:
    """Lists the files to pack, resolving symlinks and applying every exclusion."""

    def __init__(
        self, root: Path, excluded: Iterable[Path], follow_external_symlinks: bool
    ) -> None:
        self.root = root
        self.excluded = {path for path in excluded}
        self.follow_external = follow_external_symlinks
        self.ignore = _read_ignore_file(root)
        self.files: list[SourceFile] = []

    def _skipped(self, rel: str, name: str, is_dir: bool) -> bool:
        if _never_packed(name, is_dir):
            return True
        return self.ignore.match_file(rel + "/" if is_dir else rel)

    def _inside(self, real: Path) -> str | None:
        """``real`` relative to the root (POSIX), or None when it is outside."""
        try:
            return real.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def _target_excluded(self, target_rel: str, is_dir: bool) -> bool:
        # A link inside source_dir to `.env` or `.git/config` would smuggle them in.
        parts = target_rel.split("/")
        for depth, part in enumerate(parts):
            part_is_dir = is_dir or depth < len(parts) - 1
            if self._skipped("/".join(parts[: depth + 1]), part, part_is_dir):
                return True
        return False

    def walk(self, directory: Path, rel_dir: str, stack: frozenset[Path]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            shown = rel_dir or "."
            raise ArchiveError("source_dir", f"{shown}: cannot list ({exc.strerror})") from None
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            try:
                self._entry(entry, rel, stack)
            except OSError as exc:
                raise ArchiveError("source_dir", f"{rel}: cannot read ({exc.strerror})") from None

    def _entry(self, entry: os.DirEntry[str], rel: str, stack: frozenset[Path]) -> None:
        path = Path(entry.path)
        if entry.is_symlink():
            self._symlink(path, rel, entry.name, stack)
            return
        if entry.is_dir():
            real = path.resolve()
            if real in self.excluded or self._skipped(rel, entry.name, True):
                return
            self.walk(path, rel + "/", stack | {real})
        elif entry.is_file():
            if not self._skipped(rel, entry.name, False):
                if _scanned(entry.name):
                    _refuse_credentials(rel, path)
                info = entry.stat()
                self.files.append(SourceFile(rel, path, _normal_mode(info.st_mode), info.st_size))
        elif not self._skipped(rel, entry.name, False):
            raise ArchiveError("source_dir", f"{rel}: not a regular file or folder")

    def _symlink(self, path: Path, rel: str, name: str, stack: frozenset[Path]) -> None:
        real = Path(os.path.realpath(path))
        is_dir = real.is_dir()
        if self._skipped(rel, name, is_dir):
            return
        if not real.exists():
            raise ArchiveError("source_dir", f"{rel}: broken symlink (its target does not exist)")
        target_rel = self._inside(real)
        if target_rel is None:
            if not self.follow_external:
                raise ArchiveError(
                    "source_dir",
                    f"{rel}: symlink to a path outside source_dir; copy the file in, remove the "
                    "link, or set follow_external_symlinks to pack the file it names",
                )
            # Outside, only the name counts: the user opted in to that folder tree.
            excluded = _never_packed(real.name, is_dir)
        else:
            # The root itself ("") is no exclusion: the loop check below refuses it.
            excluded = target_rel != "" and self._target_excluded(target_rel, is_dir)
        if excluded or real in self.excluded:
            raise ArchiveError(
                "source_dir",
                f"{rel}: symlink to a file or folder that is never packed (.env*, credential "
                "files, version control, caches, the build folder, or ignored by "
                f"{IGNORE_FILE}); remove the link",
            )
        if is_dir:
            if any(parent == real or parent.is_relative_to(real) for parent in stack):
                raise ArchiveError("source_dir", f"{rel}: symlink loop (it names a parent folder)")
            self.walk(real, rel + "/", stack | {real})
        elif real.is_file():
            # Either name counts: npm reads a link named .npmrc, and a token is deployed
            # whatever name it is packed under.
            if _scanned(name, real.name):
                _refuse_credentials(rel, real)
            info = real.stat()
            self.files.append(SourceFile(rel, real, _normal_mode(info.st_mode), info.st_size))
        else:
            raise ArchiveError("source_dir", f"{rel}: symlink to something not a regular file")


def source_files(
    source_dir: Path, *, exclude: Iterable[Path] = (), follow_external_symlinks: bool = False
) -> list[SourceFile]:
    """The files an archive of ``source_dir`` holds, sorted by name.

    ``exclude``: folders never packed even when inside ``source_dir`` (the build folder).
    """
    try:
        root = source_dir.resolve(strict=True)
    except OSError as exc:
        raise ArchiveError("source_dir", f"cannot be read ({exc.strerror})") from None
    if not root.is_dir():
        raise ArchiveError("source_dir", "is not a folder")
    excluded = [Path(os.path.realpath(path)) for path in exclude]
    walker = _Walker(root, excluded, follow_external_symlinks)
    walker.walk(root, "", frozenset({root}))
    if not walker.files:
        raise ArchiveError(
            "source_dir", "contains no files to deploy (after the exclusions and .scwignore)"
        )
    walker.files.sort(key=lambda f: f.arcname)
    return walker.files


# --- fingerprint ------------------------------------------------------------------------------


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def _fingerprint_header(file: SourceFile) -> bytes:
    # The name cannot contain NUL and the size bounds the bytes: no two file lists collide.
    return f"{file.arcname}\0{file.mode:o}\0{file.size}\0".encode()


def fingerprint(files: Iterable[SourceFile], per_file: dict[str, str] | None = None) -> str:
    """SHA-256 over every file's relative path, normalised mode, size and bytes, in order;
    ``per_file`` gets each file's :func:`file_digest` on the same pass."""
    digest = hashlib.sha256(f"private-serverless-archive-{FORMAT}\0".encode())
    for file in files:
        digest.update(_fingerprint_header(file))
        own = hashlib.sha256()
        for chunk in _read_checked(file):
            digest.update(chunk)
            own.update(chunk)
        if per_file is not None:
            per_file[file.arcname] = file_digest(file, own.hexdigest())
    return digest.hexdigest()


def file_digest(file: SourceFile, sha256: str) -> str:
    """One file as the manifest lists it: ``<mode>:<sha256 of its bytes>``."""
    return f"{file.mode:o}:{sha256}"


def _read_checked(file: SourceFile) -> Iterator[bytes]:
    """The file's bytes; an error when it changed size since it was listed."""
    read = 0
    try:
        for chunk in _chunks(file.path):
            read += len(chunk)
            if read > file.size:
                break
            yield chunk
    except OSError as exc:
        raise ArchiveError("source_dir", f"{file.arcname}: cannot read ({exc.strerror})") from None
    if read != file.size:
        raise ArchiveError("source_dir", f"{file.arcname}: changed while it was being packed")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    for chunk in _chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


# --- limits -----------------------------------------------------------------------------------


def _mib(size: int) -> str:
    return f"{size / _MIB:.1f} MiB"


def check_unpacked_size(size: int, field: Literal["source_dir", "zip_file"]) -> None:
    """Scaleway refuses functions whose code exceeds the code size limit once unpacked."""
    if size > limits.FUNCTION_CODE_MAX_BYTES:
        raise ArchiveError(
            field,
            f"the function's code is {_mib(size)} unpacked; Scaleway Serverless Functions "
            f"accept at most {_mib(limits.FUNCTION_CODE_MAX_BYTES)} (code size); leave out "
            f"what the function does not need ({IGNORE_FILE}) or use a container",
        )


def check_archive_size(size: int, field: Literal["source_dir", "zip_file"]) -> None:
    """Scaleway refuses function archives over the zip size limit."""
    if size > limits.FUNCTION_ZIP_MAX_BYTES:
        raise ArchiveError(
            field,
            f"the function's archive is {_mib(size)}; Scaleway Serverless Functions accept at "
            f"most {_mib(limits.FUNCTION_ZIP_MAX_BYTES)} (zip size); leave out what the "
            f"function does not need ({IGNORE_FILE}) or use a container",
        )


def inspect_zip(path: Path) -> FunctionArchive:
    """A ready zip checked against the limits (its central directory only is read)."""
    try:
        size = path.stat().st_size
        check_archive_size(size, "zip_file")
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (OSError, zipfile.BadZipFile) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a valid zip archive"
        raise ArchiveError("zip_file", f"cannot be read ({reason})") from None
    unpacked = sum(info.file_size for info in infos)
    check_unpacked_size(unpacked, "zip_file")
    digest = sha256_file(path)
    names = frozenset(info.filename for info in infos if not info.is_dir())
    return FunctionArchive(path, digest, digest, size, unpacked, names)


# --- building ---------------------------------------------------------------------------------


def manifest_path(destination: Path) -> Path:
    """Where the fingerprint of ``destination``'s sources is stored."""
    return destination.with_name(destination.name + _MANIFEST_SUFFIX)


def _reusable(destination: Path, wanted: dict[str, object]) -> dict[str, object] | None:
    """The manifest of the archive on disk when it was built from the same sources."""
    try:
        manifest = json.loads(manifest_path(destination).read_text(encoding="utf-8"))
        info = destination.stat()
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or any(manifest.get(k) != v for k, v in wanted.items()):
        return None
    # The archive must still be the one the manifest describes (not replaced or truncated).
    if manifest.get("archive_size") != info.st_size or manifest.get("mtime_ns") != info.st_mtime_ns:
        return None
    return manifest


def _incompressible(head: bytes) -> bool:
    """Whether a file starting with ``head`` is not worth deflating (random-looking bytes).

    Decided from the content alone, so the same file is always stored the same way; deflating
    compressed data (wheels, images, native blobs) costs time and saves nothing.
    """
    sample = head[:_SAMPLE]
    return len(sample) >= _SAMPLE_MIN and len(zlib.compress(sample, 1)) > 0.95 * len(sample)


def _write_zip(files: list[SourceFile], handle: IO[bytes], per_file: dict[str, str]) -> str:
    """Compress ``files`` into ``handle``, chunk by chunk; returns the source fingerprint and
    fills ``per_file`` with each file's digest."""
    digest = hashlib.sha256(f"private-serverless-archive-{FORMAT}\0".encode())
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            digest.update(_fingerprint_header(file))
            own = hashlib.sha256()
            chunks = _read_checked(file)
            head = next(chunks, b"")
            info = zipfile.ZipInfo(file.arcname, date_time=_FIXED_DATE_TIME)
            info.create_system = 3  # Unix, whatever the host, so attributes mean the same.
            info.external_attr = (file.mode | stat.S_IFREG) << 16
            info.compress_type = (
                zipfile.ZIP_STORED if _incompressible(head) else zipfile.ZIP_DEFLATED
            )
            info.file_size = file.size  # decides ZIP64 up front, the same way every time
            info._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]
            with archive.open(info, "w") as entry:
                digest.update(head)
                own.update(head)
                entry.write(head)
                del head  # one chunk in memory at a time
                for chunk in chunks:
                    digest.update(chunk)
                    own.update(chunk)
                    entry.write(chunk)
            per_file[file.arcname] = file_digest(file, own.hexdigest())
            # Stop as soon as the archive is too large rather than compress the rest.
            check_archive_size(handle.tell(), "source_dir")
    return digest.hexdigest()


def build_archive(
    source_dir: Path,
    destination: Path,
    *,
    exclude: Iterable[Path] = (),
    follow_external_symlinks: bool = False,
) -> FunctionArchive:
    """The archive of ``source_dir`` at ``destination``, reused when its sources are unchanged.

    Raises :class:`ArchiveError` naming the setting to fix (``source_dir`` or ``build_dir``).
    The folder holding ``destination`` is never packed.
    """
    files = source_files(
        source_dir,
        exclude=[destination.parent, *exclude],
        follow_external_symlinks=follow_external_symlinks,
    )
    unpacked = sum(file.size for file in files)
    check_unpacked_size(unpacked, "source_dir")
    entries = frozenset(file.arcname for file in files)
    wanted: dict[str, object] = {"format": FORMAT, "level": COMPRESS_LEVEL}
    if manifest_path(destination).is_file():
        # One hashing pass decides whether the archive on disk is still the right one.
        per_file: dict[str, str] = {}
        wanted["fingerprint"] = fingerprint(files, per_file)
        manifest = _reusable(destination, wanted)
        if manifest is not None and manifest.get("files") != per_file:
            # A manifest of an older version: the file list is added for plan diffs. A
            # read-only build folder keeps the old one (the diff then says files are unknown).
            with contextlib.suppress(OSError):
                _write_manifest(manifest_path(destination), {**manifest, "files": per_file})
        if manifest is not None:
            return FunctionArchive(
                destination,
                str(manifest["archive_sha256"]),
                str(wanted["fingerprint"]),
                destination.stat().st_size,
                unpacked,
                entries,
                reused=True,
                files=per_file,
            )
    return _compress(files, destination, unpacked, entries)


def _compress(
    files: list[SourceFile], destination: Path, unpacked: int, entries: frozenset[str]
) -> FunctionArchive:
    directory = destination.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  # renamed or deleted below
            dir=directory, prefix=f".{destination.name}.", delete=False
        )
    except OSError as exc:
        raise ArchiveError("build_dir", f"cannot write there ({exc.strerror})") from None
    temp = Path(handle.name)
    try:
        with handle:
            # No fsync: the archive is a cache the manifest validates (size, mtime) and any run
            # can rebuild; the rename alone keeps readers from ever seeing half of one.
            per_file: dict[str, str] = {}
            source_hash = _write_zip(files, handle, per_file)
        archive_sha = sha256_file(temp)
        os.chmod(temp, 0o644)
        # Manifest out first: a crash between the two renames then means "rebuild", never
        # "reuse an archive the manifest does not describe".
        manifest = manifest_path(destination)
        manifest.unlink(missing_ok=True)
        os.replace(temp, destination)
        info = destination.stat()
        record = {
            "format": FORMAT,
            "level": COMPRESS_LEVEL,
            "fingerprint": source_hash,
            "archive_sha256": archive_sha,
            "archive_size": info.st_size,
            "mtime_ns": info.st_mtime_ns,
            "unpacked_size": unpacked,
            "files": per_file,
        }
        _write_manifest(manifest, record)
    except OSError as exc:
        raise ArchiveError("build_dir", f"cannot write the archive ({exc.strerror})") from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
    return FunctionArchive(
        destination, archive_sha, source_hash, info.st_size, unpacked, entries, files=per_file
    )


def _write_manifest(path: Path, record: dict[str, object]) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temp, path)
