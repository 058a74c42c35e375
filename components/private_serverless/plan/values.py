"""Turn values as the engine receives them (protobuf Structs) into plain, secret-free plan values.

The Pulumi wire format marks special values with a signature key inside a map: secrets, unknowns,
resource references, assets, archives and output values. A plan keeps none of the clear text of a
secret: every secret becomes :data:`~private_serverless.inventory.SECRET_PLACEHOLDER`. The clear
text of the secrets met on the way is handed to an optional collector so that free text such as
log messages can be redacted; it is never stored in a plan.

The conversion is a pure function of the Struct, deliberately not
``pulumi.runtime.rpc.deserialize_properties``: that one rebuilds resource objects from resource
references, which would register reads against the monitor while we are only looking.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ..core.inventory import SECRET_PLACEHOLDER

#: Rendered for a value the provider computes only during a real deployment.
UNKNOWN_PLACEHOLDER = "[unknown]"

#: Rendered for a secret whose value the provider computes only during a real deployment (an API
#: key that does not exist yet, in a caller's secret variables): the engine holds it unknown, so
#: it is no known ``[secret]`` either. Never digested: there is no value to compare.
UNKNOWN_SECRET_PLACEHOLDER = "[unknown secret]"

# Signatures of the Pulumi wire format (see pulumi/runtime/rpc.py and
# sdk/go/common/resource/properties.go). Copied because the SDK keeps them private.
SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

SecretCollector = Callable[[Any], None]


def struct_to_plan_value(
    struct: Any, collect_secret: SecretCollector | None = None
) -> dict[str, Any]:
    """A protobuf ``Struct`` of inputs or outputs as a plain dict, secrets replaced."""
    raw = {str(key): protobuf_to_plain(value) for key, value in struct.fields.items()}
    cleaned = to_plan_value(raw, collect_secret)
    return cleaned if isinstance(cleaned, dict) else {}


def protobuf_to_plain(value: Any) -> Any:
    """A ``google.protobuf.Value`` as plain Python data (numbers stay floats; wire-format
    markers such as secrets stay as their signature maps, clear text included)."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return {
            str(key): protobuf_to_plain(item) for key, item in value.struct_value.fields.items()
        }
    if kind == "list_value":
        return [protobuf_to_plain(item) for item in value.list_value.values]
    if kind in ("number_value", "string_value", "bool_value"):
        return getattr(value, kind)
    return None


def to_plan_value(value: Any, collect_secret: SecretCollector | None = None) -> Any:
    """A wire value as plain JSON data: secrets hidden, unknowns marked, integral floats as ints.

    Protobuf has only doubles, so ``min_scale=0`` arrives as ``0.0``; the plan shows ``0``.
    """
    result: Any
    if isinstance(value, bool) or value is None or isinstance(value, int):
        result = value
    elif isinstance(value, float):
        result = int(value) if value.is_integer() else value
    elif isinstance(value, str):
        result = UNKNOWN_PLACEHOLDER if value == _UNKNOWN else value
    elif isinstance(value, list | tuple):
        result = [to_plan_value(item, collect_secret) for item in value]
    elif isinstance(value, Mapping):
        result = _mapping_to_plan_value(value, collect_secret)
    else:
        # Never produced by a Struct; shown by type only, as its repr could hold a secret.
        result = f"<{type(value).__name__}>"
    return result


def _mapping_to_plan_value(value: Mapping[str, Any], collect_secret: SecretCollector | None) -> Any:
    signature = value.get(SIGNATURE_KEY)
    secret = signature == SECRET_SIGNATURE or (
        signature == _OUTPUT_SIG and bool(value.get("secret"))
    )
    if secret:
        return _secret_to_plan_value(value.get("value", _UNKNOWN), collect_secret)
    if signature == _OUTPUT_SIG:
        if "value" not in value:
            return UNKNOWN_PLACEHOLDER
        return to_plan_value(value["value"], collect_secret)
    if signature == _RESOURCE_SIG:
        # A reference to another resource: show what the engine would resolve it to.
        return str(value.get("id") or value.get("urn") or UNKNOWN_PLACEHOLDER)
    if signature in (_ASSET_SIG, _ARCHIVE_SIG):
        # A location is shown; a string asset's text or an archive's members are content.
        kind = "asset" if signature == _ASSET_SIG else "archive"
        where = value.get("path") or value.get("uri")
        return f"<{kind} {where}>" if where else f"<{kind}>"
    return {str(key): to_plan_value(item, collect_secret) for key, item in value.items()}


def _secret_to_plan_value(inner: Any, collect_secret: SecretCollector | None) -> str:
    if _holds_unknown(inner):
        # The SDK sends an unknown secret output as a secret around the unknown sentinel.
        return UNKNOWN_SECRET_PLACEHOLDER
    if collect_secret is not None:
        collect_secret(inner)
    return SECRET_PLACEHOLDER


def _holds_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == _UNKNOWN
    if isinstance(value, Mapping):
        if value.get(SIGNATURE_KEY) == _OUTPUT_SIG and "value" not in value:
            return True
        return any(_holds_unknown(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_unknown(item) for item in value)
    return False


def is_unknown(value: Any) -> bool:
    """Whether a plan value is one the engine learns only during the deployment."""
    return value in (UNKNOWN_PLACEHOLDER, UNKNOWN_SECRET_PLACEHOLDER)


def holds_secret(value: Any) -> bool:
    """Whether a plan value is or contains a secret, known or not."""
    text = json.dumps(value, default=str)
    return SECRET_PLACEHOLDER in text or UNKNOWN_SECRET_PLACEHOLDER in text


def secret_strings(value: Any) -> set[str]:
    """Every string a secret value contains, for redacting free text that might echo it."""
    found: set[str] = set()
    if isinstance(value, str):
        if value:
            found.add(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            found |= secret_strings(item)
        # A structured secret could also be echoed as its JSON text.
        found.add(json.dumps(value, sort_keys=True))
    elif isinstance(value, list | tuple):
        for item in value:
            found |= secret_strings(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # Numbers are too short and common to redact safely by text; secrets are strings in
        # practice (tokens, keys, passwords).
        pass
    return found


def redact(text: str, secrets: set[str]) -> str:
    """``text`` with every known secret replaced by the placeholder (longest first)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, SECRET_PLACEHOLDER)
    return text
