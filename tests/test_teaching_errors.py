"""Errors that teach: suggestions for unknown keys, every problem at once, exact texts.

A newcomer writes keys as the Serverless Framework or Pulumi's YAML spell them (camelCase,
``timeout``, ``custom_domains``); the error names the field meaning the same. The Python API
raises the library's :class:`ConfigurationError` (key paths, no value), never pydantic's
``ValidationError``, from every args model.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless import (
    AccessArgs,
    CustomDomainArgs,
    GrantArgs,
    IdentityArgs,
    NatsSubject,
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
    Probe,
    QueueTriggerArgs,
    RegistryArgs,
    ScalingOption,
    ScheduleArgs,
    SqsQueue,
)
from private_serverless.cli import app
from private_serverless.core.key_suggestions import allowed_keys, snake_case, suggest_key
from private_serverless.core.models import ArgsModel
from private_serverless.errors import ConfigurationError
from pydantic import ValidationError
from typer.testing import CliRunner

from .conftest import PLANTED_SECRET

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).parent
ARGS_MODELS: list[type[ArgsModel]] = [
    AccessArgs,
    CustomDomainArgs,
    GrantArgs,
    IdentityArgs,
    NatsSubject,
    PrivateContainerArgs,
    PrivateFunctionArgs,
    Probe,
    QueueTriggerArgs,
    RegistryArgs,
    ScalingOption,
    ScheduleArgs,
    SqsQueue,
]


def fn(**overrides):
    base = {"runtime": "python312", "handler": "handler.handle", "source_dir": HERE}
    return PrivateFunctionArgs(**{**base, **overrides})


def problems(exc: ConfigurationError) -> dict[str, str]:
    return {problem.path: problem.message for problem in exc.problems}


# --- suggestions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("memoryLimit", "memory_limit_mb"),
        ("memory", "memory_limit_mb"),
        ("timeout", "timeout_seconds"),
        ("minScale", "min_scale"),
        ("maxScale", "max_scale"),
        ("environment", "env"),
        ("secret", "secrets"),
        ("secret_environment_variables", "secrets"),
        ("events", "schedules or queues"),
        ("custom_domains", "domains or domain"),
        ("max_scael", "max_scale"),
        ("httpsOnly", "https_only"),
        ("privateNetworkId", "private_network_id"),
        ("sourceDir", "source_dir"),
        ("zipFile", "zip_file"),
    ],
)
def test_an_unknown_function_key_names_the_field_meaning_the_same(written, meant):
    with pytest.raises(ConfigurationError) as caught:
        fn(**{written: 1})
    assert problems(caught.value)[written] == f"unknown key; did you mean {meant}?"


def test_a_container_key_of_the_provider_is_mapped_to_the_field():
    with pytest.raises(ConfigurationError) as caught:
        PrivateContainerArgs(image="rg.fr-par.scw.cloud/ns/a:1", cpuLimit=280, registryImage="x")
    found = problems(caught.value)
    assert found["cpuLimit"] == "unknown key; did you mean cpu_limit_mvcpu?"
    assert found["registryImage"] == "unknown key; did you mean image?"


def test_a_nested_unknown_key_is_suggested_from_its_own_model():
    with pytest.raises(ConfigurationError) as caught:
        fn(
            schedules={"nightly": {"schedule": "0 2 * * *", "timeZone": "UTC"}},
            access={"keyExpiresInDays": 30},
            domain={"hostnme": "a.example.com"},
        )
    found = problems(caught.value)
    assert found["schedules.nightly.timeZone"] == "unknown key; did you mean time_zone?"
    assert found["access.keyExpiresInDays"] == "unknown key; did you mean key_expires_in_days?"
    assert found["domain.hostnme"] == "unknown key; did you mean hostname?"


def test_a_key_close_to_nothing_lists_what_is_allowed():
    with pytest.raises(ConfigurationError) as caught:
        ScalingOption(zzz_qqq=1)
    assert problems(caught.value)["zzz_qqq"] == (
        "unknown key; allowed: concurrent_requests, cpu_percent, memory_percent"
    )


def _camel(words: list[str], upper_first: bool, upper_words: set[int]) -> str:
    parts = []
    for index, word in enumerate(words):
        if index in upper_words and word.isalpha() and len(word) <= 5:
            # An acronym (HTTPSOnly, memoryLimitMB); one at most: two in a row (STOREKEY) are
            # one word to any reader.
            parts.append(word.upper())
        elif index > 0 or upper_first:
            parts.append(word[:1].upper() + word[1:])
        else:
            parts.append(word)
    return "".join(parts)


_FIELDS = [(model, name) for model in ARGS_MODELS for name in model.model_fields]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(_FIELDS),
    st.booleans(),
    st.sets(st.integers(min_value=0, max_value=6), max_size=1),
    st.sampled_from(["camel", "kebab", "upper"]),
)
def test_every_field_written_in_another_case_maps_to_that_field(
    model_field, upper_first, upper_words, style
):
    model, field = model_field
    words = field.split("_")
    written = {
        "camel": _camel(words, upper_first, upper_words),
        "kebab": "-".join(words),
        "upper": field.upper(),
    }[style]
    allowed = list(model.model_fields)
    if written == field:
        assert suggest_key(written, allowed) is None  # it is the field itself
        return
    assert snake_case(written) == field
    assert suggest_key(written, allowed) == field


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_FIELDS))
def test_every_field_written_in_camel_case_is_suggested_by_the_model_itself(model_field):
    model, field = model_field
    written = _camel(field.split("_"), False, set())
    if written == field:
        return
    with pytest.raises(ConfigurationError) as caught:
        model(**{written: None})
    assert problems(caught.value)[written] == f"unknown key; did you mean {field}?"


def test_allowed_keys_follow_dicts_lists_and_optional_models():
    assert "time_zone" in (allowed_keys(PrivateFunctionArgs, ["schedules", "nightly"]) or [])
    assert "hostname" in (allowed_keys(PrivateFunctionArgs, ["domain"]) or [])
    assert "permission_set" in (allowed_keys(PrivateContainerArgs, ["identity", "grants", 0]) or [])
    assert allowed_keys(PrivateFunctionArgs, ["env"]) is None  # no model there


# --- no pydantic errors from the Python API ---------------------------------------------------


@pytest.mark.parametrize("model", ARGS_MODELS, ids=lambda m: m.__name__)
def test_every_args_model_raises_the_library_error_with_key_paths(model):
    with pytest.raises(ConfigurationError) as caught:
        model(not_a_setting=PLANTED_SECRET)
    assert not isinstance(caught.value, ValidationError)
    assert "not_a_setting" in problems(caught.value)
    assert PLANTED_SECRET not in str(caught.value)
    assert "pydantic" not in str(caught.value) and "errors.pydantic.dev" not in str(caught.value)


def test_a_missing_setting_says_so_plainly():
    with pytest.raises(ConfigurationError) as caught:
        PrivateFunctionArgs(handler="handler.handle", source_dir=HERE)
    assert problems(caught.value)["runtime"] == "missing: this setting is required"


# --- texts ------------------------------------------------------------------------------------


def test_a_reserved_variable_name_is_called_a_name_not_a_value():
    with pytest.raises(ConfigurationError) as caught:
        fn(env={"SCW_REGION": "x"})
    (message,) = caught.value.problems
    assert message.path.startswith("env.SCW_REGION")
    assert "this name is reserved" in message.message
    assert "(the value)" not in str(caught.value)


def test_an_invalid_service_name_is_not_quoted_as_a_value():
    with pytest.raises(ConfigurationError) as caught:
        fn(name="Bad_Name")
    assert problems(caught.value)["name"].startswith("not a valid name:")


def test_a_too_long_secret_gets_a_hint_that_works():
    with pytest.raises(ConfigurationError) as caught:
        fn(secrets={"BIG": "x" * 1001})
    message = str(caught.value)
    assert "base64" not in message  # base64 makes a value a third larger
    assert "Secret Manager" in message and "file" in message


def test_a_go_folder_without_go_code_reads_well(plan_of, tmp_path):
    code = tmp_path / "code"
    (code / "api").mkdir(parents=True)
    (code / "api" / "README.md").write_text("no code\n")
    with pytest.raises(ConfigurationError) as caught:
        plan_of(
            lambda: PrivateFunction(
                "fn", {"runtime": "go124", "handler": "api/Handle", "source_dir": code}
            )
        )
    assert "has no source file in api " in str(caught.value)
    assert "no a " not in str(caught.value)


# --- handlers ---------------------------------------------------------------------------------
# Scaleway's handler syntax: <folder>/<file>.<function> for Python, Node and PHP;
# <folder>/<Function> for Go (capitalised) and the function's name for Rust.
# https://www.scaleway.com/en/docs/serverless-functions/reference-content/functions-handlers/


@pytest.mark.parametrize(
    ("runtime", "handler"),
    [
        ("python312", "handlers/handler.handle"),
        ("python312", "handler.handle"),
        ("python312", "my-func/app_v2.main"),
        ("node22", "src/index.handler"),
        ("node22", "index.$handle"),
        ("php84", "web/index.handle"),
        ("go124", "Handle"),
        ("go124", "cmd/api/Handle"),
        ("rust185", "handle"),
        ("rust185", "src/handle"),
    ],
)
def test_handlers_in_scaleway_syntax_are_accepted(runtime, handler):
    fn(runtime=runtime, handler=handler)


@pytest.mark.parametrize(
    ("runtime", "handler", "says"),
    [
        ("python312", "handlers/handler.py", "names a file (.py)"),
        ("python312", "handler.py", "names a file (.py)"),
        ("node22", "index.js", "names a file (.js)"),
        ("node22", "src/index.mjs", "names a file (.mjs)"),
        ("node22", "src/index.ts", "names a file (.ts)"),
        ("php84", "index.php", "names a file (.php)"),
        ("python312", "handler", "<folder>/<file>.<function>"),
        ("python312", "pkg.module.handle", "<folder>/<file>.<function>"),
        ("python312", "../handler.handle", "<folder>/<file>.<function>"),
        ("go124", "main.go", "exported (capitalised)"),
        ("go124", "handle", "exported (capitalised)"),
        ("rust185", "handler.rs", "pub fn"),
    ],
)
def test_handlers_naming_a_file_or_in_another_syntax_are_refused(runtime, handler, says):
    with pytest.raises(ConfigurationError) as caught:
        fn(runtime=runtime, handler=handler)
    assert says in problems(caught.value)["handler"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), max_size=3),
    st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
    st.sampled_from(["python312", "node22", "php84"]),
)
def test_a_file_name_as_handler_is_always_refused_and_its_function_form_accepted(
    folders, stem, runtime
):
    suffix = {"python312": "py", "node22": "js", "php84": "php"}[runtime]
    prefix = "".join(f"{folder}/" for folder in folders)
    with pytest.raises(ConfigurationError, match="names a file"):
        fn(runtime=runtime, handler=f"{prefix}{stem}.{suffix}")
    fn(runtime=runtime, handler=f"{prefix}{stem}.handle")


# --- a stack: every problem in one run ---------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    for name in ("Pulumi.yaml", "__main__.py", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("stacks", "services"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edit_dev(project: Path, edit) -> None:
    path = project / "stacks" / "Pulumi.dev.yaml"
    document = yaml.safe_load(path.read_text())
    edit(document["config"]["private-serverless:services"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def _plan():
    return CliRunner().invoke(
        app, ["plan", "--stack", "dev", "--env-file", ".env.example"], catch_exceptions=False
    )


def test_memory_limit_in_camel_case_is_answered_in_the_stack_file(project):
    _edit_dev(project, lambda services: services["billing"].update(memoryLimit=256))
    result = _plan()
    assert result.exit_code == 2
    assert "services.billing.memoryLimit: unknown key; did you mean memory_limit_mb?" in (
        result.output
    )


def test_three_bad_services_are_reported_in_one_run(project):
    def edit(services):
        services["billing"]["memoryLimit"] = 256
        services["reports"]["handler"] = "missing.handle"  # no missing.js in the code
        services["api"]["port"] = 8012  # the platform's

    _edit_dev(project, edit)
    result = _plan()
    assert result.exit_code == 2
    assert "3 problems" in result.output
    for path in ("services.billing.memoryLimit", "services.reports.handler", "services.api"):
        assert path in result.output
    assert "Traceback" not in result.output
    assert not (project / ".private-serverless").exists()  # nothing built


def test_a_misspelt_top_level_key_is_answered(project):
    path = project / "stacks" / "Pulumi.dev.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["private-serverless:defualts"] = {"region": "fr-par"}
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    result = _plan()
    assert result.exit_code == 2
    assert "defualts: unknown key; did you mean defaults?" in result.output


def test_a_component_given_a_mapping_suggests_too(plan_of):
    with pytest.raises(ConfigurationError) as caught:
        plan_of(lambda: PrivateContainer("api", {"image": "a/b:1", "minScale": 1}))
    assert "minScale: unknown key; did you mean min_scale?" in str(caught.value)


# A value of any length pasted where it is refused, quoted by the validator (a CIDR in a
# condition) or by a library inside it (ipaddress): never printed.
long_values = st.integers(8, 600).flatmap(
    lambda size: st.text(
        alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=size, max_size=size
    )
)


@settings(max_examples=40, deadline=None)
@given(value=long_values)
def test_a_refused_value_of_any_length_is_never_quoted(value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        fn(access={"condition": f'inIpRange(request.ip, "{value}")'})
    assert value not in str(caught.value)
    assert "(the value) is not a valid CIDR network" in str(caught.value)


@pytest.mark.parametrize(
    ("settings_", "allowed"),
    [
        ({"runtime": "python312x"}, "'python312'"),  # the typo holds an allowed value
        ({"sandbox": "v22"}, "'v2'"),
    ],
)
def test_the_allowed_values_stay_in_the_message_when_the_typo_holds_one(settings_, allowed):
    with pytest.raises(ConfigurationError) as caught:
        fn(**settings_)
    assert allowed in str(caught.value) and "(the value)" not in str(caught.value)


PASTED_KEY = "sk_live_" + "51HxYz8Kq2LmN3pQ4rS5tU6vW7xY8zA9"


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda services: services["billing"].update({PASTED_KEY: 1}), "services.billing."),
        (
            lambda services: services["billing"]["access"].update({PASTED_KEY: 1}),
            "services.billing.access.",
        ),
        (
            lambda services: services["billing"]["secrets"].update(X=f"env:{PASTED_KEY}"),
            "services.billing.secrets.X",
        ),
    ],
)
def test_an_unknown_key_or_secret_name_shaped_like_a_token_is_not_shown(project, edit, path):
    _edit_dev(project, edit)
    result = _plan()
    assert result.exit_code == 2, result.output
    assert path in result.output and PASTED_KEY not in result.output, result.output


def test_an_unknown_top_level_key_shaped_like_a_token_is_not_shown(project):
    path = project / "stacks" / "Pulumi.dev.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"][f"private-serverless:{PASTED_KEY}"] = "yes"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    result = _plan()
    assert result.exit_code == 2, result.output
    assert "<a refused key>: unknown key" in result.output and PASTED_KEY not in result.output


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_a_bidi_override_in_a_value_is_shown_escaped_in_every_format(project, output_format):
    """Trojan Source: a right-to-left override would reorder what a reviewer reads."""
    import json as json_module

    value = "safe\u202etxt.exe"
    _edit_dev(project, lambda services: services["billing"]["env"].update(NOTE=value))
    result = CliRunner().invoke(
        app, ["plan", "--stack", "dev", "--env-file", ".env.example", "--format", output_format]
    )
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.output and "safe\\u202etxt.exe" in result.output
    if output_format == "json":
        document = json_module.loads(result.stdout)
        billing = next(r for r in document["resources"] if r["name"] == "billing-function")
        assert billing["inputs"]["environmentVariables"]["NOTE"] == value  # the same data


def test_format_characters_become_escapes_and_nothing_else_changes() -> None:
    from private_serverless.core.inert_text import inert

    assert inert("a\u200bb\u2066c\u00e9\u4e2d") == "a\\u200bb\\u2066c\u00e9\u4e2d"


def test_an_unreadable_env_file_line_is_one_error_naming_the_file_and_line(project):
    planted = "PLANTED-dotenv-" + "93c1f0e7b2a4"
    (project / "bad.env").write_text(
        f"BILLING_DB_PASSWORD=ok-value\nthis line {planted}\nREPORTS_S3_SECRET_KEY=x\n"
    )
    result = CliRunner().invoke(app, ["plan", "--stack", "dev", "--env-file", "bad.env"])
    assert result.exit_code == 2, result.output
    assert "bad.env: line 2: not a NAME=value line" in result.output
    assert planted not in result.output
