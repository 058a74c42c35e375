"""The base of the library's argument models: one error type, and help before first use.

Every argument model (:class:`~private_serverless.AccessArgs`, the component args, ``Probe``)
derives from :class:`ArgsModel`, which gives them:

- the library's :class:`~private_serverless.errors.ConfigurationError` (a ``ValueError``) from
  the constructor, naming the model and every faulty field, like the mapping form that the
  components accept, instead of pydantic's ``ValidationError`` with links to its website;
- field docstrings as field descriptions, so IDEs, JSON schemas and ``help()`` show them. They
  are read here with ``ast`` (usually only the class's own lines; the whole file, once, when
  its name is not enough to find them), not by pydantic's ``use_attribute_docstrings``: on
  Python < 3.13 that walks the call stack with ``inspect.getmodule`` (a scan of
  ``sys.modules``) for every model, which was over a third of the cost of
  ``import private_serverless``. The rule is pydantic's: a string literal right after an
  annotated field, ``inspect.cleandoc``-ed, unless the field gives a description;
- a real signature and a docstring listing every field with its default, computed when the
  class is defined: the models build their validators lazily (``defer_build``, to keep the
  import cheap), and until then pydantic would show only ``(**data)``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import os
import re
import sys
import textwrap
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticUndefined

from ..errors import ConfigurationError, hide_on_user_error
from .key_suggestions import validation_problems

__tracebackhide__ = hide_on_user_error


class _Factory:
    """How a default built by a factory shows in a signature: ``list()``, ``AccessArgs()``."""

    def __init__(self, factory: Any) -> None:
        self._text = f"{getattr(factory, '__name__', 'factory')}()"

    def __repr__(self) -> str:
        return self._text


#: One class statement: the names it annotates, and the docstrings of those that have one.
_ClassDocs = tuple[tuple[str, ...], dict[str, str]]


def _statement_docs(node: ast.ClassDef) -> _ClassDocs:
    """Pydantic's rule: a string literal statement right after ``name: type [= value]``."""
    names = []
    docs: dict[str, str] = {}
    for previous, statement in itertools.pairwise([node.body[0], *node.body]):
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.append(statement.target.id)
        elif (
            isinstance(previous, ast.AnnAssign)
            and isinstance(previous.target, ast.Name)
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            docs[previous.target.id] = inspect.cleandoc(statement.value.value)
    return tuple(names), docs


def _classes_docs(body: list[ast.stmt], prefix: str, found: dict[str, list[_ClassDocs]]) -> None:
    """Every class statement under ``body`` by its ``__qualname__`` (``f.<locals>.C`` too)."""
    for node in body:
        if isinstance(node, ast.ClassDef):
            found.setdefault(prefix + node.name, []).append(_statement_docs(node))
            _classes_docs(node.body, f"{prefix}{node.name}.", found)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _classes_docs(node.body, f"{prefix}{node.name}.<locals>.", found)


_CLASS_LINE = re.compile(r"([ \t]*)class[ \t]+(\w+)")


@functools.cache
def _source(path: str, stamp: tuple[int, int]) -> tuple[list[str], dict[str, list[int]]]:
    """A source file's lines and where each ``class`` statement starts, by class name, read
    once (``stamp``: its mtime and size)."""
    with open(path, encoding="utf-8") as source:
        lines = source.read().splitlines(keepends=True)
    starts: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        if "class" in line and (match := _CLASS_LINE.match(line)):
            starts.setdefault(match[2], []).append(number)
    return lines, starts


def _block_docs(lines: list[str], start: int, name: str) -> _ClassDocs | None:
    """The class statement at ``lines[start]`` parsed alone, or None when it does not parse
    alone. Its block ends before the first line (not blank, not a comment) that is indented no
    deeper than ``class``; a string or bracket reaching that far leaves a block that does not
    parse."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines):
        text = lines[end].lstrip()
        if text and not text.startswith("#") and len(lines[end]) - len(text) <= indent:
            break
        end += 1
    try:
        tree = ast.parse(textwrap.dedent("".join(lines[start:end])))
    except SyntaxError:
        return None
    node = tree.body[0] if len(tree.body) == 1 else None
    return _statement_docs(node) if isinstance(node, ast.ClassDef) and node.name == name else None


@functools.cache
def _file_docs(path: str, stamp: tuple[int, int]) -> dict[str, list[_ClassDocs]]:
    """The field docstrings of every class of one source file, by ``__qualname__``."""
    found: dict[str, list[_ClassDocs]] = {}
    _classes_docs(ast.parse("".join(_source(path, stamp)[0]), path).body, "", found)
    return found


def _field_docstrings(cls: type) -> dict[str, str]:
    """The docstrings of the fields ``cls`` annotates itself, by field name."""
    own = tuple(inspect.get_annotations(cls))
    path = getattr(sys.modules.get(cls.__module__), "__file__", None)
    if path and path.endswith(".py"):
        try:
            status = os.stat(path)
            stamp = (status.st_mtime_ns, status.st_size)
            lines, starts = _source(path, stamp)
            # Usually the class's name starts one statement of its file: only that is parsed.
            found = starts.get(cls.__name__, [])
            if len(found) == 1 and (block := _block_docs(lines, found[0], cls.__name__)):
                return block[1]
            statements = _file_docs(path, stamp).get(cls.__qualname__, [])
        except (OSError, SyntaxError, ValueError):
            statements = []
        if len(statements) == 1:
            return statements[0][1]
        # The same qualname twice in one file: the statement that annotates these fields.
        for names, docs in statements:
            if names == own:
                return docs
    try:  # no source file (an interactive session, exec): the source inspect finds, if any
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError):
        return {}
    node = tree.body[0] if tree.body else None
    return _statement_docs(node)[1] if isinstance(node, ast.ClassDef) else {}


class ArgsModel(BaseModel):
    """Base of the argument models; see the module docstring."""

    # defer_build: every model builds its validators on first use, after the field docstrings
    # below are set as descriptions (and to keep the import cheap).
    model_config = ConfigDict(defer_build=True)

    #: The class docstring as written, before the field list is appended.
    __args_doc__: ClassVar[str] = ""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ConfigurationError(
                type(self).__name__, validation_problems(exc, type(self))
            ) from None

    # Marked as pydantic's own constructor: nested models given as mappings are still validated
    # by pydantic directly, so their errors keep their full key path (``access.condition``).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        docs = _field_docstrings(cls)
        for name, field in cls.model_fields.items():
            if field.description is None and name in docs:
                field.description = docs[name]
        if cls.__pydantic_complete__:
            # A subclass that turned defer_build off: its schema was built without them.
            cls.model_rebuild(force=True)
        parameters = []
        lines = []
        for name, field in cls.model_fields.items():
            if field.default is not PydanticUndefined:
                default: Any = field.default
            elif field.default_factory is not None:
                default = _Factory(field.default_factory)
            else:
                default = inspect.Parameter.empty
            parameters.append(
                inspect.Parameter(
                    name,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=default,
                    annotation=field.annotation,
                )
            )
            shown = "required" if default is inspect.Parameter.empty else f"default {default!r}"
            description = " ".join((field.description or "").split())
            lines.append(f"    {name} ({shown})\n        {description}".rstrip())
        cls.__signature__ = inspect.Signature(parameters, return_annotation=None)
        own = cls.__dict__.get("__doc__") or ""
        cls.__args_doc__ = inspect.cleandoc(own)
        cls.__doc__ = f"{cls.__args_doc__}\n\nArguments:\n\n" + "\n".join(lines)
