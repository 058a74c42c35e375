"""Function archives are deterministic: same files, same bytes, same hash."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless.archive import build_archive, zip_directory


def test_zipping_the_same_directory_twice_gives_identical_bytes(source_dir):
    assert zip_directory(source_dir) == zip_directory(source_dir)


def test_timestamps_do_not_matter(source_dir):
    before = zip_directory(source_dir)
    for path in source_dir.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert zip_directory(source_dir) == before


def test_changed_content_changes_the_hash(source_dir, tmp_path):
    first = build_archive(source_dir, tmp_path / "out" / "fn.zip")
    (source_dir / "lib" / "util.py").write_text("VALUE = 2\n")
    second = build_archive(source_dir, tmp_path / "out" / "fn.zip")
    assert first.sha256 != second.sha256
    assert second.sha256 == hashlib.sha256(second.path.read_bytes()).hexdigest()


def test_caches_and_bytecode_are_left_out(source_dir):
    (source_dir / "__pycache__").mkdir()
    (source_dir / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"\0")
    (source_dir / ".git").mkdir()
    (source_dir / ".git" / "HEAD").write_text("ref")
    names = zipfile.ZipFile(io.BytesIO(zip_directory(source_dir))).namelist()
    assert names == ["handler.py", "lib/util.py"]


def test_empty_directory_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no files"):
        zip_directory(tmp_path)


def test_unchanged_archive_is_not_rewritten(source_dir, tmp_path):
    target = tmp_path / "fn.zip"
    build_archive(source_dir, target)
    os.utime(target, (1, 1))
    build_archive(source_dir, target)
    assert target.stat().st_mtime == 1


files = st.dictionaries(
    st.from_regex(r"\A[a-z]{1,8}(/[a-z]{1,8}){0,2}\.txt\Z"),
    st.binary(max_size=200),
    min_size=1,
    max_size=8,
)


@given(files, st.randoms())
@settings(max_examples=60, deadline=None)
def test_creation_order_does_not_matter(tmp_path_factory, contents, rnd):
    # Same files written in two different orders, in two places: identical archives.
    # (Directories never end in .txt, so no path is both a file and a directory.)
    roots = []
    for _ in range(2):
        root: Path = tmp_path_factory.mktemp("src")
        items = list(contents.items())
        rnd.shuffle(items)
        for name, data in items:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        roots.append(root)
    assert zip_directory(roots[0]) == zip_directory(roots[1])
