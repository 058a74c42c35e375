"""Benchmarks of the components against the same resources declared with raw provider calls.

Run ``python bench/run.py`` (see ``docs/benchmarks.md``); nothing here runs in the test suite
except the N=2 apples-to-apples check in ``tests/test_bench_harness.py``.
"""
