"""A private Container Registry namespace for a container's images, so a pipeline knows where
to push.

Scaleway no longer creates a registry with a containers namespace: the provider deprecates
``containers.Namespace.registry_endpoint`` ("A registry is no longer created alongside the
namespace, it has to be handled separately"). ``registry`` creates one
(``scaleway:registry/namespace:Namespace``), never public: ``is_public`` would let anyone pull
the images (``docker pull``), code and configuration included. Its ``endpoint``
(``rg.<region>.scw.cloud/<name>``) is the component's ``registry_endpoint``.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import ConfigDict, Field, field_validator

from ..core.models import ArgsModel

# The registry namespace is the first path component of an image name, so it obeys the OCI
# distribution specification's path component rule (lowercase letters and digits, separated
# by one `.`, `_`, `__` or hyphens; https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests).
# Scaleway also wants it unique in its region: a taken name fails at deployment.
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$")
REGISTRY_NAME_MAX_LENGTH = 63


class RegistryArgs(ArgsModel):
    """A private Container Registry namespace created beside the container."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, defer_build=True
    )

    name: Annotated[str, Field(min_length=1, max_length=REGISTRY_NAME_MAX_LENGTH)]
    """The namespace's name, the path images are pushed under
    (``rg.fr-par.scw.cloud/<name>/api:1.4``); unique in its region at Scaleway."""

    description: Annotated[str, Field(max_length=255)] | None = None
    """Shown in the Scaleway console."""

    @field_validator("name")
    @classmethod
    def _check_name(cls, name: str) -> str:
        if not _PATH_COMPONENT.match(name):
            raise ValueError(
                "not a registry namespace name: lowercase letters and digits, separated by "
                "one '.', '_', '__' or hyphens (an image path component)"
            )
        return name
