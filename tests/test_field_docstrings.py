"""Field docstrings become descriptions exactly as pydantic's ``use_attribute_docstrings`` would.

``core/models.py`` reads them itself (one ``ast`` parse per file) because pydantic's own
extraction was over a third of the import's cost; these tests hold the two to the same result.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from private_serverless.core.models import ArgsModel
from pydantic import BaseModel, ConfigDict, Field

COMPONENTS = Path(__file__).resolve().parents[1] / "components"

# Prints, for every args model the package defines, the field descriptions, the JSON schema,
# the generated docstring and the signature. With "pydantic", the models are imported again
# with pydantic's extraction switched on and the library's own switched off.
_DESCRIBE = textwrap.dedent(
    """
    import inspect, json, sys
    import private_serverless
    from pydantic.errors import PydanticInvalidForJsonSchema
    from private_serverless.core import models

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    before = set(walk(models.ArgsModel))
    if sys.argv[1] == "pydantic":
        models.ArgsModel.model_config["use_attribute_docstrings"] = True
        models._field_docstrings = lambda cls: {}
        kept = {"private_serverless.core", "private_serverless.core.models",
                "private_serverless.core.key_suggestions", "private_serverless.errors"}
        for name in [n for n in sys.modules if n.startswith("private_serverless")]:
            if name not in kept:
                del sys.modules[name]
        import private_serverless  # the models again, built by pydantic's rule
    else:
        before = set()

    def schema(model):
        try:
            return model.model_json_schema()
        except PydanticInvalidForJsonSchema:  # a field of an arbitrary type (ServiceCall's callee)
            return None

    seen = {}
    for model in walk(models.ArgsModel):
        if model in before:
            continue
        seen[f"{model.__module__}.{model.__qualname__}"] = {
            "descriptions": {n: f.description for n, f in model.model_fields.items()},
            "schema": schema(model),
            "doc": model.__doc__,
            "signature": str(inspect.signature(model)),
        }
    print(json.dumps(seen, sort_keys=True))
    """
)


def _describe(mode: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(COMPONENTS)}
    result = subprocess.run(
        [sys.executable, "-c", _DESCRIBE, mode],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    # Without the addresses of objects in reprs (validators in a signature's annotations).
    described: dict[str, Any] = json.loads(re.sub(r" at 0x[0-9a-f]+", "", result.stdout))
    return described


def test_every_args_model_describes_its_fields_as_pydantic_would() -> None:
    ours = _describe("library")
    theirs = _describe("pydantic")
    # Every public model is there (the reference run really rebuilt them all) ...
    assert "private_serverless.access.access_args.AccessArgs" in theirs
    assert "private_serverless.services.function_args.PrivateFunctionArgs" in theirs
    assert sorted(ours) == sorted(theirs)
    # ... with descriptions (a run that found none would compare equal to another).
    described = [d for m in theirs.values() for d in m["descriptions"].values() if d]
    assert len(described) > 50
    for model in sorted(ours):
        assert ours[model] == theirs[model], model


def _pair(base: type[BaseModel]) -> type[BaseModel]:
    """One model body, built on ``base``: both rules read the same source."""

    class Settings(base):  # type: ignore[valid-type,misc]
        """A model whose docstrings test the rule's corners."""

        plain: int = 1
        """First line.

            Second paragraph, dedented as ``inspect.cleandoc`` does.
        """
        explicit: int = Field(default=2, description="Given explicitly.")
        """Ignored: an explicit description wins."""
        bare: str = "x"
        _hidden = 3
        """After a plain assignment: belongs to no field."""
        later: int = 4

        """Separated by a blank line only: still the next statement, so it counts."""

        def method(self) -> None:
            """Not a field."""

        after_method: int = 5

    return Settings


class _PydanticRule(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)


class _LibraryRule(ArgsModel):
    pass


def test_a_local_model_gets_the_same_descriptions_as_from_pydantic() -> None:
    theirs = _pair(_PydanticRule)
    ours = _pair(_LibraryRule)
    expected = {n: f.description for n, f in theirs.model_fields.items()}
    assert {n: f.description for n, f in ours.model_fields.items()} == expected
    assert expected["plain"] == (
        "First line.\n\nSecond paragraph, dedented as ``inspect.cleandoc`` does."
    )
    assert expected["explicit"] == "Given explicitly."
    assert expected["bare"] is None
    assert ours.model_json_schema()["properties"]["plain"]["description"] == expected["plain"]


def test_a_subclass_keeps_inherited_descriptions_and_adds_its_own() -> None:
    from private_serverless import AccessArgs

    class Stricter(AccessArgs):
        extra_flag: bool = False
        """Only in the subclass."""

    assert Stricter.model_fields["extra_flag"].description == "Only in the subclass."
    for name, field in AccessArgs.model_fields.items():
        assert Stricter.model_fields[name].description == field.description
    assert "Only in the subclass." in (Stricter.__doc__ or "")


def test_a_subclass_that_builds_eagerly_still_shows_its_descriptions() -> None:
    class Eager(ArgsModel):
        model_config = ConfigDict(defer_build=False)
        size: int = 1
        """How many."""

    assert Eager.__pydantic_complete__
    assert Eager.model_json_schema()["properties"]["size"]["description"] == "How many."


def _first_twin() -> type[ArgsModel]:
    class Twin(ArgsModel):
        size: int = 1
        """The first twin's size."""

    return Twin


def _second_twin() -> type[ArgsModel]:
    class Twin(ArgsModel):
        size: int = 2
        """The second twin's size."""

    return Twin


def test_classes_of_the_same_name_in_one_file_get_their_own_descriptions() -> None:
    # The name alone does not find the statement: the file is parsed and __qualname__ decides.
    assert _first_twin().model_fields["size"].description == "The first twin's size."
    assert _second_twin().model_fields["size"].description == "The second twin's size."


class _Margin(ArgsModel):
    note: str = ""
    """A docstring whose second line reaches the margin:
like this one, so the class's lines do not parse on their own."""


def test_a_class_whose_lines_do_not_parse_alone_still_gets_its_descriptions() -> None:
    assert _Margin.model_fields["note"].description == (
        "A docstring whose second line reaches the margin:\n"
        "like this one, so the class's lines do not parse on their own."
    )
