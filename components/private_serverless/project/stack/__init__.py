"""Stacks: per-environment configuration turned into components, for `pulumi up` and offline."""

from .offline import load_offline_program

__all__ = ["load_offline_program"]
