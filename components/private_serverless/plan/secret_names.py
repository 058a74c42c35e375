"""The variable names of a secret map: not secret, and what a reviewer needs to see.

The provider marks a function's or container's ``secret_environment_variables`` secret as a
whole, so the engine and the plan show the map as ``[secret]``, names included, and an empty map
too. The names are not secret (the stack file and the program spell them out, and the engine's
own diff names them: ``secretEnvironmentVariables.DB_PASSWORD``). A plan therefore records, per
input holding a secret map, the map's keys (:attr:`ResourceRecord.secret_names`), and with a
plan key a digest per key, so that a diff lists the variables added, removed and changed, never
a value. Only keys shaped like variable names are recorded; a map with any other key stays
wholly secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .secret_digests import secret_digest
from .values import SECRET_SIGNATURE, SIGNATURE_KEY, protobuf_to_plain

#: Keys recorded: environment variable names (what secret maps hold); anything else could be
#: data and is not written down.
_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_OUTPUT_SIG: Final = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


def _secret_map(value: Any) -> Mapping[str, Any] | None:
    """The clear map inside a secret wrapper, when ``value`` is one."""
    if not isinstance(value, Mapping):
        return None
    signature = value.get(SIGNATURE_KEY)
    secret = signature == SECRET_SIGNATURE or (
        signature == _OUTPUT_SIG and bool(value.get("secret"))
    )
    inner = value.get("value") if secret else None
    return inner if isinstance(inner, Mapping) else None


def secret_map_names(struct: Any) -> dict[str, tuple[str, ...]]:
    """Per input of a protobuf ``Struct`` that is a secret map, its keys, sorted."""
    found: dict[str, tuple[str, ...]] = {}
    for key, field in struct.fields.items():
        inner = _secret_map(protobuf_to_plain(field))
        if inner is not None and all(isinstance(k, str) and _NAME.match(k) for k in inner):
            found[str(key)] = tuple(sorted(inner))
    return found


def secret_name_digests(digest_key: bytes, struct: Any, names: Mapping[str, Any]) -> dict[str, str]:
    """``<input>.<name>`` → a keyed digest of that one variable's value."""
    found: dict[str, str] = {}
    for key in names:
        inner = _secret_map(protobuf_to_plain(struct.fields[key]))
        if inner is None:
            continue
        for name, value in inner.items():
            found[f"{key}.{name}"] = secret_digest(digest_key, value)
    return found


def shown_inputs(inputs: Mapping[str, Any], names: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """``inputs`` as text and Markdown show them: a secret map as its variable names, each
    ``[secret]`` (an empty map as ``{}``), never a value."""
    from ..core.inventory import SECRET_PLACEHOLDER

    shown = dict(inputs)
    for key, keys in names.items():
        if shown.get(key) == SECRET_PLACEHOLDER:
            shown[key] = dict.fromkeys(keys, SECRET_PLACEHOLDER)
    return shown
