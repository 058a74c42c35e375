"""Function archives: only what belongs in them, within Scaleway's limits, deterministic, reused."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless.artifacts.archive import (
    ArchiveError,
    build_archive,
    inspect_zip,
    manifest_path,
    sha256_file,
    source_files,
)
from private_serverless.core import limits

from .conftest import PLANTED_SECRET


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def build(source: Path, out: Path, **kwargs):
    return build_archive(source, out / "fn.zip", **kwargs)


# --- determinism -------------------------------------------------------------------------------


def test_same_sources_give_the_same_bytes_and_hashes(source_dir, tmp_path):
    first = build(source_dir, tmp_path / "a")
    second = build(source_dir, tmp_path / "b")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert (first.sha256, first.zip_hash) == (second.sha256, second.zip_hash)
    assert first.sha256 == sha256_file(first.path)


def test_timestamps_and_permission_noise_do_not_matter(source_dir, tmp_path):
    before = build(source_dir, tmp_path / "a").path.read_bytes()
    for path in source_dir.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    (source_dir / "handler.py").chmod(0o600)  # still "not executable"
    assert build(source_dir, tmp_path / "b").path.read_bytes() == before


def test_the_executable_bit_is_kept_and_changes_the_hash(source_dir, tmp_path):
    plain = build(source_dir, tmp_path / "a")
    (source_dir / "lib" / "util.py").chmod(0o700)
    executable = build(source_dir, tmp_path / "b")
    assert plain.zip_hash != executable.zip_hash
    with zipfile.ZipFile(executable.path) as archive:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert modes == {"handler.py": 0o644, "lib/util.py": 0o755}


def test_changed_content_changes_both_hashes(source_dir, tmp_path):
    first = build(source_dir, tmp_path)
    (source_dir / "lib" / "util.py").write_text("VALUE = 2\n")
    second = build(source_dir, tmp_path)
    assert not second.reused
    assert first.sha256 != second.sha256
    assert first.zip_hash != second.zip_hash
    assert second.sha256 == sha256_file(second.path)


files = st.dictionaries(
    st.from_regex(r"\A[a-z]{1,8}(/[a-z]{1,8}){0,2}\.txt\Z"),
    st.binary(max_size=200),
    min_size=1,
    max_size=8,
)


@given(files, st.randoms())
@settings(max_examples=40, deadline=None)
def test_creation_order_does_not_matter(tmp_path_factory, contents, rnd):
    # Same files written in two different orders, in two places: identical archives.
    # (Directories never end in .txt, so no path is both a file and a directory.)
    archives = []
    for _ in range(2):
        root: Path = tmp_path_factory.mktemp("src")
        items = list(contents.items())
        rnd.shuffle(items)
        for name, data in items:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        archives.append(build_archive(root, tmp_path_factory.mktemp("out") / "fn.zip"))
    assert archives[0].path.read_bytes() == archives[1].path.read_bytes()
    assert archives[0].zip_hash == archives[1].zip_hash
    with zipfile.ZipFile(archives[0].path) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == contents


# --- what goes in ------------------------------------------------------------------------------


def test_dotenv_vcs_caches_and_own_state_are_never_packed(source_dir, tmp_path):
    for name in (".env", ".env.local", ".envrc"):
        (source_dir / name).write_text(f"DB_PASSWORD={PLANTED_SECRET}\n")
    for folder in (".git", ".hg", ".svn", "__pycache__", ".private-serverless/build", ".envs"):
        (source_dir / folder).mkdir(parents=True, exist_ok=True)
        (source_dir / folder / "x").write_text(PLANTED_SECRET)
    (source_dir / "lib" / "util.pyc").write_bytes(b"\0")
    archive = build(source_dir, tmp_path)
    assert names(archive.path) == ["handler.py", "lib/util.py"]
    assert PLANTED_SECRET.encode() not in archive.path.read_bytes()


def _case_variant(word: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from([c.lower(), c.upper()]) for c in word)).map("".join)


@given(
    folders=st.lists(st.from_regex(r"\A[a-z]{1,6}\Z"), max_size=3),
    env=_case_variant(".env"),
    suffix=st.sampled_from(["", ".local", ".Production", "rc", "_backup", ".d"]),
    as_folder=st.booleans(),
)
@settings(max_examples=60, deadline=None)
def test_dotenv_names_in_any_case_are_never_packed_at_any_depth(
    tmp_path_factory, folders, env, suffix, as_folder
):
    # macOS and Windows file systems ignore case: dotenv opens `.ENV` when asked for `.env`.
    root: Path = tmp_path_factory.mktemp("src")
    (root / "main.py").write_text("x")
    place = root.joinpath(*folders, env + suffix)
    if as_folder:
        place.mkdir(parents=True)
        (place / "settings").write_text(f"DB_PASSWORD={PLANTED_SECRET}\n")
    else:
        place.parent.mkdir(parents=True, exist_ok=True)
        place.write_text(f"DB_PASSWORD={PLANTED_SECRET}\n")
    assert [f.arcname for f in source_files(root)] == ["main.py"]
    archive = build_archive(root, tmp_path_factory.mktemp("out") / "fn.zip")
    assert names(archive.path) == ["main.py"]
    assert PLANTED_SECRET.encode() not in archive.path.read_bytes()
    # Nor through a link: its target is never packed, whatever its case.
    (root / "config.txt").symlink_to(place, target_is_directory=as_folder)
    with pytest.raises(ArchiveError, match=r"^config.txt: symlink to a file or folder that"):
        source_files(root)


@pytest.mark.parametrize(
    "name", [".git-credentials", ".netrc", "_netrc", ".NETRC", ".Git-Credentials"]
)
def test_credential_stores_are_never_packed(source_dir, tmp_path, name):
    # Their format is nothing but logins: no scan could tell a harmless one from a leak.
    (source_dir / name).write_text(f"machine api.example.com login bob password {PLANTED_SECRET}\n")
    (source_dir / "lib" / name).write_text(f"https://bob:{PLANTED_SECRET}@github.com\n")
    archive = build(source_dir, tmp_path)
    assert names(archive.path) == ["handler.py", "lib/util.py"]
    assert PLANTED_SECRET.encode() not in archive.path.read_bytes()
    (source_dir / "login").symlink_to(source_dir / name)
    with pytest.raises(ArchiveError, match=r"^login: symlink to a file or folder that"):
        build(source_dir, tmp_path)


NPM_TOKEN = "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


@pytest.mark.parametrize(
    ("name", "content", "line", "kind"),
    [
        (
            ".npmrc",
            f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={PLANTED_SECRET}\n",
            2,
            "_authToken= pair",
        ),
        (
            ".npmrc",
            f"@team:registry=https://npm.pkg.github.com\n_auth={PLANTED_SECRET}\n",
            2,
            "_auth= pair",
        ),
        (".NPMRC", f"//r.example/:_authToken={NPM_TOKEN}\n", 1, "provider token"),
        ("lib/.npmrc", f"registry=https://bob:{PLANTED_SECRET}@r.example/\n", 1, "URL"),
        (
            ".pypirc",
            f"[pypi]\nrepository = https://upload.pypi.org/legacy/\nusername = __token__\n"
            f"password = {PLANTED_SECRET}\n",
            4,
            "password= pair",
        ),
    ],
)
def test_a_package_tools_settings_with_a_credential_are_refused(
    source_dir, tmp_path, name, content, line, kind
):
    (source_dir / name).write_text(content)
    for listing in (lambda: source_files(source_dir), lambda: build(source_dir, tmp_path)):
        with pytest.raises(ArchiveError) as caught:
            listing()
        message = str(caught.value)
        assert message.startswith(f"{name}: line {line} holds what looks like a ")
        assert kind in message and ".scwignore" in message
        assert PLANTED_SECRET not in message and NPM_TOKEN not in message
        assert caught.value.field == "source_dir"
    assert not (tmp_path / "fn.zip").exists()


def test_a_package_tools_settings_without_a_credential_are_packed(source_dir, tmp_path):
    npmrc = (
        "registry=https://registry.npmjs.org/\n"
        "@team:registry=https://npm.pkg.github.com\n"
        "//npm.pkg.github.com/:_authToken=${NPM_TOKEN}\n"
        "//r.example/:username=bob\n"
        "always-auth=true\nsave-exact=true\nengine-strict=true\nstrict-ssl=true\n"
        "cafile=/etc/ssl/certs/ca.pem\nemail=dev@example.com\n"
    )
    pypirc = (
        "[distutils]\nindex-servers =\n    pypi\n    internal\n\n[internal]\n"
        "repository = https://pypi.example.com/\nusername = __token__\n"
    )
    (source_dir / ".npmrc").write_text(npmrc)
    (source_dir / "lib" / ".pypirc").write_text(pypirc)
    archive = build(source_dir, tmp_path)
    assert names(archive.path) == [".npmrc", "handler.py", "lib/.pypirc", "lib/util.py"]


def test_a_credential_reaches_no_settings_file_through_a_link(source_dir, tmp_path):
    # A link named .npmrc is what npm reads: the file it names is checked.
    (source_dir / "lib" / "npm.conf").write_text(f"_authToken={PLANTED_SECRET}\n")
    (source_dir / ".npmrc").symlink_to(source_dir / "lib" / "npm.conf")
    with pytest.raises(ArchiveError, match=r"^\.npmrc: line 1 holds what looks like"):
        build(source_dir, tmp_path)
    # A link to an outside .npmrc deploys its token under any name.
    (source_dir / ".npmrc").unlink()
    home = tmp_path / "home"
    home.mkdir()
    (home / ".npmrc").write_text(f"_authToken={PLANTED_SECRET}\n")
    (source_dir / "lib" / "npm.conf").unlink()
    (source_dir / "lib" / "npm.conf").symlink_to(home / ".npmrc")
    with pytest.raises(ArchiveError, match=r"^lib/npm\.conf: line 1 holds what looks like"):
        build(source_dir, tmp_path / "out", follow_external_symlinks=True)


def test_a_settings_file_too_large_to_check_is_refused(source_dir, tmp_path):
    from private_serverless.artifacts.archive import SCANNED_FILE_MAX_BYTES

    (source_dir / ".npmrc").write_text("# note\n" * (SCANNED_FILE_MAX_BYTES // 7 + 1))
    with pytest.raises(ArchiveError, match=r"^\.npmrc: over 64 KiB, too large to be checked"):
        build(source_dir, tmp_path)
    (source_dir / ".npmrc").write_text("# note\n" * (SCANNED_FILE_MAX_BYTES // 7 - 1))
    assert ".npmrc" in build(source_dir, tmp_path).entries


def test_source_dir_dot_never_packs_dotenv_nor_earlier_builds(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "handler.py").write_text("def handle(e, c):\n    return {}\n")
    (project / ".env").write_text(f"DB_PASSWORD={PLANTED_SECRET}\n")
    monkeypatch.chdir(project)
    out = Path(".private-serverless/build/fn.zip")
    first = build_archive(Path(), out)
    # The second run sees the first archive and its manifest inside source_dir.
    second = build_archive(Path(), out)
    assert second.reused
    assert first.zip_hash == second.zip_hash
    assert names(second.path) == ["handler.py"]
    assert PLANTED_SECRET.encode() not in second.path.read_bytes()


def test_a_build_dir_inside_source_dir_is_never_packed(source_dir, tmp_path):
    build_dir = source_dir / "dist"
    first = build_archive(source_dir, build_dir / "fn.zip")
    second = build_archive(source_dir, build_dir / "other.zip")
    assert names(second.path) == ["handler.py", "lib/util.py"]
    assert first.zip_hash == second.zip_hash


def test_scwignore_uses_gitignore_syntax(source_dir, tmp_path):
    (source_dir / "docs").mkdir()
    (source_dir / "docs" / "a.md").write_text("a")
    (source_dir / "debug.log").write_text("l")
    (source_dir / "keep.log").write_text("k")
    (source_dir / "lib" / "test_util.py").write_text("t")
    (source_dir / ".scwignore").write_text("docs/\n*.log\n!keep.log\ntest_*.py\n")
    archive = build(source_dir, tmp_path)
    assert names(archive.path) == ["handler.py", "keep.log", "lib/util.py"]


def test_pathspec_loads_when_an_archive_is_built_not_on_import(tmp_path):
    # pathspec is a noticeable part of the import's cost; only the ignore file needs it.
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "handler.py").write_text("def handle(event, context): ...\n")
    (tmp_path / "src" / ".scwignore").write_text("*.log\n")
    code = (
        "import sys, private_serverless\n"
        "from pathlib import Path\n"
        "from private_serverless.artifacts.archive import build_archive\n"
        "assert 'pathspec' not in sys.modules, 'loaded'\n"
        "build_archive(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "assert 'pathspec' in sys.modules\n"
    )
    run = [
        sys.executable,
        "-W",
        "ignore",
        "-c",
        code,
        str(tmp_path / "src"),
        str(tmp_path / "f.zip"),
    ]
    subprocess.run(run, check=True)


def test_nothing_left_is_an_error(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / ".env").write_text("A=1")
    with pytest.raises(ArchiveError, match="no files") as caught:
        build_archive(tmp_path / "src", tmp_path / "out" / "fn.zip")
    assert caught.value.field == "source_dir"


# --- symlinks ----------------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "elsewhere" / "id_key"
    secret.parent.mkdir()
    secret.write_text(PLANTED_SECRET)
    return secret


def test_a_symlink_leaving_source_dir_is_an_error_naming_it(source_dir, tmp_path, outside):
    (source_dir / "lib" / "key").symlink_to(outside)
    with pytest.raises(ArchiveError) as caught:
        build(source_dir, tmp_path / "out")
    message = str(caught.value)
    assert caught.value.field == "source_dir"
    assert message.startswith("lib/key: symlink to a path outside source_dir")
    assert PLANTED_SECRET not in message and str(outside) not in message
    assert not (tmp_path / "out" / "fn.zip").exists()


def test_a_symlinked_folder_leaving_source_dir_is_an_error(source_dir, tmp_path, outside):
    (source_dir / "vendor").symlink_to(outside.parent, target_is_directory=True)
    with pytest.raises(ArchiveError, match=r"^vendor: symlink to a path outside"):
        build(source_dir, tmp_path / "out")


def test_opting_in_packs_the_file_an_external_symlink_names(source_dir, tmp_path, outside):
    (source_dir / "lib" / "key").symlink_to(outside)
    archive = build(source_dir, tmp_path / "out", follow_external_symlinks=True)
    with zipfile.ZipFile(archive.path) as zipped:
        assert zipped.read("lib/key") == PLANTED_SECRET.encode()


def test_an_internal_symlink_is_packed_as_the_file_it_names(source_dir, tmp_path):
    (source_dir / "main.py").symlink_to(source_dir / "handler.py")
    (source_dir / "pkg").symlink_to(source_dir / "lib", target_is_directory=True)
    archive = build(source_dir, tmp_path)
    with zipfile.ZipFile(archive.path) as zipped:
        assert zipped.namelist() == ["handler.py", "lib/util.py", "main.py", "pkg/util.py"]
        assert zipped.read("main.py") == (source_dir / "handler.py").read_bytes()


@pytest.mark.parametrize("target", [".env", ".git/config"])
def test_a_symlink_to_a_never_packed_file_is_an_error(source_dir, tmp_path, target):
    (source_dir / ".git").mkdir()
    (source_dir / target).write_text(PLANTED_SECRET)
    (source_dir / "settings.txt").symlink_to(source_dir / target)
    for follow in (False, True):
        with pytest.raises(ArchiveError, match=r"^settings.txt: symlink to a file or folder that"):
            build(source_dir, tmp_path, follow_external_symlinks=follow)


def test_broken_symlinks_and_loops_are_errors(source_dir, tmp_path):
    (source_dir / "gone").symlink_to(source_dir / "missing")
    with pytest.raises(ArchiveError, match=r"^gone: broken symlink"):
        build(source_dir, tmp_path)
    (source_dir / "gone").unlink()
    (source_dir / "lib" / "up").symlink_to(source_dir, target_is_directory=True)
    with pytest.raises(ArchiveError, match=r"^lib/up: symlink"):
        build(source_dir, tmp_path)


# --- reuse -------------------------------------------------------------------------------------


def test_unchanged_sources_reuse_the_archive_without_rewriting_it(source_dir, tmp_path):
    first = build(source_dir, tmp_path)
    stamp = first.path.stat().st_mtime_ns
    second = build(source_dir, tmp_path)
    assert second.reused and not first.reused
    assert second.path.stat().st_mtime_ns == stamp
    assert (second.sha256, second.zip_hash, second.size) == (
        first.sha256,
        first.zip_hash,
        first.size,
    )
    manifest = json.loads(manifest_path(first.path).read_text())
    assert manifest["fingerprint"] == first.zip_hash


def test_a_replaced_archive_is_rebuilt_not_trusted(source_dir, tmp_path):
    first = build(source_dir, tmp_path)
    first.path.write_bytes(b"not the archive")
    second = build(source_dir, tmp_path)
    assert not second.reused
    assert second.path.read_bytes() != b"not the archive"
    assert second.sha256 == first.sha256


def test_a_corrupt_manifest_means_a_rebuild(source_dir, tmp_path):
    first = build(source_dir, tmp_path)
    manifest_path(first.path).write_text("{")
    assert not build(source_dir, tmp_path).reused


# --- limits ------------------------------------------------------------------------------------


def test_an_archive_over_the_zip_limit_is_a_clear_error(source_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "FUNCTION_ZIP_MAX_BYTES", 200_000)
    (source_dir / "blob.bin").write_bytes(os.urandom(300_000))
    with pytest.raises(ArchiveError) as caught:
        build(source_dir, tmp_path / "out")
    message = str(caught.value)
    assert "archive is 0.3 MiB" in message
    assert "Scaleway Serverless Functions accept at most 0.2 MiB (zip size)" in message
    assert os.listdir(tmp_path / "out") == []  # no archive, no temporary file left


def test_code_over_the_unpacked_limit_is_refused_before_compressing(
    source_dir, tmp_path, monkeypatch
):
    monkeypatch.setattr(limits, "FUNCTION_CODE_MAX_BYTES", 100_000)
    (source_dir / "data.txt").write_text("a" * 150_000)
    with pytest.raises(ArchiveError, match=r"code is 0\.1 MiB unpacked; Scaleway Serverless"):
        build(source_dir, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_limits_are_scaleways():
    assert limits.FUNCTION_ZIP_MAX_BYTES == 100 * 2**20
    assert limits.FUNCTION_CODE_MAX_BYTES == 500 * 2**20


def test_a_given_zip_is_checked_too(tmp_path, monkeypatch):
    path = tmp_path / "code.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("handler.py", "x" * 50_000)
    found = inspect_zip(path)
    assert found.entries == {"handler.py"} and found.zip_hash == sha256_file(path)
    monkeypatch.setattr(limits, "FUNCTION_CODE_MAX_BYTES", 10_000)
    with pytest.raises(ArchiveError, match="unpacked") as caught:
        inspect_zip(path)
    assert caught.value.field == "zip_file"
    path.write_bytes(b"PK junk")
    with pytest.raises(ArchiveError, match="not a valid zip archive"):
        inspect_zip(path)


def test_listing_reports_sizes_and_modes(source_dir):
    listed = {f.arcname: (f.size, f.mode) for f in source_files(source_dir)}
    assert listed == {
        "handler.py": ((source_dir / "handler.py").stat().st_size, 0o644),
        "lib/util.py": (10, 0o644),
    }


def test_archives_open_with_the_standard_library(source_dir, tmp_path):
    archive = build(source_dir, tmp_path)
    with zipfile.ZipFile(io.BytesIO(archive.path.read_bytes())) as zipped:
        assert zipped.testzip() is None
        assert zipped.read("lib/util.py") == b"VALUE = 1\n"


def test_a_link_to_source_dir_itself_is_a_loop(source_dir, tmp_path):
    (source_dir / "lib" / "root").symlink_to(source_dir, target_is_directory=True)
    with pytest.raises(ArchiveError, match=r"^lib/root: symlink loop"):
        build(source_dir, tmp_path)


def test_an_ignored_target_cannot_be_reached_through_a_link(source_dir, tmp_path):
    (source_dir / "private").mkdir()
    (source_dir / "private" / "notes.txt").write_text(PLANTED_SECRET)
    (source_dir / ".scwignore").write_text("private/\n")
    (source_dir / "public").symlink_to(source_dir / "private", target_is_directory=True)
    with pytest.raises(ArchiveError, match=r"^public: symlink to a file or folder that"):
        build(source_dir, tmp_path)


segment = st.sampled_from(
    [
        ".env",
        ".env.prod",
        ".envrc",
        ".ENV",
        ".Env.local",
        ".NETRC",
        ".git-credentials",
        "_netrc",
        ".git",
        ".svn",
        "__pycache__",
        ".private-serverless",
        "src",
        "lib",
        "app",
        ".config",
        "env",
        "x.pyc",
        "handler.py",
        "data.json",
        "Thumbs.db",
    ]
)


@given(st.lists(st.lists(segment, min_size=1, max_size=3), min_size=1, max_size=12))
@settings(max_examples=60, deadline=None)
def test_exactly_the_files_that_belong_are_packed(tmp_path_factory, paths):
    root: Path = tmp_path_factory.mktemp("src")
    (root / "main.py").write_text("x")
    written: set[str] = {"main.py"}
    for parts in paths:
        path = root.joinpath(*parts)
        clash = any(root.joinpath(*parts[:i]).is_file() for i in range(1, len(parts) + 1))
        if clash or path.is_dir():
            continue  # a name already used as a file or a folder
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PLANTED_SECRET)
        written.add("/".join(parts))

    def belongs(name: str) -> bool:
        *folders, file = name.lower().split("/")
        return not (
            any(
                p.startswith(".env") or p in {".git", ".svn", "__pycache__", ".private-serverless"}
                for p in folders
            )
            or file.startswith(".env")
            or file in {".netrc", "_netrc", ".git-credentials", "thumbs.db"}
            or file.endswith(".pyc")
        )

    archive = build_archive(root, tmp_path_factory.mktemp("out") / "fn.zip")
    assert set(names(archive.path)) == {name for name in written if belongs(name)}


def test_the_manifest_lists_each_file_with_its_mode_and_digest(source_dir, tmp_path):
    import hashlib

    first = build(source_dir, tmp_path)
    manifest = json.loads(manifest_path(first.path).read_text())
    handler = (source_dir / "handler.py").read_bytes()
    assert manifest["files"]["handler.py"] == "644:" + hashlib.sha256(handler).hexdigest()
    assert set(manifest["files"]) == set(first.entries) == set(first.files)
    # A reused archive reports the same list, computed on its one hashing pass.
    assert build(source_dir, tmp_path).files == first.files
    # A manifest of an older version (no file list) is completed on reuse.
    del manifest["files"]
    manifest_path(first.path).write_text(json.dumps(manifest))
    again = build(source_dir, tmp_path)
    assert again.reused
    assert json.loads(manifest_path(first.path).read_text())["files"] == first.files
