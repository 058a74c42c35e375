"""Load a stack for the offline plan: its file, as the Pulumi CLI would hand it to the program.

The Pulumi CLI decrypts ``secure:`` values before the program sees them; offline there is no
key to decrypt with, so such values reach the program as ``[secret]`` and are marked secret,
which is all the plan shows of any secret anyway.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigurationError, Problem
from ..inventory import SECRET_PLACEHOLDER
from .program import StackContext, run, stack_file_label

_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def project_name(project_dir: Path) -> str:
    """The project's name from ``Pulumi.yaml``."""
    path = project_dir / "Pulumi.yaml"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            str(path), [Problem("", f"cannot read the project file: {exc}")]
        ) from None
    name = document.get("name") if isinstance(document, dict) else None
    if not isinstance(name, str):
        raise ConfigurationError("Pulumi.yaml", [Problem("name", "missing project name")])
    return name


#: Deeper than this, a stack file is junk, not configuration; refusing it early keeps every
#: later recursive step (JSON encoding, validation) far from Python's recursion limit.
MAX_NESTING = 32


class _StackLoader(yaml.SafeLoader):
    """YAML as a stack file should be read: plain JSON-like data, every mistake a YAMLError.

    Unlike ``yaml.safe_load``: a date stays the string it was written as (Pulumi hands the
    program strings), ``!!binary`` and ``!!set`` are refused (they have no JSON form), and an
    integer too long for Python's int-to-string limit is a YAML error, not a ``ValueError``.
    """

    yaml_implicit_resolvers = {  # noqa: RUF012  # PyYAML's class-level table, filtered
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, "integer too large", node.start_mark
            ) from None

    def _as_string(self, node: yaml.ScalarNode) -> str:
        return self.construct_scalar(node)

    def _refuse(self, node: yaml.Node) -> None:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.tag} values are not supported in a stack file", node.start_mark
        )


_StackLoader.add_constructor("tag:yaml.org,2002:int", _StackLoader.construct_yaml_int)
_StackLoader.add_constructor("tag:yaml.org,2002:timestamp", _StackLoader._as_string)
_StackLoader.add_constructor("tag:yaml.org,2002:binary", _StackLoader._refuse)
_StackLoader.add_constructor("tag:yaml.org,2002:set", _StackLoader._refuse)


def load_stack_yaml(text: str, label: str) -> Any:
    """Parse a stack file, refusing duplicate keys and junk; errors name ``label``.

    PyYAML keeps the last of two equal keys without a word, so a service declared twice, or a
    setting written twice, would silently lose one; here it is an error naming the key path.
    """
    loader: _StackLoader | None = None
    try:
        loader = _StackLoader(text)  # checks the characters already: inside the try
        node = loader.get_single_node()
        if node is None:
            return None
        problems = _check_nodes(node, "", 0)
        if problems:
            raise ConfigurationError(label, problems)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        reason = f": {problem}" if problem else ""
        raise ConfigurationError(label, [Problem("", f"invalid YAML{where}{reason}")]) from None
    except RecursionError:
        raise ConfigurationError(label, [Problem("", "invalid YAML: nested too deeply")]) from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_nodes(node: yaml.Node, path: str, depth: int) -> list[Problem]:
    """Duplicate keys and excessive nesting under ``node``, with their key paths."""
    if depth > MAX_NESTING:
        return [Problem(path, f"nested more than {MAX_NESTING} levels deep")]
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` overriding keys is what merge keys are for
            key_text = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            child = f"{path}.{key_text}" if path else key_text
            if isinstance(key_node, yaml.ScalarNode):
                identity = (key_node.tag, key_node.value)
                line = key_node.start_mark.line + 1
                if identity in seen:
                    problems.append(
                        Problem(
                            child,
                            f"duplicate key (lines {seen[identity]} and {line}); "
                            "YAML would silently keep only the last one",
                        )
                    )
                else:
                    seen[identity] = line
            problems.extend(_check_nodes(value_node, child, depth + 1))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems.extend(_check_nodes(item, f"{path}[{index}]", depth + 1))
    return problems


def available_stacks(project_dir: Path) -> list[str]:
    """Stacks that have a configuration file under ``stacks/``."""
    return sorted(
        p.name[len("Pulumi.") : -len(".yaml")]
        for p in (project_dir / "stacks").glob("Pulumi.*.yaml")
    )


def _config_value(value: Any) -> tuple[str, bool]:
    """A stack-file value as the Pulumi runtime receives it: a string, and whether secret."""
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict | list):
        secret = _contains_secure(value)
        return json.dumps(_mask_secure(value)), secret
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    return ("" if value is None else str(value)), False


def _contains_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False


def _mask_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _mask_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_secure(v) for v in value]
    return value


def read_stack_file(project_dir: Path, stack: str, project: str) -> tuple[dict[str, str], set[str]]:
    """The configuration map and its secret keys, read from ``stacks/Pulumi.<stack>.yaml``."""
    label = stack_file_label(stack)
    path = project_dir / label
    if not path.is_file():
        known = ", ".join(available_stacks(project_dir)) or "none"
        raise ConfigurationError(label, [Problem("", f"no such stack file (stacks: {known})")])
    try:
        document = load_stack_yaml(path.read_text(encoding="utf-8"), label) or {}
    except UnicodeDecodeError:
        raise ConfigurationError(label, [Problem("", "not UTF-8 text")]) from None
    except OSError as exc:
        raise ConfigurationError(label, [Problem("", f"cannot read: {exc.strerror}")]) from None
    if not isinstance(document, dict):
        raise ConfigurationError(label, [Problem("", "must be a mapping with a `config` key")])
    unknown = sorted(
        set(document)
        - {"config", "encryptionsalt", "secretsprovider", "encryptedkey", "environment"}
    )
    if unknown:
        raise ConfigurationError(label, [Problem(key, "unknown top-level key") for key in unknown])
    raw_config = document.get("config") or {}
    if not isinstance(raw_config, dict):
        raise ConfigurationError(label, [Problem("config", "must be a mapping")])
    config: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, value in raw_config.items():
        full_key = key if ":" in str(key) else f"{project}:{key}"
        config[full_key], secret = _config_value(value)
        if secret:
            secret_keys.add(full_key)
    return config, secret_keys


def load_offline_program(
    stack: str,
    *,
    project_dir: Path | None = None,
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Callable[[], None], dict[str, str], set[str]]:
    """The program, configuration and secret keys of ``stack``, for the offline plan.

    ``env_file`` defaults to the project's ``.env``; the quick start passes ``.env.example``.
    """
    if not _STACK_NAME.match(stack):
        raise ConfigurationError("--stack", [Problem("", f"{stack!r} is not a stack name")])
    root = (project_dir or Path.cwd()).resolve()
    project = project_name(root)
    config, secret_keys = read_stack_file(root, stack, project)
    context = StackContext(
        source=stack_file_label(stack),
        project_dir=root,
        environ=dict(os.environ if environ is None else environ),
        env_file=env_file if env_file is not None else root / ".env",
    )

    def program() -> None:
        run(context)

    return program, config, secret_keys
