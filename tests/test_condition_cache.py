"""The CEL parser tables are cached in a private folder only, and a cached parser parses alike."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from private_serverless.conditions import syntax


def test_the_cache_lives_in_the_configured_private_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(syntax.CACHE_DIR_VARIABLE, str(tmp_path / "cache"))
    assert syntax.parser_cache_file() == str(tmp_path / "cache" / "cel-parser.lark-cache")
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700


def test_no_cache_when_disabled_or_when_others_may_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(syntax.CACHE_DIR_VARIABLE, "")
    assert syntax.parser_cache_file() is None
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # anyone could plant a pickle here
    monkeypatch.setenv(syntax.CACHE_DIR_VARIABLE, str(shared))
    assert syntax.parser_cache_file() is None


def test_a_process_with_the_cache_parses_like_one_without(tmp_path: Path) -> None:
    code = (
        "from private_serverless.conditions.syntax import parse_cel\n"
        "print(parse_cel('inIpRange(request.ip, \"198.51.100.0/24\") && true').pretty())\n"
    )

    def run(cache: str) -> str:
        env = {"PRIVATE_SERVERLESS_CACHE_DIR": cache, "PATH": ""}
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return result.stdout

    uncached = run("")
    writes = run(str(tmp_path))
    assert (tmp_path / "cel-parser.lark-cache").is_file()
    assert run(str(tmp_path)) == writes == uncached
