"""The base of the library's argument models: one error type, and help before first use.

Every argument model (:class:`~private_serverless.AccessArgs`, the component args, ``Probe``)
derives from :class:`ArgsModel`, which gives them:

- the library's :class:`~private_serverless.errors.ConfigurationError` (a ``ValueError``) from
  the constructor, naming the model and every faulty field, like the mapping form that the
  components accept, instead of pydantic's ``ValidationError`` with links to its website;
- field docstrings as field descriptions (``use_attribute_docstrings``), so IDEs, JSON schemas
  and ``help()`` show them;
- a real signature and a docstring listing every field with its default, computed when the
  class is defined: the models build their validators lazily (``defer_build``, to keep the
  import cheap), and until then pydantic would show only ``(**data)``.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticUndefined

from ..errors import ConfigurationError
from .key_suggestions import validation_problems


class _Factory:
    """How a default built by a factory shows in a signature: ``list()``, ``AccessArgs()``."""

    def __init__(self, factory: Any) -> None:
        self._text = f"{getattr(factory, '__name__', 'factory')}()"

    def __repr__(self) -> str:
        return self._text


class ArgsModel(BaseModel):
    """Base of the argument models; see the module docstring."""

    model_config = ConfigDict(use_attribute_docstrings=True)

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
