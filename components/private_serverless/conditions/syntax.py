"""Parsing CEL text into cel-python's lark tree, with syntax errors that say where.

cel-python is imported inside the function: the engine and its grammar cost about 100 ms to
load and most programs that import ``private_serverless`` never parse a condition.
"""

from __future__ import annotations

import os
import re
import stat
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ..errors import hide_on_user_error
from .errors import ConditionError

__tracebackhide__ = hide_on_user_error

# lark names terminals after their text; users should see the text, not the names.
_TOKEN_TEXT = {
    "$END": "end of the condition",
    "RPAR": "')'",
    "LPAR": "'('",
    "RSQB": "']'",
    "LSQB": "'['",
    "COMMA": "','",
    "DOT": "'.'",
}


def end_position(text: str) -> tuple[int, int]:
    """The 1-based (line, column) just after the last character of ``text``."""
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


@cache
def _parser() -> Any:
    """A lark parser for cel-python's grammar, built once.

    cel-python's own singleton parser turns ``true``/``false`` identifiers into literals with a
    lexer callback that drops their position; this one keeps it, so errors about a boolean
    literal still say where. The trees are the same, so cel-python can evaluate them.
    """
    import celpy.celparser  # lazy on purpose, see the module docstring
    from lark import Lark, Token

    def literal_keywords(token: Token) -> Token:
        if token.value in {"true", "false"}:
            return Token.new_borrow_pos("BOOL_LIT", token.value, token)
        return token

    grammar = (Path(celpy.celparser.__file__).parent / "cel.lark").read_text()
    return Lark(
        grammar,
        # Building the LALR tables is most of a first condition's cost (~0.2 s); lark keeps them
        # in a file keyed by grammar, options and versions, and rebuilds a stale or broken one.
        cache=parser_cache_file() or False,
        parser="lalr",
        start="expr",
        g_regex_flags=re.M,
        lexer_callbacks={"IDENT": literal_keywords},
        propagate_positions=True,
        maybe_placeholders=False,
        priority="invert",
    )


#: Overrides where the parser tables are cached (a folder); empty disables the cache.
CACHE_DIR_VARIABLE = "PRIVATE_SERVERLESS_CACHE_DIR"


def parser_cache_file() -> str | None:
    """The file lark caches the CEL parser tables in, or ``None`` when there is no safe place.

    The cache is a pickle, so it lives only in a folder of the user's own that nobody else may
    write to (``$XDG_CACHE_HOME/private-serverless``, else ``~/.cache/private-serverless``),
    never in a shared temporary folder where another user could plant one.
    """
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured is not None and not configured:
        return None
    if configured:
        folder = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "private-serverless"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = folder.stat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder to expand
        return None
    foreign = hasattr(os, "getuid") and status.st_uid != os.getuid()
    if foreign or status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return str(folder / "cel-parser.lark-cache")


@lru_cache(maxsize=256)
def parse_cel(expression: str) -> Any:
    """Parse ``expression`` with cel-python's grammar and return the lark ``Tree``.

    Raises :class:`ConditionError` with a 1-based line and column for a syntax error. The tree
    is shared (cached: a plan validates, simulates and compares the same condition many times)
    and must not be modified; nothing here or in cel-python's interpreter does.
    """
    from lark.exceptions import (  # lazy on purpose
        LarkError,
        UnexpectedCharacters,
        UnexpectedToken,
    )

    try:
        return _parser().parse(expression)
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            line, column = end_position(expression.rstrip())
            raise ConditionError(
                "invalid CEL syntax: the condition ends too early", line=line, column=column
            ) from None
        found = _TOKEN_TEXT.get(exc.token.type, repr(str(exc.token)))
        raise ConditionError(
            f"invalid CEL syntax: unexpected {found}", line=exc.line, column=exc.column
        ) from None
    except UnexpectedCharacters as exc:
        raise ConditionError(
            f"invalid CEL syntax: unexpected character {exc.char!r}",
            line=exc.line,
            column=exc.column,
        ) from None
    except LarkError as exc:  # other grammar failures carry no reliable position
        raise ConditionError(f"invalid CEL syntax: {exc}") from None
