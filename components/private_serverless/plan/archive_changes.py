"""Archive changes: the files a change adds to, removes from and changes in a function's code.

A function's ``zipHash`` says only that its code changed. The archive's manifest (written next
to it by :mod:`..artifacts.archive`) lists every packed file with its mode and SHA-256; a plan
keeps that list per function (read after the run, and only when the manifest describes the very
archive the function is given: its fingerprint equals the ``zipHash``), so a diff can name the
files. A function given a ready ``zip_file`` has no manifest: the diff says the list is unknown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..artifacts.archive import manifest_path
from ..core.inventory import ResourceRecord
from ..policies.kinds import Kind, kind_of

#: Files named per kind of change in text and Markdown (the JSON format names them all).
MAX_NAMED: Final = 20
#: Files a plan keeps per function; past that the list is dropped as unknown (a plan of a
#: function packing a whole dependency tree stays small).
MAX_FILES: Final = 20_000
#: A manifest larger than this is not read.
_MAX_MANIFEST_BYTES: Final = 8 << 20


@dataclass(frozen=True)
class ArchiveChange:
    """What changed in one function's archive; ``known`` is False when either plan lacks the
    file list (a ready zip, or a plan made before archives were listed)."""

    known: bool
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        if not self.known:
            return {"known": False}
        return {
            "known": True,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": list(self.changed),
        }

    def lines(self) -> list[str]:
        """``+ lib/new.py``-style lines, at most :data:`MAX_NAMED` per kind."""
        if not self.known:
            return ["the files that changed are not known (a ready zip_file, or an older plan)"]
        found = []
        for mark, names in (("+", self.added), ("-", self.removed), ("~", self.changed)):
            found += [f"{mark} {name}" for name in names[:MAX_NAMED]]
            if len(names) > MAX_NAMED:
                found.append(f"{mark} ... and {len(names) - MAX_NAMED} more")
        return found or ["no file added, removed or changed (only the archive format)"]

    def summary(self) -> str:
        """``1 added, 0 removed, 2 changed``."""
        if not self.known:
            return "files not known"
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"


def archive_files(records: Iterable[ResourceRecord]) -> dict[str, dict[str, str]]:
    """Per function URN, its archive's files as the manifest beside the archive lists them."""
    found: dict[str, dict[str, str]] = {}
    for record in records:
        if kind_of(record.type) is not Kind.FUNCTION:
            continue
        zip_file, zip_hash = record.inputs.get("zipFile"), record.inputs.get("zipHash")
        if not isinstance(zip_file, str) or not isinstance(zip_hash, str):
            continue
        files = _manifest_files(Path(zip_file), zip_hash)
        if files is not None:
            found[record.urn] = files
    return found


def _manifest_files(archive: Path, zip_hash: str) -> dict[str, str] | None:
    path = manifest_path(archive)
    try:
        if path.stat().st_size > _MAX_MANIFEST_BYTES:
            return None
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("fingerprint") != zip_hash:
        return None  # not the archive the function is given
    files = manifest.get("files")
    if not isinstance(files, dict) or len(files) > MAX_FILES:
        return None
    return {str(k): str(v) for k, v in files.items() if isinstance(v, str)}


def archive_change(
    before: Mapping[str, str] | None, after: Mapping[str, str] | None
) -> ArchiveChange:
    """The files added, removed and changed from ``before`` to ``after`` (sorted by path)."""
    if before is None or after is None:
        return ArchiveChange(known=False)
    return ArchiveChange(
        known=True,
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        changed=tuple(sorted(k for k in after.keys() & before.keys() if after[k] != before[k])),
    )
