"""Stacks: per-environment configuration turned into components, for `pulumi up` and offline.

May import the components (services), policy settings and below; never the plan.
"""

from .offline import load_offline_program

__all__ = ["load_offline_program"]
