"""Public on purpose: a service anyone may call, with the reason it is public.

A public service (a gateway or a CORS proxy in front of private backends) is called without a
key, so it gets no caller application, key or policy: such a key would only reach the private
services of its project. The reason travels with the function or container as a tag, so that
every reader of the resources (offline plan, CrossGuard pack, audit of an export) sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

#: Tag on a public function or container: ``<prefix><reason>``.
PUBLIC_REASON_TAG_PREFIX = "private-serverless-public-reason="
#: A tag is at most 128 characters (the limit ``ServiceArgs.tags`` enforces), prefix included.
PUBLIC_REASON_MAX_LENGTH = 128 - len(PUBLIC_REASON_TAG_PREFIX)

Privacy = Literal["private", "public"]


def public_reason_tag(reason: str) -> str:
    """The tag that carries ``reason`` on the function or container."""
    return f"{PUBLIC_REASON_TAG_PREFIX}{reason}"


def public_reason_of(tags: object) -> str | None:
    """The reason a resource's tags give for it being public, if exactly one is given."""
    if not isinstance(tags, Sequence) or isinstance(tags, str):
        return None
    found = {
        tag.removeprefix(PUBLIC_REASON_TAG_PREFIX).strip()
        for tag in tags
        if isinstance(tag, str) and tag.startswith(PUBLIC_REASON_TAG_PREFIX)
    }
    found.discard("")
    # Two different reasons tell nothing for sure: read as none.
    return found.pop() if len(found) == 1 else None
