"""Errors of the offline plan a user can cause and fix."""

from __future__ import annotations

from ..errors import PrivateServerlessError


class PlanError(PrivateServerlessError):
    """The plan cannot be made or read: no program for the stack, an unreadable plan file."""
