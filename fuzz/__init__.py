"""Fuzz targets of the input boundary, shared by the hypothesis suites and the atheris harness."""
