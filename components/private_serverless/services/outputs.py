"""Turning inputs into the outputs a component exposes, without pending work of its own."""

from __future__ import annotations

from typing import TypeVar

import pulumi

T = TypeVar("T")


def as_output(value: pulumi.Input[T]) -> pulumi.Output[T]:
    """``value`` as an Output: itself when it already is one.

    ``Output.from_input`` of an Output adds an apply (two pending outputs) to unwrap the inputs
    nested in its value, and an ID or a name nests none: a component exposing a child's ID
    gives that ID's own Output.
    """
    return value if isinstance(value, pulumi.Output) else pulumi.Output.from_input(value)
