"""A Pulumi project found as the Pulumi CLI finds it, and its Python program run offline.

``private-serverless plan`` plans any Pulumi Python program, not only this repository's YAML
stacks: :func:`find_project` looks for ``Pulumi.yaml`` (or ``Pulumi.yml``) in the working
directory, then in each parent, like ``pulumi preview`` does; :func:`read_stack_config` reads
``Pulumi.<stack>.yaml`` from the project's ``stackConfigDir``; :func:`load_program` runs the
project's ``main`` program (its ``__main__.py``) the way the Python language host does;
:func:`private_serverless.plan.stack_plan.plan_project` hands it to the offline runner.

The Pulumi CLI decrypts ``secure:`` values before a program sees them; offline there is no key,
so they reach the program as ``[secret]`` and are marked secret.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import runpy
import stat
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from ..core.files import PROJECT_FILE_BOUNDS, STACK_FILE_BOUNDS, Bounds
from ..core.inventory import SECRET_PLACEHOLDER
from ..errors import ConfigurationError, PrivateServerlessError, Problem, hide_on_user_error
from .stack_yaml import load_stack_yaml

__tracebackhide__ = hide_on_user_error

#: The project file names the Pulumi CLI accepts, in the order it tries them
#: (https://www.pulumi.com/docs/iac/concepts/projects/project-file/: ".yml or .yaml").
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")

#: Environment variable naming the dotenv file the YAML stack program falls back to for
#: ``env:`` secrets (``--env-file``); set only while an offline plan runs the program.
ENV_FILE_VARIABLE = "PRIVATE_SERVERLESS_ENV_FILE"

# Project names: "alphanumeric characters, hyphens, underscores, and periods" (project file
# reference above); stack names likewise, at most 100 characters like the Pulumi service.
_PROJECT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_PROJECT_KEYS = frozenset(
    {
        "name",
        "runtime",
        "description",
        "main",
        "stackConfigDir",
        "config",
        "backend",
        "options",
        "template",
        "plugins",
        "author",
        "website",
        "license",
        "packages",
    }
)
_STACK_KEYS = frozenset(
    {"config", "encryptionsalt", "secretsprovider", "encryptedkey", "environment"}
)


class ProgramError(PrivateServerlessError):
    """The project's program failed while it ran offline; the message says where."""


@dataclass(frozen=True)
class PulumiProject:
    """What ``Pulumi.yaml`` says: the project's name, program and configuration folder."""

    file: Path
    """The project file (absolute)."""
    name: str
    runtime: str
    program: Path
    """The program's directory (``main``, else the project file's folder); absolute."""
    config_dir: Path
    """Where ``Pulumi.<stack>.yaml`` files live (``stackConfigDir``); absolute."""
    config_defaults: Mapping[str, Any]
    """Project-level configuration values (``config:`` with a ``value`` or ``default``)."""

    @property
    def root(self) -> Path:
        """The folder holding the project file."""
        return self.file.parent

    def label(self, path: Path) -> str:
        """How errors name a file of the project: relative to the project's folder."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def stack_file(self, stack: str) -> Path:
        """``Pulumi.<stack>.yaml`` in the configuration folder (``.yml`` when only that exists).

        A folder that cannot be searched is a :class:`ConfigurationError` naming it."""
        yaml_file = self.config_dir / f"Pulumi.{stack}.yaml"
        yml_file = self.config_dir / f"Pulumi.{stack}.yml"
        if self.file_kind(yml_file) == "file" and self.file_kind(yaml_file) is None:
            return yml_file
        return yaml_file

    def file_kind(self, path: Path) -> str | None:
        """What is at ``path`` in the configuration folder: ``"file"``, another kind named
        for a message (``"folder"``, ...), or None when nothing is there.

        ``Path.is_file`` raises PermissionError when the folder cannot be searched (an
        unreadable ``stackConfigDir``): that is the user's folder, named here, not a crash."""
        try:
            mode = path.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            folder = self.label(path.parent)
            reason = exc.strerror or type(exc).__name__
            raise ConfigurationError(
                folder,
                [Problem("", f"cannot read this folder (the stack files' folder): {reason}")],
            ) from None
        return _kind_of(mode)

    def stacks(self) -> list[str]:
        """The stacks that have a configuration file."""
        names = {
            path.name[len("Pulumi.") :].rsplit(".", 1)[0]
            for pattern in ("Pulumi.*.yaml", "Pulumi.*.yml")
            for path in self.config_dir.glob(pattern)
        }
        return sorted(names)


def _kind_of(mode: int) -> str:
    """A file type as a message names it."""
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "socket" if stat.S_ISSOCK(mode) else "special file"


def find_project_file(start: Path | None = None) -> Path:
    """The nearest ``Pulumi.yaml`` / ``Pulumi.yml`` in ``start`` (the working directory) or a
    parent folder, as the Pulumi CLI looks for it."""
    origin = (start or Path.cwd()).resolve()
    for folder in (origin, *origin.parents):
        for name in PROJECT_FILES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    raise ConfigurationError(
        "Pulumi.yaml",
        [
            Problem(
                "",
                f"no Pulumi project here: no {' or '.join(PROJECT_FILES)} in {origin} or any "
                "parent folder (run from inside a Pulumi project)",
            )
        ],
    )


def _read_yaml(path: Path, label: str, bounds: Bounds, *, project: str | None = None) -> Any:
    """A project or stack file, read within ``bounds`` and parsed by the stack files' loader
    (duplicate keys, junk tags, deep nesting and alias bombs are errors; with ``project``, a
    setting written in two spellings too)."""
    limit = bounds.max_bytes
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigurationError(label, [Problem("", f"cannot read: {reason}")]) from None
    if len(data) > limit:
        raise ConfigurationError(
            label, [Problem("", f"larger than {limit} bytes, the most accepted")]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigurationError(label, [Problem("", "not UTF-8 text")]) from None
    return load_stack_yaml(text, label, bounds=bounds, project=project)


def _runtime_name(runtime: Any) -> str | None:
    if isinstance(runtime, dict):
        runtime = runtime.get("name")
    return runtime if isinstance(runtime, str) else None


def _inside(root: Path, relative: Any, key: str, problems: list[Problem]) -> Path:
    if not isinstance(relative, str) or not relative.strip():
        problems.append(Problem(key, "must be a path relative to the project file"))
        return root
    return (root / relative).resolve()


def read_project(project_file: Path) -> PulumiProject:
    """Read and check a project file; every problem is reported at once."""
    project_file = project_file.resolve()
    label = project_file.name
    document = _read_yaml(project_file, label, PROJECT_FILE_BOUNDS)
    if not isinstance(document, dict):
        raise ConfigurationError(label, [Problem("", "must be a mapping with name and runtime")])
    problems: list[Problem] = []
    name = document.get("name")
    if not isinstance(name, str) or not _PROJECT_NAME.match(name):
        problems.append(
            Problem("name", "required: letters, digits, hyphens, underscores and periods")
        )
    runtime = _runtime_name(document.get("runtime"))
    if runtime is None:
        problems.append(Problem("runtime", "required: the language runtime (python)"))
    elif runtime != "python":
        problems.append(
            Problem("runtime", f"only python programs can be planned offline (this is {runtime})")
        )
    root = project_file.parent
    program = root
    if "main" in document:
        program = _inside(root, document["main"], "main", problems)
    config_dir = root
    if "stackConfigDir" in document:
        config_dir = _inside(root, document["stackConfigDir"], "stackConfigDir", problems)
    defaults = _project_config(document.get("config"), problems)
    unknown = sorted(str(key) for key in document if key not in _PROJECT_KEYS)
    problems.extend(Problem(key, "unknown top-level key") for key in unknown)
    if problems:
        raise ConfigurationError(label, problems)
    assert isinstance(name, str) and runtime is not None
    return PulumiProject(
        file=project_file,
        name=name,
        runtime=runtime,
        program=program,
        config_dir=config_dir,
        config_defaults=defaults,
    )


def _project_config(raw: Any, problems: list[Problem]) -> dict[str, Any]:
    """Project-level configuration: plain values, or declarations with ``value``/``default``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem("config", "must be a mapping"))
        return {}
    values: dict[str, Any] = {}
    for key, declared in raw.items():
        if isinstance(declared, dict) and set(declared) != {"secure"}:
            for field in ("value", "default"):
                if field in declared:
                    values[str(key)] = declared[field]
                    break
        else:
            values[str(key)] = declared
    return values


def find_project(start: Path | None = None) -> PulumiProject:
    """The project of ``start`` (default: the working directory) or of its nearest parent."""
    return read_project(find_project_file(start))


def config_value(value: Any) -> tuple[str, bool]:
    """A configuration value as the Pulumi runtime receives it: a string, and whether secret.

    Structured values become JSON text (``pulumi.Config.get_object`` reads them back);
    ``secure:`` values, anywhere inside, become ``[secret]``.
    """
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict | list):
        masked, secret = _mask_secure(value)
        return json.dumps(masked), secret
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    return ("" if value is None else str(value)), False


def _mask_secure(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        items = {key: _mask_secure(item) for key, item in value.items()}
        return {key: item for key, (item, _) in items.items()}, any(
            secret for _, secret in items.values()
        )
    if isinstance(value, list):
        masked = [_mask_secure(item) for item in value]
        return [item for item, _ in masked], any(secret for _, secret in masked)
    return value, False


def read_stack_config(project: PulumiProject, stack: str) -> tuple[dict[str, str], set[str]]:
    """The configuration of ``stack`` (project defaults, then ``Pulumi.<stack>.yaml``) with
    namespaced keys, and the keys whose values are secret."""
    if not _STACK_NAME.match(stack):
        raise ConfigurationError(
            "--stack",
            [Problem("", "not a stack name: letters, digits, hyphens, underscores and periods")],
        )
    path = project.stack_file(stack)
    label = project.label(path)
    kind = project.file_kind(path)
    if kind is None:
        known = ", ".join(project.stacks()) or "none"
        raise ConfigurationError(label, [Problem("", f"no such stack file (stacks: {known})")])
    if kind != "file":
        # Opening a FIFO would block; a folder is not "no such stack file" (it is there).
        raise ConfigurationError(
            label, [Problem("", f"is a {kind}, not a file: a stack file is a YAML file")]
        )
    document = _read_yaml(path, label, STACK_FILE_BOUNDS, project=project.name) or {}
    if not isinstance(document, dict):
        raise ConfigurationError(label, [Problem("", "must be a mapping with a `config` key")])
    unknown = sorted(str(key) for key in set(document) - _STACK_KEYS)
    if unknown:
        raise ConfigurationError(label, [Problem(key, "unknown top-level key") for key in unknown])
    raw_config = document.get("config") or {}
    if not isinstance(raw_config, dict):
        raise ConfigurationError(label, [Problem("config", "must be a mapping")])
    config: dict[str, str] = {}
    secret_keys: set[str] = set()
    for source in (project.config_defaults, raw_config):
        for key, value in source.items():
            full_key = str(key) if ":" in str(key) else f"{project.name}:{key}"
            config[full_key], secret = config_value(value)
            secret_keys.discard(full_key)
            if secret:
                secret_keys.add(full_key)
    return config, secret_keys


#: Environment variables through which the Pulumi runtime reads configuration besides the
#: configuration it was given: ``PULUMI_CONFIG`` (a JSON map), ``PULUMI_CONFIG_<KEY>`` and
#: ``PULUMI_CONFIG_SECRET_KEYS``.
CONFIG_ENVIRONMENT_PREFIX = "PULUMI_CONFIG"


@contextlib.contextmanager
def hermetic_config_environment() -> Iterator[None]:
    """Hide the Pulumi configuration variables of the environment while the program runs.

    The offline plan is a function of the repository's files (stack file, ``Pulumi.yaml``,
    the declared secret sources): a stray ``PULUMI_CONFIG`` in a CI job or a shell must not
    change it, nor have an unknown key it sets blamed on the stack file. ``pulumi up`` is not
    affected: the Pulumi CLI passes the stack's configuration to the program by its own means.
    """
    hidden = {
        name: os.environ.pop(name)
        for name in list(os.environ)
        if name.startswith(CONFIG_ENVIRONMENT_PREFIX)
    }
    try:
        yield
    finally:
        os.environ.update(hidden)


def program_entry(project: PulumiProject) -> Path:
    """The file the Python language host runs: ``__main__.py`` of the program's folder, or
    ``main`` itself when it names a ``.py`` file."""
    if project.program.is_file() and project.program.suffix == ".py":
        return project.program
    entry = project.program / "__main__.py"
    if not entry.is_file():
        where = project.label(project.program) if project.program != project.root else "."
        raise ConfigurationError(
            project.label(project.file),
            [Problem("main", f"no __main__.py in {where}: the Python program to run")],
        )
    return entry


@contextlib.contextmanager
def _program_environment(folder: Path, env_file: Path | None) -> Iterator[None]:
    """Run with ``folder`` as working directory and first import path, as the language host
    does; restore both (and forget the program's own modules) afterwards."""
    previous_cwd = Path.cwd()
    previous_path = list(sys.path)
    previous_env = os.environ.get(ENV_FILE_VARIABLE)
    before = set(sys.modules)
    os.chdir(folder)
    sys.path.insert(0, str(folder))
    if env_file is not None:
        os.environ[ENV_FILE_VARIABLE] = str(env_file.resolve())
    try:
        yield
    finally:
        os.chdir(previous_cwd)
        sys.path[:] = previous_path
        if env_file is not None:
            if previous_env is None:
                os.environ.pop(ENV_FILE_VARIABLE, None)
            else:
                os.environ[ENV_FILE_VARIABLE] = previous_env
        # A module of the program (a helper next to __main__.py) must not leak into the next
        # program planned in this process, which may have a module of the same name.
        for name in set(sys.modules) - before:
            if _is_program_module(name, getattr(sys.modules[name], "__file__", None), folder):
                del sys.modules[name]


def _is_program_module(name: str, module_file: str | None, folder: Path) -> bool:
    """Whether a module was imported from the program's folder (``helpers.py``,
    ``helpers/...``), not from an installed package that happens to live below it."""
    if not module_file:
        return False
    try:
        relative = Path(module_file).resolve().relative_to(folder)
    except ValueError:
        return False
    top = name.split(".", maxsplit=1)[0]
    return relative.parts[0] in (top, f"{top}.py")


def load_program(
    project: PulumiProject, stack: str, *, env_file: Path | None = None
) -> tuple[Callable[[], None], dict[str, str], set[str]]:
    """The program, configuration and secret keys of ``stack``: a loader for the plan runner.

    ``env_file`` (``--env-file``) is named to the program in ``PRIVATE_SERVERLESS_ENV_FILE``;
    the YAML stack program reads ``env:`` secrets missing from the environment from it instead
    of ``.env``.
    """
    config, secret_keys = read_stack_config(project, stack)
    entry = program_entry(project)
    if env_file is not None and not env_file.is_file():
        raise ConfigurationError("--env-file", [Problem("", f"{env_file}: no such file")])
    label = project.label(entry)

    def program() -> None:
        # The plan is a function of the repository's files: PULUMI_CONFIG* variables of the
        # shell or CI job are hidden while the program runs.
        with hermetic_config_environment(), _program_environment(entry.parent, env_file):
            try:
                runpy.run_path(str(entry), run_name="__main__")
            except PrivateServerlessError:
                raise
            except pulumi.RunError as exc:
                # How a program reports a user mistake to the Pulumi CLI: its message is the
                # whole story, as in `pulumi preview`.
                raise ProgramError(str(exc)) from None
            except Exception as exc:
                if _failed_in_library(entry.parent, exc):
                    raise  # a bug of ours, not the program's: reported as one (exit 3)
                raise ProgramError(_describe_failure(label, entry.parent, exc)) from None

    return program, config, secret_keys


#: The library's own folder: a frame there is the library at work, wherever it is installed
#: (inside the project's folder too, as in this repository).
_LIBRARY = Path(__file__).resolve().parents[1]


def _failed_in_library(folder: Path, exc: BaseException) -> bool:
    """Whether ``exc`` came out of the library's own work: a frame of the library follows the
    program's last frame (below it, only the standard library or the SDKs it called). The
    library checks what it is given before it acts, so a failure inside it is its own."""
    frames = [Path(frame.filename).resolve() for frame in traceback.extract_tb(exc.__traceback__)]
    last_own = max(
        (
            index
            for index, path in enumerate(frames)
            if path.is_relative_to(folder) and not path.is_relative_to(_LIBRARY)
        ),
        default=-1,
    )
    return any(path.is_relative_to(_LIBRARY) for path in frames[last_own + 1 :])


def _describe_failure(label: str, folder: Path, exc: BaseException) -> str:
    """The program's own frames of an exception, like the traceback Pulumi prints."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if Path(frame.filename).resolve().is_relative_to(folder)
        and not Path(frame.filename).resolve().is_relative_to(_LIBRARY)
    ]
    where = "".join(traceback.format_list(frames)).rstrip()
    detail = f"\n{where}" if where else ""
    return f"{label}: the program raised {type(exc).__name__}: {exc}{detail}"
