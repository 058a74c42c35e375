"""The README's Python examples type-check under ``mypy --strict``, as a consumer would run it.

Every fenced ``python`` block is one module; mypy runs once on all of them, with the default
configuration a consumer repo has (strict, no pydantic plugin), against the installed library.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def readme_blocks() -> list[str]:
    return _BLOCK.findall(README.read_text(encoding="utf-8"))


def test_the_readme_has_python_examples() -> None:
    blocks = readme_blocks()
    assert len(blocks) >= 3
    assert any("PrivateFunction(" in block for block in blocks)


@pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None, reason="mypy is not installed (dev extra)"
)
def test_the_readme_examples_pass_mypy_strict(tmp_path: Path) -> None:
    files = []
    for index, block in enumerate(readme_blocks()):
        path = tmp_path / f"readme_example_{index}.py"
        path.write_text(block, encoding="utf-8")
        files.append(str(path))
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            # A warm cache keeps this test at a few seconds after the first run.
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "readme"),
            *files,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_testing_kit_example_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from private_serverless.testing import mocked_pulumi

    (block,) = [b for b in readme_blocks() if "def test_billing_is_private" in b]
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    monkeypatch.chdir(tmp_path)
    with mocked_pulumi() as mocked:
        namespace["test_billing_is_private"](mocked, tmp_path)  # type: ignore[operator]
