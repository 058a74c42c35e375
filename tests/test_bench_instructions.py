"""bench/instructions.py reads callgrind's total and turns two sizes into a cost per service
(nothing here runs valgrind: the benchmark never runs in the test suite)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.instructions import collected_instructions, per_service, report

STDERR = """==9656== Callgrind, a call-graph generating cache profiler
==9656== Command: python bench/run.py --worker scale raw 50 /tmp/x
==9656==
==9656== Events    : Ir
==9656== Collected : 4805602828
==9656==
==9656== I   refs:      4,805,602,828
"""


def test_the_total_is_callgrinds_collected_count() -> None:
    assert collected_instructions(STDERR) == 4_805_602_828


@pytest.mark.parametrize(
    "stderr",
    ["", "==1== I   refs: 5\n", STDERR + STDERR.replace("9656", "9657")],
    ids=["nothing", "no collected line", "two processes"],
)
def test_anything_but_one_total_is_refused(stderr: str) -> None:
    with pytest.raises(ValueError, match="one callgrind total"):
        collected_instructions(stderr)


@given(
    fixed=st.integers(0, 10**10),
    each=st.integers(1, 10**8),
    sizes=st.lists(st.integers(1, 5000), min_size=2, max_size=2, unique=True),
)
def test_what_does_not_grow_with_n_cancels(fixed: int, each: int, sizes: list[int]) -> None:
    counts = {n: fixed + each * n for n in sizes}
    assert per_service(counts) == pytest.approx(each)


def test_one_size_is_not_enough() -> None:
    with pytest.raises(ValueError, match="two different sizes"):
        per_service({100: 5})


def test_the_report_gives_each_variant_and_the_ratio() -> None:
    counts = {
        "raw": {50: 4_000_000_000 + 50 * 30_000_000, 150: 4_000_000_000 + 150 * 30_000_000},
        "components": {50: 4_100_000_000 + 50 * 33_000_000, 150: 4_100_000_000 + 150 * 33_000_000},
    }
    table = report(counts)
    assert "| raw | 5.500 G | 8.500 G | 30.00 M |" in table
    assert "| components | 5.750 G | 9.050 G | 33.00 M |" in table
    assert "**1.100**" in table
