"""``write_atomic`` (``--out FILE``): links are followed, devices and pipes written in place."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from private_serverless.core.files import write_atomic
from private_serverless.errors import PrivateServerlessError


def test_a_regular_file_is_replaced_whole_and_nothing_else_is_left(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text("previous")
    write_atomic(out, "new")
    assert out.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_a_symlink_stays_a_link_and_its_target_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "plan.json"
    target.write_text("previous")
    first = tmp_path / "first-link"
    first.symlink_to(target)
    link = tmp_path / "plan.json"
    link.symlink_to(first)  # a chain of two links
    write_atomic(link, "new")
    assert link.is_symlink() and first.is_symlink()
    assert target.read_text() == "new"
    # The temporary file was beside the target (one filesystem): none is left anywhere.
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["plan.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first-link", "plan.json", "real"]


def test_a_dangling_symlink_creates_the_file_it_names(tmp_path: Path) -> None:
    link = tmp_path / "plan.json"
    link.symlink_to(tmp_path / "made.json")
    write_atomic(link, "new")
    assert link.is_symlink()
    assert (tmp_path / "made.json").read_text() == "new"


def test_a_character_device_is_written_to_not_replaced(tmp_path: Path) -> None:
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    write_atomic(link, "discarded")  # as root a rename would have replaced /dev/null
    assert Path(os.devnull).is_char_device()
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_atomic(fifo, "streamed")
    reader.join(timeout=10)
    assert received == [b"streamed"]
    assert fifo.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.fifo"]


def test_a_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PrivateServerlessError, match=r"cannot write: it is a folder") as info:
        write_atomic(tmp_path, "x")
    assert str(tmp_path) in str(info.value)


def test_a_link_loop_is_an_error_naming_the_path(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(PrivateServerlessError, match="cannot write") as info:
        write_atomic(loop, "x")
    assert str(loop) in str(info.value)
