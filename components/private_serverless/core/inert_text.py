"""Invisible formatting characters made visible in what a reviewer reads.

A plan, its diff and its findings quote names and values from the program: a bidirectional
override (U+202E) or a zero-width character in one of them would make a pull-request comment
or a terminal show text in another order than it has ("Trojan Source", CVE-2021-42574).
Each format character (Unicode category Cf) is written as its ``\\uXXXX`` escape instead, which
is also how JSON writes it, so a JSON plan stays valid and means the same.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_CANDIDATES = re.compile(r"[^\x00-\x7f]")


@cache
def _is_format(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def inert(text: str) -> str:
    """``text`` with every format character (bidi controls, zero-width ones) escaped."""

    def escape(match: re.Match[str]) -> str:
        char = match[0]
        return f"\\u{ord(char):04x}" if _is_format(char) else char

    return _CANDIDATES.sub(escape, text)
