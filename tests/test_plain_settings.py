"""Credentials in settings kept in clear beyond environment variables (what a cron sends, a
container's command line), judged on any program's plan, raw resources too.

The components refuse them before registering anything; the plan and the policy pack judge
the records themselves, so that a program declaring ``functions.Cron``, a container trigger or
a container's command by hand is held to the same rule, and the printed plan never shows a
flagged setting.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless.core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from private_serverless.plan.runner import run_plan
from private_serverless.policies import PolicySettings, evaluate
from private_serverless.policies.rules import redact_plain_secrets
from pulumiverse_scaleway import containers, functions

from ._policy_records import NOW
from .test_policies_crossguard import run_resource_policy

PLANTED = "PLANTED-cron-secret-5f2a9c"
FUNCTION_ID = "fr-par/11111111-2222-4333-8444-555555555555"
CONTAINER_ID = "fr-par/11111111-2222-4333-8444-666666666666"


def _plan(
    args: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> list[ResourceRecord]:
    def program() -> None:
        if args is not None:
            functions.Cron(
                "nightly", function_id=FUNCTION_ID, schedule="0 2 * * *", args=json.dumps(args)
            )
        if body is not None or headers is not None:
            containers.Trigger(
                "hourly",
                container_id=CONTAINER_ID,
                cron=containers.TriggerCronArgs(
                    schedule="0 * * * *",
                    timezone="UTC",
                    body=json.dumps(body) if body is not None else None,
                    headers=headers,
                ),
                destination_config=containers.TriggerDestinationConfigArgs(
                    http_method="post", http_path="/"
                ),
            )

    return run_plan(program, project="raw", stack="dev", preview=False).resources


def _no_plain_secrets(records: list[ResourceRecord], settings: PolicySettings | None = None):
    return [
        finding
        for finding in evaluate(records, settings or PolicySettings(), now=NOW)
        if finding.rule == "no-plain-secrets"
    ]


def test_a_credential_in_a_function_crons_args_is_found_at_its_path() -> None:
    findings = _no_plain_secrets(_plan(args={"report": "daily", "db": {"password": PLANTED}}))
    assert len(findings) == 1
    assert "cron 'nightly': args $.db.password holds what looks like a credential" in (
        findings[0].message
    )
    assert PLANTED not in findings[0].message


def test_a_container_triggers_cron_body_and_headers_are_judged() -> None:
    findings = _no_plain_secrets(
        _plan(body={"token": PLANTED}, headers={"Authorization": f"Bearer {PLANTED}"})
    )
    slots = sorted(f.message.split(": ", 1)[1].split(" holds", 1)[0] for f in findings)
    assert slots == ["cron.body $.token", "cron.headers $.Authorization"]
    assert all(PLANTED not in f.message for f in findings)


def test_a_url_with_credentials_inside_an_innocent_key_is_found() -> None:
    findings = _no_plain_secrets(_plan(args={"source": f"postgres://u:{PLANTED}@db/app"}))
    assert len(findings) == 1 and "URL with credentials" in findings[0].message


def test_clean_arguments_pass() -> None:
    records = _plan(args={"report": "daily", "days": 1, "max_tokens": 512}, body={"full": False})
    assert _no_plain_secrets(records) == []


def test_an_allowed_key_passes_and_a_credential_beyond_doubt_does_not() -> None:
    records = _plan(args={"bucket": "exports", "key": "daily/report.csv"})
    assert len(_no_plain_secrets(records)) == 1
    assert _no_plain_secrets(records, PolicySettings(allowed_plain_names=frozenset({"KEY"}))) == []
    with pytest.raises(ValueError, match="credential beyond doubt"):
        PolicySettings(allowed_plain_names=frozenset({"PASSWORD"}))


def test_the_printed_plan_shows_no_flagged_document() -> None:
    records = _plan(args={"db": {"password": PLANTED}}, body={"token": PLANTED})
    assert PLANTED in json.dumps([r.inputs for r in records])  # the planted value is there
    shown = redact_plain_secrets(records, PolicySettings())
    assert PLANTED not in json.dumps([r.inputs for r in shown])
    by_name = {r.name: r.inputs for r in shown}
    assert by_name["nightly"]["args"] == SECRET_PLACEHOLDER
    assert by_name["hourly"]["cron"]["body"] == SECRET_PLACEHOLDER
    assert by_name["hourly"]["cron"]["schedule"] == "0 * * * *"  # the rest is still shown
    clean = _plan(args={"report": "daily"})
    assert redact_plain_secrets(clean, PolicySettings()) == clean


def test_the_policy_pack_reports_it_too() -> None:
    records = _plan(args={"db": {"password": PLANTED}})
    violations = run_resource_policy("no-plain-secrets", records)
    assert len(violations) == 1
    assert "args $.db.password" in violations[0][0] and PLANTED not in violations[0][0]


def test_an_unknown_document_in_a_preview_is_not_judged() -> None:
    def program() -> None:
        # A namespace's ID is unknown until it exists: so is what is derived from it.
        namespace = functions.Namespace("jobs", name="jobs")
        unknown = namespace.id.apply(lambda _: json.dumps({"password": PLANTED}))
        functions.Cron("nightly", function_id=FUNCTION_ID, schedule="0 2 * * *", args=unknown)

    records = run_plan(program, project="raw", stack="dev").resources
    assert _no_plain_secrets(records) == []


def test_arguments_that_are_no_json_document_are_scanned_as_text() -> None:
    def program() -> None:
        functions.Cron(
            "nightly",
            function_id=FUNCTION_ID,
            schedule="0 2 * * *",
            args=f"postgres://u:{PLANTED}@db/app",
        )

    findings = _no_plain_secrets(run_plan(program, project="raw", stack="dev").resources)
    assert len(findings) == 1
    assert "cron 'nightly': args holds what looks like a URL with credentials" in (
        findings[0].message
    )


def _container(**command_line: list[str]) -> list[ResourceRecord]:
    def program() -> None:
        containers.Container(
            "api",
            namespace_id=CONTAINER_ID,
            privacy="private",
            https_connections_only=True,
            image="rg.fr-par.scw.cloud/raw/api:1.0.0",
            **command_line,
        )

    return run_plan(program, project="raw", stack="dev", preview=False).resources


def test_a_credential_in_a_containers_command_line_is_found_by_word() -> None:
    records = _container(args=["--db", f"postgres://u:{PLANTED}@db/app"])
    findings = _no_plain_secrets(records)
    assert len(findings) == 1
    assert "container 'api': args[1] holds what looks like a URL with credentials" in (
        findings[0].message
    )
    assert "a container's command line is stored in clear" in findings[0].message
    assert PLANTED not in findings[0].message


def test_a_flag_and_its_value_in_two_words_are_found() -> None:
    findings = _no_plain_secrets(_container(commands=["serve", "--api-token", "hunter2planted"]))
    assert len(findings) == 1
    assert "container 'api': commands holds what looks like" in findings[0].message
    assert "hunter2planted" not in findings[0].message


def test_a_clean_command_line_passes_and_a_flagged_one_is_not_printed() -> None:
    assert _no_plain_secrets(_container(commands=["serve"], args=["--port", "8080"])) == []
    records = _container(commands=["serve"], args=["--db", f"postgres://u:{PLANTED}@db/app"])
    shown = {r.name: r.inputs for r in redact_plain_secrets(records, PolicySettings())}
    assert shown["api"]["args"] == SECRET_PLACEHOLDER
    assert shown["api"]["commands"] == ["serve"]
    assert PLANTED not in json.dumps(shown)


def _probed(**probes: Any) -> list[ResourceRecord]:
    def program() -> None:
        containers.Container(
            "api",
            namespace_id=CONTAINER_ID,
            privacy="private",
            https_connections_only=True,
            image="rg.fr-par.scw.cloud/raw/api:1.0.0",
            **probes,
        )

    return run_plan(program, project="raw", stack="dev", preview=False).resources


def _liveness(path: str) -> containers.ContainerLivenessProbeArgs:
    return containers.ContainerLivenessProbeArgs(
        failure_threshold=3,
        interval="10s",
        timeout="5s",
        http=containers.ContainerLivenessProbeHttpArgs(path=path),
    )


def test_a_credential_in_a_containers_probe_path_is_found_and_not_printed() -> None:
    records = _probed(
        liveness_probe=_liveness(f"/health?token={PLANTED}"),
        startup_probe=containers.ContainerStartupProbeArgs(
            failure_threshold=3,
            interval="10s",
            timeout="5s",
            http=containers.ContainerStartupProbeHttpArgs(path="/ready"),
        ),
    )
    findings = _no_plain_secrets(records)
    assert len(findings) == 1
    message = findings[0].message
    assert "container 'api': livenessProbe.http.path holds what looks like a credential" in message
    assert "a container's health probe path is stored in clear" in message
    assert "probe a path that needs no credential" in message
    assert PLANTED not in message
    shown = {r.name: r.inputs for r in redact_plain_secrets(records, PolicySettings())}
    assert shown["api"]["livenessProbe"]["http"] == SECRET_PLACEHOLDER
    assert shown["api"]["livenessProbe"]["interval"] == "10s"
    assert shown["api"]["startupProbe"]["http"] == {"path": "/ready"}
    assert PLANTED not in json.dumps(shown)
    # The CrossGuard pack judges the raw resource the same way.
    violations = run_resource_policy("no-plain-secrets", records)
    assert len(violations) == 1
    assert "livenessProbe.http.path" in violations[0][0] and PLANTED not in violations[0][0]


def test_the_deprecated_health_checks_are_judged_too() -> None:
    check = containers.ContainerHealthCheckArgs(
        failure_threshold=3,
        interval="10s",
        https=[
            containers.ContainerHealthCheckHttpArgs(path="/health"),
            containers.ContainerHealthCheckHttpArgs(path=f"/health?api_key={PLANTED}"),
        ],
    )
    findings = _no_plain_secrets(_probed(health_checks=[check]))
    assert [f.message.split(": ", 1)[1].split(" holds")[0] for f in findings] == [
        "healthChecks[0].https[1].path"
    ]
    assert PLANTED not in findings[0].message


def test_ordinary_probe_paths_are_no_finding() -> None:
    records = _probed(liveness_probe=_liveness("/healthz?full=1&check=db"))
    assert _no_plain_secrets(records) == []
    assert redact_plain_secrets(records, PolicySettings()) == records


def test_a_credential_header_is_found_whatever_the_allow_list_says() -> None:
    records = _plan(body={"full": True}, headers={"Cookie": f"session={PLANTED}"})
    allowing = PolicySettings(allowed_plain_names=frozenset({"COOKIE"}))
    findings = _no_plain_secrets(records, allowing)
    assert [f.message.split(": ", 1)[1].split(" holds")[0] for f in findings] == [
        "cron.headers $.Cookie"
    ]
    assert "allowed_plain_names" not in findings[0].message  # no allow-list releases it


def test_no_allow_list_is_offered_for_a_credential_beyond_doubt() -> None:
    (finding,) = _no_plain_secrets(_plan(args={"password": PLANTED}))
    assert "allowed_plain_names" not in finding.message
    (finding,) = _no_plain_secrets(_plan(args={"key": "exports/daily.csv"}))
    assert "allowed_plain_names" in finding.message


def test_a_document_too_deep_to_parse_is_flagged_not_crashed_on() -> None:
    records = _plan(args={"a": 1})
    deep = "[" * 100_000 + "]" * 100_000
    cron = next(r for r in records if r.name == "nightly")
    odd = replace(cron, inputs={**cron.inputs, "args": deep[:60_000] + deep[-60_000:]})
    findings = _no_plain_secrets([odd])
    assert len(findings) <= 1  # long text is read as text, never parsed into a crash
    nested = "[" * 5000 + "]" * 5000
    findings = _no_plain_secrets([replace(cron, inputs={**cron.inputs, "args": nested})])
    assert len(findings) == 1 and "not judged" in findings[0].message


def test_words_that_are_no_strings_do_not_hide_a_command_line() -> None:
    records = _container(args=["serve"])
    container = next(r for r in records if r.name == "api")
    odd = replace(
        container,
        inputs={**container.inputs, "args": ["--db", f"postgres://u:{PLANTED}@db/app", 8080, None]},
    )
    findings = _no_plain_secrets([odd])
    assert len(findings) == 1 and "args[1] holds what looks like a URL" in findings[0].message
    shown = redact_plain_secrets([odd], PolicySettings())
    assert PLANTED not in json.dumps(shown[0].inputs)


@pytest.mark.parametrize("header", ["Set-Cookie", "X-Shared-Key", "Cookie"])
def test_a_header_naming_a_credential_is_found_whatever_the_allow_list(header: str) -> None:
    records = _plan(body={"full": True}, headers={header: f"v={PLANTED}"})
    allowing = PolicySettings(allowed_plain_names=frozenset({header.upper().replace("-", "_")}))
    findings = _no_plain_secrets(records, allowing)
    assert len(findings) == 1 and f"cron.headers $.{header} holds" in findings[0].message
    assert "allowed_plain_names" not in findings[0].message


def test_a_too_deep_structure_under_a_credential_key_is_flagged_not_crashed_on() -> None:
    cron = next(r for r in _plan(args={"a": 1}) if r.name == "nightly")
    deep = '{"password": ' + "[" * 900 + '""' + "]" * 900 + "}"
    findings = _no_plain_secrets([replace(cron, inputs={**cron.inputs, "args": deep})])
    assert len(findings) == 1 and "args $.password holds" in findings[0].message


# The URL-credentials test runs on RE2 (linear in the value's length): it finds what Python's
# engine finds with the same pattern.
url_like = st.text(alphabet="ab1+.-:/@ \t", max_size=40)


@settings(max_examples=300, deadline=None)
@given(text=url_like)
def test_url_credentials_are_found_as_python_s_engine_finds_them(text: str) -> None:
    import re

    from private_serverless.sensitive import values

    expected = re.search(values._URL_CREDENTIALS, text) is not None
    assert values._has_url_credentials(text) is expected
