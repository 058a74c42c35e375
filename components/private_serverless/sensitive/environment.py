"""Environment variables and secrets: names Scaleway accepts, and names that look sensitive."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import AfterValidator

from ..core import limits
from ..errors import refused_key_labels
from .names import check_allowed_plain_name, name_looks_secret, strong_credential_name

# Names a process can read back as environment variables: a letter or underscore, then letters,
# digits and underscores. Scaleway rejects other keys at deploy time, so reject them here first.
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def looks_like_secret_name(name: str, allowed: Iterable[str] = ()) -> bool:
    """True for names such as ``DB_PASSWORD``, ``API_TOKEN`` or ``STRIPE_KEY`` (unless
    ``allowed`` names it and it is no credential beyond doubt)."""
    return name_looks_secret(name, allowed=allowed) is not None


def _check_env_name(name: str) -> str:
    if not 1 <= len(name) <= limits.ENV_NAME_MAX_LENGTH:
        raise ValueError(
            f"environment variable names are 1 to {limits.ENV_NAME_MAX_LENGTH} characters"
        )
    if not _ENV_NAME.match(name):
        raise ValueError(
            "not a valid environment variable name: use letters, digits and underscores, "
            "not starting with a digit"
        )
    upper = name.upper()
    if upper.startswith(limits.RESERVED_ENV_PREFIXES):
        # The key path names the variable; quoting it here would be cut as a possible value.
        raise ValueError(
            "this name is reserved by Scaleway Serverless (SCW_* names are the platform's); "
            "rename the variable"
        )
    # PORT is reserved for containers only: PrivateContainerArgs refuses it.
    return name


EnvName = Annotated[str, AfterValidator(_check_env_name)]
"""An environment variable name Scaleway accepts and reserves for no service kind."""

AllowedPlainName = Annotated[str, AfterValidator(check_allowed_plain_name)]
"""An allow-list entry: a name that may be plain although it looks like a credential's; a
credential beyond doubt (``DB_PASSWORD``) is refused."""


def refused_env_name(name: str) -> bool:
    """Whether ``name`` is refused as an environment variable name (its error says why)."""
    try:
        _check_env_name(name)
    except ValueError:
        return True
    return False


def check_plain_env(env: Mapping[str, object], allowed: Iterable[str] = ()) -> None:
    """Refuse credential-looking names and values in plain variables; never print a value.

    ``allowed`` names plain variables that only look like credentials by name (the stack's
    ``policy.allowed_plain_names`` and the service's ``allowed_plain_names``); their values
    are still scanned.
    """
    from .values import secret_values  # the same heuristics as the policy rule

    allowed = tuple(allowed)
    sensitive = sorted(name for name in env if looks_like_secret_name(name, allowed))
    if sensitive:
        # The allow-list is offered only where it can help: never for DB_PASSWORD.
        hint = (
            ""
            if any(strong_credential_name(name) for name in sensitive)
            else ", or name it in `allowed_plain_names` when it holds no secret"
        )
        raise ValueError(
            f"{', '.join(_shown(sensitive))} in `env` looks like a credential: plain environment "
            f"variables are stored in clear; move it to `secrets` (encrypted at rest){hint}"
        )
    by_value = secret_values(dict(env))
    if by_value:
        names = sorted(by_value)
        what = ", ".join(
            f"{shown} holds what looks like a {by_value[name]}"
            for name, shown in zip(names, _shown(names), strict=True)
        )
        raise ValueError(
            f"{what} in `env`: plain environment variables are stored in clear; move it to "
            "`secrets` (encrypted at rest)"
        )


def _shown(names: Sequence[str]) -> list[str]:
    """``names`` as an error may show them: a name shaped like a token (a value pasted as a
    variable's name) is replaced by its label (:func:`..errors.refused_key_labels`)."""
    labels = refused_key_labels(names)
    return [labels.get(name, name) for name in names]


def check_plain_values(
    values: Mapping[str, object],
    where: str,
    fix: str = "read the credential from the service's `secrets` instead",
) -> None:
    """Refuse credential-looking values among ``values`` (keyed by their path inside
    ``where``, a setting stored in clear such as a container's ``args``); never print one.
    ``fix`` ends the message: what to do instead."""
    from .values import secret_values  # the same heuristics as plain `env`

    found = secret_values(dict(values))
    if found:
        what = ", ".join(
            f"{path} holds what looks like a {kind}" for path, kind in sorted(found.items())
        )
        raise ValueError(
            f"{what}: `{where}` is stored in clear at Scaleway and shown in the plan; {fix}"
        )


def check_plain_command(words: Sequence[str], where: str) -> None:
    """Refuse credentials in a command line stored in clear (a container's ``command`` or
    ``args``): flags with the word after them (``--token``, ``t``), then each word as a value;
    never print one."""
    found = {f"{where}{place}": kind for place, kind in command_line_kinds(words).items()}
    _refuse(found, where)


def command_line_kinds(words: Sequence[str]) -> dict[str, str]:
    """What looks like a credential in a command line, by place: ``{"[i]": kind}`` for each
    word that does, else ``{"": kinds}`` for a flag and its value in two words (``--token``,
    ``t``: the command line as a whole); empty when nothing does. Never a value."""
    from .structured import scan_words

    by_index = _word_kinds(words)
    if by_index:
        return {f"[{index}]": kind for index, kind in sorted(by_index.items())}
    hits = scan_words(words)
    return {"": ", ".join(dict.fromkeys(hit.describe() for hit in hits))} if hits else {}


def _word_kinds(words: Sequence[str]) -> dict[int, str]:
    from .values import secret_values

    by_index = secret_values({str(i): word for i, word in enumerate(words)})
    return {int(i): kind for i, kind in by_index.items()}


def check_plain_document(
    document: Mapping[str, Any], where: str, allowed: Iterable[str] = ()
) -> None:
    """Refuse credentials in a JSON document stored in clear (schedule arguments): fields whose
    key names one, at any depth, unless ``allowed`` names the key and it is no credential beyond
    doubt, and credentials inside its strings; never print one."""
    from .structured import scan_document

    hits = scan_document(document, allowed)
    found = {f"{where}{hit.where[1:]}": hit.kind for hit in hits}
    by_key = any(
        hit.kind == "credential in a document field"
        and not strong_credential_name(hit.where.rsplit(".", 1)[-1])
        for hit in hits
    )
    _refuse(
        found,
        where,
        # The allow-list is offered where it can help: a key that only looks like one.
        hint=", or name the key in `allowed_plain_names` when it holds no secret" if by_key else "",
    )


def _refuse(found: Mapping[str, str], where: str, hint: str = "") -> None:
    if found:
        what = ", ".join(
            f"{path} holds what looks like a {kind}" for path, kind in sorted(found.items())
        )
        raise ValueError(
            f"{what}: `{where}` is stored in clear at Scaleway and shown in the plan; read the "
            f"credential from the service's `secrets` instead{hint}"
        )


def check_env_and_secrets(
    env: Mapping[str, object],
    secrets: Mapping[str, object],
    namespace_env: Mapping[str, object] | None = None,
    namespace_secrets: Mapping[str, object] | None = None,
) -> None:
    """Cross-checks between plain variables and secrets, the service's and its shared
    namespace's (when it is in one); messages never include a value."""
    both = sorted(set(env) & set(secrets))
    if both:
        raise ValueError(
            f"{', '.join(both)} defined in both `env` and `secrets`; keep it in `secrets`"
        )
    namespace_env = namespace_env or {}
    namespace_secrets = namespace_secrets or {}
    # A service's variable overrides its namespace's of the same name (Scaleway, "Environment
    # variables" in the concepts pages); a plain one overriding a secret (or the other way)
    # is a mistake: one of the two places says the value is not secret.
    crossed = sorted((set(env) & set(namespace_secrets)) | (set(secrets) & set(namespace_env)))
    if crossed:
        raise ValueError(
            f"{', '.join(crossed)}: a secret in one of the service and its namespace, a plain "
            "variable in the other; keep it in `secrets` in both, or in one place only"
        )
    # Scaleway counts a service's variables together with its namespace's (limits.MAX_ENV_VARS,
    # scope "Function + Namespace"), so the sum is checked. The namespace a component creates
    # for itself holds none; an existing one given by namespace_id is unknown here, and
    # Scaleway refuses the deployment when the sum is over the limit.
    env_count = len(env) + len(namespace_env)
    secret_count = len(secrets) + len(namespace_secrets)
    if env_count > limits.MAX_ENV_VARS or secret_count > limits.MAX_SECRETS:
        raise ValueError(
            f"at most {limits.MAX_ENV_VARS} environment variables and {limits.MAX_SECRETS} secrets "
            f"per service, its namespace's included (got {env_count} environment variables "
            f"and {secret_count} secrets)"
        )
